"""`catalogue check`: everything a build would refuse, and what a publisher wants to know, without
writing a site. Unlike a build, which stops at the first broken page, it reads every page and
reports every finding, one line each (`file:line: what`), so a CI job can gate on it:

- errors: a page that cannot be read (broken frontmatter, a value of the wrong type, a date no
  calendar has), two pages with one slug, a taxonomy or setting a build would refuse, a content
  folder that is not there or has no papers (unless `allow_empty`, as `build --allow-empty`), a
  template that does not compile or fails on the first page of each kind it renders;
- warnings: frontmatter keys no template uses (a typo?), two papers with one title, links in a
  page's text to pages the site does not have. (Terms that place no paper yet are in
  `catalogue topics`: a taxonomy written for a growing catalogue has them on purpose.)
"""

from __future__ import annotations

import difflib
import html
import os
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit, urlunsplit

from generator.catalogue.groups import index_catalogue
from generator.catalogue.markup import Renderer
from generator.catalogue.paper import KNOWN_KEYS, Paper
from generator.catalogue.reader import page_stamps, read_paper, require_content
from generator.catalogue.taxonomy import load_taxonomy
from generator.errors import CatalogueError
from generator.ingest.pages import PAPERS_DIR, line_of
from generator.ingest.slugs import title_key
from generator.resources import VENDOR_LUNR_FILES
from generator.settings import Settings
from generator.site.routes import plan_site

_HREF = re.compile(r'<(a [^>]*href|img [^>]*src)="([^"]*)"')  # links, and images


@dataclass(frozen=True)
class Finding:
    level: str  # "error" or "warning"
    path: Path | str | None
    line: int | None
    message: str

    def __str__(self) -> str:
        return f"{self.level}: {CatalogueError(self.message, self.path, self.line)}"


def check(settings: Settings, allow_empty: bool = False) -> list[Finding]:
    """Every finding for the catalogue in `settings.content`, errors first then warnings, each in file order."""
    findings: list[Finding] = []
    try:
        taxonomy = load_taxonomy(settings.content)
    except CatalogueError as exc:
        return [Finding("error", exc.path, exc.line, exc.message)]
    try:
        require_content(settings.content)
    except CatalogueError as exc:
        return [Finding("error", exc.path, exc.line, exc.message)]
    folder = settings.content / PAPERS_DIR
    unreadable: list[CatalogueError] = []
    try:
        stamps = page_stamps(folder, unreadable)
    except CatalogueError as exc:
        return [Finding("error", exc.path, exc.line, exc.message)]
    findings += [Finding("error", exc.path, exc.line, exc.message) for exc in unreadable]
    renderer = Renderer(settings.unsafe_html)
    papers: list[Paper] = []
    for path in map(Path, stamps):
        try:
            paper = read_paper(path, renderer, taxonomy)
        except CatalogueError as exc:
            findings.append(Finding("error", exc.path, exc.line, exc.message))
            continue
        findings += _unknown_keys(paper)
        if not paper.draft:  # read and checked, but built into nothing
            papers.append(paper)
    findings += _duplicates(papers, folder)
    if not papers and not allow_empty and not any(f.level == "error" for f in findings):  # drafts alone too
        findings.append(Finding("error", folder, None, "no papers in this content folder: a build refuses it "
                                                       "(`catalogue build --allow-empty` builds an empty site)"))
    if not any(f.level == "error" for f in findings):
        catalogue = index_catalogue(papers, taxonomy)
        routes = plan_site(catalogue, settings)
        findings += _templates(routes, settings)
        if papers:
            findings += _dead_links(papers, routes, settings)
    return sorted(findings, key=lambda f: (f.level != "error", str(f.path), f.line or 0))


def _templates(routes: list, settings: Settings) -> list[Finding]:
    """A template that does not compile, and the first page of each template rendered (in memory),
    as a build would: a mistake in any of them (a name no page has) stops the build."""
    import jinja2

    from generator.site.render import make_environment, render_page

    env = make_environment(settings)
    found = []
    names = [name for name in env.loader.list_templates()
             if not name.startswith("static/") and name.endswith((".html", ".xml", ".txt", ".bib"))]
    for name in names:
        try:
            env.get_template(name)
        except jinja2.TemplateSyntaxError as exc:
            found.append(Finding("error", exc.filename or name, exc.lineno, f"template error: {exc.message}"))
    if found:
        return found
    first: dict[str, object] = {}
    for route in routes:
        first.setdefault(route.template, route)
    for route in first.values():
        try:
            render_page(env, route, settings)
        except CatalogueError as exc:
            found.append(Finding("error", exc.path, exc.line, exc.message))
    return found


def _unknown_keys(paper: Paper) -> list[Finding]:
    """The page's keys no template uses: the reader kept them in `params` (as Hugo does)."""
    found = []
    path = Path(paper.source)
    for key in paper.params:
        close = difflib.get_close_matches(key, sorted(KNOWN_KEYS), n=1, cutoff=0.75)
        hint = f"did you mean {close[0]!r}? " if close else ""
        found.append(Finding("warning", path, line_of(path, key),
                             f"unknown key {key!r}: {hint}kept in the page, shown nowhere"))
    return found


def _duplicates(papers: list[Paper], folder: Path) -> list[Finding]:
    found = []
    by_slug: dict[str, Paper] = {}
    by_title: dict[str, Paper] = {}
    for paper in papers:
        other = by_slug.setdefault(paper.slug, paper)
        if other is not paper:
            found.append(Finding("error", paper.source, line_of(Path(paper.source), "slug"),
                                 f"slug {paper.slug!r} is already used by {os.path.relpath(other.source, folder)}"))
        other = by_title.setdefault(title_key(paper.title), paper)
        if other is not paper:
            found.append(Finding("warning", paper.source, line_of(Path(paper.source), "title"),
                                 f"the same title as {os.path.relpath(other.source, folder)}"))
    return found


def _dead_links(papers: list[Paper], routes: list, settings: Settings) -> list[Finding]:
    """Relative links in page bodies (and site-absolute ones under the base path) that lead to no
    page or file of the site."""
    targets = {route.url for route in routes}
    for folder in settings.template_dirs():
        static = folder / "static"
        if static.is_dir():
            targets |= {f"static/{p.relative_to(static).as_posix()}" for p in static.rglob("*") if p.is_file()}
    targets |= {f"static/lunr/{name}" for name in VENDOR_LUNR_FILES}  # copied in by the writer
    base_path = unquote(settings.base_path)  # every address compared as the site's files are named
    absolute = unquote(settings.absolute_base) if settings.absolute_base else None
    found = []
    for paper in papers:
        for tag, href in _HREF.findall(paper.body_html):
            what = "image" if tag.startswith("img") else "link"
            parts = urlsplit(html.unescape(href))
            path = unquote(parts.path)
            whole = unquote(urlunsplit(parts[:3] + ("", "")))
            if absolute and whole.startswith(absolute):
                path = base_path + whole[len(absolute):]  # the site's own address, written whole
            elif parts.scheme or parts.netloc or not parts.path:
                continue
            if path.startswith("/"):
                if not path.startswith(base_path):
                    meant = path.lstrip("/")  # written for a site at the host's root, it leaves this one
                    if meant in targets or meant.rstrip("/") + "/" in targets:
                        found.append(Finding("warning", paper.source, _line_holding(Path(paper.source), href),
                                             f"link {href!r} leaves the site, which is published under "
                                             f"{base_path}: write it relative to the page "
                                             f"({os.path.relpath(meant, os.path.dirname(paper.url))}"
                                             f"{'/' if meant.endswith('/') else ''})"))
                    continue  # else elsewhere on the host: not ours to judge
                target = path[len(base_path):]
            else:
                target = os.path.normpath(os.path.join(os.path.dirname(paper.url), path)).replace(os.sep, "/")
                if path.endswith("/") and not target.endswith("/"):
                    target += "/"
            if target in ("", ".", "./"):
                target = ""
            if target.endswith("index.html") and target[:-len("index.html")] in targets | {""}:
                continue  # a page's folder, written with its file
            if target not in targets and target.rstrip("/") + "/" not in targets and target + "index.html" not in targets:
                found.append(Finding("warning", paper.source, _line_holding(Path(paper.source), html.unescape(href)),
                                     f"{what} {html.unescape(href)!r} leads to no page or file of the site"))
    return found


def _line_holding(path: Path, text: str, skip: str | None = None) -> int | None:
    """The first line holding `text` (not counting lines that start with `skip`, such as comments)."""
    try:
        lines = path.read_text(encoding="utf-8-sig").split("\n")
    except (OSError, UnicodeDecodeError):
        return None
    return next((n for n, line in enumerate(lines, 1)
                 if text in line and not (skip and line.lstrip().startswith(skip))), None)
