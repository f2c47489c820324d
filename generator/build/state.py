"""What a build keeps for the next one, so that an edit costs the pages and shards it touches.

- the papers read (a page unchanged on disk is not read again),
- the search files' state (search.shards: an edit rewrites only the shards it touches),
- the plan (incremental.Plan): the catalogue, the key of every page written (render_keys:
  a page whose key is unchanged is not rendered) and which pages show which paper, so that
  an edit that moves no paper is not planned again,
- what it was built with (settings, templates, the generator's code) and the output folder's
  signature after writing, so that anything else that changed means a full build.

`build` keeps it in the user's cache folder (freshness.private_cache_dir), never inside the
project or the site; `serve` keeps it in memory.
"""

from __future__ import annotations

import fcntl
import mmap
import os
import pickle
import shutil
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from generator.build.freshness import STATE_FILE  # (named there, where a no-op build can see it)
from generator.build.incremental import Plan
from generator.catalogue.paper import Paper
from generator.catalogue.reader import PaperCache
from generator.search.shards import SearchFiles
from generator.utils.background import detached
from generator.utils.packed import Packed


@dataclass
class BuildState:
    papers: PaperCache = field(default_factory=PaperCache)
    search: SearchFiles | None = None
    order: list[Paper] = field(default_factory=list)       # the papers as numbered in the search index
    made_with: str = ""                                     # settings, templates and code signature
    output: str | None = None                               # freshness.output_signature after writing
    plan: Plan | None = None                                # the last build's pages and their keys

    def matches(self, made_with: str, output: str | None) -> bool:
        """Was the site in the output folder written by the build this state describes?"""
        return self.plan is not None and self.search is not None and self.made_with == made_with \
            and output is not None and self.output == output

    def prepare(self) -> None:
        """Work out now what only the next edit needs (which pages show which paper), so that a
        long-lived process has it ready; a saved state has it already (see Plan.__getstate__)."""
        if self.plan is not None:
            self.plan.shown  # noqa: B018

    def forget_site(self) -> None:
        """After a failed build: the papers read stay useful; the record of the site does not."""
        self.plan, self.search, self.order, self.made_with, self.output = None, None, [], "", None

    def save(self, path: Path, version: str, background: bool = False) -> None:
        """Written whole or not at all, under an exclusive lock that `load` waits for. In the
        background, the command returns as soon as the site is written; the lock is taken before
        the worker starts and held until the state is on disk, so the next build reads this state."""
        path.parent.mkdir(parents=True, exist_ok=True)
        lock = os.open(_lock_path(path), os.O_RDWR | os.O_CREAT, 0o600)
        fcntl.flock(lock, fcntl.LOCK_EX)

        def write() -> None:
            try:
                for _, paper in self.papers.papers.values():
                    paper.pack()  # so that the next build unpacks only the papers it renders
                pack = path.with_name(f"{path.name}.{os.getpid()}-{time.time_ns()}.pack")
                tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
                with open(tmp, "wb") as fh, open(pack, "wb") as packed:
                    pickle.dump((version, pack.name), fh, protocol=pickle.HIGHEST_PROTOCOL)
                    _StatePickler(fh, packed).dump(self)
                    for written in (packed, fh):  # on disk before the rename: a crash must not leave
                        written.flush()           # a renamed pickle over a pack of zeros
                        os.fsync(written.fileno())
                os.replace(tmp, path)
                _writing_mark(path).unlink(missing_ok=True)
                for old in path.parent.glob(f"{path.name}.*.pack"):  # a reader still mapping one keeps it
                    if old != pack:
                        old.unlink(missing_ok=True)
                for old in path.parent.glob(f"{path.name}.*.tmp"):  # a saver killed midway left it (we hold the lock)
                    if old != tmp:
                        old.unlink(missing_ok=True)
            finally:
                os.close(lock)

        if background and detached(write):
            os.close(lock)  # the worker holds the lock through its own copy
        else:
            write()

    @staticmethod
    def distrust(path: Path) -> None:
        """Before writing into the site: until the next state is saved, the kept one does not
        describe the site (a build stopped while writing leaves the site part new, part old)."""
        _writing_mark(path).touch()

    @staticmethod
    def discard(path: Path) -> None:
        """Remove the folder a state is kept in (a preview's, whose site is gone), once a saver
        still writing it (in the background) is done."""
        try:
            lock = os.open(_lock_path(path), os.O_RDONLY)
        except OSError:
            lock = None
        if lock is not None:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX)
            finally:
                os.close(lock)
        shutil.rmtree(path.parent, ignore_errors=True)

    @classmethod
    def load(cls, path: Path, version: str) -> BuildState:
        """The state a previous build kept, if the same generator wrote it; else an empty one.
        (Our own file in the user's cache folder; anything unreadable just means a full build.)"""
        try:
            lock = os.open(_lock_path(path), os.O_RDONLY)
        except OSError:
            return cls()
        try:
            fcntl.flock(lock, fcntl.LOCK_SH)
            if _writing_mark(path).exists():  # a build was stopped while writing: the site is not this state's
                return cls()
            with open(path, "rb") as fh:
                written_by, pack = pickle.load(fh)
                if written_by != version:
                    return cls()
                state = _StateUnpickler(fh, path.with_name(pack)).load()
        except Exception:  # noqa: BLE001 - a state that cannot be read is a cache miss, nothing more
            return cls()
        finally:
            os.close(lock)
        return state if isinstance(state, cls) else cls()


_new = object.__new__
ARRAY_BYTES = 1 << 16  # a numpy array this large goes to the pack, mapped back rather than copied
ALIGN = 64             # where an array starts in the pack: a cache line, as numpy's own allocations


class _StatePickler(pickle.Pickler):
    """The state into one file; the bytes of its Packed values and of its large numpy arrays (the
    nearness's, tens of megabytes that an edit reads only in part) into the pack beside it."""

    def __init__(self, file, pack):
        super().__init__(file, protocol=pickle.HIGHEST_PROTOCOL)
        self.pack = pack
        numpy = sys.modules.get("numpy")  # a state without arrays never needs it
        self.ndarray = numpy.ndarray if numpy is not None else ()

    def persistent_id(self, value: object):
        if type(value) is Packed:
            offset = self.pack.tell()
            self.pack.write(value.data)
            return offset, offset + len(value.data)
        if isinstance(value, self.ndarray) and value.nbytes >= ARRAY_BYTES and not value.dtype.hasobject:
            self.pack.write(bytes(-self.pack.tell() % ALIGN))
            offset = self.pack.tell()
            self.pack.write((value if value.flags.c_contiguous else value.copy()).data.cast("B"))
            return offset, value.nbytes, value.dtype.str, value.shape
        return None


class _StateUnpickler(pickle.Unpickler):
    """Packed values and large arrays as views of the mapped pack: their bytes are read when a
    value is loaded, or an array's pages when they are used (arrays read-only, as build-kept
    arrays already are: utils.spill)."""

    def __init__(self, file, pack: Path):
        super().__init__(file)
        with open(pack, "rb") as fh:
            size = os.fstat(fh.fileno()).st_size
            self.pack = memoryview(mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) if size else b"")

    def persistent_load(self, pid: tuple):
        if len(pid) == 2:  # a Packed value, one per paper kept: made without another call
            packed = _new(Packed)
            packed.data = self.pack[pid[0]:pid[1]]
            return packed
        import numpy as np

        offset, length, dtype, shape = pid
        return np.frombuffer(self.pack[offset:offset + length], dtype=dtype).reshape(shape)


def _lock_path(path: Path) -> Path:
    return path.with_name(f"{path.name}.lock")


def _writing_mark(path: Path) -> Path:
    return path.with_name(f"{path.name}.writing")
