"""Values a build keeps for the next one but rarely looks at again (a paper's body and word
analysis, a long term's postings, every page's key): kept pickled, and in a saved state their
bytes live in a pack file beside it (build.state), mapped rather than read. Loading a state then
costs what the next build uses, not tens of megabytes copied for nothing."""

from __future__ import annotations

import pickle


class Packed:
    """A value kept pickled; `load()` gives it back. Its bytes are bytes, or a view of a pack file."""

    __slots__ = ("data",)

    def __init__(self, value: object):
        self.data: bytes | memoryview = pickle.dumps(value, pickle.HIGHEST_PROTOCOL)

    def load(self) -> object:
        return pickle.loads(self.data)

    @classmethod
    def of_bytes(cls, data: bytes | memoryview) -> Packed:
        packed = cls.__new__(cls)
        packed.data = data
        return packed

    def __reduce__(self):
        """Pickled anywhere but into a state file (say, to a worker process): its bytes go along."""
        return Packed.of_bytes, (bytes(self.data),)
