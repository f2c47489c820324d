"""Read one text capture of a Daily Papers listing page into entries.

A capture is what a browser's "save as text" gives of the listing: page
chrome, the capture date, then per paper a title line, an abstract paragraph
and, on some captures, a metadata block:

    <title>
    <abstract>
      • 6 authors          (or an organisation line such as "nvidia NVIDIA")
    ·
    Jun 6, 2022 3          (month day[, year] [upvotes])

Dates without a year lie in the capture's year, which the page never shows;
`resolve_year` infers it. Nothing here touches the disk beyond reading.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

from generator.errors import CatalogueError

CHROME = {
    "new",
    "get trending papers in your email inbox!",
    "subscribe",
    "daily papers",
    "byak and the research community",
}
META_SEPARATOR = "·"
MONTHS = {m: i for i, m in enumerate(
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], 1)}
DATE_LINE = re.compile(
    r"^(?P<month>[A-Za-z]{3})[a-z]*\.? +(?P<day>\d{1,2})(?:, *(?P<year>\d{4}))?(?: +(?P<upvotes>\d+))?$")
AUTHORS_LINE = re.compile(r"^(?:[•·*\-]\s*)?(?P<count>\d+)\s+authors?$")
# A title is a heading, not a paragraph: long lines are abstracts.
MAX_TITLE_CHARS = 400


@dataclass
class CaptureWarning:
    """A problem that loses one field or entry, not the capture."""

    path: Path
    line: int | None
    message: str

    def __str__(self) -> str:
        return str(CatalogueError(self.message, self.path, self.line))


@dataclass
class Entry:
    """One paper as one capture shows it; dates are still without a year."""

    title: str
    abstract: str
    line: int
    month: int | None = None
    day: int | None = None
    year: int | None = None  # only when the capture printed it
    upvotes: int | None = None
    author_count: int | None = None
    organisation: str | None = None
    date_line: int | None = None


@dataclass
class Capture:
    path: Path
    entries: list[Entry] = field(default_factory=list)
    warnings: list[CaptureWarning] = field(default_factory=list)
    captured_on: tuple[int, int] | None = None  # (month, day) of the lone date under the chrome
    header_lines: int = 0  # lines of the listing's chrome at the top

    def explicit_years(self) -> list[int]:
        return [e.year for e in self.entries if e.year is not None]


def read_capture(path: Path) -> Capture:
    """Parse one capture; raises CatalogueError when nothing usable is in it."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise CatalogueError(f"cannot read capture: {exc.strerror}", path) from None
    if not raw.strip():
        raise CatalogueError("capture is empty", path)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise CatalogueError("capture is not UTF-8 text", path, line) from None
    if "\x00" in text:
        raise CatalogueError("capture is binary, not text", path, text[: text.index("\x00")].count("\n") + 1)
    capture = parse_capture(text, path)
    if not capture.entries:
        raise CatalogueError("no recognisable paper in capture (expected a title line followed by an abstract)", path)
    if capture.header_lines < 2 and not any(e.author_count or e.organisation or e.month for e in capture.entries):
        # Any text alternates short and long lines: without the listing's header or one
        # paper's metadata block, nothing says this is a capture rather than, say, a README.
        raise CatalogueError("not a Daily Papers capture: no listing header (Subscribe, Daily Papers, ...) "
                             "and no paper metadata (• N authors · date)", path)
    return capture


def parse_capture(text: str, path: Path) -> Capture:
    """Turn capture text into entries; a pure function of its input."""
    capture = Capture(path)
    lines = [(n, ln.strip()) for n, ln in enumerate(text.splitlines(), 1) if ln.strip()]
    i = _skip_chrome(lines, capture)
    while i < len(lines):
        n, title = lines[i]
        if _is_meta_start(lines, i) or title == META_SEPARATOR:
            capture.warnings.append(CaptureWarning(path, n, "metadata block without a paper above it, skipped"))
            i = _skip_meta(lines, i)
            continue
        if i + 1 >= len(lines) or _is_meta_start(lines, i + 1):
            capture.warnings.append(CaptureWarning(path, n, f"entry {title[:60]!r} has no abstract (truncated capture?), skipped"))
            i = _skip_meta(lines, i + 1) if i + 1 < len(lines) else i + 1
            continue
        if len(title) > MAX_TITLE_CHARS:
            capture.warnings.append(CaptureWarning(path, n, "paragraph where a title was expected, skipped"))
            i += 1
            continue
        entry = Entry(title=title, abstract=lines[i + 1][1], line=n)
        i += 2
        if _is_meta_start(lines, i):
            _read_meta(lines, i, entry, capture)
            i = _skip_meta(lines, i)
        capture.entries.append(entry)
    return capture


def _skip_chrome(lines: list[tuple[int, str]], capture: Capture) -> int:
    i = 0
    while i < len(lines) and lines[i][1].casefold() in CHROME:
        i += 1
    capture.header_lines = i
    if i and i < len(lines):
        m = DATE_LINE.match(lines[i][1])
        if m and m["month"].lower() in MONTHS and not m["upvotes"]:
            capture.captured_on = (MONTHS[m["month"].lower()], int(m["day"]))
            i += 1
    return i


def _is_meta_start(lines: list[tuple[int, str]], i: int) -> bool:
    """A metadata block is `<who>`, `·`, `<date>`; the `·` line gives it away."""
    if i >= len(lines):
        return False
    if AUTHORS_LINE.match(lines[i][1]):
        return True
    return i + 1 < len(lines) and lines[i + 1][1] == META_SEPARATOR


def _skip_meta(lines: list[tuple[int, str]], i: int) -> int:
    if i < len(lines) and lines[i][1] != META_SEPARATOR:
        i += 1  # who
    if i < len(lines) and lines[i][1] == META_SEPARATOR:
        i += 1
        if i < len(lines) and DATE_LINE.match(lines[i][1]):
            i += 1
    return i


def _read_meta(lines: list[tuple[int, str]], i: int, entry: Entry, capture: Capture) -> None:
    n, who = lines[i]
    authors = AUTHORS_LINE.match(who)
    if authors:
        entry.author_count = int(authors["count"])
    else:
        entry.organisation = _organisation(who)
    if i + 2 >= len(lines) or lines[i + 1][1] != META_SEPARATOR:
        return
    n, date_text = lines[i + 2]
    m = DATE_LINE.match(date_text)
    if not m:
        capture.warnings.append(CaptureWarning(capture.path, n, f"unreadable date {date_text[:40]!r}; date left empty"))
        return
    if m["upvotes"]:
        entry.upvotes = int(m["upvotes"])
    month = MONTHS.get(m["month"].lower())
    day = int(m["day"])
    year = int(m["year"]) if m["year"] else None
    if month is None or not _valid_day(year or 2000, month, day):  # 2000 is a leap year: Feb 29 stays valid
        capture.warnings.append(CaptureWarning(capture.path, n, f"impossible date {date_text!r}; date left empty"))
        return
    entry.month, entry.day, entry.year, entry.date_line = month, day, year, n


def _organisation(who: str) -> str:
    """`nvidia NVIDIA` is the organisation's handle then its name: keep the name."""
    handle, _, name = who.partition(" ")
    return name.strip() or handle


def _valid_day(year: int, month: int, day: int) -> bool:
    try:
        dt.date(year, month, day)
    except ValueError:
        return False
    return True


def resolve_year(capture: Capture, year: int | None, today: dt.date) -> tuple[int, str]:
    """The capture's own year, and how it was found (for the summary).

    The listing prints a year only for earlier years, so a capture showing
    2024 at the latest was taken in 2025.
    """
    if year is not None:
        return year, "given"
    years = capture.explicit_years()
    if years:
        return max(years) + 1, "inferred"
    return today.year, "assumed"


def entry_date(entry: Entry, capture_year: int) -> dt.date | None:
    if entry.month is None:
        return None
    year = entry.year if entry.year is not None else capture_year
    try:
        return dt.date(year, entry.month, entry.day)
    except ValueError:  # Feb 29 in a year that has none
        return None
