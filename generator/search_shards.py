"""The lunr index cut by term into shards, so the search page fetches only what a query needs.

Files under `search/` (all JSON):
- `manifest.json`: fields and boosts, the document count, the average length of
  each field, the first term of every shard, the number of result chunks, and
  a version the page appends to every other URL (so a browser never mixes two builds).
- `shards/<n>.json`: a contiguous range of terms in lunr.js's order (UTF-16
  code units). For each term: its lunr `_index`, its idf, and per field the
  postings as (document ordinal delta, term frequency, field length) triples.
- `terms.json`: every term, for the queries lunr expands against the whole
  vocabulary (fuzzy `~n`, leading and inner `*`).
- `docs/<n>.json`: what a result shows, DOCS_PER_CHUNK papers per file.
- `facets.json`: each paper's year and topics, for the filters.

Shards hold frequencies and lengths, not finished weights: search-core.js
computes lunr's BM25 weight with lunr.py's arithmetic and rounding. So the
sharded index scores exactly as the whole one, and an edit to one paper
changes only the shards of the terms it touches (and the manifest's averages).

Where a shard ends depends only on its terms: a shard ends after term t when
a hash of t falls under t's share of the target shard size. Adding or editing
a paper moves only the boundaries near the terms it changes.
"""

from __future__ import annotations

import hashlib
import json
import math
import zlib
from dataclasses import dataclass, field

from generator.lunr_builder import Postings

DOCS_PER_CHUNK = 4
MANIFEST = "search/manifest.json"


@dataclass
class SearchFiles:
    """The search files of a site, by path under it."""

    files: dict[str, bytes] = field(default_factory=dict)

    @property
    def size(self) -> int:
        return sum(map(len, self.files.values()))


def target_size(documents: int) -> int:
    """Bytes per shard: grows as the square root of the catalogue, so the manifest (one
    term per shard) and a query's shards grow alike. A power of two, so it moves rarely."""
    return max(2048, 2 ** round(math.log2(64 * math.sqrt(max(documents, 1)))))


def utf16_order(term: str) -> bytes:
    return term.encode("utf-16-be")


def entry(term: str, index: int, table: Postings) -> list:
    """One term as a shard holds it: [term, _index, idf, postings of each field...]."""
    postings = table.terms[term]
    fields = []
    for f, posting in enumerate(postings):
        flat, previous = [], 0
        for ref, tf in posting:
            flat += (ref - previous, tf, table.lengths[ref][f])
            previous = ref
        fields.append(flat)
    return [term, index, table.idf(postings), *fields]


def cut(sizes: list[tuple[str, int]], target: int) -> list[int]:
    """Where each shard starts, as positions in the sorted terms."""
    starts = [0]
    for position, (term, size) in enumerate(sizes[:-1]):
        if zlib.crc32(term.encode("utf-8")) < size / target * 2 ** 32:
            starts.append(position + 1)
    return starts


def shard_files(table: Postings, fields: list[tuple[str, int]], pipeline: list[str]) -> tuple[dict, dict]:
    """The manifest (without version) and the shard and vocabulary files."""
    indexes = {term: i for i, term in enumerate(table.terms)}
    terms = sorted(table.terms, key=utf16_order)
    entries = [entry(term, indexes[term], table) for term in terms]
    encoded = [_json(e) for e in entries]
    target = target_size(len(table.lengths))
    starts = cut([(t, len(e)) for t, e in zip(terms, encoded)], target)
    files = {}
    for n, (start, end) in enumerate(zip(starts, starts[1:] + [len(terms)])):
        files[f"search/shards/{n}.json"] = b"[" + b",".join(encoded[start:end]) + b"]"
    files["search/terms.json"] = _json(terms)
    manifest = {
        "fields": [name for name, _ in fields],
        "boosts": [boost for _, boost in fields],
        "pipeline": pipeline,
        "documents": len(table.lengths),
        "averages": table.averages,
        "target": target,
        "shards": [terms[start] for start in starts] if terms else [],
    }
    return manifest, files


def search_files(table: Postings | None, fields: list[tuple[str, int]], pipeline: list[str],
                 docs: list[list], facets: dict, topics: dict[str, str]) -> SearchFiles:
    manifest, files = shard_files(table, fields, pipeline) if table is not None else (
        {"fields": [n for n, _ in fields], "boosts": [b for _, b in fields], "pipeline": pipeline,
         "documents": 0, "averages": [0] * len(fields), "target": target_size(0), "shards": []}, {"search/terms.json": b"[]"})
    chunks = [docs[i:i + DOCS_PER_CHUNK] for i in range(0, len(docs), DOCS_PER_CHUNK)]
    for n, chunk in enumerate(chunks):
        files[f"search/docs/{n}.json"] = _json(chunk)
    files["search/facets.json"] = _json(facets)
    manifest.update({"chunk": DOCS_PER_CHUNK, "chunks": len(chunks), "topics": topics, "years": facets["years"]})
    version = hashlib.sha256(b"".join(k.encode() + b"\0" + v for k, v in sorted(files.items())))
    manifest["version"] = version.hexdigest()[:12]
    files[MANIFEST] = _json(manifest)
    return SearchFiles(files)


def read_postings(files: dict[str, bytes]) -> tuple[dict, Postings]:
    """The manifest and the whole index's postings, put back together from the files (for tools and tests)."""
    manifest = json.loads(files[MANIFEST])
    field_count = len(manifest["fields"])
    lengths = [[0] * field_count for _ in range(manifest["documents"])]
    by_index = []
    for n in range(len(manifest["shards"])):
        for term, index, _idf, *fields in json.loads(files[f"search/shards/{n}.json"]):
            postings = []
            for f, flat in enumerate(fields):
                posting, ref = [], 0
                for i in range(0, len(flat), 3):
                    ref += flat[i]
                    posting.append((ref, flat[i + 1]))
                    lengths[ref][f] = flat[i + 2]
                postings.append(posting)
            by_index.append((index, term, postings))
    terms = {term: postings for _, term, postings in sorted(by_index)}
    return manifest, Postings(terms, lengths, manifest["averages"])


def _json(data: object) -> bytes:
    # check_circular off: the data is a tree we built (a third faster on large indexes)
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"), check_circular=False).encode("utf-8")
