"""Paper pages on disk: `content/papers/<slug>.md`, YAML frontmatter + Markdown body.

The page is the person's: reading keeps every key they added, writing keeps
their key order, and a write that would change nothing does not touch the file.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import tempfile
from pathlib import Path

import frontmatter
import yaml

from generator.errors import CatalogueError
from generator.utils.background import alive
from generator.utils.xml_text import NOT_XML

PAPERS_DIR = "papers"


def is_page_name(name: str) -> bool:
    """A paper's page: `<slug>.md`. A hidden file is not one, whatever its name ends with: an
    editor's lock (Emacs's `.#<page>.md`, a link to nothing while the page is open), macOS's
    `._<page>.md` metadata; Hugo and Jekyll skip them too."""
    return name.endswith(".md") and not name.startswith(".")


LINKED_FOLDER = "a link to a folder among the pages is not read (it could loop): move the pages in, or link each page"


def page_entries(folder: Path, hidden_too: bool = False) -> list[os.DirEntry]:
    """The pages under `folder` and its subfolders (as Hugo reads a section; hidden folders are
    skipped, a linked one is an error: its pages would be missing), by path; none if there is no
    folder. `hidden_too`: hidden files named like pages as well (a new page must not take their
    names). Build, check and ingest all find the pages here."""
    found = []
    pending = [os.fspath(folder)]
    while pending:
        where = pending.pop()
        try:
            with os.scandir(where) as entries:
                for entry in entries:
                    if entry.is_dir() and not entry.name.startswith("."):
                        if entry.is_symlink():
                            raise CatalogueError(LINKED_FOLDER, entry.path)
                        pending.append(entry.path)
                    elif is_page_name(entry.name) or hidden_too and entry.name.endswith(".md"):
                        found.append(entry)
        except FileNotFoundError:
            if where == os.fspath(folder):
                return []
        except NotADirectoryError:
            raise CatalogueError("a file where the papers folder was expected", where) from None
        except OSError as exc:
            raise CatalogueError(f"cannot read the papers folder: {exc.strerror}", where) from None
    return sorted(found, key=lambda e: e.path)


def page_paths(folder: Path, hidden_too: bool = False) -> list[Path]:
    """The pages under `folder` (see page_entries), sorted, as paths."""
    if not folder.is_dir():
        return []
    return sorted(Path(entry.path) for entry in page_entries(folder, hidden_too))


# libyaml's parser where it is built in (5x faster)
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


_CLOSING = re.compile(r"^---[ \t]*\r?$", re.M)  # (a page saved with Windows line ends: \r\n)
_DATE_VALUE = re.compile(r"^\s*[^:#]+:\s*(?P<value>(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})\S*)\s*(#.*)?$")


def read_page(path: Path) -> str:
    """A page's text; a byte-order mark (some editors add one) is not part of it."""
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CatalogueError("page is not UTF-8 text", path, _line_at(path.read_bytes(), exc.start)) from None
    except IsADirectoryError:
        raise CatalogueError("a folder where a page was expected", path) from None
    except OSError as exc:
        raise CatalogueError(f"cannot read page: {exc.strerror}", path) from None
    # What XML 1.0 forbids can't be shown or put in a feed; an editor can slip it in unseen.
    return NOT_XML.sub("", text) if NOT_XML.search(text) else text


def split_page(text: str, path: Path) -> tuple[str, str]:
    """The frontmatter's YAML and everything after its closing `---`, exactly as written."""
    if not text.strip():
        raise CatalogueError("page is empty", path, 1)
    first, _, rest = text.partition("\n")
    if first.rstrip() != "---":
        raise CatalogueError("page has no frontmatter: its first line must be ---", path, 1)
    match = _CLOSING.search(rest)
    if match is None:
        raise CatalogueError("frontmatter is never closed: no --- line after it", path, 1)
    return rest[:match.start()], rest[match.start():]


def load_page(path: Path) -> frontmatter.Post:
    """Parse a page; broken frontmatter is a CatalogueError naming file and line."""
    text = read_page(path)
    yaml_text, rest = split_page(text, path)
    try:
        metadata = yaml.load(yaml_text, Loader=_LOADER)
    except yaml.YAMLError as exc:
        # Where the broken construct starts beats where the parser gave up (often the end).
        mark = getattr(exc, "context_mark", None) or getattr(exc, "problem_mark", None)
        end = yaml_text.count("\n") + 2
        # +2: the mark counts from 0, in a text that starts after the opening `---` line
        line = min(mark.line + 2, end) if mark is not None else None
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise CatalogueError(f"broken frontmatter: {problem}", path, line) from None
    except (ValueError, OverflowError) as exc:  # a date YAML recognises but no calendar has
        line, value = _bad_date(yaml_text)
        what = f"{value} is not a real date" if value else "a value cannot be read"
        raise CatalogueError(f"{what} ({exc})", path, line) from None
    if metadata is None:
        metadata = {}
    if not isinstance(metadata, dict):
        raise CatalogueError("frontmatter is not a mapping of keys to values", path, 2)
    body = rest.split("\n", 1)[1] if "\n" in rest else ""
    return frontmatter.Post(body.strip("\n") if body.strip() else "", **{str(k): v for k, v in metadata.items()})


def page_title(meta: dict, path: Path) -> str:
    """A page's title; a page without one cannot be told apart from others (ingest) or shown (build)."""
    title = meta.get("title")
    if not isinstance(title, str) or not title.strip():
        raise CatalogueError("frontmatter has no title", path, line_of(path, "title") or 2)
    return title


def _bad_date(yaml_text: str) -> tuple[int | None, str | None]:
    """The line (in the page) and text of the first unquoted date that is no real date."""
    for number, line in enumerate(yaml_text.split("\n"), 2):
        m = _DATE_VALUE.match(line)
        if m:
            try:
                dt.date(int(m["y"]), int(m["m"]), int(m["d"]))
            except ValueError:
                return number, m["value"]
    return None, None


def line_of(path: Path, key: str) -> int | None:
    """The line of a top-level frontmatter key, for an error about its value."""
    try:
        lines = path.read_text(encoding="utf-8-sig").split("\n")
    except (OSError, UnicodeDecodeError):
        return None
    pattern = re.compile(rf"^{re.escape(key)}\s*:")
    for number, line in enumerate(lines[1:], 2):
        if line.rstrip() == "---":
            break
        if pattern.match(line):
            return number
    return None


def _line_at(data: bytes, offset: int) -> int:
    return data[:offset].count(b"\n") + 1


def dump_page(post: frontmatter.Post) -> str:
    """A new page: its frontmatter in ingest's order, then its body."""
    return frontmatter.dumps(post, sort_keys=False, width=100) + "\n"


def update_page(text: str, path: Path, changes: dict, body: str | None = None) -> str:
    """`text` with the frontmatter keys in `changes` set, and the body replaced if `body` is given;
    every other byte as the person left it: comments, key order, quoting, line folding, flow or
    block lists. Only the lines that must change do: a key's own line (an empty value, a count),
    a list's end (new items, in its style), new keys at the end of the frontmatter."""
    from ruamel.yaml import YAML  # only an ingest that changes a page pays for it
    from ruamel.yaml.error import YAMLError

    head = "\ufeff" if text.startswith("\ufeff") else ""
    yaml_text, rest = split_page(text[len(head):], path)
    lines = yaml_text.split("\n")  # the last is "" (the text ends with a newline before `---`)
    try:
        data = YAML().load(yaml_text) or {}
    except YAMLError as exc:  # stricter than the build's reader: a key given twice, a control character
        mark, at = getattr(exc, "problem_mark", None), getattr(exc, "position", None)
        line = mark.line if mark is not None else yaml_text[:at].count("\n") if isinstance(at, int) else None
        line = line + 2 if line is not None else None  # the frontmatter starts after the opening `---`
        problem = getattr(exc, "problem", None) or getattr(exc, "reason", None) or type(exc).__name__
        if isinstance(getattr(exc, "character", None), int):
            problem = f"character #x{exc.character:04x}: {problem}"
        raise CatalogueError(f"cannot update this page's frontmatter without changing what it says: "
                             f"{' '.join(str(problem).split())}", path, line) from None
    edits: list[tuple[int, int, list[str]]] = []  # (first line, last line + 1, new lines), 0-based
    added: dict = {}
    for key, value in changes.items():
        if key not in data:
            added[key] = value
            continue
        at = data.lc.key(key)[0]
        current = data[key]
        if isinstance(current, list) and isinstance(value, list):
            try:
                edits.append(_extend_list(lines, current, value, at))
            except _Unusual:  # rare layouts: the whole frontmatter written again, comments and order kept
                return _round_trip(head, yaml_text, rest, changes, body)
        elif _value_lines(lines, at) == 1:
            comment = re.search(r"\s+#.*$", lines[at]) if not isinstance(current, str) or not current else None
            new = _dump({key: value})
            if comment and len(new) == 1:
                new[0] += comment.group(0)
            edits.append((at, at + 1, new))
        else:
            edits.append((at, at + _value_lines(lines, at), _dump({key: value})))
    for start, end, new in sorted(edits, reverse=True):
        lines[start:end] = new
    if added:
        end = len(lines) - 1 if lines and lines[-1] == "" else len(lines)
        lines[end:end] = _dump(added)
    if body is not None:
        closing = rest.split("\n", 1)[0]
        rest = f"{closing}\n\n{body}"
    return f"{head}---\n" + "\n".join(lines) + rest


class _Unusual(Exception):
    """A layout the line-by-line edit does not handle."""


def _round_trip(head: str, yaml_text: str, rest: str, changes: dict, body: str | None) -> str:
    from ruamel.yaml import YAML

    round_trip = YAML()
    round_trip.preserve_quotes = True
    round_trip.width = 4096
    data = round_trip.load(yaml_text)
    for key, value in changes.items():
        current = data.get(key)
        if isinstance(current, list) and isinstance(value, list):
            current.extend(v for v in value if v not in current)
        else:
            data[key] = value
    out = io.StringIO()
    round_trip.dump(data, out)
    if body is not None:
        rest = f"{rest.split(chr(10), 1)[0]}\n\n{body}"
    return f"{head}---\n{out.getvalue()}{rest}"


def _dump(values: dict) -> list[str]:
    return yaml.safe_dump(values, sort_keys=False, width=100, allow_unicode=True).rstrip("\n").split("\n")


def _value_lines(lines: list[str], at: int) -> int:
    """How many lines the top-level key at line `at` spans: its own and the indented ones after it."""
    n = 1
    while at + n < len(lines) and lines[at + n][:1] in (" ", "\t") and lines[at + n].strip():
        n += 1
    return n


def _extend_list(lines: list[str], current, value: list, at: int) -> tuple[int, int, list[str]]:
    """New items at the end of a list, in its own style: `[a, b]` on one line, or `- a` lines."""
    new = [v for v in value if v not in current]
    flow = not current or current.fa.flow_style()  # `[]` has no style of its own in ruamel
    # each as YAML writes one item of such a list: in `[...]`, quoted if it holds a `,`, `[` or `{`
    items = [_flow_item(v) if flow else _dump([v])[0][2:] for v in new]
    if flow and current:  # after its last item, wherever that is (the list may span lines)
        last, col = current.lc.item(len(current) - 1)
        line = lines[last]
        end = _scalar_end(line, col, current[-1])
        rest = line[end:].lstrip()
        if rest.startswith("]") or rest[1:].lstrip().startswith("]"):  # `[a, b]`, `  b]`, `b, ]` (a last comma)
            return last, last + 1, [line[:end] + ", " + ", ".join(items) + line[end:]]
        if line[:col].strip():  # items share a line but the list goes on: no line of their own to follow
            raise _Unusual("a [...] list with several items on a line and more lines")
        indent = line[:col]
        if rest.startswith(","):  # each item on its line, with its comma (and maybe a comment)
            return last + 1, last + 1, [f"{indent}{item}," for item in items]
        # the last item without a comma (before a comment, or `]` on the next line): it gets one
        return last, last + 1, [line[:end] + "," + line[end:]] + [
            f"{indent}{item}" + ("," if n < len(items) - 1 else "") for n, item in enumerate(items)]
    if flow:  # `[]`
        line = lines[at]
        close = line.rfind("]")
        if close < 0:
            raise _Unusual("an empty [...] list over several lines")
        return at, at + 1, [line[:close].rstrip() + ", ".join(items) + line[close:]]
    last, col = current.lc.item(len(current) - 1)
    prefix = lines[last][:col]  # the indentation and `- ` of the last item
    end = last + 1
    while end < len(lines) and lines[end][:1] in (" ", "\t") and len(lines[end]) - len(lines[end].lstrip()) > len(prefix) - 2:
        end += 1
    return end, end, [prefix + item for item in items]


def _flow_item(value) -> str:
    """One item as YAML writes it inside `[...]` (where `,`, `[`, `]`, `{`, `}` end a plain one)."""
    return yaml.safe_dump([value], default_flow_style=True, width=1 << 20, allow_unicode=True).strip()[1:-1]


_QUOTED = re.compile(r'"(?:[^"\\]|\\.)*"|\'(?:[^\']|\'\')*\'')


def _scalar_end(line: str, col: int, value: object) -> int:
    """Where a flow list's item that starts at `col` ends: a plain scalar's text, or a quoted one."""
    text = str(value)
    if line.startswith(text, col):
        return col + len(text)
    quoted = _QUOTED.match(line, col)
    if quoted is None:
        raise _Unusual("an item written in another way than plain or quoted")
    return quoted.end()


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_text_atomic(path: Path, text: str) -> None:
    """Write to a temporary file beside the target, then rename: never a half-written page. The
    page gets the mode it had, or a new file's mode under the umask (not mkstemp's private 600)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        mode = path.stat().st_mode & 0o7777
    except FileNotFoundError:
        mode = 0o666 & ~_umask()
    # named for this process, so that the next ingest can remove it if we are killed (sweep_leftovers)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.{os.getpid()}.", suffix=".tmp")
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def sweep_leftovers(folder: Path) -> None:
    """Remove the temporary pages an ingest that was killed (or stopped inside `mkstemp`) left."""
    for leftover in folder.rglob(".*.md.*.tmp"):  # beside pages in subfolders too
        pid = leftover.name.rsplit(".", 3)[1]
        if pid.isdigit() and not alive(int(pid)):
            leftover.unlink(missing_ok=True)


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
