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
from generator.settings import check_keys, read_toml, toml_line

TAXONOMY_NAME = "topics.toml"
DEFAULT_TAXONOMY = DEFAULTS / TAXONOMY_NAME


@dataclass(frozen=True)
class Topic:
    slug: str
    name: str
    description: str = ""
    terms: tuple[str, ...] = ()


WALKED_TEXTS = 8  # texts matched by walking the terms' trie before the pattern is compiled (see Taxonomy.terms_in)
_WORD_START = re.compile(r"(?<!\w)(?=.)", re.S)  # every position not after a word character


@dataclass
class Taxonomy:
    topics: list[Topic]
    catch_all: Topic
    min_abstract_hits: int = 2
    path: Path | None = None
    aliases: Aliases = field(default_factory=Aliases)  # organisations' spellings (organisations.toml)
    # Worked out from the topics when first used (see terms_in), so none of them counts for equality:
    _topics_of: dict[str, list[str]] | None = field(default=None, init=False, repr=False, compare=False)
    _trie: dict | None = field(default=None, init=False, repr=False, compare=False)
    _pattern: re.Pattern | None = field(default=None, init=False, repr=False, compare=False)
    _walked: int = field(default=0, init=False, repr=False, compare=False)

    def __getstate__(self) -> dict:
        """Kept with the topics each term counts for, without its trie and pattern: an edit build,
        which loads the last catalogue, matches the few pages it reads with the taxonomy it has just
        read, which equals this one (build.reader), and compiling the pattern took 7-15 ms."""
        self._owners()
        return {**self.__dict__, "_trie": None, "_pattern": None, "_walked": 0}

    def _owners(self) -> dict[str, list[str]]:
        """For each term, the topics it counts for: a topic counts a match when one of its terms is
        that term or a prefix of it."""
        if self._topics_of is None:
            owners: dict[str, set[str]] = defaultdict(set)  # a term -> the topics that list it
            for topic in self.topics:
                for t in topic.terms:
                    owners[t.lower()].add(topic.slug)
            topics_of = {}  # set whole when made: another thread (serve's) never sees it half made
            for term in owners:
                counted = set().union(*(owners.get(term[:end], ()) for end in range(1, len(term) + 1)))
                topics_of[term] = [topic.slug for topic in self.topics if topic.slug in counted]
            self._topics_of = topics_of
        return self._topics_of

    def terms_in(self, text: str) -> list[str]:
        """The longest term starting each word of `text` that starts with one (lower case).
        The first few texts walk the terms' trie from each word start; after that, one pattern
        compiled for every term finds them (the same terms, faster per text, but its compile costs
        what walking a thousand abstracts does, and an edit build matches one page)."""
        text = text.lower()
        if self._trie is None:
            self._trie = _trie(self._owners())
        if self._walked < WALKED_TEXTS:
            self._walked += 1
            return _walk(self._trie, text)
        if self._pattern is None:
            # Every word start is tried, overlaps included: a lookahead matches without consuming.
            # The word start is checked first, outside the lookahead: most positions (inside a word)
            # then fail at once, where trying the terms there made finding them 2.5 times slower.
            self._pattern = re.compile(f"(?<!\\w)(?=({_trie_pattern(self._trie)}))") if self._trie else _NOTHING
        return self._pattern.findall(text)

    @functools.cached_property
    def by_slug(self) -> dict[str, Topic]:
        return {t.slug: t for t in [*self.topics, self.catch_all]}

    @functools.cached_property
    def by_name(self) -> dict[str, Topic]:
        """Topics by case-folded name, for a person's `topics:` that names rather than slugs them."""
        return {t.name.casefold(): t for t in self.by_slug.values()}

    def classify(self, title: str, abstract: str) -> list[str]:
        """Slugs of the topics one of whose terms starts a word of the title, or starts words
        of the abstract at least `min_abstract_hits` times; in taxonomy order."""
        owners = self._owners()
        if not owners:
            return []
        in_title = {slug for term in self.terms_in(title) for slug in owners[term]}
        hits = Counter(slug for term in self.terms_in(abstract) for slug in owners[term])
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
        quoted = (f'"{term}"', f"'{term}'")  # a basic or a literal string
        return next((n for n, line in enumerate(lines, 1)
                     if any(q in line for q in quoted) and not line.lstrip().startswith("#")), None)

    def in_title(self, title: str, slug: str) -> bool:
        """Does one of the topic's terms start a word of the title (else its abstract placed it)?"""
        return any(slug in self._owners()[term] for term in self.terms_in(title))


_NOTHING = re.compile(r"(?!)")  # a pattern that never matches: a taxonomy without terms


def _trie(terms) -> dict:
    """The terms as nested dicts by character; "" marks where a term ends."""
    trie: dict = {}
    for term in terms:
        node = trie
        for char in term:
            node = node.setdefault(char, {})
        node[""] = {}
    return trie


def _walk(trie: dict, text: str) -> list[str]:
    """At each word start of `text`, the longest term it starts with: what the trie pattern finds."""
    found = []
    end_of_text = len(text)
    for start in _WORD_START.finditer(text):
        at = start.start()
        node, end = trie, 0
        while at < end_of_text:
            node = node.get(text[at])
            if node is None:
                break
            at += 1
            if "" in node:
                end = at
        if end:
            found.append(text[start.start():end])
    return found


def _trie_pattern(trie: dict) -> str:
    """One regex for the terms, shared prefixes factored out (a trie), the longest match first:
    like `term1|term2|...` ordered longest first, each shared prefix tried once."""

    def pattern(node: dict) -> str:
        branches = [re.escape(char) + pattern(child) for char, child in sorted(node.items()) if char]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 and len(node) == 1 else f"(?:{'|'.join(branches)})"
        return body + "?" if "" in node else body

    return pattern(trie)


TAXONOMY_KEYS = {"topic", "catch_all", "min_abstract_hits"}
TOPIC_KEYS = {"name", "slug", "terms", "description"}


def load_taxonomy(content: Path) -> Taxonomy:
    """The content's topics.toml, else the shipped default. A key it does not know is an error, not
    ignored: `[[topics]]` for `[[topic]]` left the catalogue with no topic and no word said."""
    path = content / TAXONOMY_NAME
    if path.exists() and not path.is_file():
        raise CatalogueError("the taxonomy is not a file (a folder?)", path)
    if not path.is_file():
        path = DEFAULT_TAXONOMY
    data = read_toml(path, "taxonomy")
    check_keys(data, TAXONOMY_KEYS, path, "key")
    if not isinstance(data.get("topic", []), list):
        raise CatalogueError("topics are [[topic]] tables, one per topic", path, toml_line(path, "topic"))
    topics, seen = [], {}
    for i, raw in enumerate(data.get("topic", []), 1):
        topic = _topic(raw, path, f"topic #{i}", ("topic", i))
        if topic.slug in seen:
            raise CatalogueError(f"topic #{i}: slug {topic.slug!r} used twice (topic #{seen[topic.slug]} has it)", path,
                                 toml_line(path, "slug", ("topic", i)))
        seen[topic.slug] = i
        topics.append(topic)
    catch_all = _topic(data.get("catch_all", {"slug": "other", "name": "Other"}), path, "catch_all", ("catch_all", 0))
    if catch_all.slug in seen:  # the catch-all's page would take that topic's place
        raise CatalogueError(f"catch_all: slug {catch_all.slug!r} is also topic #{seen[catch_all.slug]}'s", path,
                             toml_line(path, "catch_all"))
    hits = data.get("min_abstract_hits", 2)
    if not isinstance(hits, int) or isinstance(hits, bool) or hits < 1:
        raise CatalogueError("min_abstract_hits must be a whole number of at least 1", path,
                             toml_line(path, "min_abstract_hits"))
    return Taxonomy(topics, catch_all, hits, path, load_aliases(content))


def _topic(raw: object, path: Path, where: str, table: tuple[str, int] | None = None) -> Topic:
    """`table`: where it is written, ("topic", n) for the n-th [[topic]], for the line an error names."""
    line = (lambda key: toml_line(path, key, table) if table else None)  # noqa: E731
    if isinstance(raw, dict):
        check_keys(raw, TOPIC_KEYS, path, "key", f"{where}: ", table)
    if not isinstance(raw, dict) or not isinstance(raw.get("name"), str) or not raw["name"].strip():
        raise CatalogueError(f"{where}: needs a name", path, line("name"))
    slug = slugify(str(raw.get("slug") or raw["name"]))
    if not slug:
        raise CatalogueError(f"{where}: slug must hold letters or digits", path, line("slug"))
    terms = raw.get("terms", [])
    if not isinstance(terms, list) or not all(isinstance(t, str) and t.strip() for t in terms):
        raise CatalogueError(f"{where}: terms must be a list of words", path, line("terms"))
    return Topic(slug, raw["name"].strip(), str(raw.get("description", "")).strip(), tuple(t.strip() for t in terms))
