"""The search index: prebuilt with lunr.py, loaded as it is by stock lunr.js 2.3.9.

Three traps between the two lunrs are handled here and mirrored in
`templates/static/search.js`:
- lunr.py's search pipeline has no trimmer, so `models?` would find nothing
  (lunr.py #151): our search pipeline is trimmer + stemmer, and its names are
  ones lunr.js registers itself.
- lunr.py's trimmer keeps inner punctuation and non-ASCII letters at word
  ends; lunr.js's strips ASCII non-word characters only. Both sides use one
  rule instead: strip leading and trailing characters that are not Unicode
  letters, digits or `_` (the page re-registers `trimmer` with it).
- Python orders terms by code point, JavaScript by UTF-16 unit, and
  `lunr.Index.load` throws on terms out of its order (lunr.py #144): the
  inverted index is written in UTF-16 order.
Documents are referred to by ordinal, not slug: the ref is repeated in every
posting, so a short ref is most of the saving.
"""

from __future__ import annotations

import functools
import gzip
import json
import re
import unicodedata
from dataclasses import dataclass

from lunr.builder import Builder
from lunr.index import Index
from lunr.pipeline import Pipeline
from lunr.stemmer import porter_stemmer
from lunr.stop_word_filter import stop_word_filter

from generator.catalogue import Catalogue

FIELDS = (("title", 10), ("abstract", 1), ("topics", 2), ("organisation", 1))
_LEADING = re.compile(r"^\W+")
_TRAILING = re.compile(r"\W+$")


def _trim(text: str, metadata: object = None) -> str:
    return _TRAILING.sub("", _LEADING.sub("", text))


def trimmer(token, i=None, tokens=None):
    """Strip non-word characters (Unicode-aware) from both ends; drop what is left empty."""
    token.update(_trim)
    return token if token.string else None


@functools.lru_cache(maxsize=None)
def _stem(word: str) -> str:
    return porter_stemmer.stem(word)


def stemmer(token, i=None, tokens=None):
    """lunr's Porter stemmer, memoised: most of lunr.py's build time is stemming the same words."""
    return token.update(lambda text, metadata=None: _stem(text))


# Registered under lunr.js's own names, so the serialized pipeline loads in stock lunr.js.
for _fn, _label in ((trimmer, "trimmer"), (stemmer, "stemmer")):
    _fn.label = _label
    Pipeline.registered_functions[_label] = _fn


def normalise(text: str) -> str:
    """Composed Unicode, so `é` typed and `é` captured are the same term (the page does the same)."""
    return unicodedata.normalize("NFC", text)


@dataclass
class SearchFiles:
    index: dict
    docs: dict

    def encoded(self) -> tuple[bytes, bytes]:
        return _json_bytes(self.index), _json_bytes(self.docs)


def build_search(catalogue: Catalogue) -> SearchFiles:
    builder = Builder()
    builder.pipeline.add(trimmer, stop_word_filter, stemmer)
    builder.search_pipeline.add(trimmer, stemmer)
    builder.ref("id")
    for name, boost in FIELDS:
        builder.field(name, boost=boost)
    docs = []
    for ordinal, paper in enumerate(catalogue.papers):
        builder.add({
            "id": str(ordinal),
            "title": normalise(paper.title),
            "abstract": normalise(paper.text),
            "topics": normalise(" ".join(t.name for t in paper.topics)),
            "organisation": normalise(paper.organisation or ""),
        })
        docs.append({
            "t": paper.title,
            "u": paper.url,
            "d": paper.date.isoformat() if paper.date else "",
            "k": [t.slug for t in paper.topics],
            "s": paper.summary,
        })
    index = serialise(builder.build()) if docs else _empty_index()
    topics = {entry.topic.slug: entry.topic.name for entry in catalogue.topics}
    return SearchFiles(index, {"topics": topics, "docs": docs})


def serialise(index: Index) -> dict:
    """lunr.py's serialisation, with terms in the order lunr.js's TokenSet.Builder demands."""
    data = index.serialize()
    data["invertedIndex"].sort(key=lambda entry: entry[0].encode("utf-16-be"))
    return data


def _empty_index() -> dict:
    """lunr.py cannot build an index of no documents (it divides by the count); lunr.js loads this."""
    from lunr import __TARGET_JS_VERSION__

    return {"version": __TARGET_JS_VERSION__, "fields": [name for name, _ in FIELDS], "fieldVectors": [],
            "invertedIndex": [], "pipeline": ["trimmer", "stemmer"]}


def load_index(data: dict) -> Index:
    """Load our index in lunr.py (for tools and tests), back in the code-point order lunr.py needs."""
    return Index.load({**data, "invertedIndex": sorted(data["invertedIndex"], key=lambda entry: entry[0])})


def gzip_size(data: bytes) -> int:
    return len(gzip.compress(data, compresslevel=9, mtime=0))


def _json_bytes(data: object) -> bytes:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
