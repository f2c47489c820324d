"""The lunr index cut by term into shards, so the search page fetches only what a query needs.

Files under `search/` (all JSON):
- `manifest.json`: fields and boosts, the document count, the average length of
  each field, where every shard starts (`shard_start`), and a version the page
  appends to every other URL (so a browser never mixes two builds).
- `shards/<name>.json`: a contiguous range of terms in lunr.js's order (UTF-16
  code units), named by a hash of where it starts (`shard_name`, repeated in
  search-core.js). For each term: a number giving its place in lunr's `_index`
  order (lunr_builder.KEY_SPACE), its idf, and per field the postings as
  (document ordinal delta, term frequency, field length) triples.
- `heads/<name>.json`: for a shard whose first term is very common (its entry is
  larger than HEAD_BYTES), that term's best papers alone and a bound on the others
  (`head`): a one-word query for it shows its best results from the head and
  fetches the entry only for more, or for the filters.
- `terms.json`: every term, for the queries lunr expands against the whole
  vocabulary (fuzzy `~n`, leading and inner `*`).
- `docs/<n>.json`: what a result shows, DOCS_PER_CHUNK papers per file.
- `facets.json`: each paper's year and topics, for the filters.

Shards hold frequencies and lengths, not finished weights: search-core.js
computes lunr's BM25 weight with lunr.py's arithmetic and rounding. So the
sharded index scores exactly as the whole one, and an edit to a paper changes
only the shards of the terms it touches, plus the manifest (`ShardedIndex.update`).
Where a shard ends depends only on the terms at its ends: a shard ends after term t
when a hash of t falls under t's share of the target shard size, or when the next
term's entry is larger than a whole shard.
"""

from __future__ import annotations

import bisect
import hashlib
import itertools
import json
import math
import operator
import zlib

from generator.search.lunr_builder import B, K1, KEY_SPACE, Postings, collect, idf, term_places
from generator.utils.packed import Packed

# One paper per file: the results shown are scattered, so a larger file mostly carries papers
# not shown (ten results at 100,000 papers: 9.5 KB gzip; four papers per file fetched 31 KB).
DOCS_PER_CHUNK = 1
BLOCK = 256    # documents per block of a long entry's postings (see Blocks)
LONG = 400     # postings: a term with more keeps them in blocks
HEAD = 100       # papers a head holds: a very common term's best for a one-word query (see `head`)
# A term whose entry is larger than this has a head: fetched whole, with the scripts, the manifest and
# ten results, a one-word query for it would pass 100 KB gzip (entries shrink about 3.5x gzipped).
HEAD_BYTES = 192 * 1024
MANIFEST = "search/manifest.json"
VERSION = "search/version.json"  # the manifest's version alone: an open tab asks it whether the site changed
TERMS = "search/terms.json"
FACETS = "search/facets.json"
Analysis = list[tuple[dict[str, int], int]]  # per field: term frequencies and length


def target_size(documents: int) -> int:
    """Bytes per shard: grows as the square root of the catalogue, so the manifest (one
    term per shard) and a query's shards grow alike. A power of two, so it moves rarely."""
    return max(2048, 2 ** round(math.log2(64 * math.sqrt(max(documents, 1)))))


def utf16_order(term: str) -> bytes:
    return term.encode("utf-16-be")


def shard_name(start: str) -> str:
    """Two 32-bit FNV-1a hashes of where the shard starts, in UTF-16 code units (search-core.js has the same)."""
    units = [int.from_bytes(pair, "big") for pair in _pairs(start.encode("utf-16-be"))]
    names = []
    for basis in (0x811C9DC5, 0x050C5D1F):
        h = basis
        for unit in units:
            h = ((h ^ unit) * 0x01000193) & 0xFFFFFFFF
        names.append(f"{h:08x}")
    return "".join(names)


def _pairs(data: bytes):
    return (data[i:i + 2] for i in range(0, len(data), 2))


def is_boundary(term: str, size: int, target: int) -> bool:
    """Does a shard end after this term? Decided by the term alone, so edits move boundaries only locally."""
    return zlib.crc32(term.encode("utf-8")) < size / target * 2 ** 32


def shard_start(first: str, previous: str | None) -> str:
    """Where a shard starts, for the manifest: the shortest beginning of its first term that sorts
    after the last term of the shard before (lunr.js's order). A term of the index is in the last
    shard whose start is at or before it, as if the first terms were listed, in a third fewer bytes."""
    length = 1
    while previous is not None and utf16_order(first[:length]) <= utf16_order(previous):
        length += 1
    return first[:length]


# A term's postings in one field: document ordinals (ascending), term frequencies, field lengths.
Posting = tuple[list[int], list[int], list[int]]


def encode(term: str, key: int, idf_value: float, fields: list[Posting]) -> bytes:
    """One term as a shard holds it: [term, key, idf, postings of each field...], each field's
    postings flat as (ordinal delta, tf, length) triples."""
    return _json([term, key, idf_value, *map(_flatten, fields)])


def encode_long(term: str, key: int, idf_value: float, fields: list[Posting]) -> tuple[bytes, Blocks]:
    """The same bytes as `encode`, and the postings in blocks (each field encoded on its own,
    then cut: cheaper than encoding each block)."""
    texts = [_json(_flatten(posting))[1:-1] for posting in fields]
    entry = _json([term, key, idf_value])[:-1] + b"".join(b",[" + text + b"]" for text in texts) + b"]"
    return entry, Blocks(fields, texts)


def _flatten(posting: Posting) -> list[int]:
    """(ordinal delta, tf, length) triples, flat. Slices, not loops: dense terms are long."""
    refs, tfs, lengths = posting
    flat = [0] * (3 * len(refs))
    if refs:
        flat[0::3] = [refs[0], *map(operator.sub, refs[1:], refs[:-1])]
        flat[1::3] = tfs
        flat[2::3] = lengths
    return flat


def decode(data: bytes) -> tuple[int, list[Posting]]:
    """The key and postings per field of an encoded term."""
    return unflatten(json.loads(data))


def unflatten(entry: list) -> tuple[int, list[Posting]]:
    """The key and postings per field of a term as a shard holds it (see encode)."""
    _term, key, _idf, *flat_fields = entry
    return key, [(list(itertools.accumulate(flat[0::3])), flat[1::3], flat[2::3]) for flat in flat_fields]


def head(entry: bytes, boosts: list[float]) -> bytes:
    """What a one-word query for a very common term fetches instead of its entry (`search/heads/`):
    [term, key, idf, papers holding it, postings of its HEAD best papers per field (as the entry
    holds them), bound points]. Each bound point is (tf, field length) per field, length 0 where
    the tf is 0: every other paper has at most the tf and at least the length of one of them in
    every field. lunr's weight grows with tf and falls with length, so whatever the averages are
    when the page reads the head (an edit moves them), the best point scores at least as much as
    any other paper: the head's papers scoring above it rank first, in the whole index's order,
    and the page shows them without the entry (search-core.js `runHead`).

    The papers are chosen with the average lengths of the papers holding the term, not the
    catalogue's: a head depends on its entry alone, so an edit build, which writes the heads of
    the terms it touched, writes what a whole build writes."""
    import numpy as np

    data = json.loads(entry)
    term, idf_value = data[0], data[2]
    key, fields = unflatten(data)
    count = len(fields)
    present = np.zeros(1 + max((r[-1] for r, _, _ in fields if r), default=0), dtype=bool)
    for field_refs, _, _ in fields:
        present[field_refs] = True
    refs = np.flatnonzero(present)
    tf, length = np.zeros((len(refs), count)), np.zeros((len(refs), count))
    for f, (field_refs, tfs, lengths) in enumerate(fields):
        at = np.searchsorted(refs, np.asarray(field_refs, dtype=np.int64))
        tf[at, f], length[at, f] = tfs, lengths
    averages = [float(length[tf[:, f] > 0, f].mean()) if (tf[:, f] > 0).any() else 1.0 for f in range(count)]
    score = _bm25(idf_value, tf, length, averages, boosts)
    order = np.lexsort((refs, -score))
    best, others = np.sort(order[:HEAD]), order[HEAD:]
    postings = []
    for f in range(count):
        held = best[tf[best, f] > 0]
        postings.append(_flatten((refs[held].tolist(), tf[held, f].astype(int).tolist(),
                                  length[held, f].astype(int).tolist())))
    bound = _bound_points(tf[others], length[others], lambda t, n: _bm25(idf_value, t, n, averages, boosts))
    return _json([term, key, idf_value, len(refs), *postings, bound])


def _bm25(idf_value: float, tf, length, averages: list[float], boosts: list[float]):
    """Each paper's score for the term alone: its fields' BM25 weights (lunr_builder.weight, for
    many papers at once), rounded as lunr rounds them; near enough to choose a head's papers."""
    import numpy as np

    total = np.zeros(len(tf))
    for f, (average, boost) in enumerate(zip(averages, boosts)):
        norm = K1 * (1 - B + B * (length[:, f] / (average or 1))) + tf[:, f]
        total += np.where(tf[:, f] > 0, np.round(idf_value * ((K1 + 1) * tf[:, f]) / norm * boost, 3), 0.0)
    return total


def _bound_points(tf, length, score) -> list[list[int]]:
    """Points that bound every paper's (tf, length) in every field (see `head`): the papers
    grouped by their tf and length in every field but the longest (the abstract, whose lengths
    vary most), each group as its tf and lengths with the smallest length of that field, less the
    points another point bounds too. `score(tf, length)`: the points' scores, best first."""
    import numpy as np

    if not len(tf):
        return []
    count = tf.shape[1]
    far = np.where(tf > 0, length, np.inf)  # a field a paper lacks adds nothing, whatever its length
    loose = int(np.argmax(far.max(axis=0, where=tf > 0, initial=0)))  # the longest field varies most
    exact = np.concatenate([tf, np.delete(far, loose, axis=1)], axis=1)
    _, first, group = np.unique(_row_keys(exact), return_index=True, return_inverse=True)
    shortest = np.full(len(first), np.inf)
    np.minimum.at(shortest, group.ravel(), far[:, loose])
    tfs, lengths = tf[first], np.insert(np.delete(far[first], loose, axis=1), loose, shortest, axis=1)
    # best first (a point bounding another scores at least as much), a share at a time against
    # those kept so far: the kept stay few, where all pairs of thousands of points would not be
    order = np.argsort(-score(tfs, lengths), kind="stable")
    tfs, lengths = tfs[order], lengths[order]
    kept_tf, kept_length = tfs[:0], lengths[:0]
    for start in range(0, len(tfs), 256):
        part_tf, part_length = tfs[start:start + 256], lengths[start:start + 256]
        by_tf, by_length = np.concatenate([kept_tf, part_tf]), np.concatenate([kept_length, part_length])
        bounds = ((by_tf[None, :, :] >= part_tf[:, None, :]).all(axis=2)
                  & (by_length[None, :, :] <= part_length[:, None, :]).all(axis=2))
        alone = bounds.sum(axis=1) == 1  # bounded by itself only
        kept_tf = np.concatenate([kept_tf, part_tf[alone]])
        kept_length = np.concatenate([kept_length, part_length[alone]])
    return [[int(v) for f in range(count) for v in (point_tf[f], 0 if point_tf[f] == 0 else point_length[f])]
            for point_tf, point_length in zip(kept_tf, kept_length)]


def _row_keys(rows):
    """A whole number per row, equal for equal rows only: each column's values ranked, the ranks
    read as the digits of one number (rows of tf and lengths have few distinct values a column)."""
    import numpy as np

    keys, scale = np.zeros(len(rows), dtype=np.int64), 1
    for column in rows.T:
        values, rank = np.unique(column, return_inverse=True)
        if scale * len(values) >= 2 ** 62:  # too many to number this way: equal rows by sorting them
            return np.unique(rows, axis=0, return_inverse=True)[1].ravel()
        keys += rank.ravel() * scale
        scale *= len(values)
    return keys


class Blocks:
    """A long entry's postings, per field, in blocks of BLOCK documents, each block held as the
    text it has in the entry less its first ordinal delta (which depends on the block before).

    A term most papers use has postings for most of the catalogue; an edit to one paper changes
    one posting in it. With the entry in blocks, the edit decodes and encodes one block and joins
    the rest as they are, rather than decoding and encoding every posting of the term."""

    __slots__ = ("_fields", "_packed", "_open")

    def __init__(self, fields: list[Posting], texts: list[bytes]):
        """`texts`: each field's postings as `_flatten` gives them, in JSON, without brackets."""
        # per field: block number -> (first ordinal, last ordinal, postings, text after the first delta)
        self._fields: list[dict[int, tuple[int, int, int, bytes]]] | None = []
        for (refs, _, _), text in zip(fields, texts):
            numbers = text.split(b",") if refs else []
            blocks, start = {}, 0
            while start < len(refs):
                number = refs[start] // BLOCK
                end = bisect.bisect_left(refs, (number + 1) * BLOCK, start)
                blocks[number] = (refs[start], refs[end - 1], end - start, b",".join(numbers[3 * start + 1:3 * end]))
                start = end
            self._fields.append(blocks)
        self._packed: Packed | None = None
        self._open: dict[tuple[int, int], Posting] = {}

    @property
    def fields(self) -> list[dict[int, tuple[int, int, int, bytes]]]:
        if self._fields is None:
            self._fields, self._packed = self._packed.load(), None
        return self._fields

    def __getstate__(self) -> Packed:
        """Kept between builds packed, unpacked only when an edit reaches the term."""
        return self._packed if self._fields is None else Packed(self._fields)

    def __setstate__(self, packed: Packed) -> None:
        self._fields, self._packed, self._open = None, packed, {}

    def remove(self, field: int, ref: int) -> None:
        found = self.fields[field].get(ref // BLOCK)
        if found is not None and found[0] <= ref <= found[1]:  # else not there: nothing to decode
            _remove(self._posting(field, ref), ref)

    def insert(self, field: int, ref: int, tf: int, length: int) -> None:
        _insert(self._posting(field, ref), ref, tf, length)

    def _posting(self, field: int, ref: int) -> Posting:
        """The decoded block of `field` that holds (or would hold) document `ref`, for editing."""
        number = ref // BLOCK
        opened = self._open.get((field, number))
        if opened is None:
            found = self.fields[field].get(number)
            if found is None:
                opened = ([], [], [])
            else:
                first, _, _, rest = found
                flat = json.loads(b"[0," + rest + b"]")
                opened = (list(itertools.accumulate(flat[0::3], initial=first))[1:], flat[1::3], flat[2::3])
            self._open[(field, number)] = opened
        return opened

    def close(self) -> list[tuple[int, int]]:
        """Encode the blocks opened since the last close; per field, (postings, first ordinal)."""
        for (field, number), (refs, tfs, lengths) in self._open.items():
            if refs:
                self.fields[field][number] = _block(refs, tfs, lengths)
            else:
                self.fields[field].pop(number, None)
        self._open = {}
        summary = []
        for blocks in self.fields:
            counts = [block[2] for block in blocks.values()]
            summary.append((sum(counts), blocks[min(blocks)][0] if blocks else None))
        return summary

    def encode(self, term: str, key: int, idf_value: float) -> bytes:
        """The entry, byte for byte what `encode` gives for the same postings."""
        parts = [_json([term, key, idf_value])[:-1]]
        for blocks in self.fields:
            texts, previous = [], 0
            for number in sorted(blocks):
                first, last, _, rest = blocks[number]
                texts.append(b"%d,%s" % (first - previous, rest))
                previous = last
            parts.append(b"[" + b",".join(texts) + b"]")
        return b",".join(parts) + b"]"


def _block(refs: list[int], tfs: list[int], lengths: list[int]) -> tuple[int, int, int, bytes]:
    flat = _flatten((refs, tfs, lengths))
    return refs[0], refs[-1], len(refs), _json(flat)[1:-1].split(b",", 1)[1]  # less the first delta


class _Whole:
    """A short entry's postings, decoded whole for editing (the counterpart of Blocks)."""

    def __init__(self, data: bytes | None, field_count: int):
        self.fields = decode(data)[1] if data is not None else [([], [], []) for _ in range(field_count)]

    def remove(self, field: int, ref: int) -> None:
        _remove(self.fields[field], ref)

    def insert(self, field: int, ref: int, tf: int, length: int) -> None:
        _insert(self.fields[field], ref, tf, length)

    def close(self) -> list[tuple[int, int]]:
        return [(len(refs), refs[0] if refs else None) for refs, _, _ in self.fields]


def _remove(posting: Posting, ref: int) -> None:
    refs, tfs, lengths = posting
    at = bisect.bisect_left(refs, ref)
    if at < len(refs) and refs[at] == ref:
        del refs[at], tfs[at], lengths[at]


def _insert(posting: Posting, ref: int, tf: int, length: int) -> None:
    refs, tfs, lengths = posting
    at = bisect.bisect_left(refs, ref)
    refs.insert(at, ref)
    tfs.insert(at, tf)
    lengths.insert(at, length)


class ShardedIndex:
    """The sharded index and what updating it needs: every term's encoded entry, the field
    length totals, and the shards written last time (kept between builds)."""

    def __init__(self, fields: list[tuple[str, int]], pipeline: list[str]):
        self.fields = fields
        self.pipeline = pipeline
        self.documents = 0
        self.totals = [0] * len(fields)
        self.entries: dict[str, bytes] = {}
        self.blocks: dict[str, Blocks] = {}  # the long entries' postings, in blocks
        self.terms: list[str] = []           # in lunr.js's order
        self.boundaries: set[str] = set()    # terms a shard ends after
        self.shards: dict[str, tuple[str, ...]] = {}  # file name -> its terms
        self.starts: dict[str, str] = {}              # file name -> where it starts (shard_start)
        # (a shard's first term, the last term before it) -> (its start, its name), for the shards
        # of the last layout: an edit moves a few shards, and naming every one again took 15 ms
        self.named: dict[tuple[str, str | None], tuple[str, str]] = {}

    @classmethod
    def build(cls, analysed: list[Analysis], fields: list[tuple[str, int]], pipeline: list[str]) -> ShardedIndex:
        index = cls(fields, pipeline)
        if not analysed:
            return index
        table: Postings = collect(analysed, len(fields))
        index.documents, index.totals = len(analysed), table.totals
        by_field = [[doc[f] for doc in table.lengths] for f in range(len(fields))]
        for term in list(table.terms):
            postings = table.terms.pop(term)  # freed as its entry is made: the two are not held whole at once
            fields_of_term = []
            for f, posting in enumerate(postings):
                refs, tfs = posting[0::2], posting[1::2]
                fields_of_term.append((refs, tfs, list(map(by_field[f].__getitem__, refs))))
            index._store(term, table.keys[term], table.idf(postings), fields_of_term)
        index.terms = sorted(index.entries, key=utf16_order)
        target = target_size(index.documents)
        index.boundaries = {t for t in index.terms if is_boundary(t, len(index.entries[t]), target)}
        return index

    def update(self, changes: list[tuple[int, Analysis, Analysis]], analysis_of) -> set[str]:
        """Apply edits to documents (ordinal, old analysis, new analysis), the ordinals and the
        document count unchanged; `analysis_of(ref)` gives any document's current analysis.
        Returns the terms whose entries changed: only those shards need writing."""
        affected: set[str] = set()
        for ref, old, new in changes:
            affected.update(t for frequencies, _ in old for t in frequencies)
            affected.update(t for frequencies, _ in new for t in frequencies)
            for f, ((_, old_length), (_, new_length)) in enumerate(zip(old, new)):
                self.totals[f] += new_length - old_length
        field_count = len(self.fields)
        editing = {t: self.blocks.get(t) or _Whole(self.entries.get(t), field_count) for t in affected}
        for ref, old, _ in changes:
            for term in {t for frequencies, _ in old for t in frequencies}:
                for f in range(field_count):
                    editing[term].remove(f, ref)
        for ref, _, new in changes:
            for f, (frequencies, length) in enumerate(new):
                for term, tf in frequencies.items():
                    editing[term].insert(f, ref, tf, length)
        target = target_size(self.documents)
        places: dict[int, dict[str, int]] = {}
        for term, postings in editing.items():
            summary = postings.close()
            held = [first for count, first in summary if count]
            if not held:
                self.entries.pop(term, None)
                self.blocks.pop(term, None)
                self.boundaries.discard(term)
                at = bisect.bisect_left(self.terms, utf16_order(term), key=utf16_order)
                if at < len(self.terms) and self.terms[at] == term:
                    del self.terms[at]
                continue
            first = min(held)
            if first not in places:
                places[first] = term_places(analysis_of(first))
            key = first * KEY_SPACE + places[first][term]
            if term not in self.entries:
                bisect.insort(self.terms, term, key=utf16_order)
            idf_value = idf(sum(count for count, _ in summary), self.documents)
            if isinstance(postings, Blocks):
                self.entries[term] = postings.encode(term, key, idf_value)
            else:
                self._store(term, key, idf_value, postings.fields)
            (self.boundaries.add if is_boundary(term, len(self.entries[term]), target) else self.boundaries.discard)(term)
        return affected

    def _store(self, term: str, key: int, idf_value: float, fields: list[Posting]) -> None:
        """A term's entry from its postings; in blocks too when it has more than LONG postings."""
        if sum(len(refs) for refs, _, _ in fields) > LONG:
            self.entries[term], self.blocks[term] = encode_long(term, key, idf_value, fields)
        else:
            self.entries[term] = encode(term, key, idf_value, fields)

    def layout(self) -> dict[str, tuple[str, ...]]:
        """Shard file name -> its terms, in order. An entry larger than a whole shard also starts
        its own, so a query for a rare term never fetches the common term beside it ("appreciably"
        fetched "approach", 100 KB gzip at 100,000 papers)."""
        terms, entries = self.terms, self.entries
        target = target_size(self.documents)
        place = dict(zip(terms, range(len(terms))))
        ends = {place[term] for term in self.boundaries}
        ends.update(place[term] - 1 for term, entry in entries.items() if len(entry) > target)
        ends.discard(-1)
        ends.add(len(terms) - 1)
        shards, named, self.named, self.starts = {}, self.named, {}, {}
        start, previous = 0, None
        for end in sorted(ends):
            if end < 0:
                continue  # no terms
            part = tuple(terms[start:end + 1])
            key = (part[0], previous)
            begins, name = self.named[key] = named.get(key) or _named(part[0], previous)
            if name in shards:
                raise ValueError(f"two shards are both named {name}: {shards[name][0]!r} and {part[0]!r}")
            shards[name], self.starts[name] = part, begins
            start, previous = end + 1, part[-1]
        return shards

    def shard_files(self, affected: set[str] | None) -> dict[str, bytes]:
        """The shard files that may have changed: those holding an `affected` term or whose
        range moved (all of them when `affected` is None)."""
        layout = self.layout()
        write = {}
        boosts = [boost for _, boost in self.fields]
        for name, terms in layout.items():
            if affected is None or self.shards.get(name) != terms or not affected.isdisjoint(terms):
                write[f"search/shards/{name}.json"] = b"[" + b",".join(self.entries[t] for t in terms) + b"]"
                if self.has_head(terms[0]):
                    write[f"search/heads/{name}.json"] = head(self.entries[terms[0]], boosts)
        self.shards = layout
        return write

    def has_head(self, term: str) -> bool:
        """Does a one-word query for this term (the first of its shard) have a head (see `head`)?"""
        return len(self.entries[term]) > HEAD_BYTES

    def manifest(self) -> dict:
        return {
            "fields": [name for name, _ in self.fields],
            "boosts": [boost for _, boost in self.fields],
            "pipeline": self.pipeline,
            "documents": self.documents,
            "averages": [total / self.documents if self.documents else 0 for total in self.totals],
            "target": target_size(self.documents),
            "shards": [self.starts[name] for name in self.shards],
            # the shards with a head, as the gaps between their numbers (a few bytes each)
            "heads": _gaps([n for n, terms in enumerate(self.shards.values()) if self.has_head(terms[0])]),
        }


class SearchFiles:
    """Every search file's digest and size, and the files a build must write or remove."""

    def __init__(self) -> None:
        self.index: ShardedIndex | None = None
        self.digests: dict[str, str] = {}
        self.sizes: dict[str, int] = {}
        self.write: dict[str, bytes] = {}
        self.remove: list[str] = []
        self.years: list[str] | None = None                  # the facets' years, as last written
        self.topics: list[tuple[str, str]] | None = None     # the topics the facets were written for

    def __getstate__(self) -> dict:
        """Kept between builds without what the last one wrote."""
        return {**self.__dict__, "write": {}, "remove": []}

    @property
    def size(self) -> int:
        return sum(self.sizes.values())

    def put(self, path: str, data: bytes) -> None:
        digest = hashlib.blake2b(data, digest_size=10).hexdigest()
        if self.digests.get(path) != digest:
            self.digests[path], self.sizes[path] = digest, len(data)
            self.write[path] = data

    def drop(self, path: str) -> None:
        if self.digests.pop(path, None) is not None:
            self.sizes.pop(path, None)
            self.remove.append(path)

    def refresh(self, index: ShardedIndex, affected: set[str] | None, count: int, result_data,
                dirty: set[int] | None, facets: dict | None, topics: dict[str, str]) -> None:
        """Bring the files up to date with `index` (its shards holding `affected` terms changed;
        None: all) and with the result data of `count` papers (`result_data(ordinal)`; only the
        `dirty` ordinals changed, None: all); `facets` None: as last time. Afterwards `write` and
        `remove` say what changed."""
        self.index, self.write, self.remove = index, {}, []
        shards = index.shard_files(affected)
        current = {f"search/shards/{name}.json" for name in index.shards}
        current |= {f"search/heads/{name}.json" for name, terms in index.shards.items() if index.has_head(terms[0])}
        for path in [p for p in self.digests if p.startswith(("search/shards/", "search/heads/")) and p not in current]:
            self.drop(path)
        for path, data in shards.items():
            self.put(path, data)
        self.put(TERMS, _json(index.terms))  # written only when the vocabulary changed (see put)
        chunks = -(-count // DOCS_PER_CHUNK)
        numbers = range(chunks) if dirty is None else sorted({ref // DOCS_PER_CHUNK for ref in dirty})
        for n in numbers:
            part = range(n * DOCS_PER_CHUNK, min(count, (n + 1) * DOCS_PER_CHUNK))
            self.put(f"search/docs/{n}.json", _json([result_data(ref) for ref in part]))
        for path in [p for p in self.digests if p.startswith("search/docs/")]:
            if int(path.rsplit("/", 1)[1].split(".")[0]) >= chunks:
                self.drop(path)
        if facets is not None:
            self.years, self.topics = facets["years"], list(topics.items())
            self.put(FACETS, _json(facets))
        manifest = index.manifest()
        manifest.update({"chunk": DOCS_PER_CHUNK, "chunks": chunks, "topics": topics, "years": self.years})
        version = hashlib.sha256("".join(f"{p}\0{d}\0" for p, d in sorted(self.digests.items())
                                         if p not in (MANIFEST, VERSION)).encode())
        manifest["version"] = version.hexdigest()[:12]
        self.put(MANIFEST, _json(manifest))
        self.put(VERSION, _json(manifest["version"]))


def _named(first: str, previous: str | None) -> tuple[str, str]:
    begins = shard_start(first, previous)
    return begins, shard_name(begins)


def _gaps(numbers: list[int]) -> list[int]:
    return [b - a for a, b in zip([0, *numbers], numbers)]


def read_postings(files: dict[str, bytes]) -> tuple[dict, Postings]:
    """The manifest and the whole index's postings, put back together from the files (for tools and tests)."""
    manifest = json.loads(files[MANIFEST])
    field_count = len(manifest["fields"])
    lengths = [[0] * field_count for _ in range(manifest["documents"])]
    by_key = []
    for start in manifest["shards"]:
        for entry in json.loads(files[f"search/shards/{shard_name(start)}.json"]):
            key, fields = unflatten(entry)
            for f, (refs, _, field_lengths) in enumerate(fields):
                for ref, length in zip(refs, field_lengths):
                    lengths[ref][f] = length
            by_key.append((key, entry[0], [[x for pair in zip(refs, tfs) for x in pair] for refs, tfs, _ in fields]))
    by_key.sort()
    terms = {term: postings for _, term, postings in by_key}
    keys = {term: key for key, term, _ in by_key}
    totals = [sum(doc[f] for doc in lengths) for f in range(field_count)]
    return manifest, Postings(terms, keys, lengths, totals)


def _json(data: object) -> bytes:
    # check_circular off: the data is a tree we built (a third faster on large indexes)
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"), check_circular=False).encode("utf-8")
