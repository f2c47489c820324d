"""Which pages changed since the last build: each page gets a key made of what its template is given.

A paper stands in a key for its digest (everything a page can show of it) and
its newer and older neighbours' digests (templates reach them through the
paper); lists, dicts and dataclasses (topics, pagers) for their parts. Two
builds give a page the same key only if its template was given the same data,
so an unchanged key means an unchanged page, given the same templates and
settings (a change to those rebuilds every page: see build/freshness.py).
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from generator.catalogue.paper import Paper
from generator.site.routes import Route

_PLAIN = frozenset({str, int, float, bool, type(None), dt.date})
_FIELDS: dict[type, tuple[str, ...]] = {}


class _PaperKeys(dict):
    """A paper -> its digest and its neighbours' digests, worked out on first use."""

    def __missing__(self, paper: Paper) -> tuple:
        if type(paper) is not Paper:
            raise KeyError(paper)
        found = self[paper] = (paper.digest, paper.newer.digest if paper.newer else None,
                               paper.older.digest if paper.older else None)
        return found


def route_keys(routes: list[Route]) -> dict[str, tuple]:
    """Each page's key: its template and the fingerprint of its context."""
    memo: dict[int, object] = {}  # by id: the contexts share lists and topic entries
    of_paper = _PaperKeys()

    def fingerprint(value: object) -> object:
        kind = type(value)
        if kind in _PLAIN:
            return value
        found = memo.get(id(value))
        if found is not None:
            return found
        if kind is Paper:
            found = of_paper[value]
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


def papers_shown(keys: dict[str, tuple | None], digests: set[str]) -> dict[str, set[str]]:
    """Paper digest -> the pages whose key holds it: the pages an edit to that paper may change
    (it, the pages that list it or link to it, its neighbours' pages). Unknown keys (None) hold none."""
    memo: dict[int, set[str]] = {}  # long tuples that keys share (a topic's papers): searched once
    shown: dict[str, set[str]] = {}
    for path, key in keys.items():
        if key is not None:
            for digest in _digests_in(key, digests, memo):
                shown.setdefault(digest, set()).add(path)
    return shown


def _digests_in(key: tuple, digests: set[str], memo: dict[int, set[str]]) -> set[str]:
    found: set[str] = set()
    pending = [key]
    while pending:
        value = pending.pop()
        if type(value) is tuple:
            if len(value) <= 16 or value is key:
                pending.extend(value)
                continue
            inner = memo.get(id(value))
            if inner is None:
                inner = memo[id(value)] = _digests_in(value, digests, memo)
            found |= inner
        elif value in digests:
            found.add(value)
    return found
