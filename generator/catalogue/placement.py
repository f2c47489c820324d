"""Topics for papers no term claims: the topic their closest papers share, if they are close enough.

A taxonomy is written for the papers its author has seen; a catalogue grows every week. A paper
that neither a person (`topics:`) nor a term placed takes the topic its VOTERS closest papers
(by content, catalogue.nearness) are most in: when their similarity summed over those in that
topic reaches MIN_VOTE and is more than half of their whole similarity. A paper far from every
topic, or between several, stays in the catch-all, where the person keeping the taxonomy sees
it (`catalogue topics`).

Only papers placed by a person or a term vote, so no placement depends on another one or on
the order papers are read. The thresholds were chosen on the shipped catalogue by leaving each
paper placed by terms out of the taxonomy's view in turn and checking the topic its neighbours
give it (benchmarks/placement_eval.py).
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from generator.catalogue.nearness import Nearness
    from generator.catalogue.paper import Paper
    from generator.catalogue.taxonomy import Taxonomy, Topic

VOTERS = 5        # closest papers that vote
MIN_VOTE = 0.25   # the cosine similarity, summed over those in the winning topic, it needs
MIN_SHARE = 0.5   # and more than this share of all their votes


def vote(paper_at: int, papers: list[Paper], nearness: Nearness, taxonomy: Taxonomy) -> tuple[Topic | None, float, float]:
    """The topic paper `paper_at`'s closest voting papers favour, its vote (their similarity summed
    over those in it) and that vote's share of their whole similarity (None, 0, 0 when no
    neighbour votes). A voter in several topics counts for each."""
    votes: dict[str, float] = defaultdict(float)
    named: dict[str, Topic] = {}
    cast = 0.0
    for j, similarity in nearness.closest(paper_at, VOTERS):
        voter = papers[j]
        if voter.topics_by == "none":
            continue
        cast += similarity
        for topic in voter.topics:
            if topic.slug != taxonomy.catch_all.slug:
                votes[topic.slug] += similarity
                named[topic.slug] = topic
    if not votes:
        return None, 0.0, 0.0
    order = {slug: i for i, slug in enumerate(taxonomy.by_slug)}
    best = min(votes, key=lambda slug: (-round(votes[slug], 12), order.get(slug, len(order)), slug))
    return named[best], votes[best], votes[best] / cast


def shortfall(topic: Topic | None, weight: float, share: float) -> str | None:
    """Why a `vote` does not place its paper: "none" (no neighbour votes), "weak" (under
    MIN_VOTE) or "split" (not over MIN_SHARE); None when it places it."""
    if topic is None:
        return "none"
    if weight < MIN_VOTE:
        return "weak"
    return "split" if share <= MIN_SHARE else None


def placements(papers: list[Paper], nearness: Nearness, taxonomy: Taxonomy) -> dict[str, list[Topic]]:
    """Slug -> the topics its neighbours give each paper nobody placed, where they are close
    enough (the others stay in the catch-all). Changes nothing: see Paper.place."""
    placed: dict[str, list[Topic]] = {}
    for i, paper in enumerate(papers):
        if paper.topics_by == "none":
            topic, weight, share = vote(i, papers, nearness, taxonomy)
            if shortfall(topic, weight, share) is None:
                placed[paper.slug] = [topic]
    return placed
