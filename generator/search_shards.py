"""The lunr index cut by term into shards, so the search page fetches only what a query needs.

Files under `search/` (all JSON):
- `manifest.json`: fields and boosts, the document count, the average length of
  each field, the first term of every shard, and a version the page appends
  to every other URL (so a browser never mixes two builds).
- `shards/<name>.json`: a contiguous range of terms in lunr.js's order (UTF-16
  code units), named by a hash of its first term (`shard_name`, repeated in
  search-core.js). For each term: a number giving its place in lunr's `_index`
  order (lunr_builder.KEY_SPACE), its idf, and per field the postings as
  (document ordinal delta, term frequency, field length) triples.
- `terms.json`: every term, for the queries lunr expands against the whole
  vocabulary (fuzzy `~n`, leading and inner `*`).
- `docs/<n>.json`: what a result shows, DOCS_PER_CHUNK papers per file.
- `facets.json`: each paper's year and topics, for the filters.

Shards hold frequencies and lengths, not finished weights: search-core.js
computes lunr's BM25 weight with lunr.py's arithmetic and rounding. So the
sharded index scores exactly as the whole one, and an edit to a paper changes
only the shards of the terms it touches, plus the manifest (`ShardedIndex.update`).
Where a shard ends depends only on its own terms: a shard ends after term t
when a hash of t falls under t's share of the target shard size.
"""

from __future__ import annotations

import bisect
import hashlib
import itertools
import json
import math
import operator
import zlib

from generator.lunr_builder import KEY_SPACE, Postings, collect, idf, term_places

DOCS_PER_CHUNK = 4
MANIFEST = "search/manifest.json"
TERMS = "search/terms.json"
FACETS = "search/facets.json"
Analysis = list[tuple[dict[str, int], int]]  # per field: term frequencies and length


def target_size(documents: int) -> int:
    """Bytes per shard: grows as the square root of the catalogue, so the manifest (one
    term per shard) and a query's shards grow alike. A power of two, so it moves rarely."""
    return max(2048, 2 ** round(math.log2(64 * math.sqrt(max(documents, 1)))))


def utf16_order(term: str) -> bytes:
    return term.encode("utf-16-be")


def shard_name(first_term: str) -> str:
    """Two 32-bit FNV-1a hashes of the first term's UTF-16 code units (search-core.js has the same)."""
    units = [int.from_bytes(pair, "big") for pair in _pairs(first_term.encode("utf-16-be"))]
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


# A term's postings in one field: document ordinals (ascending), term frequencies, field lengths.
Posting = tuple[list[int], list[int], list[int]]


def encode(term: str, key: int, idf_value: float, fields: list[Posting]) -> bytes:
    """One term as a shard holds it: [term, key, idf, postings of each field...], each field's
    postings flat as (ordinal delta, tf, length) triples. Slices, not loops: dense terms are long."""
    flat_fields = []
    for refs, tfs, lengths in fields:
        flat = [0] * (3 * len(refs))
        if refs:
            flat[0::3] = [refs[0], *map(operator.sub, refs[1:], refs[:-1])]
            flat[1::3] = tfs
            flat[2::3] = lengths
        flat_fields.append(flat)
    return _json([term, key, idf_value, *flat_fields])


def decode(data: bytes) -> tuple[int, list[Posting]]:
    """The key and postings per field of an encoded term."""
    return unflatten(json.loads(data))


def unflatten(entry: list) -> tuple[int, list[Posting]]:
    """The key and postings per field of a term as a shard holds it (see encode)."""
    _term, key, _idf, *flat_fields = entry
    return key, [(list(itertools.accumulate(flat[0::3])), flat[1::3], flat[2::3]) for flat in flat_fields]


class ShardedIndex:
    """The sharded index and what updating it needs: every term's encoded entry, the field
    length totals, and the shards written last time (kept between builds)."""

    def __init__(self, fields: list[tuple[str, int]], pipeline: list[str]):
        self.fields = fields
        self.pipeline = pipeline
        self.documents = 0
        self.totals = [0] * len(fields)
        self.entries: dict[str, bytes] = {}
        self.terms: list[str] = []           # in lunr.js's order
        self.boundaries: set[str] = set()    # terms a shard ends after
        self.shards: dict[str, tuple[str, ...]] = {}  # file name -> its terms

    @classmethod
    def build(cls, analysed: list[Analysis], fields: list[tuple[str, int]], pipeline: list[str]) -> ShardedIndex:
        index = cls(fields, pipeline)
        if not analysed:
            return index
        table: Postings = collect(analysed, len(fields))
        index.documents, index.totals = len(analysed), table.totals
        by_field = [[doc[f] for doc in table.lengths] for f in range(len(fields))]
        for term, postings in table.terms.items():
            fields_of_term = []
            for f, posting in enumerate(postings):
                refs, tfs = map(list, zip(*posting)) if posting else ([], [])
                fields_of_term.append((refs, tfs, list(map(by_field[f].__getitem__, refs))))
            index.entries[term] = encode(term, table.keys[term], table.idf(postings), fields_of_term)
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
        postings = {t: decode(self.entries[t])[1] if t in self.entries else [([], [], []) for _ in self.fields]
                    for t in affected}
        for ref, old, _ in changes:
            for term in {t for frequencies, _ in old for t in frequencies}:
                for refs, tfs, lengths in postings[term]:
                    at = bisect.bisect_left(refs, ref)
                    if at < len(refs) and refs[at] == ref:
                        del refs[at], tfs[at], lengths[at]
        for ref, _, new in changes:
            for f, (frequencies, length) in enumerate(new):
                for term, tf in frequencies.items():
                    refs, tfs, lengths = postings[term][f]
                    at = bisect.bisect_left(refs, ref)
                    refs.insert(at, ref)
                    tfs.insert(at, tf)
                    lengths.insert(at, length)
        target = target_size(self.documents)
        places: dict[int, dict[str, int]] = {}
        for term, fields in postings.items():
            held = [refs[0] for refs, _, _ in fields if refs]
            if not held:
                self.entries.pop(term, None)
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
            self.entries[term] = encode(term, key, idf(sum(len(refs) for refs, _, _ in fields), self.documents), fields)
            (self.boundaries.add if is_boundary(term, len(self.entries[term]), target) else self.boundaries.discard)(term)
        return affected

    def layout(self) -> dict[str, tuple[str, ...]]:
        """Shard file name -> its terms, in order."""
        shards, start = {}, 0
        for i, term in enumerate(self.terms):
            if term in self.boundaries or i == len(self.terms) - 1:
                part = tuple(self.terms[start:i + 1])
                name = shard_name(part[0])
                if name in shards:
                    raise ValueError(f"two shards are both named {name}: {shards[name][0]!r} and {part[0]!r}")
                shards[name] = part
                start = i + 1
        return shards

    def shard_files(self, affected: set[str] | None) -> dict[str, bytes]:
        """The shard files that may have changed: those holding an `affected` term or whose
        range moved (all of them when `affected` is None)."""
        layout = self.layout()
        write = {}
        for name, terms in layout.items():
            if affected is None or self.shards.get(name) != terms or not affected.isdisjoint(terms):
                write[f"search/shards/{name}.json"] = b"[" + b",".join(self.entries[t] for t in terms) + b"]"
        self.shards = layout
        return write

    def manifest(self) -> dict:
        return {
            "fields": [name for name, _ in self.fields],
            "boosts": [boost for _, boost in self.fields],
            "pipeline": self.pipeline,
            "documents": self.documents,
            "averages": [total / self.documents if self.documents else 0 for total in self.totals],
            "target": target_size(self.documents),
            "shards": [terms[0] for terms in self.shards.values()],
        }


class SearchFiles:
    """Every search file's digest and size, and the files a build must write or remove."""

    def __init__(self) -> None:
        self.index: ShardedIndex | None = None
        self.digests: dict[str, str] = {}
        self.sizes: dict[str, int] = {}
        self.write: dict[str, bytes] = {}
        self.remove: list[str] = []

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
                dirty: set[int] | None, facets: dict, topics: dict[str, str]) -> None:
        """Bring the files up to date with `index` (its shards holding `affected` terms changed;
        None: all) and with the result data of `count` papers (`result_data(ordinal)`; only the
        `dirty` ordinals changed, None: all). Afterwards `write` and `remove` say what changed."""
        self.index, self.write, self.remove = index, {}, []
        shards = index.shard_files(affected)
        current = {f"search/shards/{name}.json" for name in index.shards}
        for path in [p for p in self.digests if p.startswith("search/shards/") and p not in current]:
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
        self.put(FACETS, _json(facets))
        manifest = index.manifest()
        manifest.update({"chunk": DOCS_PER_CHUNK, "chunks": chunks, "topics": topics, "years": facets["years"]})
        version = hashlib.sha256("".join(f"{p}\0{d}\0" for p, d in sorted(self.digests.items())
                                         if p != MANIFEST).encode())
        manifest["version"] = version.hexdigest()[:12]
        self.put(MANIFEST, _json(manifest))


def read_postings(files: dict[str, bytes]) -> tuple[dict, Postings]:
    """The manifest and the whole index's postings, put back together from the files (for tools and tests)."""
    manifest = json.loads(files[MANIFEST])
    field_count = len(manifest["fields"])
    lengths = [[0] * field_count for _ in range(manifest["documents"])]
    by_key = []
    for first in manifest["shards"]:
        for entry in json.loads(files[f"search/shards/{shard_name(first)}.json"]):
            key, fields = unflatten(entry)
            for f, (refs, _, field_lengths) in enumerate(fields):
                for ref, length in zip(refs, field_lengths):
                    lengths[ref][f] = length
            by_key.append((key, entry[0], [list(zip(refs, tfs)) for refs, tfs, _ in fields]))
    by_key.sort()
    terms = {term: postings for _, term, postings in by_key}
    keys = {term: key for key, term, _ in by_key}
    totals = [sum(doc[f] for doc in lengths) for f in range(field_count)]
    return manifest, Postings(terms, keys, lengths, totals)


def _json(data: object) -> bytes:
    # check_circular off: the data is a tree we built (a third faster on large indexes)
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"), check_circular=False).encode("utf-8")
