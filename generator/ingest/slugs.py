"""Readable, stable, file-system-safe slugs and the title key used to dedupe."""

from __future__ import annotations

import hashlib
import re
import unicodedata

MAX_SLUG_CHARS = 80  # well under any file system's 255-byte name limit, with room for a suffix


def title_key(title: str) -> str:
    """Two titles name the same paper when they match ignoring case, spacing and punctuation; a
    title of punctuation alone ("???", "...") is kept whole but for spacing, so that such titles
    are not all one paper."""
    text = unicodedata.normalize("NFKC", title).casefold()
    return re.sub(r"[\W_]+", "", text) or "".join(text.split())


def paper_id(title: str) -> str:
    """A short stable identity for a captured paper, kept even if a person edits the title."""
    return hashlib.sha1(title_key(title).encode("utf-8")).hexdigest()[:12]


# Latin letters that Unicode does not decompose into a plain letter and a mark (`é` is `e` and an accent)
LATIN = str.maketrans({"ß": "ss", "ẞ": "SS", "ø": "o", "Ø": "O", "æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE",
                       "ł": "l", "Ł": "L", "đ": "d", "Đ": "D", "ð": "d", "Ð": "D", "þ": "th", "Þ": "Th", "ı": "i"})


def slugify(text: str, max_chars: int = MAX_SLUG_CHARS) -> str:
    """ASCII letters, digits and single hyphens only: it can never hold `/` or `..`."""
    ascii_text = unicodedata.normalize("NFKD", text.translate(LATIN)).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    if len(slug) > max_chars:
        cut = slug[:max_chars]
        slug = cut.rsplit("-", 1)[0] if "-" in cut[max_chars // 2:] else cut
        slug = slug.strip("-")
    return slug


def address(name: str, kind: str) -> str:
    """The address of a named thing (an organisation, a topic a person named): its slug; with a
    hash of its plain spelling when the slug lost letters it cannot hold (`Alibaba 达摩院`, `Lab α`)
    or was cut to length, so that `Alibaba 通义实验室` is another; `<kind>-<hash>` when no Latin
    letter is left (`强化学习`)."""
    slug = slugify(name)
    if not slug:
        return f"{kind}-{paper_id(name)}"
    if _beyond_latin(name) or len(slugify(name, max_chars=len(name) + 1)) > len(slug):
        return f"{slug}-{paper_id(name)[:8]}"
    return slug


def _beyond_latin(name: str) -> bool:
    """Has the name a letter or digit that is not a Latin one with accents (`é` is `e` in an address)?"""
    return any(c.isalnum() and not c.isascii() for c in unicodedata.normalize("NFKD", name.translate(LATIN)))


def unique_slug(title: str, taken: set[str]) -> str:
    """The title's slug, or the slug plus its paper id when another paper holds it (and a count
    after that should a page hold that too: a new page never takes a page's name)."""
    for slug in slug_forms(title):
        if slug not in taken:
            return slug
    n = 2
    while f"{slug}-{n}" in taken:
        n += 1
    return f"{slug}-{n}"


def slug_forms(title: str) -> tuple[str, str]:
    """The slugs ingest gives a title's page: its own, then with its paper id."""
    return slugify(title) or "paper", f"{slugify(title, MAX_SLUG_CHARS - 13) or 'paper'}-{paper_id(title)}"
