"""What an exact top-10 search would fetch for plain-word queries, modelled on a built site (not built yet).

    python benchmarks/search_topk_model.py SITE [--per-kind 60] [--kinds "one word,two words,three words"]
                                                [--first-tier 512] [--growth 4] [--probe-bytes 226]

Today a query fetches the whole postings of every term it holds, and a term most papers use is a
shard of 100-190 KB gzip at 100,000 papers. The design modelled here fetches such a term (an entry
larger than a whole shard) a tier at a time, its papers in order of what the term adds to their
score (the first tier `--first-tier` papers, each next one `--growth` times larger), and may
"probe" a paper instead: fetch a small per-paper file with its term frequencies and field lengths
for every such term it holds (`--probe-bytes` gzip each; 226 B is the median measured at 100,000
papers). Other terms are fetched whole, as today. A query stops once ten papers are sure: their
scores known exactly (lunr's weights, `lunr_builder.weight`) and above what any other paper could
still reach, its unknown terms counted at the next tier's best (the threshold algorithm with
random access, Fagin et al.). At each step it probes the most promising unsure paper when probing
every paper still able to enter the ten costs less than the next tier, and loads the next tier
of the term with the highest bound otherwise. Every query checks that the model's ten are the
exact ten, in order.

Printed per kind: today's KB (the shards the page fetches) and the model's, median and largest,
and how many of each stay within 100 KB, both with the scripts, the manifest and the ten result
files added; then the queries that cost most today, with the model's tiers and probes.
"""

from __future__ import annotations

import argparse
import bisect
import gzip
import json
import math
import statistics
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from benchmarks.queries import make_queries, query_arguments, site_texts  # noqa: E402
from generator.search.lunr_builder import STOP_WORDS, weight  # noqa: E402
from generator.search.lunr_pipeline import stem, trim  # noqa: E402
from generator.search.shards import _json as compact  # noqa: E402  (the shards' own JSON)
from generator.search.shards import shard_name, utf16_order  # noqa: E402

TOP = 10
SCRIPTS = ("static/search.js", "static/search-worker.js", "static/lunr/lunr.min.js", "static/search-core.js")


def gz(data: bytes) -> int:
    return len(gzip.compress(data, 6))


class Site:
    """The built search files, read as a query needs them."""

    def __init__(self, root: Path):
        self.root = root
        self.manifest = json.loads((root / "search" / "manifest.json").read_bytes())
        self.starts = [utf16_order(start) for start in self.manifest["shards"]]
        self.shards: dict[int, dict[str, list]] = {}
        self.fixed = gz((root / "search" / "manifest.json").read_bytes()) + sum(gz((root / s).read_bytes()) for s in SCRIPTS)

    def shard_of(self, term: str) -> int:
        return bisect.bisect_right(self.starts, utf16_order(term)) - 1

    def shard(self, number: int) -> dict[str, list]:
        if number not in self.shards:
            name = shard_name(self.manifest["shards"][number])
            self.shards[number] = {e[0]: e for e in json.loads((self.root / "search" / "shards" / f"{name}.json").read_bytes())}
        return self.shards[number]

    def entry(self, term: str) -> list | None:
        return self.shard(self.shard_of(term)).get(term)

    def long(self, entry: list) -> bool:
        return len(compact(entry)) > self.manifest["target"]

    def result_files(self, refs: list[int]) -> int:
        return sum(gz((self.root / "search" / "docs" / f"{ref}.json").read_bytes()) for ref in refs)


def query_terms(query: str) -> list[str]:
    """The terms of a plain-word query as the page searches them (every word, stop words left out)."""
    words = [trim(word).lower() for word in query.split()]
    return sorted({stem(word) for word in words if word and word not in STOP_WORDS})


def contributions(site: Site, entry: list, terms: int) -> dict[int, float]:
    """Paper -> what the term adds to its score in a query of `terms` plain words (every field,
    boost 1: lunr divides each field's dot product by the query vector's length, sqrt(terms))."""
    manifest, idf, added = site.manifest, entry[2], {}
    for f, flat in enumerate(entry[3:]):
        ref = 0
        for i in range(0, len(flat), 3):
            ref += flat[i]
            w = weight(idf, flat[i + 1], flat[i + 2], manifest["averages"][f], manifest["boosts"][f])
            added[ref] = added.get(ref, 0.0) + w
    return {ref: value / math.sqrt(terms) for ref, value in added.items()}


def tier_bytes(entry: list, papers: set[int]) -> int:
    """gzip bytes of the entry's postings for `papers` alone, in the shards' format."""
    fields = []
    for flat in entry[3:]:
        out, ref, previous = [], 0, 0
        for i in range(0, len(flat), 3):
            ref += flat[i]
            if ref in papers:
                out += [ref - previous, flat[i + 1], flat[i + 2]]
                previous = ref
        fields.append(out)
    return gz(compact(fields))


def model(site: Site, terms: list[str], entries: dict[str, list], args) -> dict | None:
    """Today's bytes and the model's for one query (None when a term is in no paper)."""
    scores = {t: contributions(site, entries[t], len(terms)) for t in terms}
    matching = set.intersection(*(set(s) for s in scores.values()))
    exact = sorted(((sum(scores[t][d] for t in terms), d) for d in matching), key=lambda x: (-x[0], x[1]))[:TOP]
    today = sum(gz(compact(list(site.shard(n).values()))) for n in {site.shard_of(t) for t in terms})
    long_terms = [t for t in terms if site.long(entries[t])]
    whole = [t for t in terms if t not in long_terms]
    shown = site.result_files([d for _, d in exact])
    if not long_terms:
        return {"today": today + shown, "model": today + shown, "tiers": 0, "probes": 0, "matches": len(matching)}
    # the other terms are fetched whole: their shards, less the long entries that would be tiered
    fetched = {site.shard_of(t) for t in whole}
    cost = sum(gz(compact([e for e in site.shard(n).values() if not site.long(e)])) for n in fetched)
    ranked = {t: sorted(scores[t].items(), key=lambda x: -x[1]) for t in long_terms}
    loaded, tiers, known = {t: 0 for t in long_terms}, {t: 0 for t in long_terms}, {t: set() for t in long_terms}
    pool = set.intersection(*(set(scores[t]) for t in whole)) if whole else None  # every match is among them
    probed: set[int] = set()
    tier_cost, probes = 0, 0

    def bound(t: str) -> float | None:
        return ranked[t][loaded[t]][1] if loaded[t] < len(ranked[t]) else None

    while True:
        seen = pool if pool is not None else set().union(*known.values()) | probed
        sure, unsure = [], []
        for d in seen:
            total, open_bound, out, done = sum(scores[t].get(d, 0.0) for t in whole), 0.0, False, True
            for t in long_terms:
                if d in known[t] or d in probed or bound(t) is None:
                    out = out or d not in scores[t]
                    total += scores[t].get(d, 0.0)
                else:
                    done, open_bound = False, open_bound + bound(t)
            if out:
                continue
            (sure if done else unsure).append((total, d) if done else (total + open_bound, d))
        sure.sort(key=lambda x: (-x[0], x[1]))
        tenth = sure[TOP - 1][0] if len(sure) >= TOP else -1.0
        bounds = [bound(t) for t in long_terms]
        unseen = sum(bounds) if pool is None and all(b is not None for b in bounds) else -1.0
        best = max(unsure, default=(-1.0, -1))
        if tenth > max(best[0], unseen) + 1e-9 or max(best[0], unseen) < 0:
            break
        needy = sum(1 for reach, _ in unsure if reach >= tenth - 1e-9)
        open_terms = [t for t in long_terms if bound(t) is not None]
        next_tier = min((args.first_tier * args.growth ** tiers[t] * args.tier_bytes for t in open_terms), default=math.inf)
        if best[0] >= unseen and needy * args.probe_bytes <= next_tier:
            probed.add(best[1])
            probes += 1
        else:
            t = max(open_terms, key=bound)
            chunk = {d for d, _ in ranked[t][loaded[t]:loaded[t] + args.first_tier * args.growth ** tiers[t]]}
            tiers[t] += 1
            loaded[t] += len(chunk)
            known[t] |= chunk
            tier_cost += tier_bytes(entries[t], chunk)
    mine = [d for _, d in sure[:TOP]]
    if mine != [d for _, d in exact]:
        raise AssertionError(f"the model's ten are not the exact ten: {terms} {mine} {exact}")
    return {"today": today + shown, "model": cost + tier_cost + probes * args.probe_bytes + shown,
            "tiers": tier_cost, "probes": probes, "matches": len(matching)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    query_arguments(parser, per_kind=60)
    parser.add_argument("--first-tier", type=int, default=512)
    parser.add_argument("--growth", type=int, default=4)
    parser.add_argument("--probe-bytes", type=float, default=226.0)
    parser.add_argument("--tier-bytes", type=float, default=5.5, help="gzip bytes a tier costs per paper, as the policy guesses")
    parser.add_argument("--show", type=int, default=4, help="costliest queries of each kind to list")
    args = parser.parse_args()
    site = Site(args.site.resolve())
    terms_index = json.loads((site.root / "search" / "terms.json").read_bytes())
    queries = make_queries(site_texts(site.root), terms_index, per_kind=args.per_kind)
    budget = 100 * 1024
    print("| kind of query | queries | today: KB median (max) | within 100 KB | model: KB median (max) | within 100 KB |")
    print("|---|---|---|---|---|---|")
    listed = []
    for kind in args.kinds:
        rows = []
        for query in queries[kind]:
            terms = query_terms(query)
            entries = {t: site.entry(t) for t in terms}
            if terms and all(entries.values()):
                row = model(site, terms, entries, args)
                rows.append((query, {k: v + site.fixed if k in ("today", "model") else v for k, v in row.items()}))
        today, mine = sorted(r["today"] for _, r in rows), sorted(r["model"] for _, r in rows)
        print(f"| {kind} | {len(rows)} | {statistics.median(today) / 1024:.1f} ({today[-1] / 1024:.1f}) | "
              f"{sum(x <= budget for x in today)} | {statistics.median(mine) / 1024:.1f} ({mine[-1] / 1024:.1f}) | "
              f"{sum(x <= budget for x in mine)} |")
        listed += [(kind, q, r) for q, r in sorted(rows, key=lambda x: -x[1]["today"])[:args.show]]
    for kind, query, r in listed:
        print(f"{kind}: {query!r}: today {r['today'] / 1024:.1f} KB, model {r['model'] / 1024:.1f} KB "
              f"(tiers {r['tiers'] / 1024:.1f} KB, {r['probes']} probes; {r['matches']} papers match)")


if __name__ == "__main__":
    main()
