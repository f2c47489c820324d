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

_PLAIN = (str, int, float, bool, type(None), dt.date)


def route_keys(routes: list[Route]) -> dict[str, tuple]:
    memo: dict[int, tuple] = {}
    return {route.path: (route.template, _fingerprint(route.context, memo)) for route in routes}


def _fingerprint(value: object, memo: dict[int, tuple]) -> object:
    if isinstance(value, _PLAIN):
        return value
    if isinstance(value, Paper):
        newer, older = value.newer, value.older
        return value.digest, newer.digest if newer else None, older.digest if older else None
    if isinstance(value, (list, tuple)):
        return tuple(_fingerprint(v, memo) for v in value)
    if isinstance(value, dict):
        return tuple((k, _fingerprint(v, memo)) for k, v in value.items())
    if dataclasses.is_dataclass(value):
        found = memo.get(id(value))
        if found is None:
            found = memo[id(value)] = (type(value).__name__, *(
                _fingerprint(getattr(value, f.name), memo) for f in dataclasses.fields(value)))
        return found
    raise TypeError(f"a page's context holds a {type(value).__name__}, which render_keys cannot fingerprint")
