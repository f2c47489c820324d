"""Markdown pages -> papers: every page under content/papers/ read once (on every core), its
body rendered, its topics assigned; a page unchanged since the last build is not read again."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from stat import S_ISREG
from typing import Callable

from generator.catalogue.bibtex import bibtex
from generator.catalogue.groups import Catalogue, index_catalogue
from generator.catalogue.markup import Renderer, html_to_text
from generator.catalogue.paper import KNOWN_KEYS, Paper
from generator.catalogue.readable import readable_fragment, readable_text
from generator.catalogue.scholarly import read_scholarly
from generator.catalogue.taxonomy import Taxonomy, Topic, load_taxonomy
from generator.errors import CatalogueError
from generator.ingest.pages import (
    LINKED_FOLDER,
    PAPERS_DIR,
    as_date,
    is_page_name,
    line_of,
    load_page,
    page_entries,
    page_title,
)
from generator.ingest.slugs import address, slugify
from generator.utils.parallel import Chunked


class PaperCache:
    """Papers read by an earlier build (kept in build.state): a page is read again only
    when its size or modification time changed, or the taxonomy (topics, organisation aliases) or
    the HTML setting did."""

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


def page_stamps(folder: Path, unreadable: list[CatalogueError] | None = None) -> dict[str, tuple[int, int]]:
    """Every page under `folder` (ingest.pages.page_entries), sorted by path, with its modification
    time and size. A page that cannot be looked at stops it, unless `unreadable` collects them
    (check reports every one)."""
    stamps = {}
    for entry in page_entries(folder):
        try:
            stat = entry.stat()
        except OSError as exc:  # a broken link, a link loop
            problem = CatalogueError(f"cannot read page: {exc.strerror}", entry.path)
            if unreadable is None:
                raise problem from None
            unreadable.append(problem)
            continue
        if S_ISREG(stat.st_mode):  # a folder named like a page is not one
            stamps[entry.path] = (stat.st_mtime_ns, stat.st_size)
    return stamps


def load_catalogue(content: Path, allow_html: bool = False, cache: PaperCache | None = None,
                   prepare: Callable[[list[Paper]], object] | None = None,
                   stamps: dict[str, dict[str, tuple[int, int]]] | None = None) -> Catalogue:
    """Read every page under content/papers/ and the taxonomy (see read_papers), and index them."""
    taxonomy, papers, _ = read_papers(content, allow_html, cache, prepare, stamps)
    return index_catalogue(papers, taxonomy)


def read_papers(content: Path, allow_html: bool = False, cache: PaperCache | None = None,
                prepare: Callable[[list[Paper]], object] | None = None,
                stamps: dict[str, dict[str, tuple[int, int]]] | None = None,
                ) -> tuple[Taxonomy, list[Paper], list[Paper]]:
    """The taxonomy, every paper (in file name order) and those of them read now rather than
    taken from `cache`; fail on the first broken page.

    `prepare(papers)` runs on each share of the papers read, in the process that read them:
    per-paper work for later steps (the search index's word analysis, related papers' terms) is
    shared out over the cores with the reading.
    `stamps`: the content files' (modification time, size) by folder and path, if already taken
    (freshness.input_signature); only the pages in content/papers/ are used.
    """
    taxonomy = load_taxonomy(content)
    require_content(content)
    folder = content / PAPERS_DIR
    if stamps is None or folder.exists() and not folder.is_dir():
        stamps = page_stamps(folder)
    else:
        stamps = _pages_stamped(os.fspath(folder), stamps)
        if None in stamps.values():  # a page that could not be looked at: say why
            stamps = page_stamps(folder)
    cache = cache if cache is not None else PaperCache()
    stale = cache.stale(stamps, (taxonomy, allow_html))
    taxonomy = cache.key[0]  # the one read, or an equal one kept that has worked out its terms' topics
    state = (allow_html, taxonomy, prepare)
    fresh = {p.source: p for chunk in Chunked(_read_papers, stale, state, progress="reading pages").results() for p in chunk}
    for path, paper in fresh.items():
        cache.put(paper, stamps[path])
    papers: list[Paper] = []
    claimed: dict[str, str] = {}
    for path in stamps:
        paper = cache.paper(path)
        if paper.draft:  # kept out of the catalogue, as if its page were not there (its slug too)
            continue
        if paper.slug in claimed:
            raise CatalogueError(f"slug {paper.slug!r} is already used by {os.path.relpath(claimed[paper.slug], folder)}",
                                 paper.source, line_of(Path(paper.source), "slug"))
        claimed[paper.slug] = paper.source
        papers.append(paper)
    return taxonomy, papers, [p for p in fresh.values() if not p.draft]


def _pages_stamped(folder: str, stamps: dict[str, dict[str, tuple[int, int]]]) -> dict[str, tuple[int, int]]:
    """The pages of `folder` and its subfolders (not hidden ones), sorted by path, from the stamps
    freshness took of every content file (by folder, then path)."""
    inside = os.path.join(folder, "")
    folders = [where for where in stamps
               if where == folder or where.startswith(inside) and not _hidden(where[len(inside):])]
    pages = {}
    for where in folders:
        name_at = len(os.path.join(where, ""))
        for path, stamp in stamps[where].items():
            if is_page_name(path[name_at:]):
                pages[path] = stamp
            elif not path[name_at:].startswith(".") and os.path.isdir(path):  # (freshness lists real folders apart)
                raise CatalogueError(LINKED_FOLDER, path)
    return pages if len(folders) == 1 else dict(sorted(pages.items()))  # (one folder's are in order)


def _hidden(relative: str) -> bool:
    return any(part.startswith(".") for part in relative.split(os.sep))


def require_content(content: Path) -> None:
    """The content folder must be there: a wrong --content is an error, never an empty site."""
    if not content.is_dir():
        raise CatalogueError("content folder not found (run `catalogue ingest` first, or pass --content)", content)


def _read_papers(paths: list[str], state: tuple) -> list[Paper]:
    allow_html, taxonomy, prepare = state
    renderer = Renderer(allow_html)
    papers = [read_paper(Path(path), renderer, taxonomy) for path in paths]
    if prepare is not None:
        prepare([p for p in papers if not p.draft])  # a draft is built into nothing: nothing to work out
    return papers


def read_paper(path: Path, renderer: Renderer, taxonomy: Taxonomy) -> Paper:
    post = load_page(path)
    meta = post.metadata
    title = page_title(meta, path)
    slug = str(meta.get("slug") or path.stem)
    if slugify(slug) != slug:
        raise CatalogueError(f"slug {slug!r} may hold only a-z, 0-9 and single hyphens", path, line_of(path, "slug"))
    try:
        date = as_date(meta.get("date"))
    except ValueError as exc:
        raise CatalogueError(f"bad date: {exc}", path, line_of(path, "date")) from None
    body_html = readable_fragment(renderer.to_html(post.content))
    text = html_to_text(body_html)
    paper = Paper(
        slug=slug, title=readable_text(" ".join(title.split())), date=date, body_html=body_html, text=text,
        source=str(path), scholarly=read_scholarly(meta, path),
        author_count=_int(meta, "author_count", path, least=1), organisation=_name(meta, "organisation", path),
        upvotes=_int(meta, "upvotes", path, least=0), sources=_strings(meta, "sources", path),
        params={k: v for k, v in meta.items() if k not in KNOWN_KEYS}, draft=_flag(meta, "draft", path),
    )
    paper.topics, paper.topics_by = _topics_of(meta.get("topics"), paper, taxonomy, path)
    if paper.organisation:  # a spelling merged in organisations.toml is shown by the name chosen there
        paper.organisation_slug = taxonomy.aliases.slug_of(paper.organisation)
        paper.organisation = taxonomy.aliases.name_for(paper.organisation) or paper.organisation
    paper.bibtex = bibtex(paper)
    paper.digest = _digest(paper)
    return paper


def _digest(paper: Paper) -> str:
    shown = (paper.slug, paper.title, paper.date, paper.body_html, paper.author_count, paper.organisation,
             paper.organisation_slug,
             paper.upvotes, paper.sources, [(t.slug, t.name) for t in paper.topics], paper.params, paper.scholarly)
    return hashlib.blake2b(repr(shown).encode("utf-8", "surrogateescape"), digest_size=12).hexdigest()


def _topics_of(chosen: object, paper: Paper, taxonomy: Taxonomy, path: Path) -> tuple[list[Topic], str]:
    """A person's `topics:` wins (names or slugs, known or new), then the taxonomy's terms; and
    which of them placed the paper ("none": its closest papers may, catalogue.placement)."""
    known, by_name = taxonomy.by_slug, taxonomy.by_name
    if chosen:
        if isinstance(chosen, str):
            chosen = [chosen]
        if not isinstance(chosen, list):
            raise CatalogueError("topics must be a list of topic names or slugs", path, line_of(path, "topics"))
        topics = []
        for value in chosen:
            name = str(value).strip()
            if not any(c.isalnum() for c in name):
                raise CatalogueError(f"topics: {name!r} has no letter or digit to name a topic"[:200], path,
                                     line_of(path, "topics"))
            topic = known.get(name) or by_name.get(name.casefold()) or known.get(slugify(name))
            if topic is None:  # a new topic, at an address of its own (see slugs.address: 強化学習, Lab α)
                topic = Topic(address(name, "topic"), name)
            if topic.slug not in (t.slug for t in topics):  # `Zebra`, `zebra!` in one list: one topic
                topics.append(topic)
        if topics:
            return topics, "hand"
    slugs = taxonomy.classify(paper.title, paper.text)
    return ([known[s] for s in slugs], "terms") if slugs else ([taxonomy.catch_all], "none")

def _flag(meta: dict, key: str, path: Path) -> bool:
    value = meta.get(key)
    if value is None or value == "":
        return False
    if not isinstance(value, bool):
        raise CatalogueError(f"{key} should be true or false, not {value!r}"[:200], path, line_of(path, key))
    return value


def _int(meta: dict, key: str, path: Path, least: int) -> int | None:
    """A count (of authors, of upvotes): a whole number, never below `least`."""
    value = meta.get(key)
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < least:
        raise CatalogueError(f"{key} should be a whole number of at least {least}, not {value!r}"[:200], path,
                             line_of(path, key))
    return value


def _name(meta: dict, key: str, path: Path) -> str | None:
    """A name (an organisation's): text, or a number YAML read as one ("3M" is text, 42 a number)."""
    value = meta.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise CatalogueError(f"{key} should be a name, not {value!r}"[:200], path, line_of(path, key))
    return str(value).strip() or None


def _strings(meta: dict, key: str, path: Path) -> list[str]:
    """A list of names (or one name); anything else is named with its line."""
    value = meta.get(key)
    if value is None or value == "":
        return []
    if isinstance(value, str):
        return [value]
    if not isinstance(value, list) or not all(isinstance(v, (str, int, float)) for v in value):
        raise CatalogueError(f"{key} should be a list of names, not {value!r}"[:200], path, line_of(path, key))
    return [str(v) for v in value]
