"""Work that may finish after the command returns: removing the previous site, saving the build state.

A double fork, so the worker is nobody's zombie; its output goes to /dev/null, so a caller
reading the command's output does not wait for it. If its process dies, the next build
copes (a leftover folder is cleared; a missing state means a full build).
"""

from __future__ import annotations

import os
from typing import Callable


def detached(work: Callable[[], None]) -> bool:
    """Run `work` in a detached process; False if none could be started (run it yourself)."""
    try:
        child = os.fork()
    except OSError:
        return False
    if child:
        os.waitpid(child, 0)
        return True
    try:
        if os.fork() == 0:
            os.setsid()
            devnull = os.open(os.devnull, os.O_RDWR)
            for fd in (0, 1, 2):
                os.dup2(devnull, fd)
            work()
    finally:
        os._exit(0)
