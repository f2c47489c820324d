"""How a paper page tells machines what it is: the Highwire `citation_*` tags and JSON-LD
`ScholarlyArticle` that Google Scholar, Zotero and link previews read from its head, and the
.bib files made of the entries the catalogue keeps (catalogue.bibtex)."""

from __future__ import annotations

import json

from generator.catalogue.paper import Paper


def bibliography(papers: list[Paper]) -> str:
    """Several entries, in the order given, one blank line apart."""
    return "\n".join(p.bibtex for p in papers)


def highwire_tags(paper: Paper) -> list[tuple[str, str]]:
    """(name, content) of the `citation_*` meta tags Google Scholar and Zotero read."""
    tags = [("citation_title", paper.title)]
    names = paper.scholarly.authors or ([paper.organisation] if paper.organisation else [])
    tags += [("citation_author", name) for name in names]
    if paper.date:
        tags.append(("citation_publication_date", paper.date.strftime("%Y/%m/%d")))
    elif paper.month:
        tags.append(("citation_publication_date", "%04d" % paper.month[0]))  # Scholar reads a full date or a year
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
