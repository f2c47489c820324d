"""`catalogue build`: content/ -> site/, top to bottom.

load catalogue -> plan routes -> render pages -> search index -> static files
-> swap the finished folder in. The site is written to a temporary folder
beside the output and renamed into place, so a failed or killed build leaves
the previous site whole.
"""

from __future__ import annotations

import ctypes
import os
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from generator import freshness
from generator.errors import CatalogueError
from generator.parallel import Chunked, workers
from generator.render import make_environment, render
from generator.routes import Route, plan_site
from generator.settings import Settings

VENDOR_LUNR = Path(__file__).resolve().parent / "vendor" / "lunr"
PAPERS_CACHE = "papers.pickle"  # the papers read by the last build (see freshness.private_cache_dir)
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

    def summary(self) -> str:
        if self.unchanged:
            return (f"nothing changed since the last build: {self.out} is current ({self.pages} pages, "
                    f"{self.papers} papers, {self.topics} topics); checked in {self.seconds:.2f}s")
        per_paper = self.search_bytes / max(self.papers, 1)
        return (f"built {self.pages} pages ({self.papers} papers, {self.topics} topics) into {self.out} "
                f"in {self.seconds:.2f}s; search: {self.search_bytes / 1024:.0f} KB, {per_paper:.0f} B/paper")


def build(settings: Settings, out: Path, say: Callable[[str], None] = lambda _: None,
          force: bool = False, cache=None) -> BuildResult:
    """Build the site; `cache`, a catalogue.PaperCache, lets a long-lived process skip unchanged pages."""
    started = time.perf_counter()
    _check_output(out, settings)
    inputs, last = freshness.check(settings, out)
    if last is not None and not force:
        return BuildResult(**{**last, "out": out, "seconds": time.perf_counter() - started, "unchanged": True})
    # Imported here, not above: a no-op rebuild should not pay for Markdown, YAML and lunr.
    from generator.catalogue import PaperCache, load_catalogue
    from generator.search_index import analysis, build_search

    kept = cache is None  # a long-lived caller (serve) keeps its own in memory
    if kept:
        cache_file, version = freshness.private_cache_dir(out) / PAPERS_CACHE, freshness.code_signature()
        cache = PaperCache.load(cache_file, version)
    catalogue = load_catalogue(settings.content, settings.unsafe_html, cache, prepare=analysis)
    routes = plan_site(catalogue, settings)
    env = make_environment(settings)
    if len(routes) > PROGRESS_FROM:
        say(f"loaded {len(catalogue.papers)} papers in {time.perf_counter() - started:.1f}s; "
            f"rendering {len(routes)} pages on {workers()} cores")
    with _staging(out, background_cleanup=len(routes) > PROGRESS_FROM) as stage:
        rendering = Chunked(_render_routes, routes, (env, settings, stage))
        try:
            search = build_search(catalogue)  # while the pages render
            for path, data in search.files.items():
                _write(stage / path, data)
            _copy_static(settings, stage)
            if len(routes) > PROGRESS_FROM:
                say(f"search index written at {time.perf_counter() - started:.1f}s")
            rendering.results()
        except BaseException:
            rendering.cancel()
            raise
        if len(routes) > PROGRESS_FROM:
            say(f"pages written at {time.perf_counter() - started:.1f}s")
    if kept:
        cache.save(cache_file, version)
    result = BuildResult(out, sum(r.is_html for r in routes), len(catalogue.papers), len(catalogue.topics),
                         search.size, time.perf_counter() - started)
    freshness.remember(out, inputs, {k: v for k, v in vars(result).items() if k not in ("out", "seconds")})
    return result


def page_context(route: Route, settings: Settings) -> dict:
    """What every template sees besides the route's own context."""
    depth = route.path.count("/")
    root = settings.base_path if route.path == "404.html" else ("../" * depth or "./")
    base = settings.absolute_base or settings.base_path
    return {"site": settings, "root": root, "base": base, "page_url": route.url, "title": None, **route.context}


def _render_routes(routes: list[Route], state: tuple) -> int:
    env, settings, stage = state
    for route in routes:
        html = render(env, route.template, page_context(route, settings))
        _write(stage / route.path, html.encode("utf-8"))
    return len(routes)


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
    """A temporary folder beside `out`, swapped in on success and removed on failure."""

    def __init__(self, out: Path, background_cleanup: bool = False):
        self.out = out
        self.background_cleanup = background_cleanup

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
        if exc_type is not None:
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
    """Delete a folder in a detached process: thousands of unlinks need not hold up the command.
    If that process dies, the next build clears the folder (its name holds our pid)."""
    try:
        child = os.fork()
    except OSError:
        return _remove(path)
    if child == 0:  # double fork, so the remover is nobody's zombie
        try:
            if os.fork() == 0:
                os.setsid()
                _remove(path)
        finally:
            os._exit(0)
    os.waitpid(child, 0)


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
