"""Paper pages on disk: `content/papers/<slug>.md`, YAML frontmatter + Markdown body.

The page is the person's: reading keeps every key they added, writing keeps
their key order, and a write that would change nothing does not touch the file.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from pathlib import Path

import frontmatter
import yaml

from generator.errors import CatalogueError

PAPERS_DIR = "papers"
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _YAML(frontmatter.YAMLHandler):
    """python-frontmatter's YAML handler with libyaml's parser where it is built in (5x faster)."""

    def load(self, fm: str, **kwargs: object) -> object:
        return yaml.load(fm, Loader=_LOADER)


_HANDLER = _YAML()


def load_page(path: Path) -> frontmatter.Post:
    """Parse a page; broken frontmatter is a CatalogueError naming file and line."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise CatalogueError("page is not UTF-8 text", path) from None
    except OSError as exc:
        raise CatalogueError(f"cannot read page: {exc.strerror}", path) from None
    try:
        post = frontmatter.loads(text, handler=_HANDLER)
    except yaml.YAMLError as exc:
        # Where the broken construct starts beats where the parser gave up (often the end).
        mark = getattr(exc, "context_mark", None) or getattr(exc, "problem_mark", None)
        # +1: the mark counts from 0 in a text that starts with the end of the opening `---` line
        line = min(mark.line + 1, _frontmatter_end(text)) if mark is not None else None
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise CatalogueError(f"broken frontmatter: {problem}", path, line) from None
    if not isinstance(post.metadata, dict):
        raise CatalogueError("frontmatter is not a mapping of keys to values", path, 2)
    return post


def _frontmatter_end(text: str) -> int:
    """The line number of the closing `---`, so an error is never placed past the frontmatter."""
    lines = text.splitlines()
    for number, line in enumerate(lines[1:], 2):
        if line.strip() == "---":
            return number
    return len(lines)


def dump_page(post: frontmatter.Post) -> str:
    return frontmatter.dumps(post, sort_keys=False, width=100) + "\n"


def write_text_atomic(path: Path, text: str) -> None:
    """Write to a temporary file beside the target, then rename: never a half-written page."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def as_date(value: object) -> dt.date | None:
    """Frontmatter dates may be YAML dates, datetimes or ISO strings."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip()[:10])
        except ValueError:
            pass
    raise ValueError(f"not a date: {value!r}")
