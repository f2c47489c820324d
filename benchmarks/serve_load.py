"""Load on the preview server: N concurrent loopback clients, M requests in all, while a rebuild runs.

    .venv/bin/python benchmarks/serve_load.py [CONTENT] [--clients 200] [--requests 5000]

Prints errors and latency percentiles (p50, p90, p99, max). Loopback only, bounded by count.
"""

from __future__ import annotations

import argparse
import re
import sys
import threading
import time
import urllib.request
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))

from benchmarks.preview import serving  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("content", nargs="?", type=Path, default=PROJECT / "content")
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--requests", type=int, default=5000)
    args = parser.parse_args()
    with serving(args.content, prefix="serve-load-") as preview:
        base, content = preview.base, preview.content
        papers = sorted((content / "papers").glob("*.md"))
        paths = ["", "static/style.css", "search/manifest.json", "topics/", "feed.xml"] + \
            [f"papers/{p.stem}/" for p in papers[:20]]
        latencies: list[float] = []
        errors: list[str] = []
        per_client = max(1, args.requests // args.clients)
        barrier = threading.Barrier(args.clients + 1)

        def client(n: int) -> None:
            barrier.wait()
            for k in range(per_client):
                started = time.perf_counter()
                try:
                    with urllib.request.urlopen(base + paths[(n + k) % len(paths)], timeout=30) as response:
                        response.read()
                    latencies.append(time.perf_counter() - started)
                except OSError as exc:
                    errors.append(repr(exc))

        threads = [threading.Thread(target=client, args=(n,)) for n in range(args.clients)]
        for thread in threads:
            thread.start()
        barrier.wait()
        page = papers[0]  # an edit as the load starts: a rebuild runs under it
        page.write_text(re.sub(r"\n\n", "\n\nEdited. ", page.read_text(encoding="utf-8"), count=1), encoding="utf-8")
        started = time.perf_counter()
        for thread in threads:
            thread.join()
        wall = time.perf_counter() - started
        latencies.sort()
        pick = lambda q: latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000  # noqa: E731
        print(f"{args.clients} clients, {len(latencies) + len(errors)} requests in {wall:.2f}s, {len(errors)} errors")
        if latencies:
            print(f"latency ms: p50 {pick(0.5):.1f}  p90 {pick(0.9):.1f}  p99 {pick(0.99):.1f}  max {latencies[-1] * 1000:.1f}")
        for error in sorted(set(errors))[:5]:
            print("  error:", error)


if __name__ == "__main__":
    main()
