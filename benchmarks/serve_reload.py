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
import statistics
import sys
import time
import urllib.request
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))

from benchmarks.preview import serving  # noqa: E402


def get(url: str, timeout: float = 600) -> str:
    with urllib.request.urlopen(url, timeout=timeout) as response:
        return response.read().decode("utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("content", nargs="?", type=Path, default=PROJECT / "content")
    parser.add_argument("--edits", type=int, default=3)
    args = parser.parse_args()
    with serving(args.content, "--config", os.devnull) as preview:
        first_build, base, content, lines = preview.started_in, preview.base, preview.content, preview.lines
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


if __name__ == "__main__":
    main()
