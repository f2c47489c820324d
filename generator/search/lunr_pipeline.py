"""The text pipeline shared by the Python index and the page (search-core.js).

Registered in lunr.py under lunr.js's own names (`trimmer`, `stemmer`), so a
serialised index names only functions stock lunr.js 2.3.9 knows. The trimmer
is Unicode-aware on both sides: strip leading and trailing characters that are
not letters, digits or `_` (lunr.py's keeps inner punctuation, lunr.js's
strips non-ASCII letters: left alone, the two disagree on `Ünïcödé`). It reads
a typographic apostrophe as a plain one and drops a possessive `'s`, so a
query for "Mistral" finds "Mistral’s" (stock lunr finds neither form).
"""

from __future__ import annotations

import re
import unicodedata

from lunr.pipeline import Pipeline

from generator.utils.stems import stem

_LEADING = re.compile(r"^\W+")
_TRAILING = re.compile(r"\W+$")
_POSSESSIVE = re.compile(r"'s$", re.IGNORECASE)


def trim(text: str, metadata: object = None) -> str:
    """Also one apostrophe, and no possessive: "Mistral's" and "Mistral’s" are the term "Mistral"."""
    text = _TRAILING.sub("", _LEADING.sub("", text)).replace("\u2019", "'")
    return _TRAILING.sub("", _POSSESSIVE.sub("", text))


def trimmer(token, i=None, tokens=None):
    token.update(trim)
    return token if token.string else None


def stemmer(token, i=None, tokens=None):
    return token.update(lambda text, metadata=None: stem(text))


for _fn, _label in ((trimmer, "trimmer"), (stemmer, "stemmer")):
    _fn.label = _label
    Pipeline.registered_functions[_label] = _fn


def normalise(text: str) -> str:
    """Composed Unicode and single spaces: `é` typed and `é` captured are one term (the page does the same)."""
    return " ".join(unicodedata.normalize("NFC", text).split())
