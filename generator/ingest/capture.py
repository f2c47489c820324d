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
GLUED = "new"  # a listing's first line
META_SEPARATOR = "·"
MONTHS = {m: i for i, m in enumerate(
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], 1)}
# upvotes as the page prints them: `12`, `1,234`, `1.2k`, or a dash for none
DATE_LINE = re.compile(
    r"^(?P<month>[A-Za-z]{3})[a-z]*\.? +(?P<day>\d{1,2})(?:, *(?P<year>\d+))?"
    r"(?: +(?P<upvotes>\d[\d,.]*[kK]?|[-\u2013\u2014]))?$")
AUTHORS_LINE = re.compile(r"^(?:[•·*\-]\s*)?(?P<count>\d{1,3}(?:,\d{3})+|\d+)\s+authors?$", re.IGNORECASE)
AUTHORS_AND_ORGANISATION = re.compile(r"^(?P<authors>(?:[•·*\-]\s*)?\S+\s+authors?)\s*·\s*(?P<organisation>.*)$",
                                      re.IGNORECASE)
# the period a weekly or monthly listing's header names: "March 2025", "Mar 2025", "Week 10, 2025"
MONTH_NAMES = {"january", "february", "march", "april", "may", "june", "july", "august", "september",
               "october", "november", "december", "sept"}
PERIOD = re.compile(r"^(?:week\s+\d{1,2},?|(?P<month>[A-Za-z]{3,9})\.?)\s+(?P<year>(?:19|20)\d\d)$", re.IGNORECASE)
UPVOTES = re.compile(r"^(?:(?P<plain>\d{1,3}(?:,\d{3})+|\d+)|(?P<thousands>\d+(?:\.\d)?)[kK])$")
# Lines are split at line feeds and carriage returns only (not str.splitlines, which also splits
# at Unicode line separators inside a title); what XML 1.0 forbids, and those separators, are spaces.
LINE_BREAK = re.compile(r"\r\n|\r|\n")
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff\ud800-\udfff]")
SENTENCE_ENDS = (".", "!", "?", ")", '"', "'", "\u201d", "\u2019", "]")
# Where no metadata block says where an entry is, a title is a heading, not a paragraph.
MAX_TITLE_CHARS = 400
MIN_PARAGRAPH_CHARS = 100
MAX_COUNT_DIGITS = 9      # an upvote or author count longer than this is noise, not a number
FIRST_YEAR = 1900         # a paper dated before this, or after next year, is a misread date
HEADER_LINES = 12         # the listing's header is within its first lines


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
    listing_year: int | None = None  # the year a weekly or monthly listing's header names
    # (first, end) of each listing's entries: two captures saved into one file are dated apart
    sections: list[tuple[int, int]] = field(default_factory=list)
    header_lines: int = 0  # lines of the listing's chrome at the top

    def warn(self, line: int | None, message: str) -> None:
        self.warnings.append(CaptureWarning(self.path, line, message))

    def explicit_years(self, section: int = 0) -> list[int]:
        first, end = self.sections[section] if self.sections else (0, len(self.entries))
        return [e.year for e in self.entries[first:end] if e.year is not None]


def read_capture(path: Path, today: dt.date | None = None) -> Capture:
    """Parse one capture; raises CatalogueError when nothing usable is in it."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise CatalogueError(f"cannot read capture: {exc.strerror}", path) from None
    if not raw.strip():
        raise CatalogueError("capture is empty", path)
    cut = None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        if exc.end < len(raw) or exc.reason != "unexpected end of data":
            raise CatalogueError("capture is not UTF-8 text", path, line) from None
        text, cut = raw[: exc.start].decode("utf-8-sig"), line  # cut short in the middle of a character
    if "\x00" in text:
        raise CatalogueError("capture is binary, not text", path, text[: text.index("\x00")].count("\n") + 1)
    capture = parse_capture(text, path, today)
    if cut is not None:
        capture.warn(cut, "capture ends in the middle of a character: cut short?")
    if not capture.entries:
        raise CatalogueError("no recognisable paper in capture (expected a title line followed by an abstract)", path)
    if capture.header_lines < 2 and not any(e.author_count or e.organisation or e.month for e in capture.entries):
        # Any text alternates short and long lines: without the listing's header or one
        # paper's metadata block, nothing says this is a capture rather than, say, a README.
        raise CatalogueError("not a Daily Papers capture: no listing header (Subscribe, Daily Papers, ...) "
                             "and no paper metadata (• N authors · date)", path)
    return capture


def parse_capture(text: str, path: Path, today: dt.date | None = None) -> Capture:
    """Turn capture text into entries; a pure function of its input (and of `today`, which bounds
    a plausible year).

    An entry's structure decides what is what: the two lines above a metadata block are its
    title and abstract, whatever their length, and the line after its `·` is its date line,
    whether or not it can be read. A field that cannot be read is left empty with a warning
    naming the line; it never shifts the lines after it into other fields or papers.
    """
    capture = Capture(path)
    latest_year = (today or dt.date.today()).year + 1
    lines = [(n, clean) for n, ln in enumerate(LINE_BREAK.split(text), 1) if (clean := clean_line(ln))]
    start = _skip_chrome(lines, capture)
    # two captures saved into one file: each listing's header ends a section, skipped with a warning
    for end, after in _later_headers(lines, start):
        _read_section(lines[start:end], capture, latest_year)
        capture.warn(lines[end][0], "another listing's page header (two captures in one file?), skipped")
        start = after
    _read_section(lines[start:], capture, latest_year)
    capture.sections = [(first, end) for first, end in capture.sections if end > first] or [(0, 0)]
    if capture.entries and lines:
        _cut_short_at_the_end(capture.entries[-1], lines[-1][0], capture)
    return capture


def _cut_short_at_the_end(last: Entry, last_line: int, capture: Capture) -> None:
    """A listing without metadata blocks cut inside its last abstract leaves an abstract that stops
    mid-sentence, which ingest keeps (it may be how the abstract ends) but says so. (A cut inside
    a last date line, `Apr 29, 2024` to `Apr 2`, cannot be told from a date shown without a year.)"""
    if last.line < last_line and last.month is None and last.author_count is None \
            and last.organisation is None and not last.abstract.rstrip().endswith(SENTENCE_ENDS) \
            and "/" not in last.abstract.split()[-1]:  # an address ends many a whole abstract
        capture.warn(last.line, f"the abstract of {last.title[:60]!r} stops mid-sentence (truncated capture?); "
                                "kept as it is: ingest the whole capture, then empty the page's body to have it filled")


def _later_headers(lines: list[tuple[int, str]], start: int):
    """(where, end) of each later listing header: a run of header lines, with the capture date after
    it (two header lines, or one and the date): another capture saved after this one. A file
    without a final line end glues the next one's first line, `new`, to its last: taken off."""
    i = start
    while i < len(lines):
        j = i
        while j < len(lines) and lines[j][1].casefold() in CHROME:
            j += 1
        if j == i:  # not a header line: most lines of a capture
            i += 1
            continue
        m = DATE_LINE.match(lines[j][1]) if j < len(lines) else None
        dated = bool(m and m["month"].lower() in MONTHS and not m["upvotes"] and not _is_meta_start(lines, j + 1))
        if j - i >= 2 or dated:
            n, glued = lines[i - 1] if i else (0, "")
            if lines[i][1].casefold() != GLUED and glued.casefold().endswith(GLUED) and glued.casefold() != GLUED:
                lines[i - 1] = (n, glued[:-len(GLUED)].rstrip())
            yield i, j + 1 if dated else j
        i = j


def _read_section(lines: list[tuple[int, str]], capture: Capture, latest_year: int) -> None:
    """The papers of one listing, its header already skipped."""
    first = len(capture.entries)
    _read_listing(lines, capture, latest_year)
    capture.sections.append((first, len(capture.entries)))


def _read_listing(lines: list[tuple[int, str]], capture: Capture, latest_year: int) -> None:
    i = 0
    pending: list[tuple[int, str]] = []  # lines since the last metadata block
    with_block = 0  # papers read with their metadata block (in a listing that shows them, every paper has one)
    while i < len(lines):
        if not _is_meta_start(lines, i):
            pending.append(lines[i])
            i += 1
            continue
        if len(pending) >= 3 and not _abstract_paragraph(pending[-1][1]) \
                and _whole_paragraph(pending[-2][1]) and len(pending[-3][1]) <= MAX_TITLE_CHARS:
            # an abstract with a title above it, and under it a short line that ends no sentence:
            # a stray line ("Submitted by ..."), not the abstract
            capture.warn(pending[-1][0], f"line {pending[-1][1][:60]!r} is not part of a paper, skipped")
            pending.pop()
        if len(pending) >= 2:
            start = len(pending) - 1  # the abstract's first line: an abstract may have paragraphs
            while start >= 2 and len(pending[start - 1][1]) > MAX_TITLE_CHARS:  # too long for a title
                start -= 1
            _pairs(pending[:start - 1], capture)
            n, title = pending[start - 1]
            abstract = "\n\n".join(line for _, line in pending[start:])
            entry = Entry(title=title, abstract=abstract, line=n)
            _read_meta(lines, i, entry, capture, latest_year)
            capture.entries.append(entry)
            with_block += 1
        elif pending:
            n, title = pending[0]
            capture.warn(n, f"entry {title[:60]!r} has no abstract, skipped")
        else:
            capture.warn(lines[i][0], "metadata block without a paper above it, skipped")
        pending = []
        i = _skip_meta(lines, i)
    if len(pending) in (1, 2) and with_block:  # a paper without the block the papers above had: cut short
        n, title = pending[0]
        missing = "abstract" if len(pending) == 1 else "metadata block after it"
        capture.warn(n, f"entry {title[:60]!r} has no {missing} (truncated capture?), skipped")
    elif with_block:  # after papers with blocks: whole papers without theirs, and the page's footer
        _tail(pending, capture)
    else:
        _pairs(pending, capture, at_end=True)


def _abstract_paragraph(line: str) -> bool:
    """A line under an abstract that goes on with it: a paragraph, a sentence, or an address."""
    return len(line) >= MIN_PARAGRAPH_CHARS or line.endswith(SENTENCE_ENDS) or "/" in line.split()[-1]


def _whole_paragraph(line: str) -> bool:
    """An abstract, not a title: too long for one, or a paragraph's length that ends a sentence
    or with an address (`... available at https://github.com/...`)."""
    return len(line) > MAX_TITLE_CHARS or len(line) >= MIN_PARAGRAPH_CHARS and (
        line.endswith(SENTENCE_ENDS) or "/" in line.split()[-1])


def _tail(lines: list[tuple[int, str]], capture: Capture) -> None:
    """Lines after a listing's last metadata block: a title followed by an abstract-long line is a
    paper without its block; the rest (Previous, Next, the page's footer) are skipped, said once."""
    i, skipped = 0, []
    while i < len(lines):
        if i + 1 < len(lines) and len(lines[i][1]) <= MAX_TITLE_CHARS and len(lines[i + 1][1]) >= MIN_PARAGRAPH_CHARS:
            capture.entries.append(Entry(title=lines[i][1], abstract=lines[i + 1][1], line=lines[i][0]))
            i += 2
        else:
            skipped.append(lines[i])
            i += 1
    if skipped:
        n, first = skipped[0]
        capture.warn(n, f"{len(skipped)} line(s) after the last paper, from {first[:40]!r}, are not papers "
                        "(the page's footer?), skipped")


def clean_line(line: str) -> str:
    """One line of a capture as text: control characters and Unicode line or paragraph separators
    (which no title holds on purpose) become spaces, runs of spaces one space."""
    return " ".join(CONTROL.sub(" ", line).split())


def _pairs(lines: list[tuple[int, str]], capture: Capture, at_end: bool = False) -> None:
    """Entries without a metadata block: title and abstract lines in turn. A line too long to be a
    title where a title is expected is a stray paragraph, skipped; so is a last line alone."""
    i = 0
    while i < len(lines):
        n, title = lines[i]
        if len(title) > MAX_TITLE_CHARS:
            capture.warn(n, "paragraph where a title was expected, skipped")
            i += 1
            continue
        if i + 1 >= len(lines):
            why = f"entry {title[:60]!r} has no abstract (truncated capture?)" if at_end else \
                f"line {title[:60]!r} is not part of a paper"
            capture.warn(n, f"{why}, skipped")
            break
        abstract = lines[i + 1][1]
        after = len(lines[i + 2][1]) if i + 2 < len(lines) else 0
        if after > max(2 * len(abstract), MIN_PARAGRAPH_CHARS):
            # the line after the "abstract" is a paragraph, far longer than it: that line is the
            # abstract, the "abstract" its title, and this line a title without its abstract
            capture.warn(n, f"line {title[:60]!r} has no abstract after it, skipped")
            i += 1
            continue
        capture.entries.append(Entry(title=title, abstract=abstract, line=n))
        i += 2


def _skip_chrome(lines: list[tuple[int, str]], capture: Capture) -> int:
    """The listing's header: its known lines, and any stray line among them (up to the last known
    one near the top), then the capture date."""
    last = -1
    for i, (n, line) in enumerate(lines[:HEADER_LINES]):
        if line.casefold() in CHROME:
            last = i
        elif _is_meta_start(lines, i) or len(line) >= MIN_PARAGRAPH_CHARS:  # a paper: the header is over
            break
    end = capture.header_lines = last + 1
    for at in (end, end + 1) if end else ():  # the capture date, maybe after one stray line
        m = DATE_LINE.match(lines[at][1]) if at < len(lines) else None
        if m and m["month"].lower() in MONTHS and not m["upvotes"] and not _is_meta_start(lines, at + 1):
            capture.captured_on = (MONTHS[m["month"].lower()], int(m["day"]))
            end = at + 1
            break
    if end and end < len(lines) and _period(lines[end][1], capture) and not _is_meta_start(lines, end + 1):
        end += 1
    for n, line in lines[:end - 1 if capture.captured_on else end]:
        if line.casefold() not in CHROME and not _period(line, capture):
            capture.warn(n, f"unknown line {line[:60]!r} in the page header, skipped")
    return end


def _period(line: str, capture: Capture) -> bool:
    """A weekly or monthly listing's period ("March 2025"): its year is the year of its dates."""
    m = PERIOD.match(line)
    if not m or m["month"] and m["month"].lower() not in MONTH_NAMES and m["month"].lower() not in MONTHS:
        return False
    capture.listing_year = int(m["year"])
    return True


def _is_meta_start(lines: list[tuple[int, str]], i: int) -> bool:
    """A metadata block is `<who>`, `·`, `<date>`; the `·` line gives it away."""
    if i >= len(lines):
        return False
    if lines[i][1] == META_SEPARATOR or AUTHORS_LINE.match(lines[i][1]):
        return True
    return i + 1 < len(lines) and lines[i + 1][1] == META_SEPARATOR


def _date_line_at(lines: list[tuple[int, str]], i: int) -> bool:
    """Is the line after a block's `·` its date line? Yes if it reads as a date. If not, the lines
    up to the next block tell: a date line, then title and abstract (an odd count), or title and
    abstract alone (even: the date is missing, and this line is the next paper's title)."""
    if i >= len(lines):
        return False
    if DATE_LINE.match(lines[i][1]):
        return True
    j = i
    while j < len(lines) and not _is_meta_start(lines, j):
        j += 1
    return (j - i) % 2 == 1


def _skip_meta(lines: list[tuple[int, str]], i: int) -> int:
    if i < len(lines) and lines[i][1] != META_SEPARATOR:
        i += 1  # who
    if i < len(lines) and lines[i][1] == META_SEPARATOR:
        i += 1
        if _date_line_at(lines, i):
            i += 1
    return i


def _read_meta(lines: list[tuple[int, str]], i: int, entry: Entry, capture: Capture, latest_year: int) -> None:
    n, who = lines[i]
    if who != META_SEPARATOR:
        both = AUTHORS_AND_ORGANISATION.match(who)
        if both and AUTHORS_LINE.match(both["authors"]):
            # `• 6 authors · Google DeepMind`: both on one line, the organisation's name as shown
            who = both["authors"]
            entry.organisation = both["organisation"] or None
        authors = AUTHORS_LINE.match(who)
        count = authors["count"].replace(",", "") if authors else ""
        if authors and len(count) <= MAX_COUNT_DIGITS and int(count) > 0:
            entry.author_count = int(count)  # (a page's author_count is at least 1: see catalogue.reader)
        elif authors:
            capture.warn(n, "implausible author count; left empty")
        else:
            entry.organisation = _organisation(who)
        i += 1
    if i + 1 >= len(lines) or lines[i][1] != META_SEPARATOR or not _date_line_at(lines, i + 1):
        return
    n, date_text = lines[i + 1]
    m = DATE_LINE.match(date_text)
    if not m:
        capture.warn(n, f"unreadable date {date_text[:40]!r}; date left empty")
        return
    upvotes = _upvotes(m["upvotes"])
    if upvotes is not None and upvotes < 10 ** MAX_COUNT_DIGITS:
        entry.upvotes = upvotes
    elif m["upvotes"] and m["upvotes"] not in "-\u2013\u2014":  # a dash: none shown
        capture.warn(n, f"implausible upvote count {m['upvotes'][:20]!r}; upvotes left empty")
    month = MONTHS.get(m["month"].lower())
    day = int(m["day"])
    year = int(m["year"]) if m["year"] and len(m["year"]) <= 4 else None
    if m["year"] and (year is None or not FIRST_YEAR <= year <= latest_year):
        capture.warn(n, f"implausible year in {date_text[:40]!r}; date left empty")
        return
    if month is None or not _valid_day(year or 2000, month, day):  # 2000 is a leap year: Feb 29 stays valid
        capture.warn(n, f"impossible date {date_text[:40]!r}; date left empty")
        return
    entry.month, entry.day, entry.year, entry.date_line = month, day, year, n


def _upvotes(text: str | None) -> int | None:
    """`12`, `1,234` or `1.2k` as a number; None for anything else."""
    m = UPVOTES.match(text or "")
    if not m or len(text) > MAX_COUNT_DIGITS + 3:
        return None
    return int(m["plain"].replace(",", "")) if m["plain"] else round(float(m["thousands"]) * 1000)


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


def resolve_year(capture: Capture, year: int | None, today: dt.date, section: int = 0) -> tuple[int, str]:
    """The capture's own year, and how it was found (for the summary).

    A weekly or monthly listing names its period ("March 2025") in its header.
    A daily one prints a year only for earlier years, so a capture showing
    2024 at the latest was taken in 2025.
    """
    if year is not None:
        return year, "given"
    if capture.listing_year is not None and section == 0:  # (a later listing's header is not read)
        return capture.listing_year, "shown"
    years = capture.explicit_years(section)
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
