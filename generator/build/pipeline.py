"""`catalogue build`: content/ -> site/, top to bottom.

    pages -> papers (catalogue.reader) -> catalogue (groups) -> routes (site.routes)
    -> rendered pages + search index (site.render, search.index) -> site/ (writer)

The plain pipeline renders every page into a folder beside the output and swaps it in, so a
failed or killed build leaves the previous site whole. Two shortcuts sit on top of it, each
kept to its own module: a build when nothing changed says so and writes nothing (freshness),
and a build after an edit writes only the pages and search files that changed (incremental,
with what the last build kept: state). Every way gives the same site; the tests build both
ways and compare.
"""

from __future__ import annotations

import gc
import os
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from generator.build import freshness, writer
from generator.errors import CatalogueError
from generator.settings import Settings
from generator.utils.memory import release_free_memory
from generator.utils.parallel import workers

PROGRESS_FROM = 2000


@dataclass
class BuildResult:
    out: Path
    pages: int
    papers: int
    topics: int
    search_bytes: int
    seconds: float
    unchanged: bool = False
    state: object = field(default=None, repr=False, compare=False)  # what the build kept, held by the caller

    def summary(self) -> str:
        if self.unchanged:
            return (f"nothing changed since the last build: {self.out} is current ({self.pages} pages, "
                    f"{self.papers} papers, {self.topics} topics); checked in {self.seconds:.2f}s")
        per_paper = self.search_bytes / max(self.papers, 1)
        return (f"built {self.pages} pages ({self.papers} papers, {self.topics} topics) into {self.out} "
                f"in {self.seconds:.2f}s; search: {self.search_bytes / 1024:.0f} KB, {per_paper:.0f} B/paper")


def build(settings: Settings, out: Path, say: Callable[[str], None] = lambda _: None,
          force: bool = False, state=None, allow_empty: bool = False) -> BuildResult:
    """Build the site. `state` (a build.state.BuildState) lets a long-lived process keep what the
    next build reuses in memory; without it, it is kept in the user's cache folder. A content
    folder without papers is an error unless `allow_empty` (a wrong --content must not replace a
    site with an empty one)."""
    if out.is_symlink() and out.is_dir():  # a link to a web root: the site goes where it points, the link stays
        out = Path(os.path.realpath(out))
    # The cycle collector would walk the whole catalogue again and again while a build allocates;
    # a build's garbage is freed when it returns.
    collecting = gc.isenabled()
    gc.disable()
    try:
        if state is not None or force or not (freshness.private_cache_dir(out) / freshness.STATE_FILE).exists():
            return _build(settings, out, say, force, state, allow_empty)  # nothing kept is read
        # A state kept on disk can be damaged (a pack zero-filled by a crash, bytes overwritten):
        # a build that fails with it, or in which numpy meets numbers no build makes, runs again without it.
        with warnings.catch_warnings(record=True) as heard:  # (the filters as they are: what would print)
            try:
                result = _build(settings, out, say, force, state, allow_empty)
            except (CatalogueError, KeyboardInterrupt):
                raise
            except Exception:  # noqa: BLE001
                result = None
        if result is not None and not any(issubclass(w.category, RuntimeWarning) for w in heard):
            for w in heard:  # not ours to judge: shown as they would have been
                warnings.showwarning(w.message, w.category, w.filename, w.lineno)
            return result
        say("note: the build failed with what the last build kept, or met numbers no build makes; "
            "building again without it")
        return _build(settings, out, say, True, None, allow_empty)
    finally:
        if collecting:
            gc.enable()


def _prepare(papers) -> None:
    """Per-paper work for later steps, done where the papers are read (on every core): their words
    for the search index, then their terms for related papers (in that order: analysis resets the memo)."""
    from generator.catalogue.related import read_terms
    from generator.search.index import analysis

    for paper in papers:
        analysis(paper)
    read_terms(papers)


def _build(settings: Settings, out: Path, say: Callable[[str], None], force: bool, state,
           allow_empty: bool) -> BuildResult:
    started = time.perf_counter()
    writer.check_output(out, settings)
    version = freshness.code_signature()
    made_with = freshness.made_with(settings, version)
    inputs, last, stamps = freshness.check(settings, out, made_with)
    if last is not None and not force:  # shortcut 1: nothing changed
        return BuildResult(**{**last, "out": out, "seconds": time.perf_counter() - started, "unchanged": True})
    # Imported here, not above: a no-op rebuild should not pay for Markdown, YAML, lunr and Jinja.
    from generator.build import incremental
    from generator.build.state import STATE_FILE, BuildState
    from generator.catalogue.groups import index_catalogue
    from generator.catalogue.reader import read_papers
    from generator.catalogue.related import forget_terms
    from generator.ingest.pages import PAPERS_DIR
    from generator.search.index import build_search
    from generator.site.render import make_environment

    kept = state is None  # a long-lived caller (serve) keeps its own in memory
    state_file = freshness.private_cache_dir(out) / STATE_FILE
    if kept:  # --force: nothing kept is trusted, as in a first build (the way out of a damaged cache)
        state = BuildState() if force else BuildState.load(state_file, version)
    in_place = not force and state.matches(made_with, freshness.output_signature(out))
    current = False  # the site found as it should be, nothing written (see below)
    # Every build with papers needs numpy (related papers). Loaded before the cores fork to read the
    # pages, the cores share this copy; loaded in each, it took 45-80 ms of every core's time.
    import numpy  # noqa: F401
    try:
        taxonomy, papers, fresh = read_papers(settings.content, settings.unsafe_html, state.papers,
                                              prepare=_prepare, stamps=stamps)
        release_free_memory()  # what reading freed (the shares the cores sent back), before the catalogue takes more
        if not papers and not allow_empty:
            raise CatalogueError("no papers in this content folder, so nothing was built and the site is as it "
                                 "was (a wrong --content? pass --allow-empty to build an empty site)",
                                 settings.content / PAPERS_DIR)
        env = make_environment(settings, freshness.user_cache_dir() / "templates")
        if settings.absolute_base is None and not in_place:
            say("note: base_url is not a full address (https://...), so the Atom feeds, the sitemap and canonical "
                "links are left out, and the 404 page links from the host's root unless base_url holds the "
                "site's path; set base_url in catalogue.toml or pass --base-url to have them")
        # shortcut 2: the last build's site, with only what changed written again
        update = incremental.update(state, settings, taxonomy, papers, fresh) if in_place else None
        if update is not None and update.small:
            plan = update.plan
            search = build_search(plan.catalogue, state.search, update.previous)
            # if this build is killed while writing, the next one must not trust the state: it builds whole
            forget = (lambda: BuildState.distrust(state_file)) if kept else (lambda: None)
            writer.write_changed(out, env, settings, update.changed, update.removed, search, forget)
            # pages read again that say what they said (saved unchanged, only touched): nothing to write
            current = not (update.changed or update.removed or search.write or search.remove)
        else:  # the plain pipeline: every page, into a new folder swapped in at the end
            if update is not None and update.routes is not None:
                routes, plan = update.routes, update.plan
            else:
                # a build the kept site cannot take in place (--force, new templates or settings) still
                # has the last catalogue: each paper's closest papers and related list are taken from it
                # where its words and topics are as they were (identical to working them out again)
                last = state.plan.catalogue if state.plan is not None else None
                catalogue = update.plan.catalogue if update is not None else index_catalogue(papers, taxonomy, last)
                if catalogue.nearness is not None:  # kept for the next edit, not needed to render
                    catalogue.nearness.set_aside(state_file.parent)
                release_free_memory()  # what reading and the nearness freed, before rendering takes more
                routes, plan = incremental.plan_whole(catalogue, settings)
            large = len(routes) > PROGRESS_FROM
            if large:
                say(f"loaded the catalogue in {time.perf_counter() - started:.1f}s; "
                    f"rendering {len(routes)} pages on {workers()} cores")
            search = writer.write_whole(out, env, settings, routes, lambda: build_search(plan.catalogue),
                                        background_cleanup=large)
            if large:
                say(f"pages written at {time.perf_counter() - started:.1f}s")
    except BaseException:
        state.forget_site()
        raise
    forget_terms(fresh)  # the nearness holds them: a paper kept for the next build must not hold its share's
    catalogue = plan.catalogue
    state.plan, state.search, state.order, state.made_with = plan, search, list(catalogue.papers), made_with
    state.output = freshness.output_signature(out)
    if kept:
        try:
            state.save(state_file, version, background=True)
        except OSError as exc:  # the site is written; what is kept only makes the next build quicker
            say(f"warning: {state_file.parent}: cannot keep this build's state there ({exc.strerror}); "
                "the next build is a whole one")
    result = BuildResult(out, plan.html_pages, len(catalogue.papers), len(catalogue.topics),
                         search.size, time.perf_counter() - started)
    freshness.remember(out, inputs, {k: v for k, v in vars(result).items() if k not in ("out", "seconds", "state")})
    result.unchanged = current
    result.state = state  # so it is not freed on return: a command that exits next never frees it (cli.run)
    return result
