"""Related papers by content: for each paper, the papers closest to it in what they say.

tf-idf cosine over the title and abstract, as arxiv-sanity and most "more like this" features
do, with the choices that measured best on hand-made relevance judgements (benchmarks/relevance,
benchmarks/related_eval.py):

- words are lower-cased, lunr's stop words dropped and Porter-stemmed (lunr's stemmer, as search does);
  adjacent word pairs count too ("kv cache", "catastrophic forget");
- title terms count TITLE_WEIGHT times: a title says what a paper is about;
- sublinear term frequency, smoothed idf; terms in a single paper (no neighbour to find) or in
  more than MAX_DF of papers (no information) are dropped, which also keeps the work sparse;
- each paper keeps its KEEP strongest terms; similarities are summed through an inverted index,
  so no n x n matrix is ever made: the cost grows with the postings of those terms;
- then the neighbours' own neighbours add a little (pseudo-relevance feedback), and so does the
  share of topics two papers have in common: papers on one problem, worded differently.

Deterministic: ties go to the earlier slug, and nothing depends on the order papers are read.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from generator.catalogue.paper import Paper

TITLE_WEIGHT = 3
BIGRAMS = True
MAX_DF = 1.0            # measured best with KEEP doing the pruning (common words rarely make a top 100)
KEEP = 100
NEAR = 30             # closest papers kept per paper, by cosine
FEEDBACK = 3          # of which the closest few lend their own neighbours ...
FEEDBACK_WEIGHT = 0.1   # ... at this weight
TOPIC_WEIGHT = 0.05   # and the share of topics in common adds this much at most
LIMIT = 5
_WORD = re.compile(r"[a-z][a-z0-9]+(?:-[a-z0-9]+)*|\d+[a-z]+[a-z0-9]*")


@lru_cache(maxsize=1)
def _stop_words() -> frozenset[str]:
    from lunr.stop_word_filter import WORDS  # lunr's list, as search uses (a longer one measured worse)

    return frozenset(WORDS)


@lru_cache(maxsize=200_000)
def _stem(word: str) -> str:
    from lunr.stemmer import porter_stemmer

    return porter_stemmer.stem(word)


def terms(title: str, text: str) -> Counter:
    """A paper's weighted terms: stems and adjacent stem pairs, the title's counting TITLE_WEIGHT times."""
    found: Counter = Counter()
    stop = _stop_words()
    for part, weight in ((title, TITLE_WEIGHT), (text, 1)):
        words = [w for w in _WORD.findall(part.lower().replace("-", " ")) if w not in stop]
        stems = [_stem(w) for w in words]
        for stem in stems:
            found[stem] += weight
        if BIGRAMS:
            for a, b in zip(stems, stems[1:]):
                found[f"{a} {b}"] += weight
    return found


def related_papers(papers: list[Paper], limit: int = LIMIT) -> dict[str, list[Paper]]:
    """Slug -> the `limit` papers closest in content, closest first (fewer when few share terms)."""
    bags = [paper_terms(p) for p in papers]
    vectors = _vectors(bags, len(papers))
    postings: dict[str, list[tuple[int, float]]] = defaultdict(list)
    for doc, vector in enumerate(vectors):
        for term, weight in vector:
            postings[term].append((doc, weight))
    slugs = [p.slug for p in papers]
    order = lambda item: (-round(item[1], 12), slugs[item[0]])  # noqa: E731 - ties: the earlier slug
    near: list[list[tuple[int, float]]] = []  # each paper's NEAR closest, by cosine
    for doc, vector in enumerate(vectors):
        scores: dict[int, float] = defaultdict(float)
        for term, weight in vector:
            for other, other_weight in postings[term]:
                scores[other] += weight * other_weight
        scores.pop(doc, None)
        near.append(sorted(scores.items(), key=order)[:NEAR])
    topics = [frozenset(t.slug for t in p.topics) for p in papers]
    found: dict[str, list[Paper]] = {}
    for doc in range(len(papers)):
        # what the closest papers are close to counts too (pseudo-relevance feedback), and so
        # do shared topics: both pull in papers on the same problem that word it differently
        scores = defaultdict(float, near[doc])
        for other, _ in near[doc][:FEEDBACK]:
            for third, score in near[other]:
                scores[third] += FEEDBACK_WEIGHT * score
        scores.pop(doc, None)
        for other in scores:
            union = topics[doc] | topics[other]
            if union:
                scores[other] += TOPIC_WEIGHT * len(topics[doc] & topics[other]) / len(union)
        found[slugs[doc]] = [papers[other] for other, _ in sorted(scores.items(), key=order)[:limit]]
    return found


def paper_terms(paper: Paper) -> Counter:
    """Memoised on the paper (kept between builds with it): reading its terms is most of the cost."""
    key = ("related-terms",)
    derived = paper.derived
    if key not in derived:
        derived[key] = terms(paper.title, paper.text)
        paper.changed()
    return derived[key]


def _vectors(bags: list[Counter], n: int) -> list[list[tuple[str, float]]]:
    df: Counter = Counter()
    for bag in bags:
        df.update(bag.keys())
    too_common = max(2, MAX_DF * n)
    idf = {term: math.log((n + 1) / (count + 1)) + 1 for term, count in df.items() if 2 <= count <= too_common}
    vectors = []
    for bag in bags:
        weights = [(term, (1 + math.log(tf)) * idf[term]) for term, tf in bag.items() if term in idf]
        weights.sort(key=lambda item: (-item[1], item[0]))
        weights = weights[:KEEP]
        norm = math.sqrt(sum(w * w for _, w in weights)) or 1.0
        vectors.append([(term, w / norm) for term, w in weights])
    return vectors
