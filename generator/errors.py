"""Errors a user can act on: each prints as one line naming the file (and line)."""

from __future__ import annotations

from pathlib import Path


class CatalogueError(Exception):
    """A problem with the user's input, reported without a traceback."""

    def __init__(self, message: str, path: Path | str | None = None, line: int | None = None):
        super().__init__(message)
        self.message = message
        self.path = path
        self.line = line

    def __reduce__(self):
        """Keep file and line when the error crosses from a worker process."""
        return (type(self), (self.message, self.path, self.line))

    def __str__(self) -> str:
        where = ""
        if self.path is not None:
            where = str(self.path)
            if self.line is not None:
                where += f":{self.line}"
            where += ": "
        return where + self.message
