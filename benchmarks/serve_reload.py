"""Time from saving a paper to the reloaded page in `catalogue serve`.

    python benchmarks/serve_reload.py [CONTENT_DIR] [--edits 3]

Starts the real server on a free port (on a copy of the content, default the
shipped catalogue), waits on the reload endpoint the way an open tab does,
edits one paper and measures until the page is served with the edit.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get(url: str, timeout: float = 600) -> str:
    with urllib.request.urlopen(url, timeout=timeout) as response:
        return response.read().decode("utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("content", nargs="?", type=Path, default=PROJECT / "content")
    parser.add_argument("--edits", type=int, default=3)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="catalogue-serve-bench-"))
    content = work / "content"
    shutil.copytree(args.content, content)
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "generator", "serve", "--content", str(content),
                               "--port", str(port), "--config", os.devnull], cwd=PROJECT,
                              stderr=subprocess.PIPE, text=True)
    lines: list[str] = []
    threading.Thread(target=lambda: [lines.append(ln) for ln in server.stderr], daemon=True).start()
    try:
        started = time.perf_counter()
        while not any("serving on" in ln for ln in lines):
            if server.poll() is not None:
                raise SystemExit("".join(lines))
            time.sleep(0.05)
        first_build = time.perf_counter() - started
        base = f"http://127.0.0.1:{port}/"
        papers = sorted((content / "papers").glob("*.md"))
        page = papers[len(papers) // 2]
        slug = page.stem
        times = []
        for edit in range(1, args.edits + 1):
            epoch = int(re.search(r"var epoch = (\d+)", get(base)).group(1))
            marker = f"Edited for the reload benchmark, take {edit}."
            saved = time.perf_counter()
            page.write_text(page.read_text(encoding="utf-8") + f"\n{marker}\n", encoding="utf-8")
            get(f"{base}__livereload__/{epoch}")  # returns when the rebuild is done, as in the open tab
            body = get(f"{base}papers/{slug}/")
            times.append(time.perf_counter() - saved)
            assert marker in body, "the reloaded page does not show the edit"
        rebuilds = [float(m.group(1)) for ln in lines if "rebuilt:" in ln
                    for m in [re.search(r" in (\d+\.\d+)s;", ln)] if m][1:]  # the server's own figure
        print(f"{len(papers):,} papers: first build and serve {first_build:.2f} s; save -> reloaded page "
              f"median {statistics.median(times):.2f} s (of {', '.join(f'{t:.2f}' for t in times)}); "
              f"rebuilds {', '.join(f'{t:.2f}' for t in rebuilds)} s")
    finally:
        server.terminate()
        server.wait(timeout=30)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
