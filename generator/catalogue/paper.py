"""A paper as the catalogue holds it: what its page says, read once, plus its place among the others.

Kept between builds (build/state), so its bulky parts can stay packed until a page needs them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from generator.catalogue.scholarly import FIELDS as SCHOLARLY_FIELDS
from generator.catalogue.scholarly import NO_SCHOLARLY, Scholarly
from generator.catalogue.taxonomy import Topic
from generator.utils.packed import Packed

SUMMARY_CHARS = 280
_NAMES: dict[tuple, tuple] = {}  # the attribute names papers are pickled with (Paper.__getstate__)
# Keys the templates see as fields of a paper; the rest stays in `params` (as in Hugo).
KNOWN_KEYS = {"title", "slug", "date", "author_count", "organisation", "upvotes", "sources", "topics", "paper_id",
              "draft", *SCHOLARLY_FIELDS}


@dataclass(eq=False)  # a paper is itself: compared by identity, never field by field through its neighbours
class Paper:
    slug: str
    title: str
    date: dt.date | None
    body_html: str
    text: str
    source: str  # the page's path; a str, not a Path: thousands are kept between builds
    author_count: int | None = None
    organisation: str | None = None
    organisation_slug: str | None = None  # its page's address (catalogue.organisations)
    upvotes: int | None = None
    sources: list[str] = field(default_factory=list)
    topics: list[Topic] = field(default_factory=list)
    params: dict = field(default_factory=dict)
    topics_by: str = "terms"  # "hand" (its frontmatter), "terms" (the taxonomy's) or "none" (see catalogue.placement)
    scholarly: Scholarly = NO_SCHOLARLY  # authors, arXiv, DOI, links (when a person added them)
    bibtex: str = field(default="", repr=False)  # its BibTeX entry (catalogue.bibtex), made when read
    newer: Paper | None = field(default=None, repr=False)
    older: Paper | None = field(default=None, repr=False)
    derived: dict = field(default_factory=dict, repr=False, compare=False)  # memo for data computed from it
    digest: str = field(default="", repr=False)  # of everything a page can show of it (see render_keys)
    draft: bool = False  # `draft: true` (Hugo's key): the page stays, and ingest keeps it, but no build shows it

    @property
    def month(self) -> tuple[int, int] | None:
        """(year, month) the paper is filed under: its date's, or the month its arXiv id gives."""
        if self.date is not None:
            return self.date.year, self.date.month
        return self.scholarly.month

    @property
    def filed_day(self) -> dt.date | None:
        """The day a feed dates it by: its date, else the first of the month its arXiv id gives
        (a feed entry needs a day; the newest paper's, which it took before, made an old paper new)."""
        if self.date is not None:
            return self.date
        month = self.scholarly.month
        return dt.date(month[0], month[1], 1) if month else None

    @property
    def url(self) -> str:
        return f"papers/{self.slug}/"

    @property
    def page(self) -> str:
        """Its page's file in the site."""
        return f"papers/{self.slug}/index.html"

    @property
    def summary(self) -> str:
        if len(self.text) <= SUMMARY_CHARS:
            return self.text
        return self.text[:SUMMARY_CHARS].rsplit(" ", 1)[0].rstrip(".,;:") + "…"  # not "…."

    # Kept between builds, a paper's bulky parts travel as one pickled blob, unpacked on first use:
    # an edit build renders a few pages and needs the bodies of only those papers.
    _BULKY = ("body_html", "text", "derived")

    def pack(self) -> None:
        """Pack the bulky parts for keeping (done once; kept as they are while unchanged)."""
        if "_packed" not in self.__dict__:
            self._packed = Packed(tuple(self.__dict__[k] for k in self._BULKY))

    def __getstate__(self) -> tuple:
        """Without its neighbours (relinked by every build, and they would recurse); packed if it was
        packed (see pack), whole otherwise (a paper crossing from a worker process is used at once).
        As its attributes' names (one tuple, shared by every paper, so pickled once) and values: a
        build after an edit loads thousands of papers, and a dict each took a third longer."""
        packed = "_packed" in self.__dict__
        state = {k: v for k, v in self.__dict__.items() if not (packed and k in self._BULKY)}
        state["newer"] = state["older"] = None
        names = tuple(state)
        return _NAMES.setdefault(names, names), tuple(state.values())

    def __setstate__(self, state: tuple) -> None:
        """Defined so that unpickling does not look for it through __getattr__, once per paper."""
        names, values = state
        self.__dict__.update(zip(names, values))

    def __getattr__(self, name: str):
        """Only called for attributes not set: the bulky ones of a paper kept packed."""
        packed = self.__dict__.get("_packed")
        if name not in self._BULKY or packed is None:
            raise AttributeError(name)
        self.__dict__.update(zip(self._BULKY, packed.load()))
        return self.__dict__[name]

    def changed(self) -> None:
        """Something computed from the paper (`derived`) changed: pack it again when kept."""
        self.__dict__.pop("_packed", None)

    def shape(self) -> tuple:
        """What places the paper in the catalogue (its URL, order, topic, date, upvote and organisation
        lists) and what the plan copies of it by value (its title): an edit that keeps it moves nothing."""
        placed = None if self.topics_by == "none" else [(t.slug, t.name) for t in self.topics]  # see place()
        # the spelling too: it can change the organisation's name, which its lists and pages show
        return self.slug, self.title, self.date, self.month, placed, self.upvotes, self.organisation_slug, \
            self.organisation

    def place(self, topics: list[Topic]) -> None:
        """Give a paper that neither a person nor a term placed the topics its closest papers
        share (catalogue.placement): they depend on other papers, so they are set when the
        catalogue is made, and its digest (made when read) says which."""
        self.topics = topics
        self.digest = self.digest.partition("+")[0] + "+" + ",".join(t.slug for t in topics)

    def take(self, other: Paper) -> None:
        """Become `other` (the same page read again), keeping this paper's place among its
        neighbours: every list and page context that holds this paper now shows the new one."""
        newer, older = self.newer, self.older
        self.__dict__.clear()
        self.__dict__.update(other.__dict__)
        self.newer, self.older = newer, older

    def sort_key(self) -> tuple:
        """Newest first; undated papers last; ties by title so the order is stable."""
        day = self.date or (dt.date(*self.month, 1) if self.month else None)
        return (day is None, -(day.toordinal() if day else 0), self.title.casefold(), self.slug)

