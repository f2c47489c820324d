"""The search index: lunr's format, loaded as it is by stock lunr.js 2.3.9.

Three traps between lunr.py and lunr.js are handled here and in
`templates/static/search-core.js`:
- lunr.py's search pipeline has no trimmer, so `models?` would find nothing
  (lunr.py #151): our search pipeline is trimmer + stemmer.
- The two trimmers disagree on non-ASCII letters and inner punctuation: both
  sides use the Unicode-aware one in `lunr_pipeline`.
- Python orders terms by code point, JavaScript by UTF-16 unit, and
  `lunr.Index.load` throws on terms out of its order (lunr.py #144): the
  inverted index is written in UTF-16 order.
Documents are referred to by ordinal, not slug: the ref is repeated in every
posting, so a short ref is most of the saving.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from lunr import __TARGET_JS_VERSION__
from lunr.builder import Builder
from lunr.index import Index
from lunr.stop_word_filter import stop_word_filter

from generator import lunr_builder
from generator.catalogue import Catalogue, Paper
from generator.lunr_pipeline import normalise, stemmer, trimmer

FIELDS = (("title", 10), ("abstract", 1), ("topics", 2), ("organisation", 1))
SEARCH_PIPELINE = ["trimmer", "stemmer"]


@dataclass
class SearchFiles:
    index: dict
    docs: dict

    def encoded(self) -> tuple[bytes, bytes]:
        return _json_bytes(self.index), _json_bytes(self.docs)


def document(paper: Paper) -> dict[str, str]:
    """What the index holds of a paper, field by field."""
    return {
        "title": normalise(paper.title),
        "abstract": normalise(paper.text),
        "topics": normalise(" ".join(t.name for t in paper.topics)),
        "organisation": normalise(paper.organisation or ""),
    }


def analysis(paper: Paper) -> list:
    """The paper's terms per field; kept on the paper, so a preview server analyses it once."""
    key = ("search", tuple(t.name for t in paper.topics))
    if key not in paper.derived:
        paper.derived.clear()
        paper.derived[key] = lunr_builder.analyse_document(document(paper))
    return paper.derived[key]


def result_data(paper: Paper) -> dict:
    """What a result shows: title, URL, date, topics and a snippet."""
    return {"t": paper.title, "u": paper.url, "d": paper.date.isoformat() if paper.date else "",
            "k": [t.slug for t in paper.topics], "s": paper.summary}


def build_search(catalogue: Catalogue) -> SearchFiles:
    analysed = [analysis(p) for p in catalogue.papers]
    index = to_js_order(lunr_builder.assemble(analysed, list(FIELDS), __TARGET_JS_VERSION__, SEARCH_PIPELINE)) \
        if analysed else empty_index()
    topics = {entry.topic.slug: entry.topic.name for entry in catalogue.topics}
    return SearchFiles(index, {"topics": topics, "docs": [result_data(p) for p in catalogue.papers]})


def reference_index(catalogue: Catalogue) -> dict:
    """The same index built by lunr.py's own Builder: slow, and the yardstick for ours."""
    builder = Builder()
    builder.pipeline.add(trimmer, stop_word_filter, stemmer)
    builder.search_pipeline.add(trimmer, stemmer)
    builder.ref("id")
    for name, boost in FIELDS:
        builder.field(name, boost=boost)
    for ordinal, paper in enumerate(catalogue.papers):
        builder.add({"id": str(ordinal), **document(paper)})
    return to_js_order(builder.build().serialize())


def to_js_order(data: dict) -> dict:
    """Terms in the order lunr.js's TokenSet.Builder demands: UTF-16 code units."""
    data["invertedIndex"].sort(key=lambda entry: entry[0].encode("utf-16-be"))
    return data


def empty_index() -> dict:
    """lunr.py cannot build an index of no documents (it divides by the count); lunr.js loads this."""
    return {"version": __TARGET_JS_VERSION__, "fields": [name for name, _ in FIELDS], "fieldVectors": [],
            "invertedIndex": [], "pipeline": SEARCH_PIPELINE}


def load_index(data: dict) -> Index:
    """Load our index in lunr.py (for tools and tests), back in the code-point order lunr.py needs."""
    return Index.load({**data, "invertedIndex": sorted(data["invertedIndex"], key=lambda entry: entry[0])})


def _json_bytes(data: object) -> bytes:
    # check_circular off: the data is a tree we built (a third faster on a 27 MB index)
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"), check_circular=False).encode("utf-8")
