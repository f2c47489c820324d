"""How well papers land in a topic when no term places them (catalogue.placement).

    .venv/bin/python benchmarks/placement_eval.py [--content DIR]

Two measurements on the shipped catalogue:

1. Leave one out: each paper that terms placed is taken out of the taxonomy's view in turn and
   given the topic its closest papers vote for. Precision is the share of those given a topic
   that get one of the topics its terms gave it; coverage the share given any. Printed for a
   grid of thresholds, the shipped ones marked.
2. A capture held out: the taxonomy without every term that places only papers that capture
   alone brought (the terms its author would not have written), then the share of that
   capture's own papers in the catch-all, by terms alone and with neighbours' votes.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))

from generator.catalogue import placement  # noqa: E402
from generator.catalogue.groups import index_catalogue  # noqa: E402
from generator.catalogue.nearness import Nearness  # noqa: E402
from generator.catalogue.reader import read_papers  # noqa: E402
from generator.catalogue.taxonomy import Taxonomy  # noqa: E402


def leave_one_out(papers, taxonomy) -> list[tuple[bool, float, float]]:
    """(right, vote, share) for each paper terms placed, voted on as if nothing had."""
    nearness = Nearness.build(papers)
    found = []
    for i, paper in enumerate(papers):
        if paper.topics_by != "terms":
            continue
        topic, weight, share = placement.vote(i, papers, nearness, taxonomy)
        if topic is not None:
            found.append((topic.slug in {t.slug for t in paper.topics}, weight, share))
    return found


def held_out(content: Path, capture: str) -> tuple[int, int, int]:
    """(papers only this capture brought, of them in the catch-all by terms, and with votes)."""
    taxonomy, papers, _ = read_papers(content)
    only = {p.slug for p in papers if p.sources and all(s.startswith(capture) for s in p.sources)}
    kept_topics = []
    for topic in taxonomy.topics:
        probe = Taxonomy([dataclasses.replace(topic, terms=(t,)) for t in topic.terms], taxonomy.catch_all,
                         taxonomy.min_abstract_hits)
        terms = tuple(t for t, one in zip(topic.terms, probe.topics)
                      if any(probe.classify(p.title, p.text) and one.slug in probe.classify(p.title, p.text)
                             and p.slug not in only for p in papers))
        kept_topics.append(dataclasses.replace(topic, terms=terms))
    blind = Taxonomy(kept_topics, taxonomy.catch_all, taxonomy.min_abstract_hits)
    for p in papers:
        if p.topics_by != "hand":
            slugs = blind.classify(p.title, p.text)
            p.topics = [blind.by_slug[s] for s in slugs] or [blind.catch_all]
            p.topics_by = "terms" if slugs else "none"
    by_terms = sum(1 for p in papers if p.slug in only and p.topics_by == "none")
    catalogue = index_catalogue(papers, blind)
    with_votes = sum(1 for p in catalogue.papers if p.slug in only and p.topics[0].slug == blind.catch_all.slug)
    return len(only), by_terms, with_votes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--content", type=Path, default=PROJECT / "content")
    args = parser.parse_args()
    taxonomy, papers, _ = read_papers(args.content)
    papers = index_catalogue(papers, taxonomy).papers
    votes = leave_one_out(papers, taxonomy)
    print(f"leave one out: {len(votes)} papers placed by terms that a neighbour votes for")
    print(f"{'min vote':>8} {'min share':>9} {'coverage':>9} {'precision':>9}")
    for min_vote in (0.0, 0.1, 0.15, 0.2, 0.25, 0.3, 0.4):
        for min_share in (0.0, 0.5, 0.6):
            given = [right for right, weight, share in votes if weight >= min_vote and share > min_share]
            mark = " <- shipped" if (min_vote, min_share) == (placement.MIN_VOTE, placement.MIN_SHARE) else ""
            print(f"{min_vote:8.2f} {min_share:9.2f} {len(given) / len(votes):9.1%} "
                  f"{sum(given) / max(1, len(given)):9.1%}{mark}")
    print("\none capture held out of the taxonomy's view (terms only it needed dropped):")
    captures = sorted({s[:3] for p in papers for s in p.sources})
    for capture in captures:
        only, by_terms, with_votes = held_out(args.content, capture)
        print(f"  capture {capture}: {only} papers only it brought; in the catch-all by terms "
              f"{by_terms} ({by_terms / max(1, only):.0%}), with neighbours' votes {with_votes} "
              f"({with_votes / max(1, only):.0%})")


if __name__ == "__main__":
    main()
