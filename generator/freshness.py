"""Is the last build still current? A no-op rebuild should cost a look, not a build.

The signature of a build is the size and modification time of every input
(content, templates, settings file, the generator's own files), the settings
themselves, and the shape of the output folder it wrote (see `output_signature`).
It is kept beside the output, in `.<out>-cache/`, never inside the published site.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from generator.settings import Settings

PACKAGE = Path(__file__).resolve().parent


def cache_dir(out: Path) -> Path:
    return out.parent / f".{out.name}-cache"


def private_cache_dir(out: Path) -> Path:
    """Where the pickled papers of the build into `out` are kept: in the user's own cache folder,
    never beside the site, so a cloned project cannot bring a pickle that the build would load."""
    root = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "catalogue"
    return root / hashlib.sha256(str(out.resolve()).encode("utf-8", "surrogateescape")).hexdigest()[:24]


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


def input_signature(settings: Settings, made: str) -> str:
    """Everything a site depends on: what it is made with (`made_with`), and the content."""
    digest = hashlib.sha256(made.encode("ascii"))
    for entry in _walk(settings.content):
        digest.update(entry.encode("utf-8", "surrogateescape"))
    return digest.hexdigest()


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


def check(settings: Settings, out: Path, made: str) -> tuple[str, dict | None]:
    """The inputs' signature now (taken before building, so edits made during a build count as
    changes next time) and the last build's result if nothing it depends on changed since.
    `made` is `made_with(settings, code_signature())`, which the build reuses."""
    inputs = input_signature(settings, made)
    try:
        record = json.loads((cache_dir(out) / "build.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return inputs, None
    if record.get("inputs") != inputs or record.get("output") != output_signature(out):
        return inputs, None
    return inputs, record["result"]


def remember(out: Path, inputs: str, result: dict) -> None:
    folder = cache_dir(out)
    folder.mkdir(exist_ok=True)
    tmp = folder / f"build.json.{os.getpid()}.tmp"
    tmp.write_text(json.dumps({"inputs": inputs, "output": output_signature(out), "result": result}),
                   encoding="utf-8")
    os.replace(tmp, folder / "build.json")


def _walk(folder: Path):
    """A line per file under `folder` (path, size, modification time), in a stable order."""
    if not folder.is_dir():
        yield f"missing {folder}"
        return
    pending = [os.fspath(folder)]
    while pending:
        with os.scandir(pending.pop()) as entries:
            found = sorted(entries, key=lambda entry: entry.name)
        for entry in found:
            if entry.is_dir():
                if entry.name != "__pycache__":
                    pending.append(entry.path)
                continue
            try:
                stat = entry.stat()
            except OSError:
                yield f"{entry.path} missing\n"
                continue
            yield f"{entry.path} {stat.st_size} {stat.st_mtime_ns}\n"


def _stat_line(path: Path) -> str:
    try:
        stat = os.stat(path)
    except OSError:
        return f"{path} missing\n"
    return f"{path} {stat.st_size} {stat.st_mtime_ns}\n"
