"""Splitting an utterance into clauses, and a clause into the scopes that negation does not cross."""

from __future__ import annotations

import re

SENTENCE = re.compile(r"(?<=[.!?])\s+|\s*;\s*|\s+(?:but|though|although|whereas|however,)\s+", re.IGNORECASE)
# A quote mark may sit between the comma and the conjunction: "'... partners,' the minister said, 'and we will not ...'"
SCOPE = re.compile(r"\s*[:;]\s*|,['’\"”]?\s+['‘\"“]?(?:and|but|or|while|whereas)\s+|\s+-\s+|\s+–\s+")


def clauses(text: str) -> list[str]:
    return [c.strip() for c in SENTENCE.split(text) if c and len(c.strip()) > 2]


def scopes(clause: str) -> list[str]:
    """Parts of a clause that negation does not cross (list items, after a colon)."""
    return [s.strip() for s in SCOPE.split(clause) if s and s.strip()]
