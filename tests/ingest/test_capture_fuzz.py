"""Odd captures: the real captures mutated one defect at a time, as a careless save or a changed page
layout would. Whatever the defect, reading never fails with anything but a line naming the file,
and every paper the defect does not touch gets through with the same title, abstract and date."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from conftest import seed_paths

from generator.ingest.capture import entry_date, parse_capture, resolve_year

TODAY = dt.date(2026, 11, 30)
MUTANTS_PER_KIND = 12  # per seed: 3 seeds x 12 kinds x 12 = 432 captures, under a second to read


def _lines(path):
    return path.read_text(encoding="utf-8").split("\n")


def _date_lines(lines):
    return [i for i, line in enumerate(lines) if i and lines[i - 1].strip() == "·"]


def _title_lines(lines, capture):
    return [e.line - 1 for e in capture.entries]


# Each kind: (lines, rng, titles, dates) -> (mutated lines, the line index it touched)
def _bad_date(lines, rng, titles, dates):
    i = rng.choice(dates)
    lines[i] = rng.choice(["Yesterday-ish", "???", "Jnu 45", "31/12/2024", "Jun 6, 20222", "Jun 6, 99999 3",
                           "Jun 6, 0001", "Feb 30, 2024 5", "Sept 6 " + "9" * 50, "Jun", "—"])
    return lines, i


def _far_future_year(lines, rng, titles, dates):
    i = rng.choice(dates)
    lines[i] = "Jun 6, 9999 2"
    return lines, i


def _long_upvotes(lines, rng, titles, dates):
    i = rng.choice(dates)
    lines[i] = "Jul 19 " + "7" * rng.choice([10, 400, 5000])
    return lines, i


def _junk_in_header(lines, rng, titles, dates):
    i = rng.randrange(1, titles[0])
    lines.insert(i, rng.choice(["Trending", "x", "Sign in", "3 papers", "· · ·"]))
    return lines, i


def _line_separator_in_title(lines, rng, titles, dates):
    i = rng.choice(titles)
    cut = rng.randrange(1, len(lines[i]))
    lines[i] = lines[i][:cut] + rng.choice(["\u2028", "\u2029", "\x0b", "\x0c", "\x1c", "\x85"]) + lines[i][cut:]
    return lines, i


def _control_character_in_title(lines, rng, titles, dates):
    i = rng.choice(titles)
    lines[i] = lines[i] + rng.choice(["\x01", "\x08", "\x1f", "\x7f", "\ufffe"])
    return lines, i


def _very_long_title(lines, rng, titles, dates):
    i = rng.choice(titles)
    lines[i] = (lines[i] + " ") * (420 // len(lines[i]) + 1)
    return lines, i


def _line_deleted(lines, rng, titles, dates):
    i = rng.randrange(titles[0], len(lines))
    del lines[i]
    return lines, i


def _line_duplicated(lines, rng, titles, dates):
    i = rng.randrange(titles[0], len(lines))
    lines.insert(i, lines[i])
    return lines, i


def _junk_line_inserted(lines, rng, titles, dates):
    i = rng.randrange(titles[0], len(lines))
    lines.insert(i, rng.choice(["Show more", "·", "  • 3 authors", "nvidia NVIDIA", "Oct 27", "\t"]))
    return lines, i


def _truncated(lines, rng, titles, dates):
    i = rng.randrange(titles[0] + 1, len(lines))
    cut = rng.randrange(0, max(1, len(lines[i])))
    return lines[:i] + [lines[i][:cut]], i


def _windows_line_ends(lines, rng, titles, dates):
    return [line + "\r" for line in lines], None


DATE_KINDS = (_bad_date, _far_future_year, _long_upvotes)
KINDS = [_bad_date, _far_future_year, _long_upvotes, _junk_in_header, _line_separator_in_title,
         _control_character_in_title, _very_long_title, _line_deleted, _line_duplicated, _junk_line_inserted,
         _truncated, _windows_line_ends]


def _papers(capture, year):
    return {(e.title, e.abstract): (entry_date(e, year), e.upvotes) for e in capture.entries}


def _mutants():
    for path in seed_paths():
        dated = bool(_date_lines(_lines(path)))
        for kind in KINDS if dated else [k for k in KINDS if k not in DATE_KINDS]:
            for n in range(MUTANTS_PER_KIND):
                yield pytest.param(path, kind, n, id=f"{path.stem[:3]}-{kind.__name__[1:]}-{n}")


@pytest.mark.parametrize("path,kind,n", list(_mutants()))
def test_a_defect_in_a_capture_loses_at_most_the_paper_it_touches(path, kind, n):
    lines = _lines(path)
    original = parse_capture("\n".join(lines), path, TODAY)
    titles, dates = _title_lines(lines, original), _date_lines(lines)
    rng = random.Random(f"{path.name}-{kind.__name__}-{n}")
    mutated, at = kind(list(lines), rng, titles, dates)
    capture = parse_capture("\n".join(mutated), path, TODAY)  # never raises

    for warning in capture.warnings:
        assert str(warning).startswith(f"{path}:"), warning
    # Which original paper the defect touched: the one whose lines hold it (and the one before).
    starts = [line for line in titles] + [len(lines)]
    touched = {k for k, (a, b) in enumerate(zip(starts, starts[1:])) if at is not None and a - 1 <= at < b + 1}
    touched |= {k - 1 for k in touched}
    year, _ = resolve_year(original, None, TODAY)  # what the rest of the capture shows may change it
    before, after = _papers(original, year), _papers(capture, year)
    kept = [key for k, key in enumerate(before) if k not in touched]
    if kind is _truncated:
        kept = [key for k, key in enumerate(before) if starts[k + 1] < at - 1]
    lost = [key[0][:60] for key in kept if key not in after]
    changed = [key[0][:60] for key in kept if key in after and after[key] != before[key]]
    assert not lost, f"papers lost: {lost}"
    assert not changed, f"papers whose date or upvotes changed: {changed}"


def test_a_line_separator_inside_a_title_is_a_space_not_a_new_paper():
    path = seed_paths()[0]
    lines = _lines(path)
    original = parse_capture("\n".join(lines), path, TODAY)
    entry = original.entries[3]
    title_at = entry.line - 1
    lines[title_at] = lines[title_at].replace(" ", "\u2028", 1)
    capture = parse_capture("\n".join(lines), path, TODAY)
    assert len(capture.entries) == len(original.entries)
    assert capture.entries[3].title == entry.title and capture.entries[3].abstract == entry.abstract


def test_a_far_future_year_leaves_that_date_empty_and_every_yearless_date_readable():
    path = seed_paths()[0]
    lines = _lines(path)
    original = parse_capture("\n".join(lines), path, TODAY)
    at = _date_lines(lines)[0]
    lines[at] = "Jun 6, 9999"
    capture = parse_capture("\n".join(lines), path, TODAY)
    assert resolve_year(capture, None, TODAY) == resolve_year(original, None, TODAY)
    assert any(w.line == at + 1 and "implausible year" in w.message for w in capture.warnings)
    assert sum(e.month is not None for e in capture.entries) == sum(e.month is not None for e in original.entries) - 1


def test_a_count_of_zero_authors_is_left_empty_with_a_warning_not_written_to_the_page():
    """A page's author_count is at least 1 (catalogue.reader refuses 0), so ingest must not write 0."""
    path = seed_paths()[0]
    lines = _lines(path)
    original = parse_capture("\n".join(lines), path, TODAY)
    entry = next(e for e in original.entries if e.author_count)
    at = next(i for i in range(entry.line, len(lines)) if lines[i].strip().endswith("authors"))
    lines[at] = lines[at].replace(str(entry.author_count), "0")
    capture = parse_capture("\n".join(lines), path, TODAY)
    changed = next(e for e in capture.entries if e.title == entry.title)
    assert changed.author_count is None and changed.abstract == entry.abstract
    assert any(w.line == at + 1 and "implausible author count" in w.message for w in capture.warnings)


def test_a_title_longer_than_a_paragraph_is_still_the_title_when_a_metadata_block_follows():
    path = seed_paths()[0]
    lines = _lines(path)
    original = parse_capture("\n".join(lines), path, TODAY)
    title_at = original.entries[0].line - 1
    lines[title_at] = "Long " * 120
    capture = parse_capture("\n".join(lines), path, TODAY)
    assert len(capture.entries) == len(original.entries)
    assert capture.entries[0].title == ("Long " * 120).strip()
    assert capture.entries[0].upvotes == original.entries[0].upvotes
