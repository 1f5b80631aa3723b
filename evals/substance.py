"""Whether a reply says anything at all: a non-answer is a failure, not a faithful turn.

A small model may answer "0", ":{", a bare JSON fragment, a URL or the question it was asked. Nothing in such a
reply contradicts the ledger, so every rule passes it: it must be caught before the rules, as a turn that said
nothing. Procedural talk (a greeting, "thank you", asking for clarification) is substance enough: it is speech.
"""

from __future__ import annotations

import re

RULE = "content.non-answer"
ECHO_WORDS = 5
"""A reply made of this many consecutive words of the question, or of half of it, only repeats it."""

_URL = re.compile(r"\b(?:https?://|www\.)\S+", re.I)
_JSON_KEY = re.compile(r"[\"']\w+[\"']\s*:")
_WORD = re.compile(r"[^\W\d_]{2,}|\b[AaI]\b")
_TOKENS = re.compile(r"[^\W_]+(?:['’][^\W_]+)?")


def _spoken(text: str) -> list[str]:
    """The words a reader would hear: no URL, no JSON keys, no digits or punctuation."""
    return _WORD.findall(_JSON_KEY.sub(" ", _URL.sub(" ", text)))


def _echoes(reply: str, question: str) -> bool:
    said = [t.lower() for t in _TOKENS.findall(reply)]
    asked = [t.lower() for t in _TOKENS.findall(question)]
    if not said or len(said) > len(asked):
        return False
    if len(said) < ECHO_WORDS and len(said) * 2 < len(asked):
        return False
    return any(asked[i : i + len(said)] == said for i in range(len(asked) - len(said) + 1))


def non_answer(text: str, question: str | None = None) -> str | None:
    """Why a reply says nothing of substance (None: it says something): no words, only markup, or only the question
    it was asked (`question`: the last message the speaker heard)."""
    stripped = text.strip()
    if not stripped:
        return "the reply is empty"
    if not _spoken(stripped):
        return f"the reply has no words, only {stripped[:60]!r}"
    if question and _echoes(stripped, question):
        return "the reply only repeats the question"
    return None
