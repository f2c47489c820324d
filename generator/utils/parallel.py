"""Run a function over slices of a list on every core, with the same result as one process.

Workers are forked, so they share the parent's read-only state (catalogue,
templates) without pickling it; only the slice bounds go in and each slice's
result comes back. Small jobs run inline: a pool costs more than it saves.
"""

from __future__ import annotations

import os
from typing import Any, Callable, Sequence

MIN_ITEMS = 800
_JOB: tuple[Callable, Sequence, Any] | None = None


def workers() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


class Chunked:
    """`fn(items[a:b], state)` for consecutive slices; `results()` gives them in order."""

    def __init__(self, fn: Callable[[Sequence, Any], Any], items: Sequence, state: Any):
        self.fn, self.items, self.state = fn, items, state
        self.pool = None
        count = workers()
        if len(items) >= MIN_ITEMS and count > 1:
            import multiprocessing  # here, not above: an edit build never starts a pool

            if "fork" not in multiprocessing.get_all_start_methods():
                return
            global _JOB
            _JOB = (fn, items, state)
            size = -(-len(items) // (count * 4))
            bounds = [(start, min(start + size, len(items))) for start in range(0, len(items), size)]
            self.pool = multiprocessing.get_context("fork").Pool(count)
            self.pending = self.pool.map_async(_run_slice, bounds, chunksize=1)
            _JOB = None  # the workers hold their own copy

    def results(self) -> list:
        if self.pool is None:
            return [self.fn(self.items, self.state)]
        try:
            return self.pending.get()
        finally:
            self.pool.close()
            self.pool.join()

    def cancel(self) -> None:
        if self.pool is not None:
            self.pool.terminate()
            self.pool.join()


def _run_slice(bounds: tuple[int, int]) -> Any:
    fn, items, state = _JOB
    return fn(items[bounds[0]:bounds[1]], state)
