"""Related papers by content: for each paper, the papers closest to it in what they say.

tf-idf cosine over the title and abstract, as arxiv-sanity and most "more like this" features
do, with the choices that measured best on hand-made relevance judgements (benchmarks/relevance,
benchmarks/related_eval.py):

- words are lower-cased, lunr's stop words dropped and Porter-stemmed (lunr's stemmer, as search does);
  adjacent word pairs count too ("kv cache", "catastrophic forget");
- title terms count TITLE_WEIGHT times: a title says what a paper is about;
- sublinear term frequency, smoothed idf; terms in a single paper (no neighbour to find) or in
  more than MAX_DF of papers (no information) are dropped, which also keeps the work sparse;
- each paper keeps its KEEP strongest terms; similarities are a sparse product (scipy) of the
  QUERY strongest terms of each paper with every paper's, so no n x n matrix is ever made: the
  cost grows with the postings of those terms (catalogue.nearness, which also redoes only what
  an edit changes);
- then the neighbours' own neighbours add a little (pseudo-relevance feedback), and so does the
  share of topics two papers have in common: papers on one problem, worded differently.

Deterministic: ties go to the earlier slug, and nothing depends on the order papers are read.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from typing import TYPE_CHECKING

from generator.catalogue.nearness import Nearness, _distinct, _places

if TYPE_CHECKING:
    from generator.catalogue.paper import Paper

TITLE_WEIGHT = 3
BIGRAMS = True
FEEDBACK = 3          # of which the closest few lend their own neighbours ...
FEEDBACK_WEIGHT = 0.1   # ... at this weight
TOPIC_WEIGHT = 0.05   # and the share of topics in common adds this much at most
LIMIT = 5
ROWS_AT_ONCE = 2000   # papers whose lists are worked out at once (memory: ~100 numbers a paper)
_ASCII_WORDS = bytes(c if 48 <= c <= 57 or 97 <= c <= 122 else 32 for c in range(256))  # 0-9, a-z; others a space


@lru_cache(maxsize=1)
def _stop_words() -> frozenset[str]:
    from lunr.stop_word_filter import WORDS  # lunr's list, as search uses (a longer one measured worse)

    return frozenset(WORDS)


def _stems(words: list[str]) -> list[str]:
    """The words' stems, stop words left out (the stemmer's memo is the search index's too: the
    words a paper's search analysis stemmed are not stemmed again)."""
    from generator.utils.stems import stem

    stop = _stop_words()
    return [stem(word) for word in words if word not in stop]


def _tokens(text: str) -> list[bytes]:
    """The runs of ASCII letters and digits in the lower-cased text, which hyphens, punctuation and
    any other character split: as bytes, split in C (a regular expression took twice as long)."""
    return text.lower().encode("ascii", "replace").translate(_ASCII_WORDS).split()


def _token_key(token: bytes) -> int:
    """The key of a token's stem (see `term_key`); 0 for a stop word or no word (a single letter,
    digits alone). Kept in _KEYS."""
    word = token.decode("ascii")
    stem = _stems([word]) if len(word) > 1 and not word.isdigit() else []
    _KEYS[token] = key = term_key(stem[0]) if stem else 0
    return key


def related_papers(papers: list[Paper], limit: int = LIMIT, nearness: Nearness | None = None,
                   rows=None) -> dict[str, list[Paper]]:
    """Slug -> the `limit` papers closest in content, closest first (fewer when few share terms).
    Their topics count, so give the papers their final topics first (catalogue.placement).
    `rows`: only for the papers at these places (see `depending`)."""
    import numpy as np

    n = len(papers)
    if n < 2:
        return {p.slug: [] for p in papers}
    nearness = nearness if nearness is not None else Nearness.build(papers)
    rows = np.arange(n) if rows is None else np.asarray(rows, dtype=np.int64)
    found: dict[str, list[Paper]] = {}
    near = nearness.near
    lenders = near[rows, :FEEDBACK]
    masks = _topic_masks(papers, np.concatenate([rows, near[rows].ravel(), near[lenders[lenders >= 0]].ravel()]))
    rank, slugs = nearness.rank, [p.slug for p in papers]
    for low in range(0, len(rows), ROWS_AT_ONCE):  # each list is its own paper's: a share at a time holds less
        found.update(_related_rows(papers, slugs, limit, nearness, rows[low:low + ROWS_AT_ONCE], masks, rank))
    return found


def _related_rows(papers: list[Paper], slugs: list[str], limit: int, nearness: Nearness, rows, masks,
                  rank) -> dict[str, list[Paper]]:
    """`related_papers` for the papers at `rows`."""
    import numpy as np

    n = len(papers)
    near, near_score = nearness.near, nearness.score
    # What the closest papers are close to counts too (pseudo-relevance feedback), and so do
    # shared topics: both pull in papers on the same problem that word it differently.
    feedback = near[rows, :FEEDBACK]  # -1 where a paper has fewer neighbours
    lent = np.where(feedback[:, :, None] >= 0, near[np.maximum(feedback, 0)], -1)
    lent_score = np.where(feedback[:, :, None] >= 0, near_score[np.maximum(feedback, 0)], 0.0) * FEEDBACK_WEIGHT
    owner = np.repeat(rows, near.shape[1] * (1 + FEEDBACK))
    candidate = np.concatenate([near[rows], lent.reshape(len(rows), -1)], axis=1).ravel()
    gain = np.concatenate([near_score[rows], lent_score.reshape(len(rows), -1)], axis=1).ravel()
    real = (candidate >= 0) & (candidate != owner)
    pairs, where = np.unique(owner[real] * n + candidate[real], return_inverse=True)
    total = np.bincount(where, gain[real], minlength=len(pairs)).astype(np.float64)  # (int64 when empty)
    owner, candidate = pairs // n, pairs % n
    total += TOPIC_WEIGHT * _shared_topics(masks, owner, candidate)
    total = np.round(total, 12)
    keep = (total > 1e-12) & (total >= _limit_score(owner, total, limit))  # none below a paper's limit-th best
    owner, candidate, total = owner[keep], candidate[keep], total[keep]
    order = np.lexsort((rank[candidate], -total, owner))
    owner, candidate = owner[order], candidate[order]
    place = _places(owner)
    chosen = place < limit
    found: dict[str, list[Paper]] = {slugs[r]: [] for r in rows.tolist()}
    for d, c in zip(owner[chosen].tolist(), candidate[chosen].tolist()):
        found[slugs[d]].append(papers[c])
    return found


def _limit_score(owner, total, limit: int, chunk: int = 20_000):
    """For each pair, the `limit`-th best total of its owner's pairs (-inf where it has fewer):
    `owner` is sorted. A paper's candidates are laid out as a row, `chunk` papers at a time,
    and each row partitioned (no sort of every pair)."""
    import numpy as np

    best = np.full(len(owner), -np.inf)
    if not len(owner):
        return best
    column = _places(owner)
    papers, at = np.unique(owner, return_index=True)
    for low in range(0, len(papers), chunk):
        part = slice(at[low], at[low + chunk] if low + chunk < len(papers) else len(owner))
        row = np.searchsorted(papers[low:low + chunk], owner[part])
        width = int(column[part].max()) + 1
        if width < limit:
            continue
        grid = np.full((int(row[-1]) + 1, width), -np.inf)
        grid[row, column[part]] = total[part]
        best[part] = np.partition(grid, width - limit, axis=1)[:, width - limit][row]
    return best


def depending(before: Nearness, after: Nearness):
    """The places of the papers whose related list may differ from `before` to `after` (the same
    papers, the same topics): a list is made of the paper's closest papers and of its FEEDBACK
    closest papers' closest, so it changes only where one of those changed."""
    import numpy as np

    moved = np.flatnonzero((before.near != after.near).any(axis=1) | (before.score != after.score).any(axis=1))
    lends = np.isin(after.near[:, :FEEDBACK], moved).any(axis=1)
    return _distinct(moved, np.flatnonzero(lends))


def _topic_masks(papers: list[Paper], places):
    """The topics of the papers at `places` (those a related list can weigh: its owner, its
    candidates) as bit masks, 64 topics a word; other papers' rows are left empty, so that an
    edit's few lists do not read every paper's topics."""
    import numpy as np

    held = np.zeros(len(papers), dtype=bool)  # marked, not sorted: a whole build's places are a million
    held[places[places >= 0]] = True
    places = np.flatnonzero(held).tolist()
    slugs = sorted({t.slug for i in places for t in papers[i].topics})
    bit = {slug: i for i, slug in enumerate(slugs)}
    masks = np.zeros((len(papers), (len(slugs) + 63) // 64), dtype=np.uint64)
    row = np.array([i for i in places for _ in papers[i].topics], dtype=np.int64)
    bits = np.array([bit[t.slug] for i in places for t in papers[i].topics], dtype=np.int64)
    np.bitwise_or.at(masks, (row, bits // 64), np.left_shift(np.uint64(1), (bits % 64).astype(np.uint64)))
    return masks


def _shared_topics(masks, owner, candidate):
    """The share of topics two papers have in common (Jaccard), for many pairs at once."""
    import numpy as np

    if not masks.shape[1] or not len(owner):
        return np.zeros(len(owner))
    a, b = masks[owner], masks[candidate]
    both = np.bitwise_count(a & b).sum(axis=1)
    either = np.bitwise_count(a | b).sum(axis=1)
    return np.where(either > 0, both / np.maximum(either, 1), 0.0)


TERMS = ("related-terms",)  # the key of a paper's terms among its memos (Paper.derived)


def paper_terms(paper: Paper):
    """(term keys, counts) as arrays, keys sorted, memoised on the paper (see `read_terms`). A
    term's key is a stable 64-bit hash of it, the same in every process (see `term_key`)."""
    if TERMS not in paper.derived:
        read_terms([paper])
    terms, i = paper.derived[TERMS]
    return terms.row(i)


def read_terms(papers: list[Paper]) -> None:
    """Read the papers' terms and memoise them on each: reading them is most of the cost. Papers
    read together (on one core) are worked out together and share one CSR: a few numpy calls for
    all of them, not dozens a paper, and a few large arrays cross to the main process and are
    freed whole, where thousands of small ones would leave its memory scattered."""
    import numpy as np

    if not papers:
        return
    known = _KEYS
    if len(known) > KEYS_KEPT:
        known.clear()
    keys: list[int] = []
    lengths = []
    for paper in papers:
        for text in (paper.title, paper.text):
            tokens = _tokens(text)
            found = list(map(known.get, tokens))
            if None in found:
                found = [_token_key(token) if key is None else key for key, token in zip(found, tokens)]
            keys += found
            lengths.append(len(found))
    terms = _terms(np.array(keys, dtype=np.int64), np.array(lengths, dtype=np.int64), len(papers))
    for i, paper in enumerate(papers):
        paper.derived[TERMS] = (terms, i)
        paper.changed()


class _Terms:
    """Papers' terms as CSR: paper i's keys are keys[start[i]:start[i + 1]], with their counts."""

    __slots__ = ("start", "keys", "counts")

    def __init__(self, start, keys, counts):
        self.start, self.keys, self.counts = start, keys, counts

    def row(self, i: int):
        at = slice(self.start[i], self.start[i + 1])
        return self.keys[at], self.counts[at]


def _terms(stems, lengths, n: int) -> _Terms:
    """n papers' terms from their stems' keys (0 for a word left out), two parts a paper (its title,
    then its abstract) of `lengths` keys each: each paper's stems and adjacent stem pairs (none
    across the title's end), keys sorted, counted TITLE_WEIGHT times in the title."""
    import numpy as np

    part = np.repeat(np.arange(2 * n, dtype=np.int32), lengths)
    word = stems != 0
    stems, part = stems[word], part[word]
    within = part[:-1] == part[1:]
    keys = np.concatenate([stems, _pair_keys(stems[:-1][within], stems[1:][within])] if BIGRAMS else [stems])
    part = np.concatenate([part, part[:-1][within]] if BIGRAMS else [part])
    together = np.argsort(part // 2, kind="stable")  # each paper's entries together (two sorted runs: a merge)
    keys, part = keys[together], part[together]
    start = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(part // 2, minlength=n), out=start[1:])
    bounds = start.tolist()  # each paper's keys sorted on their own: one sort of them all took 5x longer
    order = np.concatenate([np.zeros(0, dtype=np.int64)] + [keys[a:b].argsort() + a
                                                              for a, b in zip(bounds, bounds[1:])])
    keys, part = keys[order], part[order]
    first = np.ones(len(keys), dtype=bool)
    first[1:] = (keys[1:] != keys[:-1]) | (part[1:] // 2 != part[:-1] // 2)
    weight = np.where(part % 2 == 0, float(TITLE_WEIGHT), 1.0)
    counts = np.bincount(np.cumsum(first) - 1, weight, minlength=int(first.sum()))
    np.cumsum(np.bincount(part[first] // 2, minlength=n), out=start[1:])
    return _Terms(start, keys[first], counts.astype(np.float32))  # whole numbers: exact


def forget_terms(papers: list[Paper]) -> None:
    """Drop the papers' memoised terms once a nearness holds them (it keeps them for the next edit)."""
    for paper in papers:
        if TERMS in paper.__dict__.get("derived", ()):
            del paper.derived[TERMS]
            paper.changed()


_KEYS: dict[bytes, int] = {}  # token -> its stem's key, 0 for no word; emptied past KEYS_KEPT tokens
KEYS_KEPT = 500_000
_MIX: tuple = ()  # splitmix64's constants, as numpy integers once numpy is loaded


def term_key(term: str) -> int:
    """A stem's key: 64 bits of its BLAKE2b hash, never 0 (0 marks a stop word)."""
    key = int.from_bytes(hashlib.blake2b(term.encode("utf-8"), digest_size=8).digest(), "little", signed=True)
    return key or 1


def _pair_keys(first, second):
    """Keys of stem pairs, from the stems' keys: splitmix64's finaliser over an ordered mix, so
    ("a", "b") and ("b", "a") differ and a pair's key is as spread as a stem's."""
    import numpy as np

    global _MIX
    if not _MIX:
        _MIX = tuple(np.uint64(c) for c in (0x9E3779B97F4A7C15, 0xBF58476D1CE4E5B9, 0x94D049BB133111EB, 30, 27, 31))
    golden, m1, m2, s1, s2, s3 = _MIX
    with np.errstate(over="ignore"):
        z = first.view(np.uint64) * golden + second.view(np.uint64) + golden
        z = (z ^ (z >> s1)) * m1
        z = (z ^ (z >> s2)) * m2
        z ^= z >> s3
    return z.view(np.int64)
