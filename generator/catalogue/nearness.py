"""Each paper's closest papers by cosine over tf-idf vectors (what related papers and placement
start from), worked out whole, or after an edit of a few papers' words by redoing only what the
edit can change, with the very same arithmetic, so both ways give identical arrays.

Vectors (see `Nearness.build`): a paper's terms (catalogue.related.paper_terms) weighted by
sublinear tf times smoothed idf (in steps of IDF_STEP), terms in a single paper or in more than
MAX_DF of them dropped, the KEEP strongest kept (ties: the smaller term key), L2-normalised.
A paper's score for another is the dot product of its QUERY strongest terms with the other's
kept ones: a sparse product of query vectors and postings (scipy), a block of papers at a time (no
n x n matrix; a whole build shares the blocks among the cores); each keeps its NEAR best (ties: the
earlier slug).

After an edit (`Nearness.edited`): the terms whose weight it moves are known (their document
frequency moved, and with it whether they are kept or their idf step), so are the papers holding
them (their vectors change: A). Rows of A, and rows that lost one of A with nothing sure to take
its place, are worked out again in full; every other row only merges in its new scores for A (no
paper outside A changed for it). The new rows of the bags and vectors are kept beside the old
arrays (`_Patched`), which are copied whole only where needed: in the saved state.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path

    from generator.catalogue.paper import Paper

MAX_DF = 0.1            # a term in more than this share of papers says nothing ...
MIN_DF_CAP = 100        # ... but in a small catalogue a topic's word can be in that many
KEEP = 100              # strongest terms a paper keeps
QUERY = 60              # of which the strongest are looked up to find its neighbours (cost ~ QUERY)
NEAR = 30               # closest papers kept per paper, by cosine
ROW_BUDGET = 4_000_000  # scores a sparse product may hold: n / this many papers' rows at once (memory)
BLOCK = 64              # papers whose scores an edit sums at once (BLOCK x n floats; memory)
IDF_STEP = 0.1          # idf is kept to this step (see _idf)
MERGE_BUDGET = 4_000_000  # scores worked out at once when an edit's new scores are merged (memory)
EDIT_SHARE = 0.25       # an edit touching more than this share of the papers is worked out whole
PARALLEL_FROM = 2000    # rows worked out on every core from this many (a pool costs more below)
VECTOR_CHUNK = 2000     # papers whose vectors are worked out at once in a whole build (memory)


class Nearness:
    """`near[i]`: paper i's NEAR closest papers (-1 where fewer share a term); `score[i]`: their
    cosine. Papers are numbered as given. Also what an edit needs: each paper's terms (bags), the
    document frequencies and the vectors, as flat arrays (CSR: one start offset per paper)."""

    def __init__(self, slugs, near, score, df, vectors, bags=None, rank=None):
        self.slugs = slugs                  # the papers' slugs, in the order numbered
        self.near, self.score = near, score
        self.df = df                        # (key, count): distinct terms, sorted, and how many papers hold each
        self._vectors = vectors             # (start, key, weight): kept terms, strongest first
        self._bags = bags                   # (start, key, tf): every paper's terms, for an edit
        self._rank = rank                   # (each also a _Patched: an edit's rows, not yet copied in)

    @property
    def vectors(self):
        return _whole(self._vectors)

    @vectors.setter
    def vectors(self, value) -> None:
        self._vectors = value

    @property
    def bags(self):
        return _whole(self._bags)

    @bags.setter
    def bags(self, value) -> None:
        self._bags = value

    def __getstate__(self) -> dict:
        """Saved with whole arrays (in the background, where the state is saved: see build.state)."""
        return {**self.__dict__, "_vectors": self.vectors, "_bags": self.bags}

    @property
    def rank(self):
        """Each paper's place in slug order (`slug_rank`, which breaks ties), worked out once for
        these slugs: an edit keeps them, and sorting thousands of slugs again would cost it more."""
        if self._rank is None:
            self._rank = slug_rank(self.slugs)
        return self._rank

    def set_aside(self, folder: Path) -> None:
        """Move what only an edit needs (the bags, vectors and document frequencies) out of memory,
        into an unnamed file in `folder` (utils.spill): a whole build renders without them."""
        from generator.utils.spill import spill

        if self.bags is None:
            return
        try:
            arrays = spill([*self.bags, *self.vectors, *self.df], folder)
        except OSError:  # a cache folder that cannot be written: they stay in memory, as before
            return
        self.bags, self.vectors, self.df = tuple(arrays[:3]), tuple(arrays[3:6]), tuple(arrays[6:])

    def holds(self, i: int, paper: Paper) -> bool:
        """Are paper i's terms here those of `paper` (the same page read again: are its related
        lists still right)?"""
        from generator.catalogue.related import paper_terms

        held, tf = _row(self._bags, i)
        keys, counts = paper_terms(paper)
        return len(keys) == len(held) and bool((held == keys).all()) and bool((tf == counts).all())

    def closest(self, i: int, k: int) -> list[tuple[int, float]]:
        """Paper i's k closest papers by cosine, and their scores, closest first."""
        return [(j, s) for j, s in zip(self.near[i, :k].tolist(), self.score[i, :k].tolist()) if j >= 0]

    @classmethod
    def build(cls, papers: list[Paper]) -> Nearness:
        import numpy as np

        from generator.catalogue.related import forget_terms
        from generator.utils.memory import release_free_memory

        n = len(papers)
        bags = _bags(papers)
        forget_terms(papers)  # held once, in the bags: thousands of small arrays would stay scattered in memory
        df = np.unique(bags[1], return_counts=True)
        release_free_memory()  # what the papers' terms held: each step's leftovers would add up to the peak
        counted = (df[1] >= 2) & (df[1] <= _too_common(n))  # the terms that count (see _vectors)
        counting = (df[0][counted], df[1][counted])
        state = (bags, counting, n, _key_table(counting[0]))
        if n < PARALLEL_FROM:
            *vectors, column = _vectors_of(np.arange(n), state)
        else:  # each paper's vector depends on its own terms alone: every core takes a share
            from generator.utils.parallel import Chunked

            # scipy stays out of this process: loaded here, the rows' workers would share it, but it
            # added 12-20 MB to the tree's peak for a time gain lost in the noise
            *vectors, column = _joined(Chunked(_vectors_of, np.arange(n), state).results())
            release_free_memory()  # the shares the cores sent back
        slugs = [p.slug for p in papers]
        rank = slug_rank(slugs)
        near, score = _rows(np.arange(n), tuple(vectors), n, rank, columns=(column, len(counting[0])))
        return cls(slugs, near, score, df, tuple(vectors), bags=bags, rank=rank)

    def renumbered(self, slugs: list[str]) -> Nearness:
        """The same nearness for the same papers in another order: it depends only on each paper's
        terms and slug, never on the order they come in."""
        import numpy as np

        if list(slugs) == self.slugs:  # most edits move no paper
            return self
        at = {slug: i for i, slug in enumerate(slugs)}
        new_of_old = np.array([at[slug] for slug in self.slugs] + [-1], dtype=np.int64)  # [-1]: -1 stays -1
        old_of_new = np.empty(len(slugs), dtype=np.int64)
        old_of_new[new_of_old[:-1]] = np.arange(len(slugs))
        return Nearness(list(slugs), new_of_old[self.near[old_of_new]], self.score[old_of_new], self.df,
                        _reorder(self.vectors, old_of_new), bags=_reorder(self.bags, old_of_new))

    def edited(self, papers: list[Paper], changed: list[int]) -> Nearness:
        """The nearness after the papers at `changed` (same papers, same order) took new words:
        equal, array for array, to building it again, at a fraction of the cost."""
        import numpy as np

        from generator.catalogue.related import paper_terms

        n = len(papers)
        if len(changed) > EDIT_SHARE * n:
            return Nearness.build(papers)
        bags, vectors = self.bags, self.vectors  # whole (in a long-lived process, the last edit's rows copied in now)
        start, key, _ = bags
        changed = _distinct(np.asarray(changed, dtype=np.int64))
        old_keys = np.concatenate([key[start[i]:start[i + 1]] for i in changed])
        new_bags = _csr([paper_terms(papers[i]) for i in changed.tolist()])
        # the terms whose weight moved (see _moved), so the papers holding them: their vectors change
        df, moved = _moved(self.df, old_keys, new_bags[1], n)
        holders = _docs_of(start, _among(moved, key)) if len(moved) else changed[:0]
        touched = _distinct(changed, holders)
        if len(touched) > EDIT_SHARE * n:
            return Nearness.build(papers)
        fresh = _vectors(_gather(bags, changed, new_bags, touched), np.arange(len(touched)), df, n)
        rank = self.rank
        near, score = self.near.copy(), self.score.copy()
        # every other row takes its new scores for the touched papers; the touched rows, and rows
        # that lost a touched paper with nothing sure to take its place, are worked out whole
        unsure = _merge_columns(near, score, touched, fresh, vectors, n, rank)
        whole = _distinct(touched, unsure)
        patched = _Patched(vectors, touched, fresh)
        near[whole], score[whole] = _rows(whole, patched, n, rank)
        return Nearness(self.slugs, near, score, df, patched, bags=_Patched(bags, changed, new_bags), rank=rank)


class _Patched:
    """CSR arrays with some rows replaced, not yet copied into whole arrays: `rows` (sorted), their
    new rows a CSR of their own (`fresh`). Copying tens of megabytes to splice in one paper's row was
    most of an edit's nearness update at 100,000 papers (0.9 of 2 s), and at 10,000 its fresh pages
    stalled an edit now and then; an edit reads the rows it changed, and the whole arrays are made
    where they are needed whole (the saved state: in the background, see build.state)."""

    __slots__ = ("base", "rows", "fresh", "_whole")

    def __init__(self, base, rows, fresh):
        self.base, self.rows, self.fresh, self._whole = base, rows, fresh, None

    def whole(self):
        if self._whole is None:
            f_start, *f_values = self.fresh
            self._whole = _replace(self.base, {int(r): tuple(v[f_start[i]:f_start[i + 1]] for v in f_values)
                                               for i, r in enumerate(self.rows.tolist())}, len(self.base[0]) - 1)
        return self._whole


def _whole(csr):
    """A CSR's whole arrays (a _Patched's copied in once)."""
    return csr.whole() if isinstance(csr, _Patched) else csr


def _row(csr, i: int):
    """Row i of a CSR, or of a _Patched, without copying it whole."""
    if isinstance(csr, _Patched) and csr._whole is None:
        at = int(csr.rows.searchsorted(i))
        csr, i = (csr.fresh, at) if at < len(csr.rows) and csr.rows[at] == i else (csr.base, i)
    start, *values = _whole(csr)
    return tuple(v[start[i]:start[i + 1]] for v in values)


def _csr(rows: list[tuple]):
    """Rows of (keys, values) arrays as one CSR."""
    import numpy as np

    start = np.zeros(len(rows) + 1, dtype=np.int64)
    np.cumsum([len(keys) for keys, _ in rows], out=start[1:])
    return start, np.concatenate([keys for keys, _ in rows]), np.concatenate([values for _, values in rows])


def _gather(base, rows, fresh, want):
    """A CSR over the papers `want` (sorted): each one's row from `fresh` (a CSR over `rows`, sorted)
    where it has one there, else from `base`."""
    import numpy as np

    b_start, *b_values = base
    f_start, *f_values = fresh
    at = np.minimum(np.searchsorted(rows, want), max(len(rows) - 1, 0))
    new = (rows[at] == want) if len(rows) else np.zeros(len(want), dtype=bool)
    lengths = np.where(new, np.diff(f_start)[at] if len(rows) else 0, b_start[want + 1] - b_start[want])
    out = np.zeros(len(want) + 1, dtype=np.int64)
    np.cumsum(lengths, out=out[1:])
    values = [np.empty(int(out[-1]), dtype=v.dtype) for v in b_values]
    for which, start, source in ((~new, b_start[want], b_values), (new, f_start[at], f_values)):
        into, read = _ranges(out[:-1][which], lengths[which]), _ranges(start[which], lengths[which])
        for value, found in zip(values, source):
            value[into] = found[read]
    return (out, *values)


def _vectors_of(docs, state):
    """The vectors of the papers `docs` (consecutive), worked out a share of them at a time (the
    same arrays, a fraction of the memory), with each entry's column (see `_vectors`)."""
    bags, df, n, table = state
    return _joined([_vectors(bags, docs[low:low + VECTOR_CHUNK], df, n, columns=True, table=table)
                    for low in range(0, max(len(docs), 1), VECTOR_CHUNK)])  # one part at least: the four arrays


def _bags(papers: list[Paper]):
    """Every paper's terms as CSR: (start, key, tf)."""
    import numpy as np

    from generator.catalogue.related import TERMS, paper_terms, read_terms

    # papers kept from the last build have let their terms go (the nearness held them): read them
    # again together, as reading does (one at a time took 3.7x as long: 2.6 s at 10,000 papers)
    read_terms([p for p in papers if TERMS not in p.derived])
    found = [paper_terms(p) for p in papers]
    start = np.zeros(len(papers) + 1, dtype=np.int64)
    np.cumsum([len(keys) for keys, _ in found], out=start[1:])
    if not found:
        return start, np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
    return start, np.concatenate([keys for keys, _ in found]), np.concatenate([tf for _, tf in found])


def _joined(parts):
    """CSR pieces over consecutive papers, one after the other."""
    import numpy as np

    if not parts:
        return np.zeros(1, dtype=np.int64), np.zeros(0, dtype=np.int64), np.zeros(0)
    offsets = np.cumsum([0] + [len(part[1]) for part in parts])
    start = np.concatenate([part[0][:-1] + at for part, at in zip(parts, offsets)] + [offsets[-1:]])
    return (start, *(np.concatenate(values) for values in list(zip(*parts))[1:]))


def _ranges(begin, length):
    """The ranges [begin, begin + length) one after the other, as one array of places."""
    import numpy as np

    return np.arange(int(length.sum())) + np.repeat(begin - (np.cumsum(length) - length), length)


def _entries(start, n):
    """For every entry of a CSR over n papers: its paper, and its place among that paper's."""
    import numpy as np

    lengths = np.diff(start)
    doc = np.repeat(np.arange(n), lengths)
    return doc, np.arange(len(doc)) - np.repeat(start[:-1], lengths)


def _docs_of(start, index):
    """The paper of each of some entries (ascending places) of a CSR: for an edit, where `_entries`
    would number every entry of the catalogue."""
    import numpy as np

    return np.searchsorted(start, index, side="right") - 1


def _places(ids):
    """For sorted ids, each one's place among the equal ids before it: in one pass, where
    `arange - searchsorted(ids, ids)` searches for every id (most of the cost of a long array)."""
    import numpy as np

    if not len(ids):
        return np.zeros(0, dtype=np.int64)
    starts = np.flatnonzero(np.concatenate(([True], ids[1:] != ids[:-1])))
    return np.arange(len(ids)) - np.repeat(starts, np.diff(np.append(starts, len(ids))))


def _key_table(known):
    """The places of `known` (sorted, distinct term keys) in a hash table at most half full (open
    addressing, linear probing): term keys are hashes, so their low bits are spread, and finding
    millions of keys in it takes a quarter of a binary search's time (see `_key_places`)."""
    import numpy as np

    size = 1 << (2 * len(known)).bit_length()
    table = np.full(size, -1, dtype=np.int32 if len(known) < 2**31 else np.int64)
    slot = known & (size - 1)
    waiting = np.arange(len(known))
    while len(waiting):  # each round, every free slot asked for goes to the first key asking
        asked = slot[waiting]
        free = table[asked] == -1
        _, first = np.unique(asked[free], return_index=True)
        table[asked[free][first]] = waiting[free][first]
        placed = np.zeros(len(known), dtype=bool)
        placed[waiting[free][first]] = True
        waiting = waiting[~placed[waiting]]
        slot[waiting] = (slot[waiting] + 1) & (size - 1)
    return table


def _key_places(known, keys, table):
    """Each key's place in `known`, from its `_key_table`; -1 for a key not among them (its probe
    reaches an empty slot)."""
    import numpy as np

    size = len(table)
    slot = keys & (size - 1)
    at = table[slot].astype(np.int64)
    if not len(known):
        return at
    missed = np.flatnonzero((at >= 0) & (known[np.maximum(at, 0)] != keys))
    while len(missed):  # a slot another key took first: try the next one
        slot[missed] = (slot[missed] + 1) & (size - 1)
        at[missed] = table[slot[missed]]
        missed = missed[(at[missed] >= 0) & (known[np.maximum(at[missed], 0)] != keys[missed])]
    return at


def _distinct(*arrays):
    """The distinct values of 1-D arrays, sorted: np.unique's (np.union1d's), without its check for a
    masked array, which imports numpy.ma (10-20 ms, a few percent of an edit's whole time)."""
    import numpy as np

    values = np.sort(np.concatenate(arrays))
    return values[np.concatenate(([True], values[1:] != values[:-1]))] if len(values) else values


def _among(known, keys, chunk: int = 1 << 17):
    """The places (ascending) of the `keys` that are among `known` (sorted, distinct), where np.isin
    would sort all the keys. Term keys are hashes, so any 16 of their bits are spread: a table of
    the known keys' first 16-bit lane rules out most keys in one look-up each (read as a strided
    view, not worked out: a third of the time), and only the few it lets through are searched for.
    Past 4,096 known keys, a table of more bits keeps about 1 in 16 let through. The keys are looked
    up `chunk` at a time: an edit scans millions of them, and whole-length temporaries cost a third
    more (fresh memory, and now and then a huge page's stall)."""
    import numpy as np

    if not len(known) or not len(keys):
        return np.zeros(0, dtype=np.int64)
    size = 1 << (len(known) * 16).bit_length()  # over 16 slots a known key: about 1 in 16 let through
    lanes = known.dtype.itemsize // 2  # 16-bit lanes a key: the same lane of both, so both of one type
    if size <= 1 << 16 and lanes and keys.dtype == known.dtype:
        table = np.zeros(1 << 16, dtype=bool)
        table[np.ascontiguousarray(known).view(np.uint16)[::lanes]] = True
        lane = np.ascontiguousarray(keys).view(np.uint16)[::lanes]
        slots = (lane[low:low + chunk] for low in range(0, len(keys), chunk))
    else:
        mask = size - 1
        table = np.zeros(size, dtype=bool)
        table[known.astype(np.int64, copy=False) & mask] = True  # (a narrower type cannot hold the mask)
        slots = (keys[low:low + chunk].astype(np.int64, copy=False) & mask for low in range(0, len(keys), chunk))
    maybe = np.concatenate([np.flatnonzero(table[slot]) + low for low, slot in zip(range(0, len(keys), chunk), slots)])
    candidates = keys[maybe]
    return maybe[known[np.minimum(np.searchsorted(known, candidates), len(known) - 1)] == candidates]


def slug_rank(slugs: list[str]):
    """Each paper's place in slug order: ties go to the earlier slug."""
    import numpy as np

    return np.argsort(np.argsort(np.array(slugs), kind="stable"))


def _moved(df, old_keys, new_keys, n):
    """The document frequencies after some papers' terms went from `old_keys` to `new_keys`, and
    the terms whose weight that moves: kept before and not after (or the other way), or kept and
    in another idf step (a term dropped both times, in one paper or in too many, weighs nothing)."""
    import numpy as np

    keys, where = np.unique(np.concatenate([old_keys, new_keys]), return_inverse=True)
    delta = np.bincount(where, np.concatenate([-np.ones(len(old_keys)), np.ones(len(new_keys))]),
                        minlength=len(keys)).astype(np.int64)
    moved, delta = keys[delta != 0], delta[delta != 0]
    unique, counts = df
    at = np.searchsorted(unique, moved)
    known = (at < len(unique)) & (unique[np.minimum(at, len(unique) - 1)] == moved) if len(unique) else \
        np.zeros(len(moved), dtype=bool)
    before = np.zeros(len(moved), dtype=np.int64)
    before[known] = counts[at[known]]
    counts = counts.copy()
    counts[at[known]] += delta[known]
    unique = np.insert(unique, at[~known], moved[~known])
    counts = np.insert(counts, at[~known], delta[~known])
    alive = counts > 0
    too_common = _too_common(n)
    kept = lambda df: (df >= 2) & (df <= too_common)  # noqa: E731  (as _vectors keeps them)
    after = before + delta
    weighs = (kept(before) != kept(after)) | (kept(after) & (_idf(before, n) != _idf(after, n)))
    return (unique[alive], counts[alive]), moved[weighs]


def _too_common(n: int) -> float:
    """How many papers may hold a term that still counts: MAX_DF of them, but at least MIN_DF_CAP."""
    return max(MIN_DF_CAP, MAX_DF * n)


def _idf(df, n):
    """Smoothed idf, in steps of IDF_STEP: one paper more or less holding a common term seldom moves
    it, so an edit seldom changes the vectors of the many papers holding one. A term in d papers
    moves a step about once in d x IDF_STEP edits adding it, and then all d vectors change: at
    0.02, one title edit in eight at 10,000 papers redid 450 papers' rows (0.7 s); at 0.1, one in
    sixty, with the same nDCG@5 and placement (benchmarks/related_eval.py, placement_eval.py)."""
    import numpy as np

    return np.round((np.log((n + 1) / (df + 1)) + 1) / IDF_STEP) * IDF_STEP


def _vectors(bags, docs, df, n, columns: bool = False, table=None):
    """The vectors of the papers `docs` (sorted), as CSR over those papers: (start, key, weight);
    with `columns`, also each entry's term's place in `df`, a column of the product (see `_rows`).
    `table`: `df` holds only the terms that count, hashed in it (`_key_table`): a whole build
    finds millions of keys quicker so, and most keys in a real catalogue (word pairs in one paper)
    do not count, so the table stays small."""
    import numpy as np

    start, key, tf = bags
    lengths = start[docs + 1] - start[docs]
    index = _ranges(start[docs], lengths)
    keys, tfs, doc = key[index], tf[index].astype(np.float64), np.repeat(np.arange(len(docs)), lengths)
    unique, counts = df
    if table is None:
        at = np.searchsorted(unique, keys)
        freq = counts[at]
        kept = (freq >= 2) & (freq <= _too_common(n))
    else:
        at = _key_places(unique, keys, table)
        kept = at >= 0
        freq = counts[np.maximum(at, 0)] if len(counts) else at
    keys, tfs, doc, freq, at = keys[kept], tfs[kept], doc[kept], freq[kept], at[kept]
    idf = _idf(freq, n)
    weight = (1 + np.log(tfs)) * idf
    order = _strongest_first(doc, len(docs), tfs, idf, weight)  # ties stay in key order: each paper's keys come sorted
    keys, weight, doc, at = keys[order], weight[order], doc[order], at[order]
    keep = _places(doc) < KEEP  # a term's place among its paper's, strongest first
    keys, weight, doc, at = keys[keep], weight[keep], doc[keep], at[keep]
    norm = np.sqrt(np.bincount(doc, weight * weight, minlength=len(docs)))
    weight = weight / np.where(norm > 0, norm, 1.0)[doc]
    out = np.zeros(len(docs) + 1, dtype=np.int64)
    np.cumsum(np.bincount(doc, minlength=len(docs)), out=out[1:])
    return (out, keys, weight, at) if columns else (out, keys, weight)


def _strongest_first(doc, papers: int, tfs, idf, weight):
    """np.lexsort((-weight, doc)): each paper's entries (`doc` ascending, below `papers`) strongest
    first, ties in the order given; in two linear passes where it can, a fifth of the time. A weight
    is (1 + log tf) x idf, with tf a whole count and idf a whole number of IDF_STEPs, so the distinct
    weights are few (about 200 at 10,000 papers): each entry's rank among them is a small integer,
    and numpy sorts 16-bit integers stably by radix, as it does the papers' places."""
    import numpy as np

    steps = np.rint(idf / IDF_STEP).astype(np.int64)
    counts = tfs.astype(np.int64)
    width = int(steps.max()) + 1 if len(steps) else 1
    code = counts * width + steps  # one code a distinct (tf, idf): the same code, the same weight
    if (papers > 1 << 16 or not len(code) or (counts != tfs).any() or counts.min() < 1
            or int(code.max()) >= 1 << 24):
        return np.lexsort((-weight, doc))
    weight_of = np.zeros(int(code.max()) + 1)
    weight_of[code] = weight
    present = np.flatnonzero(np.bincount(code))
    rank_of = np.zeros(len(weight_of), dtype=np.int64)
    rank_of[present] = np.unique(-weight_of[present], return_inverse=True)[1].ravel()  # equal weights, one rank
    if rank_of.max(initial=0) >= 1 << 16:
        return np.lexsort((-weight, doc))
    by_weight = np.argsort(rank_of[code].astype(np.uint16), kind="stable")
    return by_weight[np.argsort(doc[by_weight].astype(np.uint16), kind="stable")]


def _rows(rows, vectors, n, rank, columns=None):
    """The closest papers of the papers `rows` (sorted): their query vectors times the postings, a
    sparse product (scipy) a block of rows at a time, on every core (a few rows: `_few_rows`).
    Each score is summed over its row's query terms in key order, whatever the rows (see `_scores`).
    `columns`: each vector entry's column and how many there are, if known (numbered in key order)."""
    import numpy as np

    if len(rows) < n // 8:
        return _few_rows(rows, vectors, n, rank)
    start, key, weight = _whole(vectors)
    if columns is None:
        terms = np.unique(key)  # then searched: return_inverse would hold twice the memory
        columns = np.searchsorted(terms, key), len(terms)
    column, terms = columns
    state = (start, column, weight, terms, n, rank)  # numpy arrays: scipy is loaded where the product is made
    if len(rows) < PARALLEL_FROM:
        try:
            return _row_blocks(rows, state)
        finally:
            _MATRICES.clear()
    from generator.utils.parallel import Chunked  # rows are independent: every core takes a share

    parts = Chunked(_row_blocks, rows, state).results()
    return np.concatenate([near for near, _ in parts]), np.concatenate([score for _, score in parts])


_MATRICES: dict = {}  # id(state) -> its matrices, made once by each process working out rows


def _matrices(state):
    """What each paper asks with (its QUERY strongest terms) and the postings (every kept term's
    papers), as scipy CSR: papers x terms, its columns sorted in each row (a product sums a row's
    terms in key order), and terms x papers. Made in the process that multiplies (a worker, in a whole
    build): the main process never loads scipy, and an edit needs it only past n / 8 rows."""
    import numpy as np
    from scipy.sparse import csr_matrix

    if id(state) not in _MATRICES:
        start, column, weight, terms, n, _ = state
        asks = np.flatnonzero(_entries(start, n)[1] < QUERY)
        indptr = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(np.minimum(np.diff(start), QUERY), out=indptr[1:])
        asks = csr_matrix((weight[asks], column[asks], indptr), shape=(n, terms))
        asks.sort_indices()
        postings = csr_matrix((weight, column, start), shape=(n, terms)).T.tocsr()  # new arrays: the vectors stay
        _MATRICES[id(state)] = asks, postings
    return _MATRICES[id(state)]


def _row_blocks(rows, state):
    """`_rows` for the rows given, a block at a time: a row scores at most n papers, so a block of
    ROW_BUDGET / n rows holds at most ROW_BUDGET scores (at 100,000 papers a row reaches tens of
    thousands of them)."""
    import numpy as np

    asks, postings = _matrices(state)
    n, rank = state[-2:]
    at_once = max(16, ROW_BUDGET // max(n, 1))
    near = np.full((len(rows), NEAR), -1, dtype=np.int64)
    score = np.zeros((len(rows), NEAR))
    for low in range(0, len(rows), at_once):
        block = rows[low:low + at_once]
        product = _scores(asks[block], postings)
        near[low:low + len(block)], score[low:low + len(block)] = _tops(product.indptr, product.indices, product.data,
                                                                       block, rank)
    return near, score


def _few_rows(rows, vectors, n, rank):
    """`_rows` for a few rows (an edit), in numpy alone (loading scipy costs more than the work): the
    postings of only the terms they ask for, summed in blocks of BLOCK rows into dense rows, each
    score over the row's terms in key order, as the sparse product sums it (so the same bits)."""
    import numpy as np

    base, patched, fresh = _parts(vectors)
    asking = _distinct(rows)
    a_start, a_key, a_weight = _gather(base, patched, fresh, asking)
    query = _ranges(a_start[:-1], np.minimum(np.diff(a_start), QUERY))  # their query entries
    q_doc, q_key, q_weight = asking[_docs_of(a_start, query)], a_key[query], a_weight[query]
    post_doc, post_key, post_weight = _holding(base, patched, fresh, _distinct(q_key))
    unique, term = np.unique(post_key, return_inverse=True)
    by_term = np.argsort(term, kind="stable")
    post_doc, post_weight = post_doc[by_term], post_weight[by_term]
    starts = np.searchsorted(term[by_term], np.arange(len(unique) + 1))
    del term, by_term, post_key
    q_term = np.searchsorted(unique, q_key)
    in_key_order = np.lexsort((q_term, q_doc))
    q_doc, q_weight, q_term = q_doc[in_key_order], q_weight[in_key_order], q_term[in_key_order]
    q_first = np.searchsorted(q_doc, np.arange(n + 1))
    del query, q_doc, unique
    return _dense_blocks(rows, (post_doc, post_weight, starts, q_term, q_weight, q_first, n, rank))


def _parts(csr):
    """(base, rows, fresh) of a _Patched not yet copied whole; a CSR's own arrays with none replaced."""
    import numpy as np

    if isinstance(csr, _Patched) and csr._whole is None:
        return csr.base, csr.rows, csr.fresh
    csr = _whole(csr)
    return csr, np.zeros(0, dtype=np.int64), (np.zeros(1, dtype=np.int64), *(v[:0] for v in csr[1:]))


def _holding(base, rows, fresh, terms):
    """(paper, key, weight) of every entry holding one of `terms` (sorted, distinct): the papers at
    `rows` (sorted) as `fresh` (a CSR over them) has them, the others as `base` does."""
    import numpy as np

    start, key, weight = base
    held = _among(terms, key)
    doc = _docs_of(start, held)
    if not len(rows):
        return doc, key[held], weight[held]
    other = ~np.isin(doc, rows)
    held, doc = held[other], doc[other]
    f_start, f_key, f_weight = fresh
    f_held = _among(terms, f_key)
    return (np.concatenate([doc, rows[_docs_of(f_start, f_held)]]), np.concatenate([key[held], f_key[f_held]]),
            np.concatenate([weight[held], f_weight[f_held]]))


def _dense_blocks(rows, postings):
    """`_few_rows` for the rows given, from the postings it gathered."""
    import numpy as np

    post_doc, post_weight, starts, q_term, q_weight, q_first, n, rank = postings
    near = np.full((len(rows), NEAR), -1, dtype=np.int64)
    score = np.zeros((len(rows), NEAR))
    for low in range(0, len(rows), BLOCK):
        block = rows[low:low + BLOCK]
        terms = q_first[block + 1] - q_first[block]
        span = _ranges(q_first[block], terms)
        local = np.repeat(np.arange(len(block)), terms)
        begin, length = starts[q_term[span]], starts[q_term[span] + 1] - starts[q_term[span]]
        if not length.sum():
            continue
        index = _ranges(begin, length)
        cells = np.repeat(local, length) * n + post_doc[index]
        scores = np.bincount(cells, post_weight[index] * np.repeat(q_weight[span], length),
                             minlength=len(block) * n).reshape(len(block), n)
        cells = np.flatnonzero(scores)
        row_starts = np.searchsorted(cells, np.arange(len(block) + 1) * n)
        near[low:low + len(block)], score[low:low + len(block)] = _tops(row_starts, cells % n, scores.ravel()[cells],
                                                                       block, rank)
    return near, score


def _scores(asks, postings):
    """Rows' query vectors times postings (terms x papers), as CSR. scipy multiplies row by row
    (Gustavson's algorithm): each score is 0 plus the products over the row's terms in column
    order, one after the other; numpy's bincount over the same products in the same order (the
    few-rows path, the merge) gives the very same bits."""
    return (asks @ postings).tocsr()


def _merge_columns(near, score, touched, fresh, vectors, n, rank):
    """Rows other than the touched papers' take their new scores for the touched papers, in place,
    in numpy alone (summed over the row's query terms in key order, as `_rows` sums them). A row's
    list is sure only if its last entry still ranks at or above the last one it had: a paper outside
    the list scored no more than that, and did not change. `fresh`: the touched papers' new vectors
    (a CSR over them); `vectors`: every paper's before (the others' are unchanged). Returns the
    rows that are not sure (to work out whole)."""
    import numpy as np

    f_start, t_key, t_weight = fresh
    t_doc = np.repeat(np.arange(len(touched)), np.diff(f_start))
    start, key, weight = vectors
    # the other rows' query terms that a touched paper holds (no other term adds to their scores)
    shared = _among(_distinct(t_key), key)
    doc = _docs_of(start, shared)
    place = shared - start[doc]
    query = (place < QUERY) & ~np.isin(doc, touched)
    q_doc, q_key, q_weight, q_place = doc[query], key[shared[query]], weight[shared[query]], place[query]
    del doc, place, query, shared
    by_key = np.argsort(q_key, kind="stable")
    q_doc, q_key, q_weight, q_place = q_doc[by_key], q_key[by_key], q_weight[by_key], q_place[by_key]
    first = np.searchsorted(q_key, t_key, side="left")
    count = np.searchsorted(q_key, t_key, side="right") - first
    # a new score below a full row's last entry cannot enter it unless a slot opened, and then the
    # row is unsure anyway (its last entry ranks lower): such scores are left out
    full_rows = (near >= 0).all(axis=1)
    floor = np.where(full_rows, np.round(score[:, -1], 12), -np.inf)
    # the touched papers a few at a time (never one split), so that memory stays within MERGE_BUDGET
    per_paper = np.bincount(t_doc, count, minlength=len(touched)).astype(np.int64)
    bounds = np.searchsorted(np.cumsum(per_paper), np.arange(MERGE_BUDGET, int(per_paper.sum()), MERGE_BUDGET))
    found = []
    for papers in np.split(np.arange(len(touched)), _distinct(np.maximum(bounds, 1))):
        entries = np.flatnonzero(np.isin(t_doc, papers)) if len(papers) < len(touched) else np.arange(len(t_doc))
        found.append(_column_sums(entries, first, count, t_doc, t_weight, q_doc, q_weight, q_key, touched, floor))
    rows, columns, sums = (np.concatenate(parts) for parts in zip(*found))
    held = np.isin(near, touched)
    held[touched] = False
    affected = _distinct(rows, np.flatnonzero(held.any(axis=1)))
    affected = affected[~np.isin(affected, touched)]
    # candidates of each affected row: its old entries but the touched papers, and its new scores for those
    old = near[affected]
    keep = (old >= 0) & ~held[affected]
    c_row = np.concatenate([np.repeat(affected, keep.sum(axis=1)), rows])
    c_doc = np.concatenate([old[keep], columns])
    c_score = np.concatenate([score[affected][keep], sums])
    positive = c_score > 1e-12
    c_row, c_doc, c_score = c_row[positive], c_doc[positive], c_score[positive]
    order = np.lexsort((rank[c_doc], -np.round(c_score, 12), c_row))
    c_row, c_doc, c_score = c_row[order], c_doc[order], c_score[order]
    place = _places(c_row)
    chosen = place < NEAR
    c_row, c_doc, c_score, place = c_row[chosen], c_doc[chosen], c_score[chosen], place[chosen]
    # sure: a row whose list was short (no other paper scored), or whose new last ranks no lower
    count = np.bincount(np.searchsorted(affected, c_row), minlength=len(affected))
    was_full = full_rows[affected]
    last = np.searchsorted(c_row, affected, side="right") - 1
    last_score = np.where(count > 0, c_score[np.maximum(last, 0)], 0.0)
    last_rank = np.where(count > 0, rank[c_doc[np.maximum(last, 0)]], 0)
    new_key, old_key = -np.round(last_score, 12), -np.round(score[affected, -1], 12)
    lower = (new_key > old_key) | ((new_key == old_key) & (last_rank > rank[np.maximum(old[:, -1], 0)]))
    unsure = affected[was_full & ((count < NEAR) | lower)]
    near[affected], score[affected] = -1, 0.0
    near[c_row, place], score[c_row, place] = c_doc, c_score
    return unsure


def _column_sums(entries, first, count, t_doc, t_weight, q_doc, q_weight, q_key, touched, floor):
    """(row, touched paper, new score) for the touched-paper term entries `entries`, each score summed
    over the row's query terms in key order, those below the row's floor left out."""
    import numpy as np

    first, count, t_doc, t_weight = first[entries], count[entries], t_doc[entries], t_weight[entries]
    index = _ranges(first, count)
    cell = q_doc[index] * len(touched) + np.repeat(t_doc, count)
    order = np.lexsort((q_key[index], cell))  # each score over the row's terms in key order, as _rows sums it
    cell = cell[order]
    value = (np.repeat(t_weight, count) * q_weight[index])[order]
    del index, order
    bounds = np.flatnonzero(np.diff(cell)) + 1 if len(cell) else np.zeros(0, dtype=np.int64)
    where = np.zeros(len(cell), dtype=np.int64)
    where[bounds] = 1
    where = np.cumsum(where)
    cells = cell[np.concatenate([[0], bounds])] if len(cell) else cell
    sums = np.bincount(where, value, minlength=len(cells))
    rows, columns = cells // len(touched), touched[cells % len(touched)]
    enough = np.round(sums, 12) >= floor[rows]
    return rows[enough], columns[enough], sums[enough]


def _tops(starts, columns, values, owners, rank):
    """Each row's NEAR highest scores above zero but its paper's own (ties: the earlier slug), best
    first, as (near, score) rows (-1 and 0 where fewer), for a block of rows at once: `owners` are
    the rows' papers, row i's scores (`columns`, `values`) are at starts[i]:starts[i + 1]. A long
    row is first cut at its NEAR + 1-th best score, which is no higher than its NEAR-th best among
    the others: a few numpy calls a row, and then the rest for the whole block at once, over about
    NEAR scores a row (a dozen calls a row took most of a whole build's rows)."""
    import numpy as np

    near = np.full((len(owners), NEAR), -1, dtype=np.int64)
    score = np.zeros((len(owners), NEAR))
    bounds, kept = starts.tolist(), []
    for a, b in zip(bounds, bounds[1:]):
        if b - a > NEAR + 1:
            row = values[a:b]
            cut = row.copy()
            cut.partition(b - a - NEAR - 1)
            kept.append((row >= cut[b - a - NEAR - 1]).nonzero()[0] + a)
        elif b > a:
            kept.append(np.arange(a, b))
    if not kept:
        return near, score
    entries = np.concatenate(kept)
    local = np.searchsorted(starts, entries, side="right") - 1
    columns, values = columns[entries], values[entries]
    keep = (values > 1e-12) & (columns != owners[local])
    local, columns, values = local[keep], columns[keep], values[keep]
    order = np.lexsort((-values, local))  # the NEAR-th best of the rest, as it is (not rounded): the cut
    ranked, best = local[order], values[order]
    place = _places(ranked)
    cut = np.full(len(owners), -np.inf)
    cut[ranked[place == NEAR - 1]] = best[place == NEAR - 1]
    keep = values >= cut[local]
    local, columns, values = local[keep], columns[keep], values[keep]
    order = np.lexsort((rank[columns], -np.round(values, 12), local))
    local, columns, values = local[order], columns[order], values[order]
    place = _places(local)
    chosen = place < NEAR
    near[local[chosen], place[chosen]] = columns[chosen]
    score[local[chosen], place[chosen]] = values[chosen]
    return near, score


def _reorder(csr, old_of_new):
    """CSR rows put in a new order: row i of the result is row old_of_new[i]."""
    import numpy as np

    start, *values = csr
    lengths = np.diff(start)[old_of_new]
    out = np.zeros(len(old_of_new) + 1, dtype=np.int64)
    np.cumsum(lengths, out=out[1:])
    index = _ranges(start[old_of_new], lengths)
    return (out, *(v[index] for v in values))


def _replace(bags, new, n):
    """The CSR rows in `new` (row -> (keys, values)) replaced: the rows between spliced in unchanged."""
    import numpy as np

    start, key, value = bags
    parts_k, parts_v, lengths, at = [], [], np.diff(start), 0
    for i in sorted(new):
        parts_k += [key[start[at]:start[i]], new[i][0]]
        parts_v += [value[start[at]:start[i]], new[i][1]]
        lengths[i] = len(new[i][0])
        at = i + 1
    parts_k.append(key[start[at]:])
    parts_v.append(value[start[at]:])
    out = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(lengths, out=out[1:])
    return out, np.concatenate(parts_k), np.concatenate(parts_v)
