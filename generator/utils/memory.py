"""Give freed memory back to the system between the stages of a large build.

Python's own allocator keeps small objects in arenas of its own, so memory that C's allocator
got back from thousands of freed numpy arrays or pickles is not reused by the next stage; until
it is returned, the process holds it as if it were still in use. glibc can return it
(malloc_trim); elsewhere this does nothing.
"""

from __future__ import annotations

import ctypes


def release_free_memory() -> None:
    """Return the C heap's free pages to the system (glibc's malloc_trim), if the C library can."""
    try:
        trim = ctypes.CDLL(None).malloc_trim  # the C library the interpreter runs on
    except (OSError, AttributeError):
        return
    trim.argtypes = [ctypes.c_size_t]
    trim(0)
