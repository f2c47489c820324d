"""The catalogue: every paper loaded once, classified, and indexed for every page.

Like Pelican's shared context, it is complete before any page is written:
topic, date and home pages, feeds and the search index all read from it.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import os
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from generator.errors import CatalogueError
from generator.markup import Renderer, html_to_text
from generator.packed import Packed
from generator.parallel import Chunked
from generator.pages import PAPERS_DIR, as_date, load_page
from generator.slugs import slugify
from generator.taxonomy import Taxonomy, Topic, load_taxonomy

SUMMARY_CHARS = 280
RELATED = 5
# Keys the templates see as fields of a paper; the rest stays in `params` (as in Hugo).
KNOWN_KEYS = {"title", "slug", "date", "author_count", "organisation", "upvotes", "sources", "topics", "paper_id"}


@dataclass(eq=False)  # a paper is itself: compared by identity, never field by field through its neighbours
class Paper:
    slug: str
    title: str
    date: dt.date | None
    body_html: str
    text: str
    source: str  # the page's path; a str, not a Path: thousands are kept between builds
    author_count: int | None = None
    organisation: str | None = None
    upvotes: int | None = None
    sources: list[str] = field(default_factory=list)
    topics: list[Topic] = field(default_factory=list)
    params: dict = field(default_factory=dict)
    newer: Paper | None = field(default=None, repr=False)
    older: Paper | None = field(default=None, repr=False)
    derived: dict = field(default_factory=dict, repr=False, compare=False)  # memo for data computed from it
    digest: str = field(default="", repr=False)  # of everything a page can show of it (see render_keys)

    @property
    def url(self) -> str:
        return f"papers/{self.slug}/"

    @property
    def page(self) -> str:
        """Its page's file in the site."""
        return f"papers/{self.slug}/index.html"

    @property
    def summary(self) -> str:
        if len(self.text) <= SUMMARY_CHARS:
            return self.text
        return self.text[:SUMMARY_CHARS].rsplit(" ", 1)[0] + "…"

    # Kept between builds, a paper's bulky parts travel as one pickled blob, unpacked on first use:
    # an edit build renders a few pages and needs the bodies of only those papers.
    _BULKY = ("body_html", "text", "derived")

    def pack(self) -> None:
        """Pack the bulky parts for keeping (done once; kept as they are while unchanged)."""
        if "_packed" not in self.__dict__:
            self._packed = Packed(tuple(self.__dict__[k] for k in self._BULKY))

    def __getstate__(self) -> dict:
        """Without its neighbours (relinked by every build, and they would recurse); packed if it was
        packed (see pack), whole otherwise (a paper crossing from a worker process is used at once)."""
        packed = "_packed" in self.__dict__
        state = {k: v for k, v in self.__dict__.items() if not (packed and k in self._BULKY)}
        return {**state, "newer": None, "older": None}

    def __setstate__(self, state: dict) -> None:
        """Defined so that unpickling does not look for it through __getattr__, once per paper."""
        self.__dict__.update(state)

    def __getattr__(self, name: str):
        """Only called for attributes not set: the bulky ones of a paper kept packed."""
        packed = self.__dict__.get("_packed")
        if name not in self._BULKY or packed is None:
            raise AttributeError(name)
        self.__dict__.update(zip(self._BULKY, packed.load()))
        return self.__dict__[name]

    def changed(self) -> None:
        """Something computed from the paper (`derived`) changed: pack it again when kept."""
        self.__dict__.pop("_packed", None)

    def shape(self) -> tuple:
        """What places the paper in the catalogue (its URL, order, topic and date lists) and what
        the plan copies of it by value (its title): an edit that keeps it moves nothing."""
        return self.slug, self.title, self.date, [(t.slug, t.name) for t in self.topics]

    def take(self, other: Paper) -> None:
        """Become `other` (the same page read again), keeping this paper's place among its
        neighbours: every list and page context that holds this paper now shows the new one."""
        newer, older = self.newer, self.older
        self.__dict__.clear()
        self.__dict__.update(other.__dict__)
        self.newer, self.older = newer, older

    def sort_key(self) -> tuple:
        """Newest first; undated papers last; ties by title so the order is stable."""
        return (self.date is None, -(self.date.toordinal() if self.date else 0), self.title.casefold(), self.slug)


@dataclass
class TopicEntry:
    topic: Topic
    papers: list[Paper]

    @property
    def url(self) -> str:
        return f"topics/{self.topic.slug}/"


@dataclass
class Catalogue:
    papers: list[Paper]
    taxonomy: Taxonomy
    topics: list[TopicEntry]
    years: dict[int, list[Paper]]
    months: dict[tuple[int, int], list[Paper]]
    undated: list[Paper]

    def related(self, paper: Paper, limit: int = RELATED) -> list[Paper]:
        """Papers of the paper's first topic nearest to it in date, so no page is a dead end."""
        if not paper.topics:
            return []
        entry = self._entries[paper.topics[0].slug]
        at = self._positions_in(entry)[id(paper)]
        start = max(0, min(at - limit // 2, len(entry.papers) - limit - 1))
        return [p for p in entry.papers[start:start + limit + 1] if p is not paper][:limit]

    def __getstate__(self) -> dict:
        """Kept between builds without the lookups below: they hold the ids of this process's papers."""
        return {k: v for k, v in self.__dict__.items() if k not in ("_entries", "_positions")}

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        link(self.papers)  # papers are kept without their neighbours (see Paper.__getstate__)

    @functools.cached_property
    def _entries(self) -> dict[str, TopicEntry]:
        return {entry.topic.slug: entry for entry in self.topics}

    def _positions_in(self, entry: TopicEntry) -> dict[int, int]:
        """Where each paper stands in a topic's list, found once rather than searched per page."""
        positions = self.__dict__.setdefault("_positions", {})
        if entry.topic.slug not in positions:
            positions[entry.topic.slug] = {id(p): i for i, p in enumerate(entry.papers)}
        return positions[entry.topic.slug]


class PaperCache:
    """Papers read by an earlier build (kept in build_state): a page is read again only
    when its size or modification time changed, or the taxonomy or the HTML setting did."""

    def __init__(self) -> None:
        self.key: tuple | None = None
        self.papers: dict[str, tuple[tuple[int, int], Paper]] = {}  # path -> its (mtime, size), the paper

    def stale(self, stamps: dict[str, tuple[int, int]], key: tuple) -> list[str]:
        """The paths to read, given each page's (mtime, size) now; pages gone are forgotten."""
        if key != self.key:
            self.key, self.papers = key, {}
        papers, nothing = self.papers, (None,)
        stale = [path for path, stamp in stamps.items() if papers.get(path, nothing)[0] != stamp]
        if len(papers) > len(stamps) - sum(path not in papers for path in stale):  # some pages are gone
            for path in [path for path in papers if path not in stamps]:
                del papers[path]
        return stale

    def put(self, paper: Paper, stamp: tuple[int, int]) -> None:
        self.papers[paper.source] = (stamp, paper)

    def replace(self, paper: Paper) -> None:
        """Keep `paper` for its page, read at the same time as the one it replaces."""
        self.papers[paper.source] = (self.papers[paper.source][0], paper)

    def paper(self, path: str) -> Paper:
        return self.papers[path][1]


def page_stamps(folder: Path) -> dict[str, tuple[int, int]]:
    """Every page under `folder` (sorted by name) with its modification time and size."""
    try:
        with os.scandir(folder) as entries:
            found = [(entry.path, entry.stat()) for entry in entries
                     if entry.name.endswith(".md") and entry.is_file()]
    except FileNotFoundError:
        return {}
    return {path: (stat.st_mtime_ns, stat.st_size) for path, stat in sorted(found)}


def load_catalogue(content: Path, allow_html: bool = False, cache: PaperCache | None = None,
                   prepare: Callable[[Paper], object] | None = None,
                   stamps: dict[str, dict[str, tuple[int, int]]] | None = None) -> Catalogue:
    """Read every page under content/papers/ and the taxonomy (see read_papers), and index them."""
    taxonomy, papers, _ = read_papers(content, allow_html, cache, prepare, stamps)
    return index_catalogue(papers, taxonomy)


def read_papers(content: Path, allow_html: bool = False, cache: PaperCache | None = None,
                prepare: Callable[[Paper], object] | None = None,
                stamps: dict[str, dict[str, tuple[int, int]]] | None = None,
                ) -> tuple[Taxonomy, list[Paper], list[Paper]]:
    """The taxonomy, every paper (in file name order) and those of them read now rather than
    taken from `cache`; fail on the first broken page.

    `prepare(paper)` runs on each paper read, in the process that read it: per-paper work for
    later steps (the search index's word analysis) is shared out over the cores with the reading.
    `stamps`: the content files' (modification time, size) by folder and path, if already taken
    (freshness.input_signature); only the pages in content/papers/ are used.
    """
    taxonomy = load_taxonomy(content)
    if not content.is_dir():
        raise CatalogueError("content folder not found (run `catalogue ingest` first, or pass --content)", content)
    folder = content / PAPERS_DIR
    if stamps is None:
        stamps = page_stamps(folder)
    else:
        stamps = {path: stamp for path, stamp in stamps.get(os.fspath(folder), {}).items() if path.endswith(".md")}
    cache = cache if cache is not None else PaperCache()
    stale = cache.stale(stamps, (taxonomy, allow_html))
    state = (allow_html, taxonomy, prepare)
    fresh = {p.source: p for chunk in Chunked(_read_papers, stale, state).results() for p in chunk}
    for path, paper in fresh.items():
        cache.put(paper, stamps[path])
    papers: list[Paper] = []
    claimed: dict[str, str] = {}
    for path in stamps:
        paper = cache.paper(path)
        if paper.slug in claimed:
            raise CatalogueError(f"slug {paper.slug!r} is already used by {os.path.basename(claimed[paper.slug])}",
                                 paper.source)
        claimed[paper.slug] = paper.source
        papers.append(paper)
    return taxonomy, papers, list(fresh.values())


def _read_papers(paths: list[str], state: tuple) -> list[Paper]:
    allow_html, taxonomy, prepare = state
    renderer = Renderer(allow_html)
    papers = [read_paper(Path(path), renderer, taxonomy) for path in paths]
    if prepare is not None:
        for paper in papers:
            prepare(paper)
    return papers


def read_paper(path: Path, renderer: Renderer, taxonomy: Taxonomy) -> Paper:
    post = load_page(path)
    meta = post.metadata
    title = meta.get("title")
    if not isinstance(title, str) or not title.strip():
        raise CatalogueError("frontmatter has no title", path, 2)
    slug = str(meta.get("slug") or path.stem)
    if slugify(slug) != slug:
        raise CatalogueError(f"slug {slug!r} may hold only a-z, 0-9 and single hyphens", path)
    try:
        date = as_date(meta.get("date"))
    except ValueError as exc:
        raise CatalogueError(f"bad date: {exc}", path) from None
    body_html = renderer.to_html(post.content)
    text = html_to_text(body_html)
    paper = Paper(
        slug=slug, title=title.strip(), date=date, body_html=body_html, text=text, source=str(path),
        author_count=_int(meta, "author_count", path), organisation=_str(meta.get("organisation")),
        upvotes=_int(meta, "upvotes", path), sources=[str(s) for s in meta.get("sources") or []],
        params={k: v for k, v in meta.items() if k not in KNOWN_KEYS},
    )
    paper.topics = _topics_of(meta.get("topics"), paper, taxonomy, path)
    paper.digest = _digest(paper)
    return paper


def _digest(paper: Paper) -> str:
    shown = (paper.slug, paper.title, paper.date, paper.body_html, paper.author_count, paper.organisation,
             paper.upvotes, paper.sources, [(t.slug, t.name) for t in paper.topics], paper.params)
    return hashlib.blake2b(repr(shown).encode("utf-8", "surrogateescape"), digest_size=12).hexdigest()


def _topics_of(chosen: object, paper: Paper, taxonomy: Taxonomy, path: Path) -> list[Topic]:
    """A person's `topics:` wins; names or slugs, known or new."""
    known, by_name = taxonomy.by_slug, taxonomy.by_name
    if chosen:
        if isinstance(chosen, str):
            chosen = [chosen]
        if not isinstance(chosen, list):
            raise CatalogueError("topics must be a list of topic names or slugs", path)
        topics = []
        for value in chosen:
            name = str(value).strip()
            topic = known.get(name) or by_name.get(name.casefold()) or known.get(slugify(name))
            if topic is None and slugify(name):
                topic = Topic(slugify(name), name)
            if topic is not None and topic not in topics:
                topics.append(topic)
        if topics:
            return topics
    slugs = taxonomy.classify(paper.title, paper.text)
    return [known[s] for s in slugs] or [taxonomy.catch_all]


def index_catalogue(papers: list[Paper], taxonomy: Taxonomy) -> Catalogue:
    """Group once: by topic, year, month; link each paper to its neighbours in time."""
    papers = sorted(papers, key=Paper.sort_key)
    link(papers)
    by_topic: dict[str, list[Paper]] = defaultdict(list)
    topics: dict[str, Topic] = {}
    years: dict[int, list[Paper]] = defaultdict(list)
    months: dict[tuple[int, int], list[Paper]] = defaultdict(list)
    undated: list[Paper] = []
    for paper in papers:
        for topic in paper.topics:
            by_topic[topic.slug].append(paper)
            topics.setdefault(topic.slug, topic)
        if paper.date is None:
            undated.append(paper)
        else:
            years[paper.date.year].append(paper)
            months[(paper.date.year, paper.date.month)].append(paper)
    order = [t.slug for t in taxonomy.topics] + sorted(set(topics) - {t.slug for t in taxonomy.topics})
    entries = [TopicEntry(topics[s], by_topic[s]) for s in order if s in by_topic and s != taxonomy.catch_all.slug]
    if taxonomy.catch_all.slug in by_topic:
        entries.append(TopicEntry(taxonomy.catch_all, by_topic[taxonomy.catch_all.slug]))
    return Catalogue(papers, taxonomy, entries, dict(sorted(years.items(), reverse=True)),
                     dict(sorted(months.items(), reverse=True)), undated)


def link(papers: list[Paper]) -> None:
    """Each paper's newer and older neighbours, from the papers newest first."""
    for paper in papers:
        paper.newer = paper.older = None
    for newer, older in zip(papers, papers[1:]):
        newer.older, older.newer = older, newer


def _int(meta: dict, key: str, path: Path) -> int | None:
    value = meta.get(key)
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise CatalogueError(f"{key} should be a whole number, not {value!r}", path)
    return value


def _str(value: object) -> str | None:
    return str(value).strip() or None if value is not None else None
