"""What related papers (and the placement that shares their nearness) add to a full build.

    python benchmarks/related_cost.py CONTENT [--runs 2]

Builds CONTENT whole into a new folder, with related papers and without (their terms not read,
no nearness, no lists), alternating RUNS times each, every build a new process, and prints the
best wall time, CPU time (user and system, workers included), peak RSS of the main process
(the kernel's own accounting) and peak PSS of the whole process tree (workers included, sampled:
benchmarks.run.TreePss) of each, and the difference. On a shared machine the wall time
varies more than the CPU time. Make CONTENT with `benchmarks/make_catalogue.py N cap.txt` and
`catalogue ingest`.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))

from benchmarks.run import state_saved, timed  # noqa: E402
from generator.build.freshness import private_cache_dir  # noqa: E402

# The build without related papers: the same command with three steps made empty.
WITHOUT = """
import numpy as np
from generator.build import pipeline
from generator.catalogue import groups, nearness
from generator.search.index import analysis

def empty(papers):
    n = len(papers)
    none = (np.zeros(n + 1, dtype=np.int64), np.zeros(0, dtype=np.int64), np.zeros(0))
    return nearness.Nearness([p.slug for p in papers], np.full((n, nearness.NEAR), -1), np.zeros((n, nearness.NEAR)),
                             (np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)), none, bags=none)

pipeline._prepare = lambda papers: [analysis(p) for p in papers]
groups.Nearness.build = staticmethod(empty)
groups.related_papers = lambda papers, **_: {p.slug: [] for p in papers}
from generator.cli import run
run()
"""


def build(content: Path, related: bool) -> dict:
    out = Path(tempfile.mkdtemp(prefix="related-cost-")) / "site"
    cmd = [sys.executable, "-m", "generator"] if related else [sys.executable, "-c", WITHOUT]
    result = timed([*cmd, "build", "--content", str(content), "--out", str(out), "--force"], tree=True)
    state_saved(out)  # the state is saved in the background: the next build must not share the cores with it
    shutil.rmtree(private_cache_dir(out), ignore_errors=True)
    shutil.rmtree(out.parent, ignore_errors=True)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("content", type=Path)
    parser.add_argument("--runs", type=int, default=2)
    args = parser.parse_args()
    env_cache = Path(tempfile.mkdtemp(prefix="related-cost-cache-"))
    os.environ["XDG_CACHE_HOME"] = str(env_cache)  # no kept state from other builds
    runs: dict[bool, list[dict]] = {True: [], False: []}
    for _ in range(args.runs):
        for related in (False, True):
            runs[related].append(build(args.content.resolve(), related))
    shutil.rmtree(env_cache, ignore_errors=True)
    best = {k: [min(r[field] for r in v) for field in ("s", "cpu_s", "peak_mb", "tree_pss_mb")]
            for k, v in runs.items()}
    print(f"{'':22}{'wall (best)':>12}{'CPU (best)':>12}{'peak RSS':>12}{'peak PSS, tree':>16}")
    for name, key in (("without related", False), ("with related", True)):
        wall, cpu, rss, pss = best[key]
        print(f"{name:22}{wall:11.2f}s{cpu:11.2f}s{rss:9.0f} MB{pss:13.0f} MB")
    (s0, c0, m0, p0), (s1, c1, m1, p1) = best[False], best[True]
    print(f"{'related papers add':22}{s1 - s0:11.2f}s{c1 - c0:11.2f}s{m1 - m0:9.0f} MB ({100 * (m1 - m0) / m0:+.0f}%)"
          f"{p1 - p0:6.0f} MB ({100 * (p1 - p0) / p0:+.0f}%)")


if __name__ == "__main__":
    main()
