"""The shortcuts a build takes when the site in the output folder is the one it last wrote.

The plain pipeline (build/pipeline.py) renders every page. When the last build's state
matches the output folder, `update` works out what changed instead, in one of two ways:

- An edit that moves no paper: the last plan, patched (`patch`). Most edits change what a
  paper says (its abstract, organisation, sources, or its title where that keeps its place in
  the order), not where it stands. When every paper read again keeps its shape (Paper.shape:
  slug, title, date, topics; one paper's title may change in place) and no page was added or
  removed, every list, pager, feed and neighbour of the last build still holds, and the
  pages that change are exactly those whose key held an edited paper's digest
  (render_keys.papers_shown). The edited papers take their new text in place (Paper.take),
  so the contexts of those pages, planned again, show it. An edit build at 10,000 papers
  plans a few dozen pages instead of planning and keying every page.
- Anything else (a paper added, removed, retitled out of its place, redated or moved to another
  topic; the taxonomy edited): planned whole, and only the pages whose key changed are rendered.

Either way the pipeline writes only those pages, unless they are so many that writing the
whole site is as cheap (`Update.small`).
"""

from __future__ import annotations

import array
import copy
from dataclasses import dataclass

from generator.build.render_keys import papers_shown, route_keys
from generator.catalogue.groups import Catalogue, index_catalogue
from generator.catalogue.paper import Paper
from generator.catalogue.reader import PaperCache
from generator.catalogue.taxonomy import Taxonomy
from generator.settings import Settings
from generator.site.routes import Route, plan_site
from generator.utils.packed import Packed


class Plan:
    """What a build planned, kept for the next one (in build.state): the catalogue, every page's
    path and key (render_keys), and which pages show which paper. Not the routes themselves:
    planning the few an edit needs costs less than keeping thousands.

    Kept between builds, the keys stay pickled until a build plans whole and compares them;
    an edit that moves nothing only marks its pages' keys unknown (`forget`)."""

    def __init__(self, catalogue: Catalogue, keys: dict[str, tuple | None]):
        self.catalogue = catalogue
        self.paths = list(keys)
        self.html_pages = sum(path.endswith(".html") for path in self.paths)
        self._keys: dict[str, tuple | None] | None = keys
        self._packed: Packed | None = None
        self._unknown: set[str] = set()
        self._shown: dict[str, bytes] | None = None

    @property
    def shown(self) -> dict[str, bytes]:
        """Paper digest -> the pages (places in `paths`, packed as unsigned ints) whose key holds it.
        Worked out on first use (for the CLI, by the process that saves the state, after the
        command has returned; `serve` asks for it while it waits for an edit)."""
        if self._shown is None:
            at = {path: n for n, path in enumerate(self.paths)}
            found = papers_shown(self.keys, {p.digest for p in self.catalogue.papers})
            self._shown = {digest: array.array("I", sorted(map(at.__getitem__, pages))).tobytes()
                           for digest, pages in found.items()}
        return self._shown

    @property
    def keys(self) -> dict[str, tuple | None]:
        """Each page's key as it was written; None where unknown (the page is rendered again)."""
        if self._keys is None:
            self._keys, self._packed = self._packed.load(), None
        if self._unknown:
            self._keys.update(dict.fromkeys(self._unknown))
            self._unknown = set()
        return self._keys

    def forget(self, paths: set[str]) -> None:
        """These pages were written without their keys being worked out (the pages showing each
        paper are taken from the keys first: an unknown key holds none)."""
        self.shown  # noqa: B018
        self._unknown |= paths

    def pages_showing(self, digest: str) -> list[str]:
        places = array.array("I")
        places.frombytes(self.shown.get(digest, b""))
        return [self.paths[n] for n in places]

    def __getstate__(self) -> dict:
        state = {**self.__dict__, "_shown": self.shown}
        if self._keys is not None:
            state["_keys"], state["_packed"] = None, Packed(self.keys)
        return state


@dataclass
class Edit:
    """What `patch` found: the routes to render again, and the papers as the last build
    numbered them, edited ones as they were (for the search index's update)."""

    changed: list[Route]
    previous: list[Paper]


def patch(plan: Plan, settings: Settings, taxonomy: Taxonomy, papers: list[Paper], fresh: list[Paper],
          cache: PaperCache) -> Edit | None:
    """Apply `fresh` (the papers read again) to the last build's plan, in place; None, touching
    nothing, when the edit moves a paper (plan it whole)."""
    catalogue = plan.catalogue
    if taxonomy != catalogue.taxonomy or len(papers) != len(catalogue.papers):
        return None
    where = {p.source: n for n, p in enumerate(catalogue.papers)}
    pairs = []
    retitled = 0
    for new in fresh:
        at = where.get(new.source)
        if at is None:
            return None
        if catalogue.papers[at].shape() != new.shape():
            retitled += 1
            if retitled > 1 or not _retitled_in_place(catalogue.papers, at, new):
                return None
        catalogue.place(new)  # the topics its neighbours gave it, if no term placed it
        pairs.append((at, catalogue.papers[at], new))
    # related lists (and topics given by neighbours) depend on the papers' words alone: an edit
    # of organisation or sources leaves them be
    refreshed: set[str] = set()
    reworded = [at for at, old, new in pairs if old.digest != new.digest and not catalogue.holds_terms(at, new)]
    if reworded:
        trial = list(catalogue.papers)
        for at, _, new in pairs:
            trial[at] = new
        refreshed = catalogue.refresh_related(trial, reworded)
        if refreshed is None:  # a paper changes topic: plan whole
            return None
    previous = list(catalogue.papers)
    edited = [(at, old, new, plan.shown.pop(old.digest, b"")) for at, old, new in pairs if old.digest != new.digest]
    paths: set[str] = {f"papers/{slug}/index.html" for slug in refreshed}
    for at, old, new, shown in edited:
        previous[at] = copy.copy(old)  # the paper as the search index last saw it
        # the same pages hold the paper (or it as their papers' neighbour) under its new digest
        plan.shown[new.digest] = shown
        paths.update(plan.pages_showing(new.digest))
    for _, old, new in pairs:  # also those read again that show the same (a page touched, not changed)
        old.take(new)
        cache.replace(old)  # the cache holds the papers the plan holds
    # Every page that held an edited paper's digest in its key changes, so no key is compared;
    # their new keys are left unknown, and a build that plans whole renders them again.
    plan.forget(paths)
    slugs = {path.split("/")[1] for path in paths if path.startswith("papers/")}
    changed = [r for r in plan_site(catalogue, settings, only=[p for p in catalogue.papers if p.slug in slugs],
                                    wanted=paths) if r.path in paths]
    return Edit(changed, previous)


def _retitled_in_place(papers: list[Paper], at: int, new: Paper) -> bool:
    """Is `new` the paper at `at` with another title alone, still between the same two papers of
    the catalogue's order (newest first, then by title)? Then every list, ranked ones included
    (by upvotes, then that order), holds it where it did, and its pages and those showing it are
    rendered again like those of any edited paper."""
    old, title = papers[at], 1  # the title's place in Paper.shape
    if old.shape()[:title] + old.shape()[title + 1:] != new.shape()[:title] + new.shape()[title + 1:]:
        return False
    key = new.sort_key()
    return (at == 0 or papers[at - 1].sort_key() < key) and (at + 1 == len(papers) or key < papers[at + 1].sort_key())


@dataclass
class Update:
    """What changed since the last build: the new plan, the routes to render again, the paths the
    site no longer has, and the papers as the search index last numbered them. `routes` is every
    route when the update was planned whole (so a whole write need not plan again)."""

    plan: Plan
    changed: list[Route]
    removed: list[str]
    previous: list[Paper] | None  # None: the search index is built whole
    routes: list[Route] | None = None

    @property
    def small(self) -> bool:
        """Few enough pages to write in place; past that, writing the whole site is as cheap."""
        return len(self.changed) <= max(50, len(self.plan.paths) // 3)


def update(state, settings: Settings, taxonomy: Taxonomy, papers: list[Paper], fresh: list[Paper]) -> Update:
    """What changed since the build `state` (build.state.BuildState) describes: patched when the
    edit moves no paper, else planned whole and compared page by page by key."""
    edit = patch(state.plan, settings, taxonomy, papers, fresh, state.papers)
    if edit is not None:
        return Update(state.plan, edit.changed, [], edit.previous)
    catalogue = index_catalogue(papers, taxonomy, last=state.plan.catalogue)
    routes, plan = plan_whole(catalogue, settings)
    last = state.plan.keys
    changed = [r for r in routes if last.get(r.path) != plan.keys[r.path]]
    previous = _as_indexed(state.order, state.plan.catalogue, catalogue)
    return Update(plan, changed, sorted(set(last) - set(plan.keys)), previous, routes)


def _as_indexed(order: list[Paper], last: Catalogue, catalogue: Catalogue) -> list[Paper]:
    """The papers as the search index last numbered and saw them. A paper its neighbours now place
    elsewhere changed topics without being read again: the same object, now with its new topics;
    the index's update (which looks at the papers that are not the same objects) is given it as it
    was, with the topics it had, so that only its entries change (not the whole index rebuilt)."""
    if catalogue.placed == last.placed:
        return order
    moved = {slug for slug in {*last.placed, *catalogue.placed} if last.placed.get(slug) != catalogue.placed.get(slug)}
    now = {id(p) for p in catalogue.papers}
    as_indexed = []
    for paper in order:
        if paper.slug in moved and paper.topics_by == "none" and id(paper) in now:  # not read again
            paper = copy.copy(paper)
            paper.derived = {}  # its own memo: the search analysis of its old topics
            paper.topics = last.placed.get(paper.slug, [last.taxonomy.catch_all])
        as_indexed.append(paper)
    return as_indexed


def plan_whole(catalogue: Catalogue, settings: Settings) -> tuple[list[Route], Plan]:
    """Every route of the site, and the plan kept for the next build (each page's key)."""
    routes = plan_site(catalogue, settings)
    return routes, Plan(catalogue, route_keys(routes))
