"""`catalogue serve`: build, serve on localhost, rebuild on change, reload the browser.

One self-contained module in the manner of MkDocs's livereload: watchdog
reports saves, a burst of them is debounced into one rebuild, and each page
the server sends carries a small script that long-polls the build counter and
reloads when it moves. The script is added to responses only: `build` output
never holds it. Paths are normalised and confined to the site folder before
they touch the disk.
"""

from __future__ import annotations

import dataclasses
import errno
import html
import http.server
import mimetypes
import shutil
import signal
import socketserver
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Callable
from urllib.parse import quote, unquote, urlsplit

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer

from generator.build.freshness import STATE_FILE, private_cache_dir
from generator.build.pipeline import build
from generator.build.state import BuildState
from generator.errors import CatalogueError
from generator.settings import Settings

DEBOUNCE_SECONDS = 0.15
POLL_SECONDS = 25
RELOAD_PATH = "__livereload__/"
IGNORED_SUFFIXES = (".tmp", ".swp", ".swx", "~", ".part")
# A browser opens at most six connections to a server, and a long poll holds one: with one a tab,
# a seventh tab would wait. So the tab holding a lock (navigator.locks) long-polls for all and tells
# the others (BroadcastChannel); each of them asks once, without waiting (-1), whether it is stale.
# Without Web Locks (a page not from localhost is no secure context), each tab asks every second.
RELOAD_SCRIPT = """<script>
(function () {
  var epoch = %d, url = %s;
  var channel = window.BroadcastChannel && navigator.locks ? new BroadcastChannel(url) : null;
  function ask(wait, then) {
    fetch(url + (wait ? epoch : -1), {cache: "no-store"}).then(function (r) { return r.text(); }).then(function (text) {
      if (Number(text) === epoch) { return then(); }
      if (channel) { channel.postMessage(Number(text)); }
      location.reload();
    }).catch(function () { setTimeout(then, 1000); });
  }
  function poll() { ask(true, poll); }
  function every() { ask(false, function () { setTimeout(every, 1000); }); }
  if (!channel) { every(); return; }
  channel.onmessage = function (event) { if (event.data !== epoch) { location.reload(); } };
  ask(false, function () {});
  navigator.locks.request(url, function () { return new Promise(poll); });
})();
</script>"""


class Preview:
    """The state shared by the watcher, the builder thread and the request handlers."""

    def __init__(self, settings: Settings, out: Path, say: Callable[[str], None]):
        self.settings = settings
        self.reread: Callable[[], Settings] | None = None  # the settings read again before each build (see serve)
        self.watch: Callable[[Settings], None] | None = None  # has the folders the settings name watched (see serve)
        self.out = out
        self.say = say
        self.epoch = 0
        self.error: str | None = None
        self.changed = threading.Event()
        self.stopping = threading.Event()
        self.cond = threading.Condition()
        self.state = BuildState()

    def rebuild(self) -> None:
        try:
            if self.reread is not None:
                self.settings = self.reread()
                if self.watch is not None:  # a templates folder first named now is watched from now on
                    self.watch(self.settings)
            result = build(self.settings, self.out, state=self.state, allow_empty=True)  # a new catalogue previews
            error = None
            self.say(f"rebuilt: {result.summary()}")
        except CatalogueError as exc:
            error = str(exc)
            self.say(f"error: {exc}")
        except Exception as exc:  # a preview server keeps running whatever the content holds
            error = f"unexpected {type(exc).__name__}: {exc}"
            self.say(f"error: {error}")
        with self.cond:
            self.error = error
            self.epoch += 1
            self.cond.notify_all()
        self.state.prepare()  # while the browser reloads and the next edit is being made

    def builder_loop(self) -> None:
        """Wait for a change, let the burst settle, rebuild once."""
        while not self.stopping.is_set():
            if not self.changed.wait(0.5):
                continue
            while self.changed.is_set():
                self.changed.clear()
                time.sleep(DEBOUNCE_SECONDS)
            if not self.stopping.is_set():
                self.rebuild()

    def wait_for_change(self, epoch: int) -> int:
        with self.cond:
            self.cond.wait_for(lambda: self.epoch != epoch or self.stopping.is_set(), timeout=POLL_SECONDS)
            return self.epoch


class _Changes(FileSystemEventHandler):
    def __init__(self, preview: Preview, only: Path | None = None):
        self.preview = preview
        self.out = preview.out.resolve()
        self.only = only  # for the settings file's folder: that file alone counts

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.event_type in ("opened", "closed_no_write"):
            return
        for path in (event.src_path, getattr(event, "dest_path", "") or ""):
            if path and self._counts(Path(str(path))):
                self.preview.changed.set()
                return

    def _counts(self, path: Path) -> bool:
        if path.name.startswith(".") or path.name.endswith(IGNORED_SUFFIXES):
            return False  # editors' and our own temporary files
        resolved = path.resolve()
        if self.only is not None:
            return resolved == self.only
        return not (resolved == self.out or self.out in resolved.parents)


class _Replaced(FileSystemEventHandler):
    """A watched folder replaced whole (`mv content.new content`, a sync tool): the system's watch
    ended with the old folder, and no edit was seen again. Watched from its parent, the new one is
    watched in its place, and the site rebuilt."""

    def __init__(self, preview: Preview, observer, handler: _Changes, folder: Path, watch):
        self.preview, self.observer, self.handler, self.folder, self.watch = preview, observer, handler, folder, watch

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.event_type not in ("created", "moved"):
            return
        if Path(str(getattr(event, "dest_path", "") or event.src_path)) != self.folder or not self.folder.is_dir():
            return
        try:
            self.observer.unschedule(self.watch)
        except KeyError:  # already gone with the old folder
            pass
        self.watch = self.observer.schedule(self.handler, str(self.folder), recursive=True)
        self.preview.changed.set()


def make_handler(preview: Preview) -> type[http.server.BaseHTTPRequestHandler]:
    class Handler(http.server.BaseHTTPRequestHandler):
        server_version = "catalogue-preview"
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args) -> None:  # quiet: the builds are what matter
            pass

        def do_HEAD(self) -> None:
            self.do_GET(head=True)

        def do_GET(self, head: bool = False) -> None:
            # as the settings say now (they are read again on each rebuild), as a request writes it:
            # percent-encoded (a sub-path /bücher/ arrives as /b%C3%BCcher/)
            base = quote(preview.settings.base_path, safe="/%")
            parts = urlsplit(self.path)
            path, query = parts.path, f"?{parts.query}" if parts.query else ""  # a redirect keeps the query
            if path == "/" and base != "/" or path + "/" == base:
                return self._redirect(base + query)
            if not path.startswith(base):
                return self._not_found(head)
            relative = path[len(base):]
            if relative.startswith(RELOAD_PATH):
                return self._livereload(relative[len(RELOAD_PATH):])
            with preview.cond:
                error = preview.error
            if error is not None and (relative == "" or relative.endswith(("/", ".html"))):
                return self._send(500, _error_page(error, preview.epoch, base).encode("utf-8"),
                                  "text/html; charset=utf-8", head)
            target = safe_target(preview.out, relative)
            if target is None:
                return self._not_found(head)
            if target.is_dir():
                if not path.endswith("/"):
                    return self._redirect(path + "/" + query)  # /search?q=lora: the shared query stays
                target = target / "index.html"
                if not target.is_file():
                    return self._not_found(head)
            self._file(target, 200, head)

        def _file(self, target: Path, status: int, head: bool) -> None:
            try:
                data = target.read_bytes()
            except OSError:
                return self._send(404, b"not found", "text/plain; charset=utf-8", head)
            kind = content_type(target)
            if kind.startswith("text/html"):
                data = inject_reload(data, preview.epoch, preview.settings.base_path)
            self._send(status, data, kind, head)

        def _not_found(self, head: bool) -> None:
            page = safe_target(preview.out, "404.html")
            if page is not None and page.is_file():
                return self._file(page, 404, head)
            self._send(404, b"not found", "text/plain; charset=utf-8", head)

        def _livereload(self, epoch_text: str) -> None:
            try:
                epoch = int(epoch_text)
            except ValueError:
                return self._send(400, b"bad epoch", "text/plain; charset=utf-8", False)
            current = preview.wait_for_change(epoch)
            self._send(200, str(current).encode("ascii"), "text/plain; charset=utf-8", False)

        def _redirect(self, location: str) -> None:
            self.send_response(302)
            self.send_header("Location", location)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def _send(self, status: int, data: bytes, kind: str, head: bool) -> None:
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(data)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            if not head:
                self.wfile.write(data)

    return Handler


def safe_target(root: Path, relative: str) -> Path | None:
    """The file a URL path names inside `root`, or None if it would leave it.

    Decodes percent-escapes once, refuses `..` segments, empty segments
    (`//`), backslashes and NUL, and finally checks the real path, so a link
    inside the site cannot lead out of it.
    """
    decoded = unquote(relative)
    if "\x00" in decoded or "\\" in decoded:
        return None
    parts = decoded.split("/")
    if parts and parts[-1] == "":
        parts = parts[:-1]
    if any(p in ("", ".", "..") for p in parts):
        return None
    root_real = root.resolve()
    target = root_real.joinpath(*parts) if parts else root_real
    try:
        real = target.resolve(strict=True)
    except (OSError, RuntimeError):
        return None
    if real != root_real and root_real not in real.parents:
        return None
    return real


def content_type(path: Path) -> str:
    kind = {".js": "text/javascript", ".json": "application/json", ".xml": "application/xml",
            ".txt": "text/plain", ".css": "text/css", ".html": "text/html"}.get(path.suffix)
    kind = kind or mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    if kind.startswith("text/") or kind in ("application/json", "application/xml"):
        kind += "; charset=utf-8"
    return kind


def inject_reload(page: bytes, epoch: int, base: str) -> bytes:
    script = (RELOAD_SCRIPT % (epoch, _js_string(base + RELOAD_PATH))).encode("utf-8")
    at = page.rfind(b"</body>")
    return page[:at] + script + page[at:] if at >= 0 else page + script


def _js_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("<", "\\u003c") + '"'


def _error_page(message: str, epoch: int, base: str) -> str:
    page = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Build error</title>
<style>body{{font:1rem/1.5 system-ui,sans-serif;margin:2rem;max-width:60rem}}pre{{white-space:pre-wrap;background:#fde8e8;color:#5c0b0b;padding:1rem;border-radius:6px}}</style>
</head><body><h1>The site could not be built</h1>
<pre>{html.escape(message)}</pre>
<p>Fix the file and save it: this page reloads by itself.</p></body></html>"""
    return inject_reload(page.encode("utf-8"), epoch, base).decode("utf-8")


class _Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    # The listening backlog: socketserver's 5 makes a page with many files, or a few open tabs
    # reloading at once, drop connections and retry them seconds later.
    request_queue_size = 1024

    def handle_error(self, request, client_address) -> None:
        """A browser that left a page (a reload poll, a file half sent) is not an error: no traceback."""
        if isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError, ConnectionAbortedError)):
            return
        super().handle_error(request, client_address)


def serve(settings: Settings, host: str = "127.0.0.1", port: int = 8000, out: Path | None = None,
          say: Callable[[str], None] = print, reread: Callable[[], Settings] | None = None) -> int:
    """`reread()`: the settings as the command line and the settings file give them now (the
    file is read again before each rebuild; a mistake in it shows as the build error page)."""
    if out is not None:  # refused now, not as a build error shown in the browser
        from generator.build.writer import check_output

        check_output(out, settings)
    preview = Preview(settings, out or Path("site"), say)
    try:
        server = _Server((host, port), make_handler(preview))
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise CatalogueError(f"port {port} on {host} is already in use; pass --port to choose another") from None
        raise CatalogueError(f"cannot listen on {host}:{port}: {exc.strerror}") from None
    def addressed(found: Settings) -> Settings:
        """The preview's own address where base_url is not a full one: feeds, sitemap and canonical links work."""
        if found.absolute_base is not None:
            return found
        shown = f"[{host}]" if ":" in host else host
        return dataclasses.replace(found, base_url=f"http://{shown}:{server.server_address[1]}{found.base_path}")

    settings = preview.settings = addressed(settings)
    if reread is not None:
        preview.reread = lambda: addressed(reread())
    temporary = out is None  # made only once the port is ours, so a refused start leaves nothing behind
    if temporary:
        out = preview.out = Path(tempfile.mkdtemp(prefix="catalogue-preview-")) / "site"
    preview.rebuild()
    observer = Observer()
    handler = _Changes(preview)
    watched: set[Path] = set()

    def watch(found: Settings) -> None:
        """Watch each content and templates folder the settings name and no watch covers yet."""
        for folder in _watched(found):
            if folder not in watched and not any(w in folder.parents for w in watched):
                scheduled = observer.schedule(handler, str(folder), recursive=True)
                observer.schedule(_Replaced(preview, observer, handler, folder, scheduled), str(folder.parent),
                                  recursive=False)
                watched.add(folder)

    watch(settings)
    preview.watch = watch
    if settings.config_path is not None:
        config = settings.config_path.resolve()
        observer.schedule(_Changes(preview, only=config), str(config.parent), recursive=False)
    observer.start()
    builder = threading.Thread(target=preview.builder_loop, name="rebuild", daemon=True)
    builder.start()
    _stop_on_signals()
    shown_host = f"[{host}]" if ":" in host else host
    say(f"serving on http://{shown_host}:{server.server_address[1]}{settings.base_path} (Ctrl-C to stop)")
    try:
        server.serve_forever(poll_interval=0.25)
    except KeyboardInterrupt:
        say("stopping")
    finally:
        if threading.current_thread() is threading.main_thread():  # a second Ctrl-C must not stop the cleanup
            signal.signal(signal.SIGINT, signal.SIG_IGN)
        preview.stopping.set()
        with preview.cond:
            preview.cond.notify_all()
        server.server_close()
        observer.stop()
        observer.join(timeout=5)
        if temporary:
            kept = private_cache_dir(out) / STATE_FILE  # the preview's state and record, in the user's cache
            shutil.rmtree(out.parent, ignore_errors=True)
            BuildState.discard(kept)
    return 0


def _stop_on_signals() -> None:
    """Ctrl-C, `kill` and a closed terminal all stop cleanly, even where the shell started us ignoring SIGINT."""
    if threading.current_thread() is not threading.main_thread():
        return

    def stop(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    if hasattr(signal, "SIGHUP"):  # the terminal closed: stop, and remove the preview's folder
        signal.signal(signal.SIGHUP, stop)


def _watched(settings: Settings) -> list[Path]:
    """Content and templates folders, each once (the settings file is watched on its own)."""
    folders = [settings.content, *settings.template_dirs()]
    unique: list[Path] = []
    for folder in folders:
        resolved = folder.resolve()
        if resolved.is_dir() and not any(resolved == u or u in resolved.parents for u in unique):
            unique = [u for u in unique if resolved not in u.parents] + [resolved]
    return unique
