"""Cold queries on the search page in real Chromium: bytes fetched and time to results on screen.

    python benchmarks/search_browser.py SITE_DIR [--chromium /usr/bin/chromium] [--per-kind 3]

The site is served on 127.0.0.1 by Python's static server. Each query opens
the search page as a new visitor would (`search/?q=...`, empty cache) and
waits for the first result. Printed per kind of query: the gzip bytes of the
scripts and data the page fetched (the HTML and CSS left out), the time from
navigation start and from DOMContentLoaded to the first result drawn, and
what a second query on the same page fetched.
"""

from __future__ import annotations

import argparse
import gzip
import json
import shutil
import socket
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from benchmarks.queries import KINDS, make_queries, site_texts  # noqa: E402

ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"]


def serve(site: Path) -> tuple[subprocess.Popen, str]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1", "--directory",
                             str(site)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(100):
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                break
        time.sleep(0.05)
    return proc, f"http://127.0.0.1:{port}/"


def gzip_size(site: Path, url: str) -> int:
    path = site / urllib.parse.urlsplit(url).path.lstrip("/")
    return len(gzip.compress(path.read_bytes(), 6)) if path.is_file() else 0


def counted(urls: list[str]) -> list[str]:
    return [u for u in urls if urllib.parse.urlsplit(u).path.endswith((".js", ".json"))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("site", type=Path)
    parser.add_argument("--chromium", default=shutil.which("chromium") or "/usr/bin/chromium")
    parser.add_argument("--per-kind", type=int, default=3)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    site = args.site.resolve()
    terms = json.loads((site / "search" / "terms.json").read_text("utf-8"))
    queries = make_queries(site_texts(site), terms, per_kind=args.per_kind, seed=3)
    server, base = serve(site)
    rows = []
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=args.chromium, args=ARGS)
            for kind in KINDS:
                for query in queries[kind]:
                    context = browser.new_context()
                    page = context.new_page()
                    fetched: list[str] = []
                    page.on("requestfinished", lambda request: fetched.append(request.url))
                    page.goto(base + "search/?q=" + urllib.parse.quote(query))
                    page.wait_for_function("document.getElementById('search-status').textContent.match(/match|No papers|too many|nothing/)")
                    drawn, ready = page.evaluate("[performance.now(), performance.timing.domContentLoadedEventEnd"
                                                 " - performance.timing.navigationStart]")
                    cold = sum(gzip_size(site, u) for u in counted(fetched))
                    fetched.clear()
                    page.fill("#search-input", "continual learning")
                    page.press("#search-input", "Enter")
                    page.wait_for_function("document.getElementById('search-status').textContent.includes('continual learning')")
                    page.wait_for_load_state("networkidle")
                    second = sum(gzip_size(site, u) for u in counted(fetched))
                    status = page.locator("#search-status").inner_text()
                    rows.append({"kind": kind, "query": query, "cold_gzip": cold, "ms_from_start": round(drawn),
                                 "ms_from_dom_ready": round(drawn - ready), "second_query_gzip": second,
                                 "status": status})
                    context.close()
            browser.close()
    finally:
        server.terminate()
    print("| kind of query | queries | cold KB gzip, max | ms to results from navigation, max | from DOM ready, max |")
    print("|---|---|---|---|---|")
    for kind in KINDS:
        mine = [r for r in rows if r["kind"] == kind]
        print(f"| {kind} | {len(mine)} | {max(r['cold_gzip'] for r in mine) / 1024:.1f} "
              f"| {max(r['ms_from_start'] for r in mine)} | {max(r['ms_from_dom_ready'] for r in mine)} |")
    print(json.dumps(rows, indent=1), file=sys.stderr)


if __name__ == "__main__":
    main()
