"""The catalogue: every paper, grouped once by topic, year and month, for every page.

Like Pelican's shared context, it is complete before any page is written:
topic, date and home pages, feeds and the search index all read from it.
"""

from __future__ import annotations

import functools
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Callable, TypeVar

from generator.catalogue.nearness import Nearness
from generator.catalogue.organisations import Organisation, group_organisations
from generator.catalogue.paper import Paper
from generator.catalogue.placement import placements
from generator.catalogue.related import depending, related_papers
from generator.catalogue.taxonomy import Taxonomy, Topic

RELATED = 5
T = TypeVar("T")


@dataclass
class TopicEntry:
    topic: Topic
    papers: list[Paper]

    @property
    def url(self) -> str:
        return f"topics/{self.topic.slug}/"


@dataclass
class Catalogue:
    papers: list[Paper]
    taxonomy: Taxonomy
    topics: list[TopicEntry]
    years: dict[int, list[Paper]]
    months: dict[tuple[int, int], list[Paper]]
    undated: list[Paper]
    related_lists: dict[str, list[Paper]] = field(default_factory=dict, repr=False)  # slug -> closest in content
    placed: dict[str, list[Topic]] = field(default_factory=dict, repr=False)  # slug -> topics its neighbours gave
    organisations: list[Organisation] = field(default_factory=list, repr=False)  # most papers first
    nearness: Nearness | None = field(default=None, repr=False)  # each paper's closest (catalogue.nearness)

    def holds_terms(self, at: int, paper: Paper) -> bool:
        """Does the paper at `at` have the terms of `paper` (the same page read again), so the
        same related lists?"""
        return self.nearness is not None and self.nearness.holds(at, paper)

    def related(self, paper: Paper) -> list[Paper]:
        """The papers closest to this one in content (catalogue.related)."""
        return self.related_lists.get(paper.slug, [])

    def place(self, paper: Paper) -> None:
        """Give a paper read again the topics its neighbours gave it in this catalogue."""
        if paper.topics_by == "none":
            paper.place(self.placed.get(paper.slug, [self.taxonomy.catch_all]))

    def refresh_related(self, papers: list[Paper], changed: list[int]) -> set[str] | None:
        """Work the related lists out again for an edit: `papers` are this catalogue's papers,
        those at `changed` read again with new words. The slugs whose list changed; or None,
        changing nothing, when a paper's neighbours now place it elsewhere (made again, then)."""
        nearness = self.nearness.edited(papers, changed) if self.nearness is not None else Nearness.build(papers)
        if placements(papers, nearness, self.taxonomy) != self.placed:
            return None
        before, self.nearness = self.nearness, nearness
        rows = depending(before, nearness) if before is not None else None
        ours = {id(new): mine for new, mine in zip(papers, self.papers)}
        redone = set()
        for slug, found in related_papers(papers, nearness=nearness, rows=rows).items():
            found = [ours[id(p)] for p in found]
            if [p.slug for p in found] != [p.slug for p in self.related_lists.get(slug, [])]:
                redone.add(slug)
            self.related_lists[slug] = found
        return redone

    def kept(self, key: tuple, make: Callable[[], T]) -> T:
        """What planning works out from one of this catalogue's lists (its chart, its most upvoted
        order), worked out once and kept with the catalogue: an edit that moves no paper patches this
        catalogue in place (build.incremental), so every list, and what comes of it, stays as it was."""
        memo = self.__dict__.setdefault("_kept", {})
        if key not in memo:
            memo[key] = make()
        return memo[key]

    def related_by_date(self, paper: Paper, limit: int = RELATED) -> list[Paper]:
        """Papers of the paper's first topic nearest to it in date (what "More in <topic>" showed
        before related papers by content; kept to measure against, benchmarks/related_eval.py)."""
        if not paper.topics:
            return []
        entry = self._entries[paper.topics[0].slug]
        at = self._positions_in(entry)[id(paper)]
        start = max(0, min(at - limit // 2, len(entry.papers) - limit - 1))
        return [p for p in entry.papers[start:start + limit + 1] if p is not paper][:limit]

    def __getstate__(self) -> dict:
        """Kept between builds without the lookups below: they hold the ids of this process's papers."""
        return {k: v for k, v in self.__dict__.items() if k not in ("_entries", "_positions")}

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        link(self.papers)  # papers are kept without their neighbours (see Paper.__getstate__)

    @functools.cached_property
    def _entries(self) -> dict[str, TopicEntry]:
        return {entry.topic.slug: entry for entry in self.topics}

    def _positions_in(self, entry: TopicEntry) -> dict[int, int]:
        """Where each paper stands in a topic's list, found once rather than searched per page."""
        positions = self.__dict__.setdefault("_positions", {})
        if entry.topic.slug not in positions:
            positions[entry.topic.slug] = {id(p): i for i, p in enumerate(entry.papers)}
        return positions[entry.topic.slug]


def index_catalogue(papers: list[Paper], taxonomy: Taxonomy, last: Catalogue | None = None) -> Catalogue:
    """Place the papers no term placed by their closest papers, then group once: by topic, year,
    month, organisation; link each paper to its neighbours in time; find each one's related papers.
    Given the `last` catalogue, its nearness is reused when every paper has the words it had then."""
    papers = sorted(papers, key=Paper.sort_key)
    link(papers)
    nearness, kept, old = _from_last(papers, last)
    placed = placements(papers, nearness, taxonomy)
    for paper in papers:
        if paper.topics_by == "none":
            paper.place(placed.get(paper.slug, [taxonomy.catch_all]))
    by_topic: dict[str, list[Paper]] = defaultdict(list)
    spelt: dict[str, Counter] = defaultdict(Counter)  # a topic's spellings on the pages that name it
    years: dict[int, list[Paper]] = defaultdict(list)
    months: dict[tuple[int, int], list[Paper]] = defaultdict(list)
    undated: list[Paper] = []
    for paper in papers:
        for topic in paper.topics:
            by_topic[topic.slug].append(paper)
            spelt[topic.slug][topic] += 1
        when = paper.month
        if when is None:
            undated.append(paper)
        else:
            years[when[0]].append(paper)
            months[when].append(paper)
    # a topic's name: the commonest spelling (of two as common, the one with more letters beyond
    # ASCII, then the first in order), never the newest paper's, which each new paper could change
    topics = {slug: min(counts, key=lambda t: (-counts[t], -sum(not c.isascii() for c in t.name), t.name))
              for slug, counts in spelt.items()}
    order = [t.slug for t in taxonomy.topics] + sorted(set(topics) - {t.slug for t in taxonomy.topics})
    entries = [TopicEntry(topics[s], by_topic[s]) for s in order if s in by_topic and s != taxonomy.catch_all.slug]
    if taxonomy.catch_all.slug in by_topic:
        entries.append(TopicEntry(taxonomy.catch_all, by_topic[taxonomy.catch_all.slug]))
    return Catalogue(papers, taxonomy, entries, dict(sorted(years.items(), reverse=True)),
                     dict(sorted(months.items(), reverse=True)), undated,
                     _related_lists(papers, nearness, placed, last, kept, old), placed,
                     group_organisations(papers, taxonomy.aliases), nearness)


def _from_last(papers: list[Paper], last: Catalogue | None):
    """(nearness, the last catalogue's nearness in this order, the papers as it had them) when these
    are its papers, some perhaps reworded: their words are worked in (an edit). Else the nearness
    built whole, None, None."""
    if last is None or last.nearness is None or len(last.papers) != len(papers):
        return Nearness.build(papers), None, None
    before = {p.slug: p for p in last.papers}
    if any(p.slug not in before for p in papers):
        return Nearness.build(papers), None, None
    old = [before[p.slug] for p in papers]
    kept = last.nearness.renumbered([p.slug for p in papers])
    changed = [i for i, p in enumerate(papers) if old[i] is not p and not kept.holds(i, p)]  # not read again: the same object
    return (kept.edited(papers, changed) if changed else kept), kept, old


def _related_lists(papers: list[Paper], nearness: Nearness, placed: dict, last: Catalogue | None,
                   kept: Nearness | None, old: list[Paper] | None) -> dict[str, list[Paper]]:
    """Each paper's related papers: the last catalogue's lists where nothing they are made of moved
    (related.depending), when every paper has the topics it had; worked out again elsewhere."""
    slugs = lambda paper: [t.slug for t in paper.topics]  # noqa: E731
    if kept is None or placed != last.placed or any(o is not p and slugs(o) != slugs(p) for o, p in zip(old, papers)):
        return related_papers(papers, nearness=nearness)
    by_slug = {p.slug: p for p in papers}
    lists = {slug: [by_slug[p.slug] for p in found] for slug, found in last.related_lists.items()}
    lists.update(related_papers(papers, nearness=nearness, rows=depending(kept, nearness)))
    return lists


def most_upvoted(papers: list[Paper]) -> list[Paper]:
    """The papers with upvotes, most first; ties by date (newest first), then title. Papers
    without upvotes are not ranked (as on Daily Papers, no count is not a count of zero)."""
    return sorted((p for p in papers if p.upvotes), key=lambda p: (-p.upvotes, *Paper.sort_key(p)))


def link(papers: list[Paper]) -> None:
    """Each paper's newer and older neighbours, from the papers newest first."""
    for paper in papers:
        paper.newer = paper.older = None
    for newer, older in zip(papers, papers[1:]):
        newer.older, older.newer = older, newer
