"""Which pages changed since the last build: each page gets a key made of what its template is given.

A paper stands in a key for its digest (everything a page can show of it) and
its newer and older neighbours' digests (templates reach them through the
paper); lists, dicts and dataclasses (topics, pagers) for their parts. Two
builds give a page the same key only if its template was given the same data,
so an unchanged key means an unchanged page, given the same templates and
settings (a change to those rebuilds every page: see build.py).
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from generator.catalogue import Paper
from generator.routes import Route

_PLAIN = frozenset({str, int, float, bool, type(None), dt.date})
_FIELDS: dict[type, tuple[str, ...]] = {}


def route_keys(routes: list[Route], papers: list[Paper]) -> dict[str, tuple]:
    """Each page's key: its template and the fingerprint of its context."""
    memo: dict[int, object] = {}  # by id: the contexts share lists and topic entries
    of_paper = {p: (p.digest, p.newer.digest if p.newer else None, p.older.digest if p.older else None)
                for p in papers}

    def fingerprint(value: object) -> object:
        kind = type(value)
        if kind in _PLAIN:
            return value
        found = memo.get(id(value))
        if found is not None:
            return found
        if kind is Paper:
            found = of_paper.get(value) or (value.digest, value.newer and value.newer.digest,
                                            value.older and value.older.digest)
        elif kind is list or kind is tuple:
            try:  # most lists are lists of papers: looked up in one go
                found = tuple(map(of_paper.__getitem__, value))
            except (KeyError, TypeError):
                found = tuple(map(fingerprint, value))
        elif kind is dict:
            found = tuple((k, fingerprint(v)) for k, v in value.items())
        elif dataclasses.is_dataclass(value):
            names = _FIELDS.get(kind) or _FIELDS.setdefault(kind, tuple(f.name for f in dataclasses.fields(value)))
            found = (kind.__name__, *(fingerprint(getattr(value, name)) for name in names))
        elif isinstance(value, (str, int, float, dt.date)):  # their subclasses (datetime, enums)
            found = (kind.__name__, repr(value))
        else:
            raise TypeError(f"a page's context holds a {kind.__name__}, which render_keys cannot fingerprint")
        memo[id(value)] = found
        return found

    keys = {route.path: (route.template, fingerprint(route.context)) for route in routes}
    memo.clear()
    return keys
