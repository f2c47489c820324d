"""Progress of long work on a terminal: one line that rewrites itself (`rendering 4,000/12,000 pages`),
cleared when the step ends. Off unless the command turns it on (on a terminal, without --quiet), so
logs and pipes get only the usual line-based output."""

from __future__ import annotations

import sys
import time

_enabled = False
MIN_INTERVAL = 0.1  # seconds between redraws


def enable(on: bool) -> None:
    global _enabled
    _enabled = on


class Progress:
    """`update(done)` as work completes; `close()` clears the line. Does nothing when progress is off."""

    def __init__(self, label: str, total: int, unit: str):
        self.label, self.total, self.unit = label, total, unit
        self.on = _enabled and total > 0
        self.last = 0.0

    def update(self, done: int) -> None:
        now = time.monotonic()
        if self.on and (now - self.last >= MIN_INTERVAL or done >= self.total):
            self.last = now
            sys.stderr.write(f"\r\x1b[2K{self.label} {done:,}/{self.total:,} {self.unit}")
            sys.stderr.flush()

    def close(self) -> None:
        if self.on:
            sys.stderr.write("\r\x1b[2K")
            sys.stderr.flush()
