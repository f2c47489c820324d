"""Markdown bodies to HTML that is safe by default.

Raw HTML in a page body is shown as text (Hugo's default), and links or images
whose URL scheme could run code (`javascript:`, `data:`, `vbscript:`) lose it.
A site that wants raw HTML sets `unsafe_html = true`.
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
_TAGS = re.compile(r"<[^>]+>")


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


# One line of printable prose, no outer spaces, not starting like a block (heading, quote, list,
# rule), without the characters of inline syntax (escapes, code, emphasis, links, HTML, entities):
# a plain paragraph to Markdown. (`:`, `#`, `=` and the like only mean something at a line's start.)
_PLAIN = re.compile(r"^(?![ ]|[#>=+*-]|\d+[.)])[^\n\r\t\x00\\`*_\[\]<>&]*(?<![ ])$")


class Renderer:
    """One reusable Markdown converter: building a fresh one per page costs more than the page.

    Most abstracts are a single line of plain prose, which Markdown turns into `<p>line</p>`;
    those skip the parser (half of a large build's reading time). The tests check the
    shortcut against Markdown itself on every real and synthetic abstract.
    """

    def __init__(self, allow_html: bool = False):
        self._md = markdown.Markdown(extensions=[SafeMarkup(allow_html)], output_format="html")

    def to_html(self, text: str) -> str:
        line = text.strip("\n")
        if line and line.isprintable() and line == line.strip() and _PLAIN.match(line):
            return f"<p>{line}</p>"
        self._md.reset()
        return self._md.convert(text)


def html_to_text(fragment: str) -> str:
    """The words a reader sees, for search and summaries."""
    return " ".join(html.unescape(_TAGS.sub(" ", fragment)).split())
