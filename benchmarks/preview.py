"""`catalogue serve` for the benchmarks: on a copy of a content folder, on a free loopback port,
stopped and cleaned up at the end (serve_reload.py, serve_load.py)."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent


@dataclass
class Preview:
    base: str           # http://127.0.0.1:<port>/
    content: Path       # the copy it serves, to edit
    lines: list[str]    # what the server has printed so far
    started_in: float   # seconds to its first build and "serving on"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def serving(content: Path, *options: str, prefix: str = "catalogue-serve-bench-"):
    work = Path(tempfile.mkdtemp(prefix=prefix))
    copy = work / "content"
    shutil.copytree(content, copy)
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "generator", "serve", "--content", str(copy),
                               "--port", str(port), *options], cwd=PROJECT, stderr=subprocess.PIPE, text=True)
    lines: list[str] = []
    threading.Thread(target=lambda: [lines.append(ln) for ln in server.stderr], daemon=True).start()
    try:
        started = time.perf_counter()
        while not any("serving on" in ln for ln in lines):
            if server.poll() is not None:
                raise SystemExit("".join(lines))
            time.sleep(0.05)
        yield Preview(f"http://127.0.0.1:{port}/", copy, lines, time.perf_counter() - started)
    finally:
        server.terminate()
        server.wait(timeout=30)
        shutil.rmtree(work, ignore_errors=True)
