"""Cold queries on a built site, query by query: how many stay within a byte budget, and what the heaviest fetch.

    python benchmarks/search_bytes.py SITE [--per-kind 60] [--kinds "one word,two words,three words"]
                                           [--budget-kb 100] [--top 3]

The queries of benchmarks/queries.py, each run cold by the page's own search code in Node
(search_cold.js, as run.py does): per kind, the median and largest gzip KB fetched (scripts
included), how many queries stay within the budget, and for the heaviest queries the files they
fetched, largest first. The queries depend only on the papers, so two builds of the same content
(two commits, say) are compared query for query.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from benchmarks.queries import query_arguments  # noqa: E402
from benchmarks.run import cold_queries  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    query_arguments(parser, per_kind=60)
    parser.add_argument("--budget-kb", type=float, default=100.0)
    parser.add_argument("--top", type=int, default=3, help="heaviest queries of each kind to list with their files")
    args = parser.parse_args()
    kinds = args.kinds
    measured = cold_queries(args.site.resolve(), per_kind=args.per_kind, kinds=kinds)
    if "error" in measured:
        sys.exit(f"error: {measured['error']}")
    budget = args.budget_kb * 1024
    print(f"scripts: {measured['scripts_gzip'] / 1024:.1f} KB gzip")
    print(f"| kind of query | queries | KB gzip, median (max) | within {args.budget_kb:g} KB |")
    print("|---|---|---|---|")
    for kind in kinds:
        sizes = sorted(run["totalGzip"] for run in measured["runs"][kind])
        print(f"| {kind} | {len(sizes)} | {sizes[len(sizes) // 2] / 1024:.1f} ({sizes[-1] / 1024:.1f}) | "
              f"{sum(size <= budget for size in sizes)} |")
    for kind in kinds:
        heaviest = sorted(measured["runs"][kind], key=lambda run: -run["totalGzip"])[:args.top]
        for run in heaviest:
            files = sorted(run["perFile"].items(), key=lambda item: -item[1])
            listed = ", ".join(f"{path.split('?')[0].removeprefix('search/')} {size / 1024:.1f}" for path, size in files[:5])
            print(f"{kind}: {run['query']!r} {run['totalGzip'] / 1024:.1f} KB: {listed}")


if __name__ == "__main__":
    main()
