"""Topics: a taxonomy a person can read and edit (`content/topics.toml`), with the organisations'
aliases (`content/organisations.toml`, catalogue.organisations): Hugo's taxonomies, two of them.

A content folder without one uses the taxonomy shipped in the package. A
paper's topics come from its frontmatter when a person set them, otherwise
from the terms of each topic; papers no topic claims go to a visible catch-all.
"""

from __future__ import annotations

import functools
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from generator.catalogue.organisations import Aliases, load_aliases
from generator.errors import CatalogueError
from generator.ingest.slugs import slugify
from generator.resources import DEFAULTS
from generator.settings import read_toml

TAXONOMY_NAME = "topics.toml"
DEFAULT_TAXONOMY = DEFAULTS / TAXONOMY_NAME


@dataclass(frozen=True)
class Topic:
    slug: str
    name: str
    description: str = ""
    terms: tuple[str, ...] = ()


@dataclass
class Taxonomy:
    topics: list[Topic]
    catch_all: Topic
    min_abstract_hits: int = 2
    path: Path | None = None
    aliases: Aliases = field(default_factory=Aliases)  # organisations' spellings (organisations.toml)
    _pattern: re.Pattern | str | None = field(default=None, repr=False, compare=False)  # the terms' (see _match)
    _topics_of: dict[str, list[str]] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        """One pattern for every term of every topic, and for each term the topics it counts for:
        a topic counts a match when one of its terms is that term or a prefix of it."""
        terms = {t.lower() for topic in self.topics for t in topic.terms}
        owners: dict[str, set[str]] = defaultdict(set)  # a term -> the topics that list it
        for topic in self.topics:
            for t in topic.terms:
                owners[t.lower()].add(topic.slug)
        for term in terms:
            counted = set().union(*(owners.get(term[:end], ()) for end in range(1, len(term) + 1)))
            self._topics_of[term] = [topic.slug for topic in self.topics if topic.slug in counted]
        if terms:
            # Every word start is tried, overlaps included: a lookahead matches without consuming.
            # The word start is checked first, outside the lookahead: most positions (inside a word)
            # then fail at once, where trying the terms there made finding them 2.5 times slower.
            self._pattern = re.compile(f"(?<!\\w)(?=({_trie_pattern(sorted(terms))}))")

    def __getstate__(self) -> dict:
        """Kept with its pattern's source, compiled again only when used: an edit build, which loads
        the last catalogue, matches terms with the taxonomy it has just read (7 ms a compile)."""
        pattern = self._pattern
        return {**self.__dict__, "_pattern": pattern.pattern if isinstance(pattern, re.Pattern) else pattern}

    def _match(self) -> re.Pattern | None:
        """The pattern of every term, compiled (see __getstate__)."""
        if isinstance(self._pattern, str):
            self._pattern = re.compile(self._pattern)
        return self._pattern

    @functools.cached_property
    def by_slug(self) -> dict[str, Topic]:
        return {t.slug: t for t in [*self.topics, self.catch_all]}

    @functools.cached_property
    def by_name(self) -> dict[str, Topic]:
        """Topics by case-folded name, for a person's `topics:` that names rather than slugs them."""
        return {t.name.casefold(): t for t in self.by_slug.values()}

    def terms_in(self, text: str) -> list[str]:
        """The longest term starting each word of `text` that starts with one (lower case)."""
        pattern = self._match()
        return pattern.findall(text.lower()) if pattern is not None else []

    def classify(self, title: str, abstract: str) -> list[str]:
        """Slugs of the topics one of whose terms starts a word of the title, or starts words
        of the abstract at least `min_abstract_hits` times; in taxonomy order."""
        pattern = self._match()
        if pattern is None:
            return []
        in_title = {slug for term in pattern.findall(title.lower()) for slug in self._topics_of[term]}
        hits = Counter(slug for term in pattern.findall(abstract.lower()) for slug in self._topics_of[term])
        return [t.slug for t in self.topics if t.slug in in_title or hits[t.slug] >= self.min_abstract_hits]


    def idle_terms(self, texts: list[str]) -> dict[str, list[str]]:
        """Topic slug -> its terms that start no word of these texts: misspelt, or waiting for papers."""
        used = {term for text in texts for term in self.terms_in(text)}
        idle = {topic.slug: [t for t in topic.terms if not any(word.startswith(t.lower()) for word in used)]
                for topic in self.topics}
        return {slug: terms for slug, terms in idle.items() if terms}

    def line_of_term(self, term: str) -> int | None:
        """The line of topics.toml that lists the term (comments skipped), for a report to name."""
        try:
            lines = self.path.read_text(encoding="utf-8-sig").split("\n") if self.path else []
        except (OSError, UnicodeDecodeError):
            return None
        quoted = f'"{term}"'
        return next((n for n, line in enumerate(lines, 1) if quoted in line and not line.lstrip().startswith("#")), None)

    def in_title(self, title: str, slug: str) -> bool:
        """Does one of the topic's terms start a word of the title (else its abstract placed it)?"""
        return any(slug in self._topics_of[term] for term in self.terms_in(title))


def _trie_pattern(terms: list[str]) -> str:
    """One regex for the terms, shared prefixes factored out (a trie), the longest match first:
    like `term1|term2|...` ordered longest first, each shared prefix tried once."""
    trie: dict = {}
    for term in terms:
        node = trie
        for char in term:
            node = node.setdefault(char, {})
        node[""] = {}

    def pattern(node: dict) -> str:
        branches = [re.escape(char) + pattern(child) for char, child in sorted(node.items()) if char]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 and len(node) == 1 else f"(?:{'|'.join(branches)})"
        return body + "?" if "" in node else body

    return pattern(trie)


def load_taxonomy(content: Path) -> Taxonomy:
    path = content / TAXONOMY_NAME
    if not path.is_file():
        path = DEFAULT_TAXONOMY
    data = read_toml(path, "taxonomy")
    topics, seen = [], set()
    for i, raw in enumerate(data.get("topic", []), 1):
        topic = _topic(raw, path, f"topic #{i}")
        if topic.slug in seen:
            raise CatalogueError(f"topic #{i}: slug {topic.slug!r} used twice", path)
        seen.add(topic.slug)
        topics.append(topic)
    catch_all = _topic(data.get("catch_all", {"slug": "other", "name": "Other"}), path, "catch_all")
    hits = data.get("min_abstract_hits", 2)
    if not isinstance(hits, int) or hits < 1:
        raise CatalogueError("min_abstract_hits must be a whole number of at least 1", path)
    return Taxonomy(topics, catch_all, hits, path, load_aliases(content))


def _topic(raw: object, path: Path, where: str) -> Topic:
    if not isinstance(raw, dict) or not isinstance(raw.get("name"), str) or not raw["name"].strip():
        raise CatalogueError(f"{where}: needs a name", path)
    slug = slugify(str(raw.get("slug") or raw["name"]))
    if not slug:
        raise CatalogueError(f"{where}: slug must hold letters or digits", path)
    terms = raw.get("terms", [])
    if not isinstance(terms, list) or not all(isinstance(t, str) and t.strip() for t in terms):
        raise CatalogueError(f"{where}: terms must be a list of words", path)
    return Topic(slug, raw["name"].strip(), str(raw.get("description", "")).strip(), tuple(t.strip() for t in terms))
