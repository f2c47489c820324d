"""Where a full build's time and memory go, stage by stage.

    python benchmarks/profile_build.py CONTENT [--out DIR]

Builds CONTENT whole, in this process (workers are forked as in `catalogue build`), into a new
folder (DIR, else a temporary one, removed after), with no kept state (the state it saves goes
into a temporary cache folder, removed after), and prints for each stage
of the pipeline (build/pipeline.py): its wall time, the CPU time it took (this process and the
workers it reaped), this process's resident memory before and after it and its peak so far,
and over the whole build the peak PSS of the process tree (workers included, sampled as
benchmarks.run's TreePss does, from a process of its own, so as not to slow this one).
Rendering and the search index overlap: the search index is built while the workers render, so
its row is inside the rendering row.
"""

from __future__ import annotations

import argparse
import functools
import importlib
import multiprocessing
import os
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))

from benchmarks.run import TreePss, state_saved, tree_pss_kb  # noqa: E402

STAGES = [  # (module, function, what the row says)
    ("generator.catalogue.reader", "read_papers", "reading pages (and each paper's words, on every core)"),
    ("generator.catalogue.groups", "index_catalogue", "catalogue: nearness, topics by neighbours, related lists"),
    ("generator.build.incremental", "plan_whole", "plan: every page's route and key"),
    ("generator.build.writer", "write_whole", "rendering and writing every page (on every core)"),
    ("generator.search.index", "build_search", "  of which: the search index (this process)"),
]


def cpu() -> float:
    own, reaped = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + reaped.ru_utime + reaped.ru_stime


def memory() -> tuple[int, int]:
    """This process's resident memory now and its peak so far, MB."""
    found = {}
    with open("/proc/self/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith(("VmRSS", "VmHWM")):
                found[line[:5]] = int(line.split()[1]) // 1024
    return found["VmRSS"], found["VmHWM"]


def timing(rows: list, module: str, name: str, label: str) -> None:
    """Wrap module.name so that each call adds a row."""
    mod = importlib.import_module(module)
    real = getattr(mod, name)

    @functools.wraps(real)
    def timed(*args, **kwargs):
        rss_before, _ = memory()
        cpu_before, started = cpu(), time.perf_counter()
        result = real(*args, **kwargs)
        rss_after, peak = memory()
        rows.append((label, time.perf_counter() - started, cpu() - cpu_before, rss_before, rss_after, peak))
        return result

    setattr(mod, name, timed)


def sample_tree(pid: int, conn) -> None:
    """In a process of its own: the peak summed PSS of `pid` and its descendants but this one, KB,
    sent back when asked."""
    peak = 0
    while not conn.poll(TreePss.INTERVAL):
        peak = max(peak, tree_pss_kb(pid, but=os.getpid()))
    conn.recv()
    conn.send(peak)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("content", type=Path)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    rows: list = []
    for module, name, label in STAGES:
        timing(rows, module, name, label)
    from generator.cli import main as catalogue

    folder = Path(tempfile.mkdtemp(prefix="profile-build-"))
    out = args.out or folder / "site"
    os.environ["XDG_CACHE_HOME"] = str(folder / "cache")
    ours, theirs = multiprocessing.get_context("fork").Pipe()
    sampler = multiprocessing.get_context("fork").Process(target=sample_tree, args=(os.getpid(), theirs))
    sampler.start()
    started = time.perf_counter()
    try:
        code = catalogue(["build", "--content", str(args.content), "--out", str(out), "--force", "--quiet"])
        seconds = time.perf_counter() - started
    finally:
        ours.send("stop")
        tree_mb = ours.recv() / 1024
        sampler.join()
        state_saved(out)  # written in the background: wait for it before removing its folder
        shutil.rmtree(folder, ignore_errors=True)
    if code:
        raise SystemExit(code)
    print("| stage | wall | CPU (workers included) | RSS before -> after, MB | peak RSS so far, MB |")
    print("|---|---|---|---|---|")
    for label, wall, spent, before, after, peak in rows:
        print(f"| {label} | {wall:.2f} s | {spent:.2f} s | {before} -> {after} | {peak} |")
    print(f"| whole build | {seconds:.2f} s | | | peak PSS of the process tree: {tree_mb:.0f} MB |")


if __name__ == "__main__":
    main()
