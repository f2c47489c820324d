"""Writing the site: a whole site into a folder beside the output, swapped in at the end; or only
the files that changed, each written whole and renamed into place. Either way a failed or killed
build never leaves a half-written file, and the previous site stays whole until the swap."""

from __future__ import annotations

import ctypes
import os
import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from generator.errors import CatalogueError
from generator.resources import VENDOR_LUNR, VENDOR_LUNR_FILES
from generator.settings import Settings
from generator.utils.background import alive, detached
from generator.utils.parallel import Chunked

if TYPE_CHECKING:
    from generator.site.routes import Route

# A folder we may replace wholesale looks like a site we built.
SITE_MARKERS = ("404.html", "search/manifest.json")
VOLUME_OWN = frozenset({"lost+found"})  # see volume_own


def write_whole(out: Path, env, settings: Settings, routes: list[Route], make_search, background_cleanup: bool):
    """Every page and file into a new folder, swapped in at the end; the search files are made
    (`make_search()`) while the pages render on the other cores. Returns the search files."""
    with _staging(out, background_cleanup=background_cleanup) as stage:
        rendering = Chunked(_render_routes, _heavy_first(routes), (env, settings, stage), progress="rendering pages")
        try:
            search = make_search()
            _write_files(stage, search.write.items())
            copy_static(settings, stage)
            rendering.results()
        except BaseException:
            rendering.cancel()
            raise
    return search


def write_changed(out: Path, env, settings: Settings, changed: list[Route], removed: list[str], search,
                  before_writing: Callable[[], None]) -> None:
    """Only what changed, each file written whole: to a temporary folder beside `out` (cleared by
    the next build if this one is killed), then renamed into place. Every page is rendered before
    anything is written, so a render error leaves the site as it was. The search data goes first
    and its manifest last, so a reader never gets a manifest naming a shard not yet written;
    files no longer needed go at the very end."""
    from generator.search.shards import MANIFEST

    pages = [item for chunk in Chunked(_render_to_memory, changed, (env, settings), progress="rendering pages").results() for item in chunk]
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


def _render_routes(routes: list[Route], state: tuple) -> int:
    # Imported where pages are rendered (the build has loaded it by then): a build that finds
    # nothing changed checks the output folder here and should not pay for Jinja's import.
    from generator.site.render import render_page

    env, settings, stage = state
    _write_files(stage, ((route.path, render_page(env, route, settings)) for route in routes))
    return len(routes)


def _heavy_first(routes: list[Route]) -> list[Route]:
    """The routes with the listings first. The plan gives the paper pages, then the listings (topic,
    date and ranking pages), which cost about five times a paper page each: rendered last, the final
    share was all listings, and one core rendered it alone for over a second at 10,000 papers while
    the other waited. Reversed, the shares left at the end are cheap paper pages; each kind of page
    stays together, so a worker works out what a topic's pages share once. The pages are the same."""
    return routes[::-1]


def _render_to_memory(routes: list[Route], state: tuple) -> list[tuple[str, bytes]]:
    from generator.site.render import render_page

    env, settings = state
    return [(route.path, render_page(env, route, settings)) for route in routes]


def _remove_file(out: Path, relative: str) -> None:
    """Remove a file the site no longer has, and the folders it leaves empty."""
    path = out / relative
    path.unlink(missing_ok=True)
    folder = path.parent
    while folder != out and folder.is_dir() and not any(folder.iterdir()):
        folder.rmdir()
        folder = folder.parent


def _write_files(stage: Path, files) -> None:
    """Each (path under `stage`, bytes) written, each folder made once: with a Path and a mkdir
    call a file, writing the 34,000 files of 10,000 papers took a third of a second more CPU."""
    root, made = os.fspath(stage), set()
    for relative, data in files:
        path = os.path.join(root, relative)
        folder = os.path.dirname(path)
        if folder not in made:
            os.makedirs(folder, exist_ok=True)
            made.add(folder)
        with open(path, "wb") as fh:
            fh.write(data)


def copy_static(settings: Settings, stage: Path) -> None:
    """Shipped static files first, then a person's of the same name over them."""
    target = stage / "static"
    for folder in reversed(settings.template_dirs()):
        if (folder / "static").is_dir():
            shutil.copytree(folder / "static", target, dirs_exist_ok=True)
    lunr = target / "lunr"
    lunr.mkdir(parents=True, exist_ok=True)
    for name in VENDOR_LUNR_FILES:
        shutil.copy2(VENDOR_LUNR / name, lunr / name)


def check_output(out: Path, settings: Settings) -> None:
    """Refuse an output the build may not replace: the project's own files or a folder holding
    them, a folder inside the content or templates, a file (a page or topics.toml named by mistake
    would be swapped for the site), or a folder that is not empty and is not a site we built."""
    resolved = out.resolve()
    for path in [Path.cwd(), settings.content, *settings.template_dirs()]:
        path = path.resolve()
        if resolved == path or resolved in path.parents:
            raise CatalogueError("output folder would replace the project's own files; choose another --out", out)
    for path in [settings.content, *settings.template_dirs()]:
        if path.resolve() in resolved.parents:
            raise CatalogueError("output folder would be inside the content or templates; choose another --out", out)
    if out.is_symlink() and not out.exists():
        raise CatalogueError("output is a link to nothing; choose another --out", out)
    if out.exists() and not out.is_dir():
        raise CatalogueError("output is a file, not a folder: the site would replace it; choose another --out", out)
    if out.is_dir() and any(c.name not in volume_own(out) for c in out.iterdir()) \
            and not all((out / m).exists() for m in SITE_MARKERS):
        raise CatalogueError("output folder is not empty and is not a site built by catalogue; "
                             "choose another --out or empty it", out)


def volume_own(out: Path) -> frozenset[str]:
    """What a mount point holds that is the volume's, not a site's: a fresh ext4 volume has
    `lost+found` (root's alone), so an empty one is not refused, and the build leaves it be."""
    return VOLUME_OWN if os.path.ismount(os.path.realpath(out)) else frozenset()  # (an --out that links to one too)


class _staging:
    """A temporary folder beside `out`, swapped in on success (unless `swap` is False) and
    removed on failure."""

    def __init__(self, out: Path, background_cleanup: bool = False, swap: bool = True):
        self.out = out
        self.background_cleanup = background_cleanup
        self.swap = swap

    def __enter__(self) -> Path:
        self.out.parent.mkdir(parents=True, exist_ok=True)
        # a mount point (a container's volume) cannot be renamed, nor a file renamed into it from
        # outside: there the stage is a hidden folder inside it, and the swap is of its contents
        self.inside = self.out.is_dir() and os.path.ismount(self.out)
        self.where = self.out if self.inside else self.out.parent
        self._clear_leftovers()
        self.stage = Path(tempfile.mkdtemp(prefix=f".{self.out.name}.building-{os.getpid()}-", dir=self.where))
        return self.stage

    def _clear_leftovers(self) -> None:
        """Remove what a build that was killed left beside `out` (its process is gone)."""
        for pattern in (f".{self.out.name}.building-*", f".{self.out.name}.old-*"):
            for folder in self.where.glob(pattern):
                pid = folder.name.rsplit(".", 1)[-1].split("-")[1]
                if pid.isdigit() and not alive(int(pid)):
                    shutil.rmtree(folder, ignore_errors=True)

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is not None or not self.swap:
            shutil.rmtree(self.stage, ignore_errors=True)
            return
        os.chmod(self.stage, 0o755)  # mkdtemp makes it private; a site is for publishing
        if self.inside:
            self._swap_contents()
            return
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


    def _swap_contents(self) -> None:
        """The stage's files for the mount point's own, each moved in one rename: not one step, as
        the swap of a folder is, but never a half-written file."""
        old = Path(tempfile.mkdtemp(prefix=f".{self.out.name}.old-{os.getpid()}-", dir=self.out))
        for child in list(self.out.iterdir()):
            if child not in (self.stage, old) and child.name not in VOLUME_OWN:
                os.replace(child, old / child.name)
        for child in list(self.stage.iterdir()):
            os.replace(child, self.out / child.name)
        self.stage.rmdir()
        _remove(old)  # now: a folder left inside the site would be published, and would change its signature


def _remove(path: Path) -> None:
    shutil.rmtree(path, ignore_errors=True)


def _remove_in_background(path: Path) -> None:
    """Thousands of unlinks need not hold up the command. If the remover dies, the next build
    clears the folder (its name holds our pid)."""
    if not detached(lambda: _remove(path)):
        _remove(path)


def _exchange(a: Path, b: Path) -> bool:
    """Swap two folders in one step (Linux renameat2), so a server never sees the site missing."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    return renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0
