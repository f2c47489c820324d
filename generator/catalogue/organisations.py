"""Organisations: one page per organisation, whatever the spelling a capture used.

Spellings that differ only in case, or in the spaces and punctuation between words ("nvidia",
"NVIDIA"; "Google Research", "google-research") are one organisation. Others a person merges
in `content/organisations.toml`:

    [aliases]
    "Google DeepMind" = ["DeepMind", "Google Deepmind", "GDM"]

An organisation's address comes from the name a person chose, or else from its spelling made
plain, so it never depends on which other papers the catalogue holds.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from generator.errors import CatalogueError
from generator.ingest.slugs import address, title_key
from generator.settings import read_toml, toml_line

if TYPE_CHECKING:
    from generator.catalogue.paper import Paper

ALIASES_NAME = "organisations.toml"


@dataclass(frozen=True)
class Aliases:
    """Plain spelling -> the name a person chose for it (from organisations.toml)."""

    names: tuple[tuple[str, str], ...] = ()
    path: Path | None = None

    def name_for(self, spelling: str) -> str | None:
        return dict(self.names).get(title_key(spelling))

    def slug_of(self, spelling: str) -> str:
        """The organisation's address: from its chosen name if a person merged it, else its spelling.
        A name whose letters an address cannot hold (`Alibaba 达摩院`, `Lab α`), or too long for one,
        adds a hash of its plain spelling, so that `Alibaba 通义实验室` is another organisation."""
        return address(self.name_for(spelling) or spelling, "organisation")


def load_aliases(content: Path) -> Aliases:
    path = content / ALIASES_NAME
    if not path.is_file():
        return Aliases()
    data = read_toml(path, "organisation aliases")
    table = data.get("aliases", {})
    if not isinstance(table, dict) or set(data) - {"aliases"}:
        raise CatalogueError('expected one [aliases] table: "Name" = ["other spelling", ...]', path)
    names: dict[str, str] = {}
    for name, spellings in table.items():
        if not isinstance(spellings, list) or not all(isinstance(s, str) for s in spellings):
            raise CatalogueError(f"aliases of {name!r} must be a list of spellings", path,
                                 toml_line(path, name, ("aliases", 0)))
        for spelling in [name, *spellings]:
            key = title_key(spelling)
            if key in names and names[key] != name:
                raise CatalogueError(f"{spelling!r} is an alias of both {names[key]!r} and {name!r}", path,
                                     toml_line(path, name, ("aliases", 0)))
            names[key] = name
    return Aliases(tuple(sorted(names.items())), path)


@dataclass
class Organisation:
    slug: str
    name: str
    papers: list[Paper]

    @property
    def url(self) -> str:
        return f"organisations/{self.slug}/"


def group_organisations(papers: list[Paper], aliases: Aliases) -> list[Organisation]:
    """Each organisation with its papers (in catalogue order: newest first), most papers first,
    then by name. Its name is the one a person chose, else its commonest spelling (of two as
    common, the one with more letters beyond ASCII: "ETH Zürich", not "ETH Zurich")."""
    by_slug: dict[str, list[Paper]] = {}
    for paper in papers:
        if paper.organisation:
            by_slug.setdefault(paper.organisation_slug, []).append(paper)
    found = []
    for slug, members in by_slug.items():
        spellings = Counter(p.organisation for p in members)
        chosen = aliases.name_for(members[0].organisation)
        name = chosen or min(spellings, key=lambda s: (-spellings[s], -sum(not c.isascii() for c in s), s))
        found.append(Organisation(slug, name, members))
    return sorted(found, key=lambda o: (-len(o.papers), o.name.casefold(), o.slug))
