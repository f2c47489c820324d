"""`catalogue ingest`: captures -> papers -> Markdown pages under content/papers/.

Captures are merged per paper (titles equal ignoring case, spacing and
punctuation), then each paper is merged into its page, if it has one. What
the person wrote wins: ingest only fills what a page lacks, adds the captures
that listed the paper and raises the upvote count to the highest seen.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import frontmatter

from generator.errors import CatalogueError
from generator.ingest.capture import (
    Capture,
    Entry,
    entry_date,
    read_capture,
    resolve_year,
)
from generator.ingest.markdown_text import escape_markdown
from generator.ingest.pages import (
    PAPERS_DIR,
    dump_page,
    line_of,
    load_page,
    page_paths,
    page_title,
    sweep_leftovers,
    update_page,
    write_text_atomic,
)
from generator.ingest.slugs import paper_id, slug_forms, slugify, title_key, unique_slug
from generator.utils.progress import Progress


_LINE = re.compile(r"[^\n]*\n|[^\n]+$")  # a line with its end, "\r\n" or "\n" (a last one perhaps none)


@dataclass
class CapturedPaper:
    """Everything the captures say of one paper, merged."""

    title: str
    abstract: str
    date: dt.date | None = None
    date_has_year: bool = False
    author_count: int | None = None
    organisation: str | None = None
    upvotes: int | None = None
    sources: list[str] = field(default_factory=list)

    def add(self, entry: Entry, date: dt.date | None, source: str) -> None:
        """Fill what is missing; a date the capture printed in full beats an inferred one."""
        if date is not None and (self.date is None or (entry.year is not None and not self.date_has_year)):
            self.date, self.date_has_year = date, entry.year is not None
        self.author_count = self.author_count or entry.author_count
        self.organisation = self.organisation or entry.organisation
        if entry.upvotes is not None:
            self.upvotes = max(self.upvotes or 0, entry.upvotes)
        if len(entry.abstract) > len(self.abstract):
            self.abstract = entry.abstract
        if source not in self.sources:
            self.sources.append(source)

    def metadata(self, slug: str) -> dict:
        """The frontmatter ingest owns, in the order a new page lists it."""
        values = {
            "title": self.title,
            "slug": slug,
            "date": self.date,
            "author_count": self.author_count,
            "organisation": self.organisation,
            "upvotes": self.upvotes,
            "sources": sorted(self.sources),
            "paper_id": paper_id(self.title),
        }
        return {k: v for k, v in values.items() if v is not None}


@dataclass
class IngestReport:
    captures_read: int = 0
    captures_failed: int = 0
    papers_seen: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    left: int = 0  # papers whose page ingest could not read or update: left as the person has it
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.errors

    def summary(self) -> str:
        captures = f"{self.captures_read} capture(s) read"
        if self.captures_failed:
            captures += f", {self.captures_failed} failed"
        changed = "nothing changed; " if not (self.new or self.updated) else ""
        left = f", {self.left} left alone (their pages have errors)" if self.left else ""
        return (f"{captures}; {changed}{self.papers_seen} papers: {self.new} new, {self.updated} updated, "
                f"{self.unchanged} unchanged{left}; {len(self.errors)} error(s), {len(self.warnings)} warning(s) "
                f"in {self.seconds:.2f}s")


def ingest(captures: list[Path], content: Path, year: int | None = None,
           today: dt.date | None = None, say: Callable[[str], None] = lambda _: None) -> IngestReport:
    """Ingest captures into `content`; problems are reported, never raised."""
    started = time.perf_counter()
    report = IngestReport()
    today = today or dt.date.today()
    papers = _merge_captures(captures, year, today, report, say)
    _write_pages(papers, content / PAPERS_DIR, report, say)
    report.seconds = time.perf_counter() - started
    return report


def _merge_captures(paths: list[Path], year: int | None, today: dt.date,
                    report: IngestReport, say: Callable[[str], None]) -> dict[str, CapturedPaper]:
    papers: dict[str, CapturedPaper] = {}
    for path in paths:
        try:
            capture = read_capture(path, today)
        except CatalogueError as exc:
            report.captures_failed += 1
            report.errors.append(str(exc))
            say(f"error: {exc}")
            continue
        report.captures_read += 1
        for warning in capture.warnings:
            report.warnings.append(str(warning))
            say(f"warning: {warning}")
        for section, (first, end) in enumerate(capture.sections):  # two captures in one file: each its year
            capture_year, how = resolve_year(capture, year, today, section)
            if how == "assumed" and any(e.month is not None for e in capture.entries[first:end]):
                say(f"note: {path}: no year on the capture; dates without a year taken as {capture_year} (use --year)")
            for entry in capture.entries[first:end]:
                date = _date_of(entry, capture, capture_year, report, say)
                key = title_key(entry.title)
                paper = papers.setdefault(key, CapturedPaper(entry.title, entry.abstract))
                paper.add(entry, date, path.name)
    report.papers_seen = len(papers)
    return papers


def _date_of(entry: Entry, capture: Capture, capture_year: int, report: IngestReport,
             say: Callable[[str], None]) -> dt.date | None:
    date = entry_date(entry, capture_year)
    if date is None and entry.month is not None:
        message = str(CatalogueError(f"no day {entry.month}-{entry.day} in {capture_year}; date left empty",
                                     capture.path, entry.date_line))
        report.warnings.append(message)
        say(f"warning: {message}")
    return date


def _write_pages(papers: dict[str, CapturedPaper], folder: Path, report: IngestReport,
                 say: Callable[[str], None]) -> None:
    if folder.parent.exists() and not folder.parent.is_dir():
        raise CatalogueError("the content folder is a file, not a folder", folder.parent)
    if folder.exists() and not folder.is_dir():
        raise CatalogueError("the papers folder is a file, not a folder", folder)
    if folder.is_dir():
        sweep_leftovers(folder)
    existing, broken, claimed = _existing_pages(folder, report, say)
    # a new page's slug is neither a page's file name (hidden ones too) nor a slug a page gives itself
    taken = claimed | {path.stem for path in page_paths(folder, hidden_too=True)}
    found = {key: existing.get(paper_id(paper.title)) or existing.get(key) for key, paper in papers.items()}
    held = set(found.values())  # a page a paper's title or id finds is that paper's, never another's
    shown = Progress("writing", len(papers), "papers")
    try:
        for done, (key, paper) in enumerate(papers.items(), 1):
            shown.update(done)
            path = found[key] or _by_slug_and_source(paper, existing, held)
            if path is None:
                unreadable = _claimed_by_broken(paper, broken)
                if unreadable is not None:
                    # its page cannot be read: leave it exactly as the person has it, never add a copy
                    report.left += 1
                    message = str(CatalogueError(f"paper {paper.title[:60]!r} left alone until its page is fixed",
                                                 unreadable))
                    report.warnings.append(message)
                    say(f"warning: {message}")
                    continue
                slug = unique_slug(paper.title, taken)
                taken.add(slug)
                path = folder / f"{slug}.md"
                write_text_atomic(path, dump_page(frontmatter.Post(escape_markdown(paper.abstract) + "\n",
                                                                   **paper.metadata(slug))))
                report.new += 1
                continue
            post = load_page(path)
            changes, body = _changes(post, paper, path.stem)
            for key in _not_updatable(post, paper):  # the person's value, left as it is, but said
                message = str(CatalogueError(f"{key} is {post.metadata[key]!r}, not what ingest can update "
                                             f"(a build refuses it too): left as it is", path, line_of(path, key)))
                report.warnings.append(message)
                say(f"warning: {message}")
            if not changes and body is None:
                report.unchanged += 1  # the page stays byte for byte as it is
                continue
            try:
                updated = _update(path, changes, body)
            except CatalogueError as exc:  # this page stays as the person has it; the other papers go on
                report.errors.append(str(exc))
                report.left += 1
                say(f"error: {exc} (page left as it is)")
                continue
            write_text_atomic(path, updated)
            report.updated += 1
    finally:
        shown.close()


def _update(path: Path, changes: dict, body: str | None) -> str:
    """The page with `changes` (pages.update_page), in its own line ends: Windows' stay \r\n; in a
    page that mixes both, each line kept keeps its own, and a new line takes the commoner."""
    text = path.read_bytes().decode("utf-8")
    windows = text.count("\r\n")
    if not windows:
        return update_page(text, path, changes, body)
    plain = text.replace("\r\n", "\n")
    updated = update_page(plain, path, changes, body)
    if windows == plain.count("\n"):
        return updated.replace("\n", "\r\n")
    own, new = _LINE.findall(text), _LINE.findall(updated)
    bare = [line.replace("\r\n", "\n") for line in own]
    # the lines before the first change and after the last are kept as they are; only those
    # between are matched (a few lines of frontmatter: a long page's repeated lines made it slow)
    head = next((i for i, (a, b) in enumerate(zip(bare, new)) if a != b), min(len(bare), len(new)))
    tail = next((i for i, (a, b) in enumerate(zip(reversed(bare[head:]), reversed(new[head:]))) if a != b),
                min(len(bare), len(new)) - head)
    usual = "\r\n" if 2 * windows > plain.count("\n") else "\n"
    out = own[:head]
    blocks = difflib.SequenceMatcher(None, bare[head:len(bare) - tail], new[head:len(new) - tail], autojunk=False)
    for tag, i1, i2, j1, j2 in blocks.get_opcodes():
        kept, made = own[head + i1:head + i2], new[head + j1:head + j2]
        out += kept if tag == "equal" else [line.replace("\n", usual) for line in made]
    return "".join(out + own[len(own) - tail:])


def _existing_pages(folder: Path, report: IngestReport,
                    say: Callable[[str], None]) -> tuple[dict[str, Path], dict[Path, str], set[str]]:
    """Index the pages already there by paper id and by title key; name the unreadable ones (and
    keep their text, to tell which paper each one is); and the slugs pages give themselves
    (`slug:`), which a new page must not take."""
    index: dict[str, Path] = {}
    broken: dict[Path, str] = {}
    claimed: set[str] = set()
    if not folder.is_dir():
        return index, broken, claimed
    for path in page_paths(folder):
        try:
            meta = load_page(path).metadata
            title = page_title(meta, path)
        except CatalogueError as exc:
            report.errors.append(str(exc))
            say(f"error: {exc} (page left as it is)")
            try:
                broken[path] = path.read_bytes().decode("utf-8", "replace").casefold()
            except OSError:
                broken[path] = ""
            continue
        if meta.get("paper_id"):
            index.setdefault(str(meta["paper_id"]), path)
        # a page whose title and paper_id a person changed is still known by its slug and sources
        sources = meta.get("sources") if isinstance(meta.get("sources"), list) else [meta.get("sources")]
        for source in filter(None, sources):
            index.setdefault(_slug_source(str(meta.get("slug") or path.stem), str(source)), path)
        if meta.get("slug"):
            claimed.add(str(meta["slug"]))
        index.setdefault(title_key(title), path)
    return index, broken, claimed


def _claimed_by_broken(paper: CapturedPaper, broken: dict[Path, str]) -> Path | None:
    """The unreadable page that may be this paper's: named for its slug, or holding its id or title."""
    if not broken:
        return None
    slug, pid, title = slugify(paper.title), paper_id(paper.title), " ".join(paper.title.casefold().split())
    for path, text in broken.items():
        if path.stem == slug or path.stem.startswith(f"{slug}-") or pid in text or title in " ".join(text.split()):
            return path
    return None


def _slug_source(slug: str, source: str) -> str:
    return f"slug:{slug}\x00{source}"  # never a paper id or a title key (which hold no NUL)


def _by_slug_and_source(paper: CapturedPaper, existing: dict[str, Path], held: set) -> Path | None:
    """The page of a paper whose title and paper_id a person changed or removed: the page with the
    slug its captured title gives (with its paper id first: that one is the paper's alone) that
    lists one of its captures, unless another paper holds it. A slug cut to its length is not
    the title's alone (long titles that start alike share it): that page must also begin with
    the paper's abstract."""
    plain, with_id = slug_forms(paper.title)
    cut = plain != slugify(paper.title, max_chars=len(paper.title) + 1)
    for slug in (with_id, plain):
        for source in paper.sources:
            path = existing.get(_slug_source(slug, source))
            if path is None or path in held or slug == plain and cut and not _begins_with(path, paper.abstract):
                continue
            held.add(path)
            return path
    return None


def _begins_with(path: Path, abstract: str) -> bool:
    try:
        body = load_page(path).content
    except CatalogueError:
        return False
    return " ".join(body.split()).startswith(" ".join(escape_markdown(abstract).split())[:200])


def _not_updatable(post: frontmatter.Post, paper: CapturedPaper) -> list[str]:
    """Keys a capture would update whose value on the page is of a kind ingest cannot update
    (`upvotes: lots`, `upvotes: "2"`): a build names them as errors, so ingest says so too."""
    odd = []
    upvotes = post.metadata.get("upvotes")
    if paper.upvotes is not None and upvotes not in (None, "") and (
            not isinstance(upvotes, int) or isinstance(upvotes, bool)):
        odd.append("upvotes")
    return odd


def _changes(post: frontmatter.Post, paper: CapturedPaper, slug: str) -> tuple[dict, str | None]:
    """What ingest adds to a page: the keys it lacks, new sources, a higher upvote count, and the
    abstract when the body is empty. Never anything a person set: a key left empty (`organisation:`)
    is the person's too, a value cleared on purpose (ingest never writes an empty one)."""
    changes: dict = {}
    for key, value in paper.metadata(slug).items():
        current = post.metadata.get(key)
        if key == "sources":
            listed = [str(s) for s in current] if isinstance(current, list) else None
            if listed is None and current not in (None, ""):
                continue  # not a list: the person's value, left as it is (the build names it)
            new = [s for s in value if s not in (listed or [])]
            if new:
                changes[key] = new  # added to the list the page has, in its style
        elif key == "upvotes":
            if isinstance(current, int) and not isinstance(current, bool):
                if value > current:
                    changes[key] = value
            elif key not in post.metadata:
                changes[key] = value
        elif key not in post.metadata:
            changes[key] = value
    body = escape_markdown(paper.abstract) + "\n" if not post.content.strip() else None
    return changes, body
