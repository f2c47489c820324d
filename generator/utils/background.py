"""Work that may finish after the command returns: removing the previous site, saving the build state.

The worker is a forked child in its own session, its output going to /dev/null, so a caller
reading the command's output does not wait for it. The command does not wait for it either:
when the command exits the worker is adopted and reaped by the system, and a long-lived
caller reaps its finished workers at its next call. If a worker dies, the next build copes
(a leftover folder is cleared; a missing state means a full build).
"""

from __future__ import annotations

import os
from typing import Callable

_running: list[int] = []  # our workers not yet reaped


def detached(work: Callable[[], None]) -> bool:
    """Run `work` in a detached process; False if none could be started (run it yourself)."""
    _reap()
    try:
        child = os.fork()
    except OSError:
        return False
    if child:
        _running.append(child)
        return True
    try:
        os.setsid()
        devnull = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1, 2):
            os.dup2(devnull, fd)
        work()
    finally:
        os._exit(0)


def _reap() -> None:
    """Collect the workers that have finished (only ours: never another part's children)."""
    for pid in list(_running):
        try:
            done, _ = os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            done = pid
        if done:
            _running.remove(pid)


def alive(pid: int) -> bool:
    """Is that process still running? (Its leftovers are then not ours to remove.)"""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
