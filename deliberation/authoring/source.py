"""A source text cut into sentences with exact offsets, each with the speaker label it falls under."""

from __future__ import annotations

import re
from dataclasses import dataclass

# `NAME: words` at the start of a line; names are upper case (Hansard) or capitalised words ("Mr. Cobden").
_LABEL = re.compile(r"^[ \t]*((?:[A-Z][A-Za-z.'’-]*)(?:[ \t]+(?:[A-Z][A-Za-z.'’-]*|of|the|de|van|von)){0,5})[ \t]*:[ \t]+", re.M)
# A sentence ends at . ! ? (after a word of two or more letters, so "Mr." and initials do not end one).
_END = re.compile(r"(?<=[a-z0-9\)”\"'’]{2}[.!?])(?:[”\"'’])?\s+(?=[A-Z“\"‘(])|\n\s*\n")
_ABBREVIATIONS = ("Mr.", "Mrs.", "Dr.", "St.", "No.", "Gen.", "Col.", "Capt.", "Sen.", "Rep.", "Hon.", "Gov.")
CHAIR = re.compile(r"^(?:mr\.? |madam |the )?(?:speaker|chair(?:man|woman|person)?|president|moderator|clerk)$", re.I)


@dataclass(frozen=True)
class Sentence:
    start: int
    end: int
    text: str
    speaker: str | None
    """The speaker label this sentence falls under, if the source is a transcript."""


@dataclass(frozen=True)
class Turn:
    label: str
    at: int
    """Where the label starts."""
    start: int
    """Where the turn's words start."""
    end: int


def speaker_turns(text: str) -> list[Turn]:
    """Every `NAME: ...` turn of a transcript, in order."""
    found = list(_LABEL.finditer(text))
    return [
        Turn(m.group(1).strip(), m.start(), m.end(), found[i + 1].start() if i + 1 < len(found) else len(text))
        for i, m in enumerate(found)
    ]


def _split(text: str, offset: int, speaker: str | None) -> list[Sentence]:
    bounds, cursor = [], 0
    for match in _END.finditer(text):
        if text[: match.start()].endswith(_ABBREVIATIONS):
            continue
        bounds.append((cursor, match.start()))
        cursor = match.end()
    bounds.append((cursor, len(text)))
    out = []
    for start, end in bounds:
        chunk = text[start:end]
        stripped = chunk.strip()
        if len(stripped) < 2:
            continue
        at = offset + start + len(chunk) - len(chunk.lstrip())
        out.append(Sentence(at, at + len(stripped), stripped, speaker))
    return out


def sentences(text: str) -> list[Sentence]:
    """Every sentence of the source; in a transcript (two or more speakers), each tagged with its speaker."""
    turns = speaker_turns(text)
    if len({t.label for t in turns}) < 2:
        return _split(text, 0, None)
    out = _split(text[: turns[0].at], 0, None)
    for turn in turns:
        out += _split(text[turn.start : turn.end], turn.start, turn.label)
    return out
