"""lunr's Porter stemmer, memoised once for the whole process: the search index and related papers
stem the same words of the same papers, so each word is stemmed once (a few tens of microseconds a
word in pure Python: a catalogue's vocabulary, on every core, was a tenth of a second and more)."""

from __future__ import annotations

import functools

from lunr.stemmer import porter_stemmer


@functools.lru_cache(maxsize=None)
def stem(word: str) -> str:
    return porter_stemmer.stem(word)
