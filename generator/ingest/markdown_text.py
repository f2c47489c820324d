"""Write plain text as Markdown that renders back to exactly that text.

Abstracts hold `x_t`, `*`, `\\'u`, `<think>` and the like: as Markdown they would
turn into emphasis, escapes or raw HTML. We escape only what Markdown would
read as markup, so a person editing the page still sees readable prose.
"""

from __future__ import annotations

import re

# Characters Python-Markdown treats as markup anywhere in a line.
_INLINE = re.compile(r"([\\`*_\[\]])")
# What would start a block (heading, list, quote, rule) at the start of a line.
_LINE_START = re.compile(r"^([#+\-]|\d+(?=[.)]))", re.MULTILINE)


def escape_markdown(text: str) -> str:
    text = "\n".join(line.strip() for line in text.strip().splitlines())
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = _INLINE.sub(r"\\\1", text)
    return _LINE_START.sub(lambda m: _escape_block_start(m.group(1)), text)


def _escape_block_start(token: str) -> str:
    if token.isdigit():  # "1." or "1)" opens an ordered list: escape the dot instead
        return token + "\\"
    return "\\" + token
