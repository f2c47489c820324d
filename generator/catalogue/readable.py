"""Text as readers expect it: the LaTeX-isms abstracts are captured with (`0.02\\%`, `S\\'umulas`,
`\\textbf{...}`, `\\url{...}`, `$\\alpha$`) shown as `0.02%`, `Súmulas`, bold, a link, `α`; bare web
addresses made links, without the sentence's closing punctuation. The page on disk keeps the
captured text; this is how it is shown (pages, feeds, meta tags, search) and cited.

pylatexenc does the LaTeX -> Unicode conversion; only spans that look like LaTeX are handed to it
(a bare `%` is a percent sign in an abstract, not a LaTeX comment)."""

from __future__ import annotations

import html
import logging
import re
from functools import lru_cache

_STYLED = {"textbf": "strong", "bf": "strong", "textit": "em", "emph": "em", "it": "em", "texttt": "code"}
_SPAN = re.compile(
    r"(?P<math>\$[^$\n]{1,200}?\$)"
    r"|\\(?P<style>textbf|textit|emph|texttt)\{(?P<styled>[^{}]*)\}"
    r"|\\url\{(?P<url>[^{}\s]*)\}"
    r"|\\href\{(?P<href>[^{}\s]*)\}\{(?P<label>[^{}]*)\}"
    r"|(?P<command>\\(?:[a-zA-Z]+(?:\{[^{}]*\})?|[^\sa-zA-Z0-9](?:\{[a-zA-Z]\}|[a-zA-Z])?))"
    r"|(?P<web>https?://[^\s<>\"'{}|\\^`]+)")
_TRAILING = ".,;:!?'\""


def needs_work(text: str) -> bool:
    """Cheap test: most abstracts hold neither LaTeX nor an address."""
    return "\\" in text or "$" in text or "http" in text


def readable_text(text: str) -> str:
    """Plain text with its LaTeX-isms as Unicode (for titles, meta tags, feeds, search)."""
    if "\\" not in text and "$" not in text:
        return text
    return _SPAN.sub(lambda m: _plain(m), text)


def readable_html(text: str) -> str:
    """Plain text -> escaped HTML with LaTeX-isms converted and web addresses linked."""
    if not needs_work(text):
        return html.escape(text, quote=False)
    out, at = [], 0
    for m in _SPAN.finditer(text):
        out.append(html.escape(text[at:m.start()], quote=False))
        out.append(_html(m))
        at = m.end()
    out.append(html.escape(text[at:], quote=False))
    return "".join(out)


_TAG = re.compile(r"(<[^>]+>)")
_SKIP = {"a", "code", "pre"}


def readable_fragment(fragment: str) -> str:
    """The same for HTML made by Markdown: text between tags only, never inside a link or code."""
    if not needs_work(fragment):
        return fragment
    parts = _TAG.split(fragment)
    depth = 0
    for i, part in enumerate(parts):
        if i % 2:  # a tag
            name = part.strip("</>").split()[0].lower() if part.strip("</>") else ""
            if name in _SKIP:
                depth += -1 if part.startswith("</") else 1
        elif part and depth == 0 and needs_work(part):
            parts[i] = readable_html(html.unescape(part))
    return "".join(parts)


def _plain(m: re.Match) -> str:
    if m["web"]:
        return m["web"]
    if m["url"] is not None:
        return m["url"]
    if m["href"] is not None:
        return _latex(m["label"])
    if m["style"]:
        return _latex(m["styled"])
    return _latex(m.group(0))


def _html(m: re.Match) -> str:
    if m["web"]:
        address, rest = _split_trailing(m["web"])
        return _link(address, address) + html.escape(rest, quote=False)
    if m["url"] is not None:
        return _link(m["url"], m["url"]) if _is_web(m["url"]) else html.escape(m["url"], quote=False)
    if m["href"] is not None:
        label = html.escape(_latex(m["label"]), quote=False)
        return _link(m["href"], label, escaped=True) if _is_web(m["href"]) else label
    if m["style"]:
        tag = _STYLED[m["style"]]
        return f"<{tag}>{html.escape(_latex(m['styled']), quote=False)}</{tag}>"
    return html.escape(_latex(m.group(0)), quote=False)


def _split_trailing(address: str) -> tuple[str, str]:
    """A sentence's closing punctuation is not part of the address; nor is an unopened `)`."""
    end = len(address)
    while end and (address[end - 1] in _TRAILING or
                   (address[end - 1] == ")" and address[:end].count("(") < address[:end].count(")"))):
        end -= 1
    return address[:end], address[end:]


def _is_web(address: str) -> bool:
    return address.startswith(("http://", "https://"))


def _link(address: str, label: str, escaped: bool = False) -> str:
    shown = label if escaped else html.escape(label, quote=False)
    return f'<a href="{html.escape(address, quote=True)}">{shown}</a>'


@lru_cache(maxsize=4096)
def _latex(span: str) -> str:
    """One span of LaTeX as Unicode text; what pylatexenc cannot read stays as written."""
    if span.startswith("$") and not any(c in span for c in "\\^_{"):
        return span  # prices and the like: "$5 and $10" is not mathematics
    from pylatexenc.latex2text import (
        LatexNodes2Text,  # only pages that hold LaTeX pay for it
    )

    _COMPLAINTS.heard = False
    try:
        text = LatexNodes2Text(math_mode="text", strict_latex_spaces=True).latex_to_text(span)
    except Exception:  # noqa: BLE001 - a parser's surprise must not cost the page
        return span
    if _COMPLAINTS.heard or any(mark in text for mark in _PLACEHOLDERS):
        return span  # `\url{` unclosed, `\cite{smith}` as "<cit.>": it read something, not what was written
    return text if text.strip() or not span.strip() else span


_PLACEHOLDERS = ("<cit.>", "<ref>")  # what pylatexenc shows for \cite, \ref, \eqref, \pageref


class _Heard(logging.Handler):
    """pylatexenc's complaints, heard rather than printed (they named no page, even under --quiet):
    a span it complained about is kept as written."""

    heard = False

    def emit(self, record: logging.LogRecord) -> None:
        self.heard = True


_COMPLAINTS = _Heard()
logging.getLogger("pylatexenc").addHandler(_COMPLAINTS)
logging.getLogger("pylatexenc").propagate = False
