"""The scholarly fields a person adds to a page: authors, an arXiv id, a DOI, and links to the PDF,
code and project page. Each is read in the forms people paste and checked, so a page links only to
what is really there; a value that is not what its field expects is an error naming file and line."""

from __future__ import annotations

import re
from dataclasses import dataclass, fields
from pathlib import Path
from urllib.parse import urlsplit

from generator.errors import CatalogueError
from generator.ingest.pages import line_of

FIELDS = ("authors", "arxiv", "doi", "pdf", "code", "project")
# New-style ids (2007 on): YYMM.NNNN (to 2014) or YYMM.NNNNN; old-style: archive[.SUBJ]/YYMMNNN.
_NEW_ID = re.compile(r"(?P<id>(?P<yy>\d{2})(?P<mm>\d{2})\.\d{4,5})(?:v\d+)?")
_OLD_ID = re.compile(r"(?P<id>(?P<archive>[a-z]+(?:-[a-z]+)*)(?:\.[A-Z]{2})?/(?P<yy>\d{2})(?P<mm>\d{2})\d{3})(?:v\d+)?")
_ARXIV_URL = re.compile(r"^https?://(?:www\.|export\.)?arxiv\.org/(?:abs|pdf|html)/(?P<rest>.+?)(?:\.pdf)?/?$", re.I)
_DOI = re.compile(r"^10\.\d{4,9}/[^\s{}]+$")  # no braces: BibTeX writes a DOI as it is
_DOI_URL = re.compile(r"^https?://(?:dx\.)?doi\.org/(?P<doi>10\..+)$", re.I)


@dataclass(frozen=True)
class Scholarly:
    """What the page says of the paper as a publication; empty when it says nothing. Never changed
    once made, so the pages that say nothing share one (NO_SCHOLARLY): a build after an edit loads
    one per paper kept, and a shared one is loaded once."""

    authors: tuple[str, ...] = ()    # a tuple: a frozen value holds no list that could change under it
    arxiv: str | None = None          # normalised: 2206.02369, cs/0112017 (no version)
    arxiv_class: str | None = None    # the archive of an old-style id (cs, hep-th), else unknown
    month: tuple[int, int] | None = None  # (year, month) a new-style arXiv id gives
    doi: str | None = None            # 10.xxxx/yyyy
    pdf: str | None = None
    code: str | None = None
    project: str | None = None

    def __reduce__(self):
        """Pickled as its values, rebuilt by its constructor: a build after an edit loads one per paper,
        and the default (a dict each, set back one by one) took three times as long."""
        return Scholarly, tuple(getattr(self, name) for name in _ATTRIBUTES)

    @property
    def links(self) -> list[tuple[str, str]]:
        """(label, address) of every place the paper can be read or used, in reading order."""
        found = []
        if self.arxiv:
            found += [("arXiv", f"https://arxiv.org/abs/{self.arxiv}"), ("PDF", f"https://arxiv.org/pdf/{self.arxiv}")]
        if self.pdf and not self.arxiv:
            found.append(("PDF", self.pdf))
        elif self.pdf:
            found[-1] = ("PDF", self.pdf)
        if self.doi:
            found.append(("DOI", f"https://doi.org/{self.doi}"))
        if self.code:
            found.append(("Code", self.code))
        if self.project:
            found.append(("Project page", self.project))
        if self.arxiv and "/" not in self.arxiv:
            found.append(("Hugging Face", f"https://huggingface.co/papers/{self.arxiv}"))
        return found


_ATTRIBUTES = tuple(f.name for f in fields(Scholarly))  # in the constructor's order (Scholarly.__reduce__)
NO_SCHOLARLY = Scholarly()


def read_scholarly(meta: dict, path: Path) -> Scholarly:
    """The scholarly fields of a page's frontmatter, normalised; a CatalogueError for a bad value."""
    found: dict = {}
    authors = meta.get("authors")
    if authors not in (None, "", []):
        if isinstance(authors, str):
            if "," in authors or re.search(r"\s(?:and|&)\s", authors):  # a list written as one string
                raise _bad(path, "authors", f"should be a list of names, one each: [Ann Lee, Bo Chen] (not "
                                            f"one string, read as one author: {authors!r})"[:240])
            authors = [authors]
        if not isinstance(authors, list) or not all(isinstance(a, str) and a.strip() for a in authors):
            raise _bad(path, "authors", "should be a list of names")
        found["authors"] = tuple(" ".join(a.split()) for a in authors)
    if meta.get("arxiv") not in (None, ""):
        arxiv = meta["arxiv"]
        if isinstance(arxiv, (int, float)) and not isinstance(arxiv, bool):
            arxiv = _as_written(path, "arxiv") or str(arxiv)  # YAML read 2206.02360 as the number 2206.0236
        found["arxiv"], found["arxiv_class"], found["month"] = normalise_arxiv(str(arxiv), path)
    if meta.get("doi") not in (None, ""):
        found["doi"] = normalise_doi(str(meta["doi"]), path)
    for key in ("pdf", "code", "project"):
        value = meta.get(key)
        if value not in (None, ""):
            if not isinstance(value, str) or not _is_web_address(value.strip()):
                raise _bad(path, key, f"should be an http(s) address, not {value!r}"[:200])
            found[key] = value.strip()
    return Scholarly(**found) if found else NO_SCHOLARLY


def _as_written(path: Path, key: str) -> str | None:
    """A top-level key's value as the page writes it (before YAML reads a number into it), or None."""
    number = line_of(path, key)
    if number is None:
        return None
    line = path.read_text(encoding="utf-8-sig").split("\n")[number - 1]
    value = re.sub(r"\s+#.*$", "", line.split(":", 1)[1]).strip()
    return value or None


def normalise_arxiv(value: str, path: Path | None = None) -> tuple[str, str | None, tuple[int, int] | None]:
    """`arXiv:2206.02369v2`, an abs or pdf address, `cs/0112017`, arXiv's own "Cite as" form
    (`arXiv:2206.02369 [cs.CL]`) -> (id, old-style archive, (year, month))."""
    text = value.strip()
    url = _ARXIV_URL.match(text)
    if url:
        text = url["rest"]
    text = re.sub(r"^arxiv:\s*", "", text, flags=re.I)
    text = re.sub(r"\s*\[[A-Za-z-]+(?:\.[A-Za-z-]+)?\]$", "", text)  # the primary category: [cs.CL], [hep-th]
    new = _NEW_ID.fullmatch(text)
    # the scheme began in April 2007 with 4 digits after the dot; 5 digits since January 2015
    if new and 1 <= int(new["mm"]) <= 12 and int(new["yy"]) >= 7 \
            and (len(new["id"]) == 10) == ((int(new["yy"]), int(new["mm"])) >= (15, 1)):
        return new["id"], None, (2000 + int(new["yy"]), int(new["mm"]))
    old = _OLD_ID.fullmatch(text)
    if old and 1 <= int(old["mm"]) <= 12:
        return old["id"], old["archive"], None  # its month is real but the decade is ambiguous: not used
    raise _bad(path, "arxiv", f"{value!r} is not an arXiv identifier (such as 2206.02369 or cs/0112017)")


def normalise_doi(value: str, path: Path | None = None) -> str:
    text = value.strip()
    url = _DOI_URL.match(text)
    if url:
        text = url["doi"]
    text = re.sub(r"^doi:\s*", "", text, flags=re.I)
    if not _DOI.match(text):
        raise _bad(path, "doi", f"{value!r} is not a DOI (such as 10.1145/3366423.3380130)")
    return text


def _is_web_address(value: str) -> bool:
    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.netloc) and not any(c.isspace() for c in value)


def _bad(path: Path | None, key: str, what: str) -> CatalogueError:
    return CatalogueError(f"{key} {what}" if not what.startswith("'") else f"{key}: {what}", path,
                          line_of(path, key) if path is not None else None)
