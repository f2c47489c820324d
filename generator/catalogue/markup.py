"""Markdown bodies to HTML that is safe by default.

Raw HTML in a page body is shown as text (Hugo's default), and links or images
whose URL scheme could run code (`javascript:`, `data:`, `vbscript:`) lose it
(safe_markdown). A site that wants raw HTML sets `unsafe_html = true`.
"""

from __future__ import annotations

import html
import re

from generator.ingest.markdown_text import escape_markdown

_TAGS = re.compile(r"<[^>]+>")
# Inline tags sit inside words and sentences ("<strong>Varco</strong>,"): dropped, not spaced.
_INLINE_TAGS = re.compile(r"</?(?:a|strong|em|code|b|i|span|sub|sup|abbr|mark)\b[^>]*>")

# One line of printable prose, no outer spaces, not starting like a block (heading, quote, list,
# rule), without the characters of inline syntax (escapes, code, emphasis, links, HTML, entities):
# a plain paragraph to Markdown. (`:`, `#`, `=` and the like only mean something at a line's start.)
_PLAIN = re.compile(r"^(?![ ]|[#>=+*-]|\d+[.)])[^\n\r\t\x00\\`*_\[\]<>&]*(?<![ ])$")


# What escape_markdown (ingest) writes for plain text: entities for & < >, backslashes before inline
# syntax, and before what would start a block.
_ESCAPE = re.compile(r"&(amp|lt|gt);|\\([\\`*_\[\]#+\-.)])")
_ENTITY = {"amp": "&", "lt": "<", "gt": ">"}


def _escaped_prose(line: str) -> str | None:
    """A paragraph that is plain text escaped by ingest (escape_markdown) as its HTML, made in one
    pass; None for anything else. Markdown takes time quadratic in the escapes of one paragraph
    (40,000 `&lt;` took 7 s); this is linear, and the tests hold it to Markdown's own output."""
    if not line or line != line.strip() or not line.isprintable() or "\t" in line:
        return None
    plain = _ESCAPE.sub(lambda m: _ENTITY[m[1]] if m[1] else m[2], line)
    if escape_markdown(plain) != line:
        return None
    return html.escape(plain, quote=False)


class Renderer:
    """One reusable Markdown converter: building a fresh one per page costs more than the page.

    Most abstracts are plain prose, one line per paragraph, paragraphs apart by a blank line,
    which Markdown turns into `<p>line</p>` each; those skip the parser (half of a large build's
    reading time), and Markdown is not even loaded until a page needs it. The tests check the
    shortcut against Markdown itself on every real and synthetic abstract.
    """

    def __init__(self, allow_html: bool = False):
        self.allow_html = allow_html
        self._md = None

    def to_html(self, text: str) -> str:
        paragraphs = text.strip("\n").split("\n\n")
        if all(line and line.isprintable() and line == line.strip() and _PLAIN.match(line) for line in paragraphs):
            return "\n".join(f"<p>{line}</p>" for line in paragraphs)
        escaped = [_escaped_prose(line) for line in paragraphs]
        if None not in escaped:
            return "\n".join(f"<p>{line}</p>" for line in escaped)
        if self._md is None:
            from generator.catalogue.safe_markdown import converter

            self._md = converter(self.allow_html)
        self._md.reset()
        return self._md.convert(text)


def html_to_text(fragment: str) -> str:
    """The words a reader sees, for search and summaries."""
    return " ".join(html.unescape(_TAGS.sub(" ", _INLINE_TAGS.sub("", fragment))).split())
