"""Words, stems and content terms: the tokenising shared by lexical retrieval, the offline engine, the scorer and authoring."""

from __future__ import annotations

import re
from functools import lru_cache

import snowballstemmer

_WORD = re.compile(r"[a-z0-9]+(?:['’][a-z]+)?")
_BRITISH = re.compile(r"is(e|ed|es|ing|ation|ations)$")
_STEMMER = snowballstemmer.stemmer("english")

STOPWORDS = frozenset(
    """a about above after again all also am an and any are as at be because been before being below between
    both but by can could did do does doing down during each even ever every few for from further had has have
    having he her here hers him his how i if in into is it its itself just let me more most much my no nor not
    now of off on once one only or other our ours out over own per quite rather really same she should so some
    still such than that the their theirs them then there these they this those through thus to too under until
    up upon us very was way we were what when where whether which while who whom whose why will with would yet
    you your yours ’s 's""".split()
)
# "us" is a stopword as a pronoun but names a party as "US": keep the upper-case form distinct.
_US = re.compile(r"\bU\.?S\.?\b|\bUSA\b")


@lru_cache(maxsize=4096)
def stem(word: str) -> str:
    return str(_STEMMER.stemWord(_BRITISH.sub(r"iz\1", word)))


def words(text: str) -> list[str]:
    """Lower-cased word tokens, with the party name 'US' kept as `usa`."""
    return _WORD.findall(_US.sub(" usa ", text).lower().replace("’", "'"))


def terms(text: str) -> list[str]:
    """Stemmed content words, stopwords dropped."""
    return [stem(w) for w in words(text) if w not in STOPWORDS and len(w) > 1]
