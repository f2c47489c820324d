"""Run a function over slices of a list on every core, with the same result as one process.

Workers are forked, so they share the parent's read-only state (catalogue,
templates) without pickling it; only the slice bounds go in and each slice's
result comes back. Small jobs run inline: a pool costs more than it saves.
"""

from __future__ import annotations

import os
import signal
from typing import Any, Callable, Sequence

from generator.utils.progress import Progress

MIN_ITEMS = 800
_JOB: tuple[Callable, Sequence, Any] | None = None


def workers() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


class Chunked:
    """`fn(items[a:b], state)` for consecutive slices; `results()` gives them in order."""

    def __init__(self, fn: Callable[[Sequence, Any], Any], items: Sequence, state: Any, progress: str | None = None):
        """`progress`: what the items are ("rendering pages"), shown as they complete on a terminal."""
        self.fn, self.items, self.state, self.progress = fn, items, state, progress
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
            self.pool = multiprocessing.get_context("fork").Pool(count, initializer=_quiet_worker)
            self.bounds = bounds
            self.pending = self.pool.imap(_run_slice, bounds, chunksize=1)
            _JOB = None  # the workers hold their own copy

    def results(self) -> list:
        if self.pool is None:
            return [self.fn(self.items, self.state)]
        label, _, unit = (self.progress or "working on items").rpartition(" ")
        shown = Progress(label, len(self.items), unit)
        results = []
        try:
            for (_, end), result in zip(self.bounds, self.pending):
                results.append(result)
                shown.update(end)
            return results
        finally:
            shown.close()
            self.pool.close()
            self.pool.join()

    def cancel(self) -> None:
        if self.pool is not None:
            self.pool.terminate()
            self.pool.join()


def _quiet_worker() -> None:
    """A worker ends quietly when its build is stopped: Ctrl-C reaches the whole process group, and
    the parent, which handles it, ends the workers; a worker whose parent was killed meets a closed
    pipe and exits as a Unix tool does, not with a BrokenPipeError traceback."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    _end_with_parent()


def _end_with_parent() -> None:
    """A worker whose parent is killed would wait for work forever: have Linux end it too."""
    parent = os.getppid()
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:  # the parent died before the call
        os._exit(0)


def _run_slice(bounds: tuple[int, int]) -> Any:
    fn, items, state = _JOB
    return fn(items[bounds[0]:bounds[1]], state)
