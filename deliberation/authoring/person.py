"""Turning a party's sentence into its first-person statement and the mediator's third-person relay.

Both stay as close to the source's words as grammar allows: only the subject and its verb change.
"""

from __future__ import annotations

import re

from deliberation.text import STOPWORDS

_MODALS = {"will", "would", "can", "cannot", "could", "must", "shall", "should", "may", "might"}
_TO_THIRD = {"am": "is", "was": "was", "have": "has", "do": "does", "say": "says", "go": "goes"}
_TO_FIRST = {"is": "are", "was": "were", "has": "have", "does": "do", "says": "say", "goes": "go"}
_FIRST_PERSON = re.compile(r"\b(?:I|me|my|mine|myself|we|us|our|ours|ourselves)\b")


def third_person_verb(verb: str) -> str:
    """'propose' -> 'proposes' for a singular third-person subject."""
    lower = verb.lower()
    if lower in _MODALS or lower.endswith("n't"):
        return verb
    if lower in _TO_THIRD:
        return _TO_THIRD[lower]
    if re.search(r"(?:s|sh|ch|x|z|o)$", lower):
        return verb + "es"
    if re.search(r"[^aeiou]y$", lower):
        return verb[:-1] + "ies"
    return verb + "s"


def plural_verb(verb: str) -> str:
    """'insists' -> 'insist', for 'we'."""
    lower = verb.lower()
    if lower in _MODALS:
        return verb
    if lower in _TO_FIRST:
        return _TO_FIRST[lower]
    if lower.endswith("ies") and len(lower) > 4:
        return verb[:-3] + "y"
    if re.search(r"(?:ss|sh|ch|x|z|o)es$", lower):
        return verb[:-2]
    if lower.endswith("s") and not lower.endswith("ss"):
        return verb[:-1]
    return verb


def _lower_first(sentence: str) -> str:
    first = sentence.split(" ", 1)[0]
    return sentence[:1].lower() + sentence[1:] if first.lower() in STOPWORDS else sentence


def relay_of(sentence: str, name: str, quoted: str, reported: str) -> str:
    """A speaker's own first-person sentence in the third person ('I propose' -> 'Sir Robert Peel proposes')."""
    match = re.match(r"I\s+([A-Za-z']+)\b(.*)$", sentence, re.S)
    if match and not _FIRST_PERSON.search(match.group(2)):
        return f"{name} {third_person_verb(match.group(1))}{match.group(2)}"
    if not _FIRST_PERSON.search(sentence):
        return reported.format(name=name, sentence=_lower_first(sentence))
    return quoted.format(name=name, sentence=sentence)


def statement_of(sentence: str, aliases: list[str], plural: bool) -> str:
    """A report's sentence about a party, in that party's voice ('Arizona insists' -> 'We insist')."""
    names = "|".join(re.escape(a) for a in sorted(aliases, key=len, reverse=True))
    subject = re.compile(rf"^(?:The\s+)?(?:{names}|It|They)\s+(\w+)", re.I)
    text = subject.sub(lambda m: f"We {plural_verb(m.group(1))}", sentence, count=1)
    text = re.sub(rf"\b(?:the\s+)?(?:{names})(?:[’']s\b|[’'](?=\s))", "our", text, flags=re.I)
    text = re.sub(r"\b(?:its|their) own\b", "our own", text)
    pronoun = r"they" if plural else r"it"
    text = re.sub(rf"([;,] (?:and |but )?){pronoun}\s+(\w+)", lambda m: f"{m.group(1)}we {plural_verb(m.group(2))}", text)
    if plural:
        text = re.sub(r"\bthey\b", "we", re.sub(r"\btheir\b", "our", re.sub(r"\bthem\b", "us", text)))
    text = re.sub(rf"\b(?:the\s+)?(?:{names})\b", "us", text, flags=re.I)
    return text[:1].upper() + text[1:]


def relay_from_report(sentence: str, name: str) -> str:
    """A report's sentence is already in the third person; a leading pronoun gets the party's name."""
    return re.sub(r"^(?:It|They)\b", name, sentence)
