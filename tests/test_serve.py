"""`catalogue serve`: the real server on a free port, edited content, errors, traversal, 404s."""

from __future__ import annotations

import http.client
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from conftest import PROJECT, SHIPPED_CONTENT, free_port, write_paper
from sitecheck import fetch

from generator.build.freshness import private_cache_dir

MIRO = "miromind-m1-an-open-source-advancement-in-mathematical-reasoning-via-context"


class Server:
    def __init__(self, content: Path, *args: str):
        self.port = free_port()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "generator", "serve", "--content", str(content), "--port", str(self.port), *args],
            cwd=PROJECT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.lines: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()
        self.wait_for("serving on http://")
        base = re.search(r"serving on (\S+)", "\n".join(self.lines)).group(1)
        self.url = base

    def _read(self):
        for line in self.proc.stderr:
            self.lines.append(line.rstrip("\n"))

    def wait_for(self, text: str, timeout: float = 60, after: int = 0) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for line in self.lines[after:]:
                if text in line:
                    return line
            if self.proc.poll() is not None and not any(text in ln for ln in self.lines[after:]):
                raise AssertionError(f"server exited: {self.lines}")
            time.sleep(0.02)
        raise AssertionError(f"{text!r} not seen in {self.lines}")

    def get(self, path: str) -> tuple[int, str, str]:
        status, body, kind = fetch(f"http://127.0.0.1:{self.port}{path}")
        return status, body.decode("utf-8", "replace"), kind

    def raw(self, path: str) -> tuple[int, str]:
        """A request with the path exactly as given, as an attacker would send it."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        connection.putrequest("GET", path, skip_host=False, skip_accept_encoding=True)
        connection.endheaders()
        response = connection.getresponse()
        return response.status, response.read().decode("utf-8", "replace")

    def stop(self) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
        return self.proc.wait(timeout=20)


@pytest.fixture
def content(tmp_path) -> Path:
    copy = tmp_path / "content"
    shutil.copytree(SHIPPED_CONTENT, copy)
    return copy


@pytest.fixture
def server(content):
    running = Server(content)
    yield running
    running.stop()


def epoch_after(server: Server, epoch: int) -> int:
    """Long-poll the build counter, as the page's reload script does."""
    return int(server.get(f"/__livereload__/{epoch}")[1])


def test_serves_the_built_site_on_localhost_with_the_reload_script(server):
    assert server.url.startswith("http://127.0.0.1:")
    status, body, kind = server.get("/")
    assert status == 200 and kind == "text/html; charset=utf-8"
    assert "Newest papers" in body and "__livereload__" in body
    status, body, _ = server.get(f"/papers/{MIRO}/")
    assert status == 200 and "MiroMind-M1" in body


def test_content_types_are_right(server):
    assert server.get("/")[2] == "text/html; charset=utf-8"
    assert server.get("/static/style.css")[2] == "text/css; charset=utf-8"
    assert server.get("/static/search.js")[2] == "text/javascript; charset=utf-8"
    assert server.get("/search/manifest.json")[2] == "application/json; charset=utf-8"
    assert server.get("/feed.xml")[2] == "application/xml; charset=utf-8"


def test_an_edited_paper_is_served_fresh_after_one_rebuild(server, content):
    path = content / "papers" / f"{MIRO}.md"
    seen = len(server.lines)
    path.write_text(path.read_text(encoding="utf-8").replace("Large language models have recently",
                                                             "EDITED: Large language models have recently"),
                    encoding="utf-8")
    assert epoch_after(server, 1) == 2
    server.wait_for("rebuilt", after=seen)
    assert "EDITED: Large language models" in server.get(f"/papers/{MIRO}/")[1]


@pytest.mark.parametrize("locks", [True, False], ids=["with Web Locks", "without (no secure context)"])
def test_eight_tabs_all_load_and_all_reload_after_an_edit(server, content, locks):
    """A browser opens at most six connections to a server and each tab's reload poll held one:
    a seventh tab stalled until a poll came back (25 s). One tab now polls for all; where there
    are no Web Locks (a page served to another machine), each tab asks every second instead."""
    from conftest import CHROMIUM
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        try:
            context = browser.new_context()
            if not locks:
                context.add_init_script("delete Navigator.prototype.locks")
            tabs = [context.new_page() for _ in range(8)]
            for tab in tabs:
                tab.goto(f"{server.url}papers/{MIRO}/", timeout=10_000)  # a stalled tab waits 25 s
            path = content / "papers" / f"{MIRO}.md"
            path.write_text(path.read_text(encoding="utf-8").replace("title: 'MiroMind", "title: 'Edited MiroMind", 1), encoding="utf-8")
            for tab in tabs:
                expect(tab).to_have_title(re.compile("^Edited MiroMind"), timeout=20_000)
        finally:
            browser.close()


def test_a_content_folder_replaced_whole_is_watched_again(server, content):
    """After `mv content.new content` no edit was seen again: the watch ended with the old folder."""
    shutil.copytree(content, content.with_name("content.new"))
    shutil.rmtree(content)
    content.with_name("content.new").rename(content)
    server.wait_for("rebuilt", after=len(server.lines) - 1)
    epoch = epoch_after(server, 1)
    path = content / "papers" / f"{MIRO}.md"
    path.write_text(path.read_text(encoding="utf-8").replace("Large language models have recently",
                                                             "REPLACED: Large language models have recently"),
                    encoding="utf-8")
    assert epoch_after(server, epoch) > epoch
    deadline = time.monotonic() + 20
    while "REPLACED: Large" not in server.get(f"/papers/{MIRO}/")[1] and time.monotonic() < deadline:
        time.sleep(0.1)
    assert "REPLACED: Large language models" in server.get(f"/papers/{MIRO}/")[1]


def test_a_burst_of_saves_causes_one_rebuild(server, content):
    seen = len(server.lines)
    for i in range(12):
        write_paper(content, f"burst-{i}", f"Burst paper {i}")
        time.sleep(0.005)
    assert epoch_after(server, 1) == 2
    time.sleep(1.0)
    assert len([ln for ln in server.lines[seen:] if ln.startswith(("rebuilt", "error"))]) == 1
    assert server.get("/papers/burst-11/")[0] == 200


def test_a_broken_page_shows_as_an_error_page_then_recovers(server, content):
    broken = content / "papers" / "broken.md"
    broken.write_text("---\ntitle: [oops\n---\nBody\n", encoding="utf-8")
    assert epoch_after(server, 1) == 2
    status, body, _ = server.get("/")
    assert status == 500
    assert "broken.md:2: broken frontmatter" in body and "__livereload__" in body
    assert server.proc.poll() is None
    broken.write_text("---\ntitle: Fixed now\n---\nBody\n", encoding="utf-8")
    assert epoch_after(server, 2) == 3
    status, body, _ = server.get("/papers/broken/")
    assert status == 200 and "Fixed now" in body


def test_an_edit_to_the_settings_file_is_served_and_a_mistake_in_it_shows_as_the_error_page(tmp_path, content):
    """The settings were read once, at start: a new title or per_page never showed, and a broken
    value was served as if it were fine."""
    config = tmp_path / "catalogue.toml"
    config.write_text('title = "Paper catalogue"\nper_page = 25\n', encoding="utf-8")
    running = Server(content, "--config", str(config))
    try:
        assert "<title>Paper catalogue</title>" in running.get("/")[1]
        assert running.get("/topics/rlhf-reward-models/page/2/")[0] == 404  # its 20 papers on one page
        config.write_text('title = "Renamed catalogue"\nper_page = 10\n', encoding="utf-8")
        assert epoch_after(running, 1) == 2
        assert "<title>Renamed catalogue</title>" in running.get("/")[1]
        assert running.get("/topics/rlhf-reward-models/page/2/")[0] == 200  # 10 a page now
        config.write_text('title = "Renamed catalogue"\nper_page = "lots"\n', encoding="utf-8")
        assert epoch_after(running, 2) == 3
        status, body, _ = running.get("/")
        assert status == 500 and "catalogue.toml:2: setting &#x27;per_page&#x27; should be a whole number" in body
        assert running.proc.poll() is None
    finally:
        running.stop()


def test_a_browser_that_left_while_waiting_for_a_reload_is_no_traceback(server, content):
    """A tab closed or a link followed leaves the reload poll's connection closed: the answer to it
    printed a BrokenPipeError traceback at every rebuild, and again at stop."""
    import socket

    for _ in range(3):
        with socket.create_connection(("127.0.0.1", server.port)) as sock:
            sock.sendall(b"GET /__livereload__/1 HTTP/1.1\r\nHost: x\r\n\r\n")
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
    time.sleep(0.3)
    seen = len(server.lines)
    write_paper(content, "one-more", "One more paper")
    server.wait_for("rebuilt", after=seen)
    time.sleep(0.5)
    assert server.stop() == 0
    assert not [line for line in server.lines if "Traceback" in line or "Error" in line], server.lines


def test_a_template_error_shows_with_its_file_and_recovers(tmp_path, content):
    templates = tmp_path / "templates"
    templates.mkdir()
    server = Server(content, "--templates", str(templates))
    try:
        (templates / "home.html").write_text("{% extends 'base.html' %}{% block main %}{{ oops( }}{% endblock %}",
                                             encoding="utf-8")
        assert epoch_after(server, 1) == 2
        status, body, _ = server.get("/")
        assert status == 500 and "home.html:1: template error" in body
        (templates / "home.html").unlink()
        assert epoch_after(server, 2) == 3
        assert server.get("/")[0] == 200
    finally:
        server.stop()


def test_a_templates_folder_first_named_in_the_settings_while_serving_is_watched(tmp_path, content):
    """Set in catalogue.toml after serve started, the folder's templates were used (the settings are
    read again) but an edit to them was not seen until serve was started again."""
    config, templates = tmp_path / "catalogue.toml", tmp_path / "ours"
    config.write_text('title = "Paper catalogue"\n', encoding="utf-8")
    templates.mkdir()
    (templates / "home.html").write_text("{% extends 'base.html' %}{% block main %}First home{% endblock %}",
                                         encoding="utf-8")
    running = Server(content, "--config", str(config))
    try:
        config.write_text('title = "Paper catalogue"\ntemplates = "ours"\n', encoding="utf-8")
        assert epoch_after(running, 1) == 2
        assert "First home" in running.get("/")[1]
        (templates / "home.html").write_text("{% extends 'base.html' %}{% block main %}Second home{% endblock %}",
                                             encoding="utf-8")
        assert epoch_after(running, 2) == 3
        assert "Second home" in running.get("/")[1]
    finally:
        running.stop()


@pytest.mark.parametrize("path", [
    "/../../../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd", "/%2E%2E%2F%2E%2E%2Fetc%2Fpasswd", "//etc/passwd",
    "/static/..%2f..%2fcontent/papers", "/papers/%00", "/static\\..\\..\\etc\\passwd", "/./index.html",
])
def test_paths_that_leave_the_site_are_refused(server, path):
    status, body = server.raw(path)
    assert status == 404
    assert "root:" not in body and "title:" not in body


def test_a_link_inside_the_site_that_points_out_of_it_is_not_followed(tmp_path):
    content = tmp_path / "content"
    write_paper(content, "p", "A Paper")
    out = tmp_path / "preview"
    server = Server(content, "--out", str(out))
    try:
        secret = tmp_path / "secret.txt"
        secret.write_text("top secret", encoding="utf-8")
        (out / "static" / "leak.txt").symlink_to(secret)
        status, body = server.raw("/static/leak.txt")
        assert status == 404 and "top secret" not in body
    finally:
        server.stop()


def test_unknown_paths_get_the_sites_404_page_with_status_404(server):
    status, body, kind = server.get("/no/such/page/")
    assert status == 404 and "Page not found" in body and kind.startswith("text/html")


def test_a_folder_without_its_slash_is_redirected(server):
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    connection.request("GET", "/topics")
    response = connection.getresponse()
    assert response.status == 302 and response.getheader("Location") == "/topics/"


def test_a_redirect_keeps_the_query_a_shared_search_address_holds(server):
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    connection.request("GET", "/search?q=lora")
    response = connection.getresponse()
    assert response.status == 302 and response.getheader("Location") == "/search/?q=lora"


def test_a_sub_path_with_letters_beyond_ascii_is_served(content):
    """`--base-url https://x.org/bücher/`: `/` redirected to `/b%fccher/` and every page was a 404."""
    server = Server(content, "--base-url", "https://x.org/bücher/")
    try:
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
        connection.request("GET", "/")
        response = connection.getresponse()
        assert response.status == 302 and response.getheader("Location") == "/b%C3%BCcher/"
        assert server.get("/b%C3%BCcher/")[0] == 200
        assert server.get("/b%C3%BCcher/topics/")[0] == 200
    finally:
        server.stop()


def test_the_site_is_served_under_its_base_url_sub_path(content):
    server = Server(content, "--base-url", "https://example.org/lab/papers/")
    try:
        assert server.url.endswith(":%d/lab/papers/" % server.port)
        assert server.get("/lab/papers/")[0] == 200
        assert server.get("/lab/papers/static/style.css")[0] == 200
        assert server.get("/static/style.css")[0] == 404
        for path in ("/", "/lab/papers"):  # the root, and the sub-path without its slash
            connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
            connection.request("GET", path)
            assert connection.getresponse().getheader("Location") == "/lab/papers/"
    finally:
        server.stop()


def test_many_concurrent_clients_are_served(server):
    results = []

    def client():
        for _ in range(5):
            results.append(server.get("/")[0])

    # a reload script long-polling in other tabs must not block anyone
    pollers = [threading.Thread(target=epoch_after, args=(server, 1), daemon=True) for _ in range(10)]
    clients = [threading.Thread(target=client) for _ in range(20)]
    for thread in pollers + clients:
        thread.start()
    for thread in clients:
        thread.join(timeout=60)
    assert results == [200] * 100


def test_two_hundred_clients_at_once_are_all_served_while_a_rebuild_runs(server, content):
    """socketserver's default listening backlog of 5 dropped connections under such a load."""
    paths = ["/", "/static/style.css", "/search/manifest.json", f"/papers/{MIRO}/", "/topics/", "/feed.xml"]
    results, start = [], threading.Barrier(200)

    def client(n):
        start.wait()  # all connect at once
        for k in range(5):
            try:
                results.append(server.get(paths[(n + k) % len(paths)])[0])
            except OSError as exc:
                results.append(repr(exc))

    clients = [threading.Thread(target=client, args=(n,)) for n in range(200)]
    for thread in clients:
        thread.start()
    page = content / "papers" / f"{MIRO}.md"
    page.write_text(page.read_text(encoding="utf-8").replace("Large language", "Big language"), encoding="utf-8")
    for thread in clients:
        thread.join(timeout=120)
    assert sorted(set(map(str, results))) == ["200"] and len(results) == 1000


def test_a_port_in_use_gets_a_clear_message(server, content):
    import tempfile

    previews = set(Path(tempfile.gettempdir()).glob("catalogue-preview-*"))
    result = subprocess.run([sys.executable, "-m", "generator", "serve", "--content", str(content),
                             "--port", str(server.port)], cwd=PROJECT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[-1] == (
        f"error: port {server.port} on 127.0.0.1 is already in use; pass --port to choose another")
    assert "Traceback" not in result.stderr
    assert set(Path(tempfile.gettempdir()).glob("catalogue-preview-*")) == previews, "a refused start leaves nothing"


def test_ctrl_c_stops_the_server_cleanly(content):
    server = Server(content)
    preview_dir = re.search(r"into (\S+) in", server.wait_for("rebuilt")).group(1)
    assert Path(preview_dir).is_dir()
    assert server.stop() == 0
    assert "Traceback" not in "\n".join(server.lines)
    assert not Path(preview_dir).exists(), "the temporary preview folder is removed"


@pytest.mark.parametrize("how", ["Ctrl-C twice", "the terminal closed"])
def test_the_preview_folder_is_removed_however_serve_is_stopped(content, how):
    """A second Ctrl-C during the cleanup (natural when it takes seconds) interrupted it, and a
    closed terminal (SIGHUP) skipped it: 182 MB left in /tmp at 10,000 papers."""
    server = Server(content)
    preview_dir = re.search(r"into (\S+) in", server.wait_for("rebuilt")).group(1)
    kept = private_cache_dir(Path(preview_dir))
    assert (kept / "build.json").exists()
    if how == "Ctrl-C twice":
        server.proc.send_signal(signal.SIGINT)
        server.wait_for("stopping")
        server.proc.send_signal(signal.SIGINT)
    else:
        server.proc.send_signal(signal.SIGHUP)
    assert server.proc.wait(timeout=20) == 0
    assert not Path(preview_dir).exists(), "the temporary preview folder is removed"
    assert not kept.exists(), "and what was kept of its build, in the user's cache"


def listening_addresses(port: int) -> set[str]:
    """Local addresses of the sockets listening on `port`, from the kernel's own table."""
    found = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        local, state = line.split()[1], line.split()[3]
        address, port_hex = local.split(":")
        if state == "0A" and int(port_hex, 16) == port:
            found.add(".".join(str(b) for b in reversed(bytes.fromhex(address))))
    return found


def test_serve_binds_only_the_loopback_address_by_default(server):
    assert listening_addresses(server.port) == {"127.0.0.1"}


def test_host_option_binds_another_address(content):
    server = Server(content, "--host", "0.0.0.0")
    try:
        assert listening_addresses(server.port) == {"0.0.0.0"}
    finally:
        server.stop()
