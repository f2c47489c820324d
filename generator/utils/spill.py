"""Arrays a build keeps only for the next one, moved out of the process's memory into a file.

The file has no name (it is gone when the last mapping of it goes, even if the build is killed)
and is mapped back read-only: the system keeps its pages in its file cache and may drop them
under pressure, where the same arrays on the heap would count against the build all the way
through rendering.
"""

from __future__ import annotations

import mmap
import tempfile
from pathlib import Path

ALIGN = 64  # each array starts on a cache line, as numpy's own allocations do


def spill(arrays: list, folder: Path) -> list:
    """Read-only arrays equal to `arrays` (numpy), their bytes in one unnamed file in `folder`."""
    import numpy as np

    arrays = [np.ascontiguousarray(a) for a in arrays]
    total = sum(-(-a.nbytes // ALIGN) * ALIGN for a in arrays)
    if not total:
        return arrays
    folder.mkdir(parents=True, exist_ok=True)
    offsets = []
    with tempfile.TemporaryFile(dir=folder) as fh:
        for a in arrays:
            offsets.append(fh.tell())
            fh.write(a.data.cast("B"))
            fh.write(bytes(-a.nbytes % ALIGN))
        fh.flush()
        mapped = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)  # the mapping outlives the descriptor
    return [np.frombuffer(mapped, dtype=a.dtype, count=a.size, offset=at).reshape(a.shape)
            for a, at in zip(arrays, offsets)]
