"""A title edit timed on two versions of the generator, alternated, so that a machine whose speed
moves from minute to minute moves both alike.

    python benchmarks/edit_ab.py OLD NEW CONTENT [--runs 8] [--work DIR]

OLD and NEW are checkouts of the project (`git worktree add ../old <commit>`); CONTENT is a
content folder (`benchmarks/make_catalogue.py N cap.txt`, then `catalogue ingest`). Each version
gets its own copy of CONTENT and its own site under --work (a tmpfs is best), built whole once;
then, RUNS times, each version in turn (which goes first alternates) retitles another paper, waits
two seconds as a person would, and rebuilds as a new `python -m generator build` process. Prints
the calibration before and after, and each version's wall and CPU times (median, min, every run).
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))

from benchmarks.run import calibration, edit_field, state_saved  # noqa: E402


def build(tree: Path, content: Path, site: Path) -> tuple[float, float]:
    """One build as a new process, run from `tree` (so `-m generator` is that version's): wall and CPU seconds."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "generator", "build", "--content", str(content), "--out", str(site),
                    "--config", os.devnull, "--quiet"], cwd=tree, check=True, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    state_saved(site)  # the state is saved in the background: the next build must find it whole
    return wall, after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("old", type=Path)
    parser.add_argument("new", type=Path)
    parser.add_argument("content", type=Path)
    parser.add_argument("--runs", type=int, default=8)
    parser.add_argument("--work", type=Path, default=None, help="where the copies and sites go (default: a new temporary folder)")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="edit-ab-", dir=args.work))
    trees = {"old": args.old.resolve(), "new": args.new.resolve()}
    for name, tree in trees.items():
        subprocess.run([sys.executable, "-m", "compileall", "-q", str(tree / "generator")], check=True,
                       stdout=subprocess.DEVNULL)
        shutil.copytree(args.content, work / name / "content")
        build(tree, work / name / "content", work / name / "site")
    print(f"calibration before: {calibration()} ms")
    times: dict[str, list[tuple[float, float]]] = {name: [] for name in trees}
    for run in range(args.runs):
        for name in (("old", "new") if run % 2 == 0 else ("new", "old")):
            edit_field(work / name / "content", "title", run % 3)
            time.sleep(2)
            times[name].append(build(trees[name], work / name / "content", work / name / "site"))
    print(f"calibration after: {calibration()} ms")
    for name, runs in times.items():
        walls, cpus = [w for w, _ in runs], [c for _, c in runs]
        print(f"{name}: wall median {statistics.median(walls):.3f} s (min {min(walls):.3f}), CPU median "
              f"{statistics.median(cpus):.3f} s (min {min(cpus):.3f}); walls {[round(w, 3) for w in walls]}")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
