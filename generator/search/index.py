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

The site holds the index cut into shards (`search.shards`); `whole_index`
puts it back together in lunr's own format for tools and tests.
"""

from __future__ import annotations

from lunr import __TARGET_JS_VERSION__
from lunr.builder import Builder
from lunr.index import Index
from lunr.stop_word_filter import stop_word_filter

from generator.catalogue.groups import Catalogue
from generator.catalogue.paper import Paper
from generator.search import lunr_builder
from generator.search import shards as search_shards
from generator.search.lunr_pipeline import normalise, stemmer, trimmer

FIELDS = (("title", 10), ("abstract", 1), ("topics", 2), ("organisation", 1))
SEARCH_PIPELINE = ["trimmer", "stemmer"]


def document(paper: Paper) -> dict[str, str]:
    """What the index holds of a paper, field by field."""
    return {
        "title": normalise(paper.title),
        "abstract": normalise(paper.text),
        "topics": normalise(" ".join(t.name for t in paper.topics)),
        "organisation": normalise(" ".join([paper.organisation or "", *paper.scholarly.authors])),
    }


def analysis(paper: Paper) -> list:
    """The paper's terms per field; kept on the paper, so a preview server analyses it once."""
    key = ("search", tuple(t.name for t in paper.topics))
    derived = paper.derived
    if key not in derived:
        derived.clear()
        derived[key] = lunr_builder.analyse_document(document(paper))
        paper.changed()
    return derived[key]


def result_data(paper: Paper) -> list:
    """What a result shows: title, URL, date, topics, the abstract (the page cuts a snippet around
    the words that matched), who wrote it (organisation, else authors, else how many) and upvotes."""
    when = paper.date.isoformat() if paper.date else ("%04d-%02d" % paper.month if paper.month else "")
    return [paper.title, paper.url, when, [t.slug for t in paper.topics], paper.text, _who(paper), paper.upvotes or 0]


def _who(paper: Paper) -> str:
    authors = paper.scholarly.authors
    if paper.organisation:
        return paper.organisation
    if authors:
        return ", ".join(authors[:3]) + (" et al." if len(authors) > 3 else "")
    count = paper.author_count
    return f"{count} author{'s' if count != 1 else ''}" if count else ""


def facets(catalogue: Catalogue) -> dict:
    """Each paper's year (an index into `years`, newest first, undated last) and topics (into `topics`)."""
    undated = [""] if catalogue.undated else []
    years = sorted({str(p.month[0]) for p in catalogue.papers if p.month}, reverse=True) + undated
    year_at = {year: i for i, year in enumerate(years)}
    topic_at = {entry.topic.slug: i for i, entry in enumerate(catalogue.topics)}
    return {"years": years, "topics": list(topic_at),
            "docs": [[year_at[str(p.month[0]) if p.month else ""], *(topic_at[t.slug] for t in p.topics)]
                     for p in catalogue.papers]}


def build_search(catalogue: Catalogue, files: search_shards.SearchFiles | None = None,
                 previous: list[Paper] | None = None) -> search_shards.SearchFiles:
    """The search files. Given the files and the papers (in order) of the last build, an edit to
    a few papers updates the index in place and `files.write` holds only the files that changed."""
    papers = catalogue.papers
    files = files if files is not None else search_shards.SearchFiles()
    changes, dirty = _changes(previous, papers) if files.index is not None else (None, None)
    if changes is None or len(changes) > max(10, len(papers) // 20):
        analysed = [analysis(p) for p in papers]
        index, affected = search_shards.ShardedIndex.build(analysed, list(FIELDS), SEARCH_PIPELINE), None
    else:
        index = files.index
        affected = index.update(changes, lambda ref: analysis(papers[ref]))
    topics = {entry.topic.slug: entry.topic.name for entry in catalogue.topics}
    # the filters' data is the same when no edited paper changed year or topics, nor did the topics
    same_facets = dirty is not None and files.years is not None and list(topics.items()) == files.topics \
        and all(_facet(previous[ref]) == _facet(papers[ref]) for ref in dirty)
    files.refresh(index, affected, len(papers), lambda ref: result_data(papers[ref]), dirty,
                  None if same_facets else facets(catalogue), topics)
    return files


def _facet(paper: Paper) -> tuple:
    return paper.month[0] if paper.month else None, [t.slug for t in paper.topics]


def _changes(previous: list[Paper] | None, papers: list[Paper]) -> tuple[list[tuple] | None, set[int] | None]:
    """(ordinal, old analysis, new analysis) of each ordinal whose words changed, and the ordinals
    holding a paper read again or another paper than before (a retitled paper moves among the
    papers of its day: the index is positional, so those few ordinals simply take other words);
    (None, None) when the number of papers changed."""
    if previous is None or len(previous) != len(papers):
        return None, None
    changes, dirty = [], set()
    for ref, (old, new) in enumerate(zip(previous, papers)):
        if old is not new:
            dirty.add(ref)
            before, after = analysis(old), analysis(new)
            if before != after:
                changes.append((ref, before, after))
    return changes, dirty


def whole_index(files: dict[str, bytes]) -> dict:
    """The sharded index put back together as one lunr index (what lunr.py's Builder would write)."""
    manifest, table = search_shards.read_postings(files)
    if not manifest["documents"]:
        return empty_index()
    fields = list(zip(manifest["fields"], manifest["boosts"]))
    return to_js_order(lunr_builder.serialise(table, fields, __TARGET_JS_VERSION__, manifest["pipeline"]))


def read_search_files(site) -> dict[str, bytes]:
    """The search files of a built site, by path under it."""
    folder = site / "search"
    return {path.relative_to(site).as_posix(): path.read_bytes() for path in folder.rglob("*.json")}


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
