"""Hundreds of lunr queries of every kind, made from a catalogue's own words (deterministic): for the
exactness tests and the cold-query benchmark."""

from __future__ import annotations

import argparse
import json
import random
import re
from pathlib import Path

KINDS = ("one word", "two words", "three words", "title:", "boost ^n", "+required", "+required -prohibited",
         "prohibited only", "trailing *", "leading *", "inner *", "fuzzy ~1", "fuzzy ~2", "punctuation",
         "absent word")


def site_texts(site: Path) -> list[str]:
    """Each paper's title and abstract as a built site's search result files hold them, in ordinal
    order (so the queries made from them do not depend on how many papers a file holds)."""
    files = sorted((site / "search" / "docs").glob("*.json"), key=lambda path: int(path.stem))
    return [f"{doc[0]} {doc[4]}" for path in files for doc in json.loads(path.read_text("utf-8"))]


def words_of(texts: list[str]) -> list[str]:
    """Lower-case words of four letters or more, in order of first appearance."""
    seen = {}
    for text in texts:
        for word in re.findall(r"[A-Za-z]{4,}", text):
            seen.setdefault(word.lower(), None)
    return list(seen)


def make_queries(texts: list[str], terms: list[str], per_kind: int = 20, seed: int = 11) -> dict[str, list[str]]:
    """`per_kind` queries of each kind in KINDS. Wildcards are not stemmed, so they are made from index terms."""
    rng = random.Random(seed)
    words = words_of(texts)
    stems = sorted(t for t in terms if len(t) >= 4 and t.isalpha())
    w = lambda: rng.choice(words)  # noqa: E731
    t = lambda: rng.choice(stems)  # noqa: E731
    makers = {
        "one word": lambda: w(),
        "two words": lambda: f"{w()} {w()}",
        "three words": lambda: f"{w()} {w()} {w()}",
        "title:": lambda: f"title:{w()} {w()}",
        "boost ^n": lambda: f"{w()}^{rng.choice((2, 5, 10))} {w()}",
        "+required": lambda: f"+{w()} {w()}",
        "+required -prohibited": lambda: f"+{w()} -{w()} {w()}",
        "prohibited only": lambda: f"-{w()}" if rng.random() < 0.5 else f"-{w()} -{w()}",
        "trailing *": lambda: f"{t()[:rng.randint(3, 6)]}*",
        "leading *": lambda: f"*{t()[-rng.randint(3, 5):]}",
        "inner *": lambda: (lambda x: f"{x[:2]}*{x[-2:]}")(t()),
        "fuzzy ~1": lambda: f"{_typo(w(), rng)}~1",
        "fuzzy ~2": lambda: f"{_typo(w(), rng)}~2",
        "punctuation": lambda: rng.choice(("{}?", "({},", "\"{}\"", "{}.", "{}'s")).format(w()) + f" {w()}!",
        "absent word": lambda: f"zq{w()}x",
    }
    queries = {}
    for kind in KINDS:
        made = []
        while len(made) < per_kind:
            query = makers[kind]()
            if query not in made:
                made.append(query)
        queries[kind] = made
    return queries


def _typo(word: str, rng: random.Random) -> str:
    at = rng.randrange(len(word))
    return word[:at] + word[at + 1:] if rng.random() < 0.5 else word[:at] + "x" + word[at + 1:]


def query_arguments(parser: argparse.ArgumentParser, per_kind: int) -> None:
    """What a script that runs cold queries on a built site is told: the site, how many queries
    of each kind, and which kinds (one to three words unless told)."""
    parser.add_argument("site", type=Path)
    parser.add_argument("--per-kind", type=int, default=per_kind)
    parser.add_argument("--kinds", type=_kinds, default=KINDS[:3], help="kinds of query, comma-separated")


def _kinds(text: str) -> tuple[str, ...]:
    kinds = tuple(kind.strip() for kind in text.split(","))
    unknown = [kind for kind in kinds if kind not in KINDS]
    if unknown:
        raise argparse.ArgumentTypeError(f"no kind of query called {unknown[0]!r} (the kinds: {', '.join(KINDS)})")
    return kinds
