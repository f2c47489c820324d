"""How to cite a paper: a BibTeX entry real tools read (bibtexparser, pybtex, Zotero), and the
Highwire `citation_*` tags and JSON-LD `ScholarlyArticle` that Google Scholar, Zotero and link
previews read from a page's head.

A key is stable: made from the paper alone (first author's or organisation's name, year, first
title word, and a short hash of its slug, which never changes), so adding a paper never changes
another's key, and two papers never share one."""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata

from generator.catalogue.paper import Paper

_SPECIAL = {"\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "$": r"\$", "&": r"\&", "%": r"\%",
            "#": r"\#", "_": r"\_", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}"}
_SPECIAL_RE = re.compile(r"[\\{}$&%#_~^]")
_STOP = {"a", "an", "the", "on", "of", "in", "for", "to", "and", "with", "via", "towards", "is", "are", "do"}
MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")


def bibtex_escape(text: str) -> str:
    """Text as BibTeX: its special characters escaped, everything else (non-ASCII too) as it is."""
    return _SPECIAL_RE.sub(lambda m: _SPECIAL[m.group(0)], " ".join(text.split()))


def _ascii_word(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower())


def cite_key(paper: Paper) -> str:
    """`lastname2022learning_3fa9` (or the organisation's first word): stable and unique."""
    who = paper.scholarly.authors[0].split()[-1] if paper.scholarly.authors else (paper.organisation or "anon")
    who = _ascii_word(who.split()[0] if not paper.scholarly.authors else who) or "anon"
    year = str(paper.month[0]) if paper.month else "nd"
    words = [w for w in (_ascii_word(w) for w in paper.title.split()) if w and w not in _STOP]
    tag = hashlib.blake2b(paper.slug.encode(), digest_size=2).hexdigest()
    return f"{who}{year}{words[0] if words else 'paper'}_{tag}"


def bibtex(paper: Paper, base: str | None) -> str:
    """One entry: @misc, with eprint/archivePrefix/primaryClass for an arXiv paper."""
    s = paper.scholarly
    fields: list[tuple[str, str]] = [("title", "{" + bibtex_escape(paper.title) + "}")]
    if s.authors:
        fields.append(("author", " and ".join(bibtex_escape(a) for a in s.authors)))
    elif paper.organisation:
        fields.append(("author", "{" + bibtex_escape(paper.organisation) + "}"))  # a corporate author
    if paper.month:
        fields += [("year", str(paper.month[0])), ("month", MONTHS[paper.month[1] - 1])]
    if s.arxiv:
        fields += [("eprint", s.arxiv), ("archivePrefix", "arXiv")]
        if s.arxiv_class:
            fields.append(("primaryClass", s.arxiv_class))
    if s.doi:
        fields.append(("doi", bibtex_escape(s.doi)))
    url = (f"https://arxiv.org/abs/{s.arxiv}" if s.arxiv else s.project or s.pdf or (f"{base}{paper.url}" if base else None))
    if url:
        fields.append(("url", url.replace("%", r"\%").replace("#", r"\#")))
    if paper.text:
        fields.append(("abstract", bibtex_escape(paper.text)))
    body = ",\n".join(f"  {name} = {value if name == 'month' else '{' + value + '}'}" for name, value in fields)
    return f"@misc{{{cite_key(paper)},\n{body}\n}}\n"


def bibliography(papers: list[Paper], base: str | None) -> str:
    """Several entries, in the order given, one blank line apart."""
    return "\n".join(bibtex(p, base) for p in papers)


def highwire_tags(paper: Paper) -> list[tuple[str, str]]:
    """(name, content) of the `citation_*` meta tags Google Scholar and Zotero read."""
    tags = [("citation_title", paper.title)]
    names = paper.scholarly.authors or ([paper.organisation] if paper.organisation else [])
    tags += [("citation_author", name) for name in names]
    if paper.date:
        tags.append(("citation_publication_date", paper.date.strftime("%Y/%m/%d")))
    elif paper.month:
        tags.append(("citation_publication_date", "%04d/%02d" % paper.month))
    if paper.scholarly.arxiv:
        tags.append(("citation_arxiv_id", paper.scholarly.arxiv))
        tags.append(("citation_pdf_url", paper.scholarly.pdf or f"https://arxiv.org/pdf/{paper.scholarly.arxiv}"))
    elif paper.scholarly.pdf:
        tags.append(("citation_pdf_url", paper.scholarly.pdf))
    if paper.scholarly.doi:
        tags.append(("citation_doi", paper.scholarly.doi))
    if paper.text:
        tags.append(("citation_abstract", paper.text))
    return tags


def json_ld(paper: Paper, url: str | None) -> str:
    """A `ScholarlyArticle`, as JSON safe to put inside a <script> element."""
    s = paper.scholarly
    data: dict = {"@context": "https://schema.org", "@type": "ScholarlyArticle", "headline": paper.title[:110],
                  "name": paper.title}
    if paper.text:
        data["abstract"] = paper.text
    if paper.date:
        data["datePublished"] = paper.date.isoformat()
    elif paper.month:
        data["datePublished"] = "%04d-%02d" % paper.month
    if s.authors:
        data["author"] = [{"@type": "Person", "name": a} for a in s.authors]
    elif paper.organisation:
        data["author"] = {"@type": "Organization", "name": paper.organisation}
    if paper.topics:
        data["keywords"] = [t.name for t in paper.topics]
    same = ([f"https://arxiv.org/abs/{s.arxiv}"] if s.arxiv else []) + ([f"https://doi.org/{s.doi}"] if s.doi else [])
    if same:
        data["sameAs"] = same
    if url:
        data["url"] = url
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    # `</script>` or `<!--` inside a title must not end or bend the element
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
