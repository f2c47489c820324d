"""The Porter stemmer as lunr.js 2.3.9 stems, memoised once for the whole process.

The search index is built in Python and searched by lunr.js, which stems each query word: a word
the two stem apart is never found. lunr.py's stemmer follows Porter's first paper in step 1c
(a final y becomes i after any vowel in the stem: "replay" -> "replai", "key" -> "kei"); lunr.js
turns y to i only after a consonant that is not the word's first letter ("cry" -> "cri", "say"
and "replay" stay). That is the one rule they part on: with lunr.js's step 1c, lunr.py's stemmer
stemmed 295,936 distinct tokens (the shipped catalogue, 10,000 synthetic papers, Python sources)
as lunr.js does but for four non-words ("eed", "eeds", "ies", "sses"), where it stemmed 6,086
apart before; tests/search checks every word of the shipped catalogue against lunr.js.

Memoised: the search index and related papers stem the same words of the same papers, so each
word is stemmed once per process (about 3 us a word in pure Python; the shipped 139 papers alone
hold 4,145 distinct words).
"""

from __future__ import annotations

import functools

from lunr.stemmer import PorterStemmer


class _AsLunrJs(PorterStemmer):
    def step1c(self) -> None:
        """y -> i after a consonant that is not the first letter (lunr.js's `^(.+?[^aeiou])y$`)."""
        if self.ends("y") and self.j > self.k0 and self.b[self.j] not in "aeiou":
            self.b = self.b[: self.k] + "i" + self.b[self.k + 1:]


_STEMMER = _AsLunrJs()


@functools.lru_cache(maxsize=None)
def stem(word: str) -> str:
    return _STEMMER.stem(word)
