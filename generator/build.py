"""`catalogue build`: content/ -> site/, top to bottom.

load catalogue -> plan routes -> render pages -> search index -> static files
-> swap the finished folder in. The site is written to a temporary folder
beside the output and renamed into place, so a failed or killed build leaves
the previous site whole.

When the last build's state (build_state) says the site in the output folder
is the one it wrote, with the same settings, templates and code, only the
pages whose key changed (render_keys) and the search files that changed are
written, each file whole, in place: an edit to one paper costs a few pages. An edit
that moves no paper is not even planned again (incremental).
Either way the output is the same; the tests build both ways and compare.
"""

from __future__ import annotations

import ctypes
import gc
import os
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from generator import freshness
from generator.background import detached
from generator.errors import CatalogueError
from generator.parallel import Chunked, workers
from generator.render import make_environment, render
from generator.routes import Route, plan_site
from generator.settings import Settings

VENDOR_LUNR = Path(__file__).resolve().parent / "vendor" / "lunr"
PROGRESS_FROM = 2000
# A folder we may replace wholesale looks like a site we built.
SITE_MARKERS = ("sitemap.xml", "404.html")


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
          force: bool = False, state=None) -> BuildResult:
    """Build the site. `state` (a build_state.BuildState) lets a long-lived process keep what the
    next build reuses in memory; without it, it is kept in the user's cache folder."""
    # The cycle collector would walk the whole catalogue again and again while a build allocates;
    # a build's garbage is freed when it returns.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _build(settings, out, say, force, state)
    finally:
        if collecting:
            gc.enable()


def _build(settings: Settings, out: Path, say: Callable[[str], None], force: bool, state) -> BuildResult:
    started = time.perf_counter()
    _check_output(out, settings)
    version = freshness.code_signature()
    made_with = freshness.made_with(settings, version)
    inputs, last, stamps = freshness.check(settings, out, made_with)
    if last is not None and not force:
        return BuildResult(**{**last, "out": out, "seconds": time.perf_counter() - started, "unchanged": True})
    # Imported here, not above: a no-op rebuild should not pay for Markdown, YAML and lunr.
    from generator.build_state import STATE_FILE, BuildState
    from generator.catalogue import index_catalogue, read_papers
    from generator.incremental import Plan, patch
    from generator.render_keys import route_keys
    from generator.search_index import analysis, build_search

    def plan_whole(catalogue) -> tuple[list[Route], Plan]:
        routes = plan_site(catalogue, settings)
        return routes, Plan(catalogue, route_keys(routes))

    kept = state is None  # a long-lived caller (serve) keeps its own in memory
    if kept:
        state_file = freshness.private_cache_dir(out) / STATE_FILE
        state = BuildState.load(state_file, version)
    in_place = not force and state.matches(made_with, freshness.output_signature(out))
    try:
        taxonomy, papers, fresh = read_papers(settings.content, settings.unsafe_html, state.papers,
                                              prepare=analysis, stamps=stamps)
        edit = patch(state.plan, settings, taxonomy, papers, fresh, state.papers) if in_place else None
        if edit is not None:  # nothing moved: the last plan, with the edited papers' pages planned again
            plan, changed, previous, removed = state.plan, edit.changed, edit.previous, []
        else:
            routes, plan = plan_whole(index_catalogue(papers, taxonomy))
            if in_place:
                last = state.plan.keys
                changed = [r for r in routes if last.get(r.path) != plan.keys[r.path]]
                removed = sorted(set(last) - set(plan.keys))
            else:
                changed, removed = routes, []
            previous = state.order
        catalogue = plan.catalogue
        env = make_environment(settings, freshness.user_cache_dir() / "templates")
        if in_place and len(changed) <= max(50, len(plan.paths) // 3):
            search = build_search(catalogue, state.search, previous)
            # if this build is killed while writing, the next one must not trust the state: it builds whole
            forget = (lambda: BuildState.distrust(state_file)) if kept else (lambda: None)
            _update_in_place(out, env, settings, changed, removed, search, forget)
        else:
            if edit is not None:  # an edit that reaches too many pages to patch: every page, keyed afresh
                routes, plan = plan_whole(catalogue)
            search = _build_whole(out, env, settings, routes, lambda: build_search(catalogue), say, started)
    except BaseException:
        state.forget_site()
        raise
    state.plan, state.search, state.order, state.made_with = plan, search, list(catalogue.papers), made_with
    state.output = freshness.output_signature(out)
    if kept:
        state.save(state_file, version, background=True)
    result = BuildResult(out, plan.html_pages, len(catalogue.papers), len(catalogue.topics),
                         search.size, time.perf_counter() - started)
    freshness.remember(out, inputs, {k: v for k, v in vars(result).items() if k not in ("out", "seconds", "state")})
    result.state = state  # so it is not freed on return: a command that exits next never frees it (cli.run)
    return result


def _build_whole(out: Path, env, settings: Settings, routes: list[Route], make_search, say, started: float):
    """Every page and file into a new folder, swapped in at the end; the search files are made
    while the pages render on the other cores."""
    if len(routes) > PROGRESS_FROM:
        say(f"loaded the catalogue in {time.perf_counter() - started:.1f}s; "
            f"rendering {len(routes)} pages on {workers()} cores")
    with _staging(out, background_cleanup=len(routes) > PROGRESS_FROM) as stage:
        rendering = Chunked(_render_routes, routes, (env, settings, stage))
        try:
            search = make_search()
            for path, data in search.write.items():
                _write(stage / path, data)
            _copy_static(settings, stage)
            rendering.results()
        except BaseException:
            rendering.cancel()
            raise
        if len(routes) > PROGRESS_FROM:
            say(f"pages written at {time.perf_counter() - started:.1f}s")
    return search


def _update_in_place(out: Path, env, settings: Settings, changed: list[Route], removed: list[str], search,
                     before_writing: Callable[[], None]) -> None:
    """Only what changed, each file written whole: to a temporary folder beside `out` (cleared by
    the next build if this one is killed), then renamed into place. Every page is rendered before
    anything is written, so a render error leaves the site as it was. The search data goes first
    and its manifest last, so a reader never gets a manifest naming a shard not yet written;
    files no longer needed go at the very end."""
    from generator.search_shards import MANIFEST

    pages = [item for chunk in Chunked(_render_to_memory, changed, (env, settings)).results() for item in chunk]
    files = [(p, d) for p, d in search.write.items() if p != MANIFEST]
    if MANIFEST in search.write:
        files.append((MANIFEST, search.write[MANIFEST]))
    before_writing()
    with _staging(out, swap=False) as stage:
        folders: set[str] = set()
        for n, (path, data) in enumerate(files + pages):
            tmp, target = os.path.join(stage, str(n)), os.path.join(out, path)
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
            try:
                os.fchmod(fd, 0o644)  # whatever the umask: a site is for publishing
                view = memoryview(data)
                while view:
                    view = view[os.write(fd, view):]
            finally:
                os.close(fd)
            folder = os.path.dirname(target)
            if folder not in folders:
                os.makedirs(folder, exist_ok=True)
                folders.add(folder)
            os.replace(tmp, target)
    for path in [*search.remove, *removed]:
        _remove_file(out, path)


def page_context(route: Route, settings: Settings) -> dict:
    """What every template sees besides the route's own context."""
    depth = route.path.count("/")
    root = settings.base_path if route.path == "404.html" else ("../" * depth or "./")
    base = settings.absolute_base or settings.base_path
    return {"site": settings, "root": root, "base": base, "page_url": route.url, "title": None, **route.context}


def _page(route: Route, env, settings: Settings) -> bytes:
    return render(env, route.template, page_context(route, settings)).encode("utf-8")


def _render_routes(routes: list[Route], state: tuple) -> int:
    env, settings, stage = state
    for route in routes:
        _write(stage / route.path, _page(route, env, settings))
    return len(routes)


def _render_to_memory(routes: list[Route], state: tuple) -> list[tuple[str, bytes]]:
    env, settings = state
    return [(route.path, _page(route, env, settings)) for route in routes]


def _remove_file(out: Path, relative: str) -> None:
    """Remove a file the site no longer has, and the folders it leaves empty."""
    path = out / relative
    path.unlink(missing_ok=True)
    folder = path.parent
    while folder != out and folder.is_dir() and not any(folder.iterdir()):
        folder.rmdir()
        folder = folder.parent


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def _copy_static(settings: Settings, stage: Path) -> None:
    """Shipped static files first, then a person's of the same name over them."""
    target = stage / "static"
    for folder in reversed(settings.template_dirs()):
        if (folder / "static").is_dir():
            shutil.copytree(folder / "static", target, dirs_exist_ok=True)
    lunr = target / "lunr"
    lunr.mkdir(parents=True, exist_ok=True)
    for name in ("lunr.min.js", "LICENSE"):
        shutil.copy2(VENDOR_LUNR / name, lunr / name)


def _check_output(out: Path, settings: Settings) -> None:
    """Refuse to replace a folder that holds the project rather than a built site."""
    resolved = out.resolve()
    guarded = [Path.cwd(), settings.content, *settings.template_dirs()]
    for path in guarded:
        path = path.resolve()
        if resolved == path or resolved in path.parents:
            raise CatalogueError("output folder would replace the project's own files; choose another --out", out)
    if out.is_dir() and any(out.iterdir()) and not all((out / m).exists() for m in SITE_MARKERS):
        raise CatalogueError("output folder is not empty and is not a site built by catalogue; "
                             "choose another --out or empty it", out)


class _staging:
    """A temporary folder beside `out`, swapped in on success (unless `swap` is False) and
    removed on failure."""

    def __init__(self, out: Path, background_cleanup: bool = False, swap: bool = True):
        self.out = out
        self.background_cleanup = background_cleanup
        self.swap = swap

    def __enter__(self) -> Path:
        self.out.parent.mkdir(parents=True, exist_ok=True)
        self._clear_leftovers()
        self.stage = Path(tempfile.mkdtemp(prefix=f".{self.out.name}.building-{os.getpid()}-", dir=self.out.parent))
        return self.stage

    def _clear_leftovers(self) -> None:
        """Remove what a build that was killed left beside `out` (its process is gone)."""
        for pattern in (f".{self.out.name}.building-*", f".{self.out.name}.old-*"):
            for folder in self.out.parent.glob(pattern):
                pid = folder.name.rsplit(".", 1)[-1].split("-")[1]
                if pid.isdigit() and not _alive(int(pid)):
                    shutil.rmtree(folder, ignore_errors=True)

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is not None or not self.swap:
            shutil.rmtree(self.stage, ignore_errors=True)
            return
        os.chmod(self.stage, 0o755)  # mkdtemp makes it private; a site is for publishing
        if self.out.exists() and _exchange(self.stage, self.out):
            # the stage now holds the previous site; a large one is removed after we return
            (_remove_in_background if self.background_cleanup else _remove)(self.stage)
            return
        old = None
        if self.out.exists():
            old = self.out.parent / f".{self.out.name}.old-{os.getpid()}"
            os.replace(self.out, old)
        os.replace(self.stage, self.out)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)


def _remove(path: Path) -> None:
    shutil.rmtree(path, ignore_errors=True)


def _remove_in_background(path: Path) -> None:
    """Thousands of unlinks need not hold up the command. If the remover dies, the next build
    clears the folder (its name holds our pid)."""
    if not detached(lambda: _remove(path)):
        _remove(path)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _exchange(a: Path, b: Path) -> bool:
    """Swap two folders in one step (Linux renameat2), so a server never sees the site missing."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    return renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0
