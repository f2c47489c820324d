"""Shared fixtures: the real captures, the shipped catalogue, and tiny catalogues made inline."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

import pytest

from generator.build.pipeline import build
from generator.ingest.merge import ingest
from generator.settings import load_settings

PROJECT = Path(__file__).resolve().parent.parent
# Builds keep their paper caches in the user's cache folder: give the test run one of its own,
# inherited by every command the tests start.
os.environ["XDG_CACHE_HOME"] = tempfile.mkdtemp(prefix="catalogue-test-cache-")
SEEDS = PROJECT.parent / "shared" / "seeds"
SHIPPED_CONTENT = PROJECT / "content"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


def seed_paths() -> list[Path]:
    paths = sorted(SEEDS.glob("*.txt"))
    assert paths, f"no captures in {SEEDS}: the tests need ../shared/seeds beside the project"
    return paths


def run_cli(*args: str, cwd: Path | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
    """The real command a user runs, in a new process."""
    return subprocess.run([sys.executable, "-m", "generator", *args], cwd=cwd or PROJECT, capture_output=True,
                          text=True, timeout=timeout)


def write_paper(content: Path, slug: str, title: str, body: str = "An abstract.", **meta) -> Path:
    """A hand-written page, as a person would add one."""
    lines = ["---", f"title: {title!r}" if "'" not in title else f'title: "{title}"']
    for key, value in meta.items():
        lines.append(f"{key}: {value}")
    lines += ["---", "", body, ""]
    path = content / "papers" / f"{slug}.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


LISTING_HEADER = "Subscribe\n\nDaily Papers\n\nbyAK and the research community\n\n"


def write_capture(path: Path, text: str, header: bool = True) -> Path:
    """A capture as the listing page gives it: its header, then the entries given."""
    body = textwrap.dedent(text).lstrip("\n")
    path.write_text((LISTING_HEADER if header else "") + body, encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def seeds() -> list[Path]:
    return seed_paths()


@pytest.fixture(scope="session")
def ingested(tmp_path_factory, seeds):
    """The real captures ingested into a fresh content folder, once per session."""
    content = tmp_path_factory.mktemp("ingested") / "content"
    report = ingest(seeds, content)
    return content, report


@pytest.fixture(scope="session")
def shipped_site(tmp_path_factory) -> Path:
    """The shipped catalogue (content/ of this repository) built into a temporary folder."""
    out = tmp_path_factory.mktemp("shipped") / "site"
    build(load_settings(None, SHIPPED_CONTENT), out)
    return out


@pytest.fixture(scope="session")
def subpath_site(tmp_path_factory) -> Path:
    """The shipped catalogue built for publishing under /lab/papers/."""
    out = tmp_path_factory.mktemp("subpath") / "site"
    build(load_settings(None, SHIPPED_CONTENT, base_url="https://example.org/lab/papers/"), out)
    return out


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def static_server():
    """Serve a folder under a URL prefix with Python's own static server, as a web host would."""
    started = []

    def start(site: Path, prefix: str = "/") -> str:
        root = site
        if prefix.strip("/"):  # publish the site at <host><prefix>, as a web host serving a sub-path would
            root = site.parent / f"www-{len(started)}"
            target = root / prefix.strip("/")
            target.parent.mkdir(parents=True, exist_ok=True)
            if not target.exists():
                target.symlink_to(site, target_is_directory=True)
        port = free_port()
        proc = subprocess.Popen([sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1",
                                 "--directory", str(root)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        started.append(proc)
        _wait_for_port(port)
        return f"http://127.0.0.1:{port}{prefix}"

    yield start
    for proc in started:
        proc.terminate()
        proc.wait(timeout=10)


def _wait_for_port(port: int, timeout: float = 10) -> None:
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise TimeoutError(f"nothing listening on port {port}")


def pytest_sessionfinish(session, exitstatus):
    shutil.rmtree(os.environ["XDG_CACHE_HOME"], ignore_errors=True)


def pytest_report_header(config):
    return [f"seeds: {SEEDS} ({len(list(SEEDS.glob('*.txt')))} captures)", f"chromium: {CHROMIUM}",
            f"CI: {os.environ.get('CI', '')}"]
