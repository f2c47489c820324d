"""`catalogue topics`: a report for the person who keeps the taxonomy (`content/topics.toml`).

For each topic, how many papers it lists and how they got there (a term in the title, terms in
the abstract, their closest papers, or a person's `topics:`); the papers in the catch-all, each
with the topic nearest to it; the terms that match no paper yet, with their lines; and suggested topics: groups of papers no term places (in the
catch-all, or placed only by their neighbours) that are close to one another, each with the
distinctive terms that would claim them, written as a `[[topic]]` block to paste into
`topics.toml`, and what those terms would claim if pasted (checked with the taxonomy's own
matching, not guessed). Writes nothing.
"""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from generator.catalogue import placement
from generator.catalogue.groups import index_catalogue
from generator.catalogue.nearness import NEAR, Nearness
from generator.catalogue.paper import Paper
from generator.catalogue.reader import read_papers
from generator.catalogue.taxonomy import Taxonomy, Topic
from generator.ingest.slugs import slugify

GROUP_SIMILARITY = 0.075  # two loose papers this close (cosine), among each other's closest, are one group
OUTSIDE_COST = 0.25     # a suggested term's gain: papers of the group it claims, less this per paper outside
MAX_TERMS = 4
_WORD = re.compile(r"[a-z][a-z0-9]*(?:-[a-z0-9]+)*")


@dataclass
class TopicCount:
    topic: Topic
    papers: int
    by: Counter = field(default_factory=Counter)  # "title", "abstract", "nearest papers", "hand" -> papers


@dataclass
class Suggestion:
    name: str
    terms: list[str]
    group: list[Paper]
    claims: list[Paper]   # of the group, the papers the terms would claim
    others: list[Paper]   # papers outside the group they would claim too
    slug: str = ""        # one no topic (nor another suggestion) has: pasted, the taxonomy still loads

    def toml(self) -> str:
        lines = ["[[topic]]", f"slug = {_quoted(self.slug or slugify(self.name))}", f"name = {_quoted(self.name)}",
                 'description = ""', f"terms = [{', '.join(map(_quoted, self.terms))}]"]
        return "\n".join(lines)


@dataclass
class Report:
    content: Path
    taxonomy: Taxonomy
    papers: int
    topics: list[TopicCount]
    other: list[tuple[Paper, Topic | None, float, float]]  # a paper in the catch-all, the nearest topic, its vote and share
    suggestions: list[Suggestion]
    idle: dict[str, list[str]]  # topic slug -> its terms that match no paper yet

    def text(self) -> str:
        where = self.taxonomy.path or "the default taxonomy"
        out = [f"# Topics of {self.content} ({self.papers} papers; taxonomy: {where})", ""]
        width = max((len(t.topic.name) for t in self.topics), default=0)
        for count in self.topics:
            how = ", ".join(f"{n} {why}" for why, n in sorted(count.by.items(), key=lambda kv: (-kv[1], kv[0])))
            out.append(f"{count.topic.name:<{width}}  {count.papers:5d}  ({how})" if how else
                       f"{count.topic.name:<{width}}  {count.papers:5d}")
        out += ["", f"## {self.taxonomy.catch_all.name}: {len(self.other)} paper(s) far from every topic or between several"]
        for paper, topic, weight, share in self.other:
            out.append(f"- {paper.title} [{paper.slug}]; {_why_unplaced(topic, weight, share)}")
        out += ["", f"## Terms that match no paper yet (misspelt, or waiting for papers): {sum(map(len, self.idle.values()))}"]
        for slug, terms in self.idle.items():
            line = self.taxonomy.line_of_term(terms[0])
            out.append(f"{where}:{line}: {self.taxonomy.by_slug[slug].name}: " + ", ".join(map(repr, terms)))
        out += ["", f"## Suggested topics: {len(self.suggestions)}"]
        if self.suggestions:
            out.append("# Paste any of these into topics.toml, then edit the name and terms to taste.")
        for s in self.suggestions:
            out += ["", f"# {len(s.group)} close papers no term places: " + "; ".join(p.title for p in s.group)[:400],
                    f"# these terms claim {len(s.claims)} of them, and {len(s.others)} other paper(s)"
                    + (": " + "; ".join(p.title for p in s.others[:5]) if s.others else ""),
                    s.toml()]
        return "\n".join(out) + "\n"


def topics_report(content: Path) -> Report:
    taxonomy, papers, _ = read_papers(content)
    catalogue = index_catalogue(papers, taxonomy)
    papers = catalogue.papers
    by_slug = {t.slug: TopicCount(t, 0) for t in taxonomy.topics}  # a topic no paper has yet is in the table too
    for entry in catalogue.topics:  # in the taxonomy's order, then topics named by hand, then the catch-all
        count = by_slug.setdefault(entry.topic.slug, TopicCount(entry.topic, 0))
        count.papers = len(entry.papers)
        for paper in entry.papers:
            count.by[_how(paper, entry.topic, taxonomy)] += 1
    counts = list(by_slug.values())
    nearness = catalogue.nearness  # the papers' closest, in the catalogue's order
    other = []
    for i, paper in enumerate(papers):
        if paper.topics_by == "none" and paper.slug not in catalogue.placed:
            other.append((paper, *placement.vote(i, papers, nearness, taxonomy)))
    loose = [i for i, p in enumerate(papers) if p.topics_by == "none"]
    return Report(content, taxonomy, len(papers), counts, other, _suggest(papers, loose, nearness, taxonomy),
                  taxonomy.idle_terms([text for p in papers for text in (p.title, p.text)]))


def _why_unplaced(topic: Topic | None, weight: float, share: float) -> str:
    """Which of placement's conditions kept a paper out of its nearest topic (placement.shortfall):
    its closest papers were not close enough, or they were split between topics."""
    why = placement.shortfall(topic, weight, share)
    if why == "none":
        return "no close paper has a topic"
    if why == "weak":
        return f"nearest topic: {topic.name} (vote {_below(weight, placement.MIN_VOTE)}, {placement.MIN_VOTE} needed)"
    return (f"nearest topic: {topic.name} (vote {weight:.2f}, enough, but only {share:.0%} of its closest "
            f"papers' votes, over {placement.MIN_SHARE:.0%} needed: they are split between topics)")


def _below(value: float, limit: float) -> str:
    """`value` (under `limit`) to two decimals, or as many more as it takes to read as under it:
    a vote of 0.249 printed "0.25, 0.25 needed"."""
    for digits in range(2, 7):
        shown = f"{value:.{digits}f}"
        if float(shown) < limit:
            return shown
    return repr(value)


def _how(paper: Paper, topic: Topic, taxonomy: Taxonomy) -> str:
    if paper.topics_by == "hand":
        return "by hand"
    if paper.topics_by == "none":
        return "by nearest papers" if topic.slug != taxonomy.catch_all.slug else "by no term"
    return "by title" if taxonomy.in_title(paper.title, topic.slug) else "by abstract"


def _suggest(papers: list[Paper], loose: list[int], nearness: Nearness, taxonomy: Taxonomy) -> list[Suggestion]:
    """Groups of loose papers close to one another (linked through their nearest papers), largest
    first, each with the terms that claim most of it and least else."""
    parent = {i: i for i in loose}

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i in loose:
        for j, similarity in nearness.closest(i, NEAR):
            if j in parent and similarity >= GROUP_SIMILARITY:
                a, b = sorted((root(i), root(j)))
                parent[b] = a
    groups: dict[int, list[int]] = defaultdict(list)
    for i in loose:
        groups[root(i)].append(i)
    found = []
    taken = {*taxonomy.by_slug, taxonomy.catch_all.slug}
    names = {t.name.casefold() for t in [*taxonomy.topics, taxonomy.catch_all]}
    for members in sorted(groups.values(), key=lambda g: (-len(g), papers[g[0]].slug)):
        if len(members) >= 2:
            suggestion = _terms_for([papers[i] for i in members], papers, taxonomy)
            if suggestion is not None:
                base, name, n = slugify(suggestion.name) or "topic", suggestion.name, 1
                suggestion.slug = base
                while suggestion.slug in taken or suggestion.name.casefold() in names:  # "graph" is a topic: "graph-2"
                    n += 1
                    suggestion.slug, suggestion.name = f"{base}-{n}", f"{name} {n}"
                taken.add(suggestion.slug)
                names.add(suggestion.name.casefold())
                found.append(suggestion)
    return found


def _terms_for(group: list[Paper], papers: list[Paper], taxonomy: Taxonomy) -> Suggestion | None:
    """Greedily, the words (or word pairs) that claim the most papers of the group not yet claimed,
    by the taxonomy's own rule, and the fewest outside it; None when no word claims two of them."""
    in_group = {p.slug for p in group}
    candidates = _candidates(group)
    chosen: list[str] = []
    claimed: set[str] = set()
    outside: set[str] = set()
    for _ in range(MAX_TERMS):
        best, best_gain = None, 0.0
        for term in candidates:
            claims = _claims_of([term], papers, taxonomy)
            new = len((claims & in_group) - claimed)
            gain = new - OUTSIDE_COST * len((claims - in_group) - outside)
            if new and (gain > best_gain or (gain == best_gain and best is not None and term < best)):
                best, best_gain = term, gain
        if best is None:
            break
        chosen.append(best)
        candidates.remove(best)
        claims = _claims_of(chosen, papers, taxonomy)
        claimed, outside = claims & in_group, claims - in_group
    if len(claimed) < 2:
        return None
    return Suggestion(chosen[0].capitalize(), chosen, group, [p for p in group if p.slug in claimed],
                      [p for p in papers if p.slug in outside])


def _candidates(group: list[Paper]) -> list[str]:
    """Words and word pairs (cut to the prefix their forms share) in at least two of the group's papers."""
    from generator.catalogue.related import _stems, _stop_words

    _stem = lambda word: _stems([word])[0]  # noqa: E731  (never a stop word here)

    stop = _stop_words()
    forms: dict[str, Counter] = defaultdict(Counter)
    seen: Counter = Counter()
    for paper in group:
        words = [w for w in _WORD.findall(f"{paper.title} {paper.text}".lower()) if w not in stop and len(w) > 2]
        keys = set()
        for a, b in [(w, None) for w in words] + list(zip(words, words[1:])):
            key = _stem(a) if b is None else f"{_stem(a)} {_stem(b)}"
            forms[key][a if b is None else f"{a} {b}"] += 1
            keys.add(key)
        seen.update(keys)
    terms = []
    for key, n in seen.items():
        if n >= 2:
            surface = list(forms[key])
            prefix = _common_prefix(surface)
            terms.append(prefix if len(prefix) >= 4 else forms[key].most_common(1)[0][0])
    return sorted(set(terms))


def _common_prefix(words: list[str]) -> str:
    first, last = min(words), max(words)
    n = 0
    while n < min(len(first), len(last)) and first[n] == last[n]:
        n += 1
    return first[:n]


def _claims_of(terms: list[str], papers: list[Paper], taxonomy: Taxonomy) -> set[str]:
    """The papers a topic with these terms would claim, by the taxonomy's own matching."""
    probe = Taxonomy([Topic("probe", "probe", terms=tuple(terms))], taxonomy.catch_all, taxonomy.min_abstract_hits)
    return {p.slug for p in papers if probe.classify(p.title, p.text)}


def _quoted(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)  # a JSON string is a TOML basic string
