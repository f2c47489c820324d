"""Is the last build still current? A no-op rebuild should cost a look, not a build.

The signature of a build is the size and modification time of every input
(content, templates, settings file, the generator's own files), the settings
themselves, and the shape of the output folder it wrote (see `output_signature`).
It is kept in the user's cache folder with the build's state (private_cache_dir), never
inside the published site nor beside it.
"""

from __future__ import annotations

import hashlib
import json
import operator
import os
from contextlib import contextmanager, suppress
from pathlib import Path

from generator.resources import PACKAGE
from generator.settings import Settings

_NAME = operator.attrgetter("name")


STATE_FILE = "state.pickle"  # what a build keeps for the next one, in private_cache_dir (build.state)


def cache_dir(out: Path) -> Path:
    """Where the last build's record (build.json) is kept: with its state, in the user's cache,
    so that nothing is written beside the site (a web root's parent may be read-only)."""
    return private_cache_dir(out)


def user_cache_dir() -> Path:
    """The user's own cache folder for catalogue (XDG), never inside a project or a site."""
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "catalogue"


def private_cache_dir(out: Path) -> Path:
    """Where the pickled papers of the build into `out` are kept: in the user's own cache folder,
    never beside the site, so a cloned project cannot bring a pickle that the build would load."""
    return user_cache_dir() / hashlib.sha256(str(out.resolve()).encode("utf-8", "surrogateescape")).hexdigest()[:24]


def code_signature() -> str:
    """The generator's own files: a cache written by other code is not used."""
    digest = hashlib.sha256()
    for entry in _walk(PACKAGE):
        digest.update(entry.encode("utf-8", "surrogateescape"))
    return digest.hexdigest()


def made_with(settings: Settings, code: str) -> str:
    """Everything but the content a site depends on: settings, templates and the generator's code."""
    digest = hashlib.sha256()
    digest.update(repr(sorted((k, str(v)) for k, v in vars(settings).items())).encode("utf-8"))
    digest.update(code.encode("ascii"))
    for folder in settings.template_dirs():
        for entry in _walk(folder):
            digest.update(entry.encode("utf-8", "surrogateescape"))
    if settings.config_path is not None:
        digest.update(_stat_line(settings.config_path).encode("utf-8", "surrogateescape"))
    return digest.hexdigest()


def input_signature(settings: Settings, made: str) -> tuple[str, dict[str, dict[str, tuple[int, int]]]]:
    """Everything a site depends on: what it is made with (`made_with`), and the content. Also
    every content file's (modification time, size), by folder and path: the build reads what
    changed from them rather than looking at every file twice."""
    digest = hashlib.sha256(made.encode("ascii"))
    stamps: dict[str, dict[str, tuple[int, int]]] = {}
    digest.update("".join(_walk(settings.content, stamps)).encode("utf-8", "surrogateescape"))
    return digest.hexdigest(), stamps


def output_signature(out: Path) -> str | None:
    """Identity and modification time of the output folder and of each folder in it: a site
    someone replaced, emptied or cleared a section of is rebuilt. A single built file edited or
    removed by hand is not noticed (that would cost a stat per page): `build --force` rebuilds."""
    try:
        marks = [os.stat(out)]
        with os.scandir(out) as entries:
            marks += [entry.stat(follow_symlinks=False) for entry in entries if entry.is_dir(follow_symlinks=False)]
    except OSError:
        return None
    return ",".join(f"{m.st_ino}:{m.st_mtime_ns}" for m in marks)


def check(settings: Settings, out: Path, made: str) -> tuple[str, dict | None, dict[str, dict[str, tuple[int, int]]]]:
    """The inputs' signature now (taken before building, so edits made during a build count as
    changes next time), the last build's result if nothing it depends on changed since, and the
    content files' stamps (see input_signature). `made` is `made_with(settings, code_signature())`,
    which the build reuses."""
    inputs, stamps = input_signature(settings, made)
    try:
        record = json.loads((cache_dir(out) / "build.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return inputs, None, stamps
    if not isinstance(record, dict) or not isinstance(record.get("result"), dict) \
            or record.get("inputs") != inputs or record.get("output") != output_signature(out):
        return inputs, None, stamps  # (a record that is not ours, `[]` say, is as good as none)
    return inputs, record["result"], stamps


def remember(out: Path, inputs: str, result: dict) -> None:
    """The record that lets the next build see nothing changed. Only a shortcut: where it cannot
    be written (a read-only cache), the next build is a whole one, and says nothing of it."""
    folder = cache_dir(out)
    tmp = folder / f"build.json.{os.getpid()}.tmp"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        tmp.write_text(json.dumps({"inputs": inputs, "output": output_signature(out), "result": result}),
                       encoding="utf-8")
        os.replace(tmp, folder / "build.json")
    except OSError:
        with suppress(OSError):
            tmp.unlink()


def _walk(folder: Path, stamps: dict | None = None):
    """A line per file under `folder` (path, size, modification time), in a stable order; each
    file's (modification time, size) also goes into `stamps` when given, by folder then path."""
    if not folder.is_dir():
        yield f"missing {folder}"
        return
    pending = [os.fspath(folder)]
    while pending:
        where = pending.pop()
        with _opened(where) as (listed, prefix):
            with os.scandir(listed) as entries:
                found = sorted(entries, key=_NAME)
            in_folder = stamps.setdefault(where, {}) if stamps is not None else None
            for entry in found:
                path = prefix + entry.name
                if entry.is_dir(follow_symlinks=False):  # a linked folder could loop
                    if entry.name != "__pycache__":
                        pending.append(path)
                    continue
                try:
                    stat = entry.stat()
                except OSError:
                    if in_folder is not None:
                        in_folder[path] = None  # the reader names it
                    yield f"{path} missing\n"
                    continue
                if in_folder is not None:
                    in_folder[path] = (stat.st_mtime_ns, stat.st_size)
                yield f"{path} {stat.st_size} {stat.st_mtime_ns}\n"


@contextmanager
def _opened(folder: str):
    """What to list `folder` by, and the prefix of its files' paths. Where the system allows, the
    folder opened once and each file looked up in it, not by its whole path again: the look at
    10,000 pages took 62 ms, not 69 (their stat calls are most of a no-op build)."""
    prefix = "" if folder == os.curdir else os.path.join(folder, "")  # as pathlib joins: `papers`, not `./papers`
    if os.scandir not in os.supports_fd:
        yield folder, prefix
        return
    fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        yield fd, prefix
    finally:
        os.close(fd)


def _stat_line(path: Path) -> str:
    try:
        stat = os.stat(path)
    except OSError:
        return f"{path} missing\n"
    return f"{path} {stat.st_size} {stat.st_mtime_ns}\n"
