"""The Markdown extension that keeps page bodies safe: raw HTML shown as text unless a site
allows it, and links or images whose URL scheme could run code lose it.

Apart from markup.py so that a build whose pages are all plain prose never loads Markdown.
"""

from __future__ import annotations

import html
import re
from xml.etree.ElementTree import Element

import markdown
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor

_SAFE_SCHEMES = {"http", "https", "mailto", "ftp", ""}
_SCHEME = re.compile(r"^\s*([a-zA-Z][a-zA-Z0-9+.\-]*):")


def safe_url(url: str) -> bool:
    cleaned = re.sub(r"[\x00-\x20]", "", html.unescape(url))
    match = _SCHEME.match(cleaned)
    return match is None or match.group(1).lower() in _SAFE_SCHEMES


class _DropUnsafeUrls(Treeprocessor):
    def run(self, root: Element) -> None:
        for element in root.iter():
            for attribute in ("href", "src"):
                value = element.get(attribute)
                if value is not None and not safe_url(value):
                    element.set(attribute, "#")


class SafeMarkup(Extension):
    def __init__(self, allow_html: bool = False):
        super().__init__()
        self.allow_html = allow_html

    def extendMarkdown(self, md: markdown.Markdown) -> None:
        if not self.allow_html:
            md.preprocessors.deregister("html_block")
            md.inlinePatterns.deregister("html")
        md.treeprocessors.register(_DropUnsafeUrls(md), "drop_unsafe_urls", 0)


def converter(allow_html: bool) -> markdown.Markdown:
    return markdown.Markdown(extensions=[SafeMarkup(allow_html)], output_format="html")
