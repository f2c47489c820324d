"""Papers per month as a bar chart: the geometry is worked out here, the template draws it as
inline SVG (no chart library in the page) with the same numbers in a table.

Months with no papers between the first and the last are drawn as empty bars, so gaps show.
A span of more than MAX_MONTHS months is drawn per year instead: a catalogue of one month or
of twenty years still gives bars a reader can tell apart.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from generator.site.render import MONTH_NAMES

if TYPE_CHECKING:
    from generator.catalogue.paper import Paper

MAX_MONTHS = 72
CHAR = 10         # about how wide a character of an axis label is, at most, in the drawing's units (16px text)
WIDTH, HEIGHT, TOP, BOTTOM = 480, 150, 18, 24  # the drawing's box; bars sit between TOP and HEIGHT - BOTTOM


@dataclass(frozen=True)
class Bar:
    label: str      # "Mar 2024" or "2024"
    count: int
    url: str        # the date page the table links it to, relative to the site root
    x: float
    y: float
    width: float
    height: float
    tick: str       # the axis label under it, or "" where labels would crowd
    anchor: str     # how the label aligns to the bar, so that none is cut at either edge


@dataclass(frozen=True)
class Chart:
    title: str
    bars: tuple[Bar, ...]
    width: int
    height: int
    peak: int
    baseline: float
    by: str         # "month" or "year"

    @property
    def total(self) -> int:
        return sum(bar.count for bar in self.bars)


def papers_per_month(papers: list[Paper], subject: str = "") -> Chart | None:
    """The chart of these papers' months, titled "Papers per month<subject>" (per year over a long
    span); None when no paper has a month."""
    counts: dict[tuple[int, int], int] = {}
    for paper in papers:
        if paper.month is not None:
            counts[paper.month] = counts.get(paper.month, 0) + 1
    if not counts:
        return None
    first, last = min(counts), max(counts)
    span = (last[0] - first[0]) * 12 + last[1] - first[1] + 1
    if span > MAX_MONTHS:
        years: dict[int, int] = {}
        for (year, _), n in counts.items():
            years[year] = years.get(year, 0) + n
        slots = [(str(year), years.get(year, 0), f"dates/{year}/") for year in range(first[0], last[0] + 1)]
        by = "year"
    else:
        slots = []
        year, month = first
        for _ in range(span):
            slots.append((f"{MONTH_NAMES[month - 1][:3]} {year}", counts.get((year, month), 0),
                          f"dates/{year}/{month:02d}/"))
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        by = "month"
    peak = max(n for _, n, _ in slots)
    step = WIDTH / len(slots)
    # labels side by side, a gap between: centred ones a label's width apart; but one starting at its
    # bar (near the left edge, see `anchor`) reaches a label's width right of the bar, and the centred
    # one after it half a width left of its own bar's middle (and the same at the right edge)
    label = CHAR * max(len(label) for label, _, _ in slots)
    apart = max(label + CHAR, 1.5 * label + CHAR - 0.4 * step)
    every = next((k for k in range(1, len(slots)) if k * step >= apart), len(slots))
    floor = HEIGHT - BOTTOM
    bars = []
    for i, (label, n, url) in enumerate(slots):
        height = (floor - TOP) * n / peak
        x = i * step + step * 0.1
        anchor = "start" if x < WIDTH * 0.15 else "end" if x > WIDTH * 0.85 else "middle"
        bars.append(Bar(label, n, url, round(x, 2), round(floor - height, 2), round(step * 0.8, 2), round(height, 2),
                        label if i % every == 0 else "", anchor))
    return Chart(f"Papers per {by}{subject}", tuple(bars), WIDTH, HEIGHT, peak, floor, by)
