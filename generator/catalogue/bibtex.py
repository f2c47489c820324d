"""A paper's BibTeX entry, worked out once when the page is read (on every core) and kept with the
paper: a .bib file of thousands of papers is then a join, even in an edit build.

Real tools read it (bibtexparser, pybtex, Zotero): special characters escaped, non-ASCII kept,
`@misc` with eprint/archivePrefix/primaryClass for arXiv papers, authors from `authors`, else
the organisation as a corporate author, never a count. A key is stable: made from the paper
alone (first author's or organisation's name, year, first title word, and 32 bits of a hash of
its slug, which never changes), so adding a paper never changes another's key. Two papers share
one only if they share that name, year and word and their hashes meet: once in about four
billion such pairs (with 16 bits, "Large Language Models for ..." papers without authors, all
`anon2024large`, met a few times in 500). It names no address of the catalogue's own, so it does
not depend on the settings."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from generator.catalogue.paper import Paper

_SPECIAL = {"\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "$": r"\$", "&": r"\&", "%": r"\%",
            "#": r"\#", "_": r"\_", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}"}
_SPECIAL_RE = re.compile(r"[\\{}$&%#_~^]")
_STOP = {"a", "an", "the", "on", "of", "in", "for", "to", "and", "with", "via", "towards", "is", "are", "do"}
MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")


def bibtex_escape(text: str) -> str:
    """Text as BibTeX: its special characters escaped, everything else (non-ASCII too) as it is.
    BibTeX counts braces even after a backslash, so only braces that pair up are `\\{ \\}`; a lone
    one ("A {Brace Title") is `\\textbraceleft{}`, or the field, and every entry after it, would not parse."""
    text = " ".join(text.split())
    lone = _lone_braces(text)
    return _SPECIAL_RE.sub(lambda m: _LONE[m.group(0)] if m.start() in lone else _SPECIAL[m.group(0)], text)


_LONE = {"{": r"\textbraceleft{}", "}": r"\textbraceright{}"}


def _lone_braces(text: str) -> set[int]:
    """Where the braces that do not pair up stand."""
    opened: list[int] = []
    lone: set[int] = set()
    for at, char in enumerate(text):
        if char == "{":
            opened.append(at)
        elif char == "}":
            if opened:
                opened.pop()
            else:
                lone.add(at)
    return lone | set(opened)


_SUFFIXES = {"jr", "sr", "ii", "iii", "iv"}


def bibtex_name(name: str) -> str:
    """A name as BibTeX reads it, "Last, Jr., First": "Guy L. Steele Jr.", "Guy L. Steele, Jr." and
    "Steele Jr., Guy L." are all "Steele, Jr., Guy L." (else BibTeX's last name is "Jr." or
    "Steele Jr."); "Last, First" and any other stay as written."""
    parts = [part.strip() for part in name.split(",")]
    words = parts[0].split()
    if len(parts) == 1 and len(words) >= 3 and _suffix(words[-1]):  # Guy L. Steele Jr.
        return f"{words[-2]}, {words[-1]}, {' '.join(words[:-2])}"
    if len(parts) == 2 and len(words) >= 2 and _suffix(parts[1]):  # Guy L. Steele, Jr.
        return f"{words[-1]}, {parts[1]}, {' '.join(words[:-1])}"
    if len(parts) == 2 and len(words) == 2 and _suffix(words[1]) and parts[1]:  # Steele Jr., Guy L.
        return f"{words[0]}, {words[1]}, {parts[1]}"
    return name


def _suffix(word: str) -> bool:
    return word.rstrip(".").lower() in _SUFFIXES


def surname(name: str) -> str:
    """The family name BibTeX would read, for the key: "Müller, Hans" -> "Müller"."""
    family = bibtex_name(name).split(",")[0].split()
    return family[-1] if family else name


_NOT_ASCII_WORD = re.compile(r"[^a-z0-9]")


def _ascii_word(text: str) -> str:
    return _NOT_ASCII_WORD.sub("", unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower())


def cite_key(paper: Paper) -> str:
    """`lastname2022learning_3fa9c2d1` (or the organisation's first word): stable and unique."""
    who = surname(paper.scholarly.authors[0]) if paper.scholarly.authors else (paper.organisation or "anon")
    who = _ascii_word(who.split()[0] if not paper.scholarly.authors else who) or "anon"
    year = str(paper.month[0]) if paper.month else "nd"
    word = next((w for w in map(_ascii_word, paper.title.split()) if w and w not in _STOP), "paper")  # the first
    tag = hashlib.blake2b(paper.slug.encode(), digest_size=4).hexdigest()
    return f"{who}{year}{word}_{tag}"


def bibtex(paper: Paper) -> str:
    """One entry: @misc, with eprint/archivePrefix/primaryClass for an arXiv paper."""
    s = paper.scholarly
    fields: list[tuple[str, str]] = [("title", "{" + bibtex_escape(paper.title) + "}")]
    if s.authors:
        fields.append(("author", " and ".join(bibtex_escape(bibtex_name(a)) for a in s.authors)))
    elif paper.organisation:
        fields.append(("author", "{" + bibtex_escape(paper.organisation) + "}"))  # a corporate author
    if paper.month:
        fields += [("year", str(paper.month[0])), ("month", MONTHS[paper.month[1] - 1])]
    if s.arxiv:
        fields += [("eprint", s.arxiv), ("archivePrefix", "arXiv")]
        if s.arxiv_class:
            fields.append(("primaryClass", s.arxiv_class))
    if s.doi:
        fields.append(("doi", s.doi))  # verbatim in biblatex, as Zotero writes it: `\_` would be part of the DOI
    url = f"https://arxiv.org/abs/{s.arxiv}" if s.arxiv else s.project or s.pdf
    if url:
        fields.append(("url", url.replace("%", r"\%").replace("#", r"\#")))
    body = ",\n".join(f"  {name} = {value if name == 'month' else '{' + value + '}'}" for name, value in fields)
    return f"@misc{{{cite_key(paper)},\n{body}\n}}\n"


