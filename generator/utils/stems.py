"""lunr's Porter stemmer, memoised once for the whole process: the search index and related papers
stem the same words of the same papers, so each word is stemmed once per process (about 3 us a
word in pure Python; the shipped 139 papers alone hold 4,145 distinct words)."""

from __future__ import annotations

import functools

from lunr.stemmer import porter_stemmer


@functools.lru_cache(maxsize=None)
def stem(word: str) -> str:
    return porter_stemmer.stem(word)
