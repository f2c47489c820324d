"""Related papers by content, held to relevance judgements made by reading the abstracts
(benchmarks/relevance/: 40 papers, graded "same narrow problem" / "same sub-area")."""

from __future__ import annotations

import copy
import json
import math
import random
import re
from collections import Counter

import pytest
from conftest import PROJECT, SHIPPED_CONTENT

from generator.catalogue import related
from generator.catalogue.groups import index_catalogue
from generator.catalogue.reader import read_papers

JUDGEMENTS = PROJECT / "benchmarks" / "relevance" / "judgements.json"


@pytest.fixture(scope="module")
def papers():
    taxonomy, papers, _ = read_papers(SHIPPED_CONTENT)
    return taxonomy, papers


def ndcg5(ranked, gains):
    dcg = sum(gains.get(s, 0) / math.log2(i + 2) for i, s in enumerate(ranked[:5]))
    ideal = sum(g / math.log2(i + 2) for i, g in enumerate(sorted(gains.values(), reverse=True)[:5]))
    return dcg / ideal


def test_related_papers_score_at_least_0_75_ndcg5_on_judgements_held_out_from_tuning(papers):
    queries = [q for q in json.loads(JUDGEMENTS.read_text(encoding="utf-8"))["queries"] if q["split"] == "heldout"]
    lists = related.related_papers(papers[1])
    scores = [ndcg5([p.slug for p in lists[q["slug"]]], q["relevant"]) for q in queries]
    assert len(scores) == 15 and sum(scores) / len(scores) >= 0.75


def test_every_paper_gets_up_to_five_related_papers_never_itself(papers):
    lists = related.related_papers(papers[1])
    assert set(lists) == {p.slug for p in papers[1]}
    for slug, found in lists.items():
        assert 0 < len(found) <= 5 and slug not in [p.slug for p in found]


def test_the_lists_do_not_depend_on_the_order_papers_are_read(papers):
    taxonomy, read = papers
    shuffled = list(read)
    random.Random(3).shuffle(shuffled)
    first = {s: [p.slug for p in ps] for s, ps in related.related_papers(read).items()}
    again = {s: [p.slug for p in ps] for s, ps in related.related_papers(shuffled).items()}
    assert first == again


def test_papers_on_one_narrow_problem_find_each_other(papers):
    lists = index_catalogue(papers[1], papers[0]).related_lists
    loop = [p.slug for p in lists["learning-to-break-the-loop-analyzing-and-mitigating-repetitions-for-neural-text"]]
    assert {"the-hyperfitting-phenomenon-sharpening-and-stabilizing-llms-for-open-ended-text",
            "rethinking-repetition-problems-of-llms-in-code-generation"} <= set(loop[:3])


@pytest.mark.parametrize("chunk", [3, 20_000])
def test_each_pair_knows_its_papers_fifth_best_total_ties_and_short_lists_included(chunk):
    """What lets the lists be cut before sorting: for every pair, the 5th best total among its
    owner's pairs (-inf for an owner with fewer than 5), checked against sorting each owner's own."""
    import numpy as np

    rng = random.Random(5)
    owner = np.array(sorted(rng.choice(range(40)) for _ in range(240)))
    total = np.array([rng.choice([0.5, 0.25, 0.125]) if rng.random() < 0.3 else rng.random() for _ in owner])
    expected = []
    for o in owner.tolist():
        mine = sorted(total[owner == o].tolist(), reverse=True)
        expected.append(mine[4] if len(mine) >= 5 else -math.inf)
    assert related._limit_score(owner, total, 5, chunk=chunk).tolist() == expected
    assert (np.bincount(owner) < 5).any()  # some owners have fewer than five


def reference_words(text: str) -> list[str]:
    """The words terms are made of, by a regular expression: lower case, hyphens split, ASCII letters
    and digits, at least two characters and not digits alone ("3d", "4o", "v2"; not "a", "2024")."""
    return re.findall(r"[a-z][a-z0-9]+|[0-9]+[a-z][a-z0-9]*", text.lower().replace("-", " "))


def named_terms(title: str, text: str) -> Counter:
    """The reference: a paper's terms by name, stems and adjacent stem pairs (within the title, within
    the abstract), the title's counting TITLE_WEIGHT times."""
    found: Counter = Counter()
    for part, weight in ((title, related.TITLE_WEIGHT), (text, 1)):
        stems = related._stems(reference_words(part))
        for term in stems + list(map("{} {}".format, stems, stems[1:])):
            found[term] += weight
    return found


def term_key(term: str) -> int:
    """A term's key from its name: a stem's own, a pair's mixed from its two stems'."""
    import numpy as np

    stems = [related.term_key(s) for s in term.split(" ")]
    if len(stems) == 1:
        return stems[0]
    return int(related._pair_keys(np.array(stems[:1]), np.array(stems[1:]))[0])


def test_a_papers_term_keys_count_the_stems_and_stem_pairs_its_title_and_abstract_hold(papers):
    """paper_terms works on numeric keys; named_terms names the same terms as strings (the reference):
    title terms count TITLE_WEIGHT times, and no pair spans the title's end and the abstract's start."""
    for paper in papers[1]:
        named = named_terms(paper.title, paper.text)
        keys, counts = related.paper_terms(paper)
        assert list(zip(keys.tolist(), counts.tolist())) == sorted((term_key(t), float(c)) for t, c in named.items())


def test_words_are_runs_of_ascii_letters_and_digits_not_single_letters_or_numbers_alone(papers):
    """What splits words and what is no word, on a title and abstract made of such cases."""
    paper = copy.copy(papers[1][0])
    paper.__dict__["derived"] = {}
    paper.title = "GPT-4o vs. k-NN: 3D Café A/B tests (2024) of x_y, naïve ÉCOLE 10x"
    paper.text = "Self-play at 7B scale; 12 3 v2 e.g. fine-tuning R\u00e9sum\u00e9 LoRA_adapters x86-64 über."
    named = named_terms(paper.title, paper.text)
    keys, counts = related.paper_terms(paper)
    assert list(zip(keys.tolist(), counts.tolist())) == sorted((term_key(t), float(c)) for t, c in named.items())
    assert {"4o", "3d", "caf", "10x", "7b", "v2", "x86", "lora", "adapt"} <= set(named)
    assert not {"a", "b", "x", "2024", "12", "64", "\u00e9cole", "na\u00efv"} & {t for n in named for t in n.split(" ")}


def test_papers_read_together_have_the_terms_each_has_read_alone(papers):
    """read_terms keeps the terms of papers read on one core in one CSR; each paper's row is what
    reading it alone gives."""
    together = [copy.copy(p) for p in papers[1]]
    for paper in together:
        paper.__dict__["derived"] = {}
    related.read_terms(together)
    for paper, alone in zip(together, papers[1]):
        alone = copy.copy(alone)
        alone.__dict__["derived"] = {}
        related.read_terms([alone])
        (keys, counts), (alone_keys, alone_counts) = related.paper_terms(paper), related.paper_terms(alone)
        assert keys.tolist() == alone_keys.tolist() and counts.tolist() == alone_counts.tolist()
