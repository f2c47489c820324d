"""Reading a built site as a browser or crawler would: links, tags, text."""

from __future__ import annotations

import urllib.error
import urllib.request
from html.parser import HTMLParser
from urllib.parse import urldefrag, urljoin, urlsplit


class PageParser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.tags: list[tuple[str, dict]] = []
        self.text: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        self.tags.append((tag, attributes))
        for name in ("href", "src"):
            if attributes.get(name):
                self.links.append(attributes[name])
        if tag in ("script", "style"):
            self._skip += 1

    def handle_endtag(self, tag):
        if tag in ("script", "style") and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.text.append(data)


def parse(html: str) -> PageParser:
    parser = PageParser()
    parser.feed(html)
    return parser


def fetch(url: str) -> tuple[int, bytes, str]:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, response.read(), response.headers.get("Content-Type", "")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read(), exc.headers.get("Content-Type", "")


def crawl(start: str) -> tuple[dict[str, int], list[tuple[str, str]]]:
    """Follow every link under `start`; return each URL's status and the broken (page, link) pairs."""
    prefix = start
    seen: dict[str, int] = {}
    broken: list[tuple[str, str]] = []
    queue = [start]
    while queue:
        url = queue.pop()
        if url in seen:
            continue
        status, body, kind = fetch(url)
        seen[url] = status
        if status != 200 or "html" not in kind:
            continue
        for link in parse(body.decode("utf-8")).links:
            if link.startswith(("mailto:", "data:")):
                continue
            target = urldefrag(urljoin(url, link))[0]
            if urlsplit(target).netloc != urlsplit(start).netloc:
                continue
            if not target.startswith(prefix):
                broken.append((url, link))
                continue
            if target not in seen:
                queue.append(target)
    for url, status in seen.items():
        if status != 200:
            broken.append(("?", url))
    return seen, broken
