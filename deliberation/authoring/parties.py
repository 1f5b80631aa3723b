"""Who the parties of a source are (speaker labels, else recurring named subjects) and which sentences are theirs."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from deliberation.authoring.draft import slug
from deliberation.authoring.source import CHAIR, Sentence
from deliberation.errors import UserError
from deliberation.text import STOPWORDS

MIN_SENTENCES = 3
MAX_PARTIES = 6
_HONORIFICS = {"mr", "mrs", "ms", "miss", "sir", "lord", "lady", "dr", "the", "hon", "rt", "general", "president", "senator"}
# A sentence whose subject is a named party: "[The] Upper Basin States maintain ...", "Arizona does not ...".
_NAME = re.compile(r"[A-Z][\w-]*(?:\s+(?:of\s+(?:the\s+)?)?[A-Z][\w-]*){0,4}")
HEAD_WORDS = 4
"""A party named within a sentence's first words is what the sentence is about."""
_PRONOUN_START = re.compile(r"^(?:It|They|Its|Their)\b")


@dataclass(frozen=True)
class Party:
    id: str
    name: str
    aliases: list[str]
    label: str | None = None
    """The speaker label of a transcript party."""


def _display(label: str) -> str:
    """'MR. DISRAELI' -> 'Mr Disraeli': no full stop after a title, which would end a sentence for the scorer."""
    name = " ".join(w.capitalize() for w in label.split()) if label.isupper() else label
    return re.sub(r"\b(Mr|Mrs|Ms|Dr|St|Hon|Rt|Gen|Col|Capt|Sen|Rep|Gov)\.", r"\1", name)


def _plain(name: str) -> list[str]:
    return [w for w in re.findall(r"[A-Za-z’'-]+", name.lower()) if w not in _HONORIFICS]


def _ids(names: list[str], transcript: bool) -> list[str]:
    """Speakers by surname where it is unique ('peel'); other names whole ('upper-basin-states')."""
    lasts = [(_plain(n) or [slug(n)])[-1] for n in names]
    return [
        slug(last) if transcript and lasts.count(last) == 1 else slug(" ".join(_plain(n)) or n)
        for n, last in zip(names, lasts, strict=True)
    ]


def _aliases(name: str, pid: str, transcript: bool) -> list[str]:
    """Lower-cased names; an acronym keeps its case ('US' is a party, 'us' a pronoun)."""
    plain = " ".join(w.upper() if w.upper() in name.split() else w for w in _plain(name))
    out = [name if name.isupper() else name.lower(), plain]
    if transcript:
        out.append(pid.replace("-", " "))
    return list(dict.fromkeys(a for a in out if a))


def mentions(text: str, alias: str) -> bool:
    flags = 0 if alias.isupper() else re.I
    return re.search(rf"(?<![\w-]){re.escape(alias)}(?![\w-])", text, flags) is not None


def _match(given: str, candidates: list[str]) -> str | None:
    want = given.strip().lower()
    for candidate in candidates:
        if candidate.lower() == want:
            return candidate
    for candidate in candidates:
        if mentions(candidate, given.strip()) or mentions(given.strip(), candidate):
            return candidate
    return None


def _head(text: str) -> str:
    return " ".join(text.split()[:HEAD_WORDS])


def _names(text: str) -> list[str]:
    """Capitalised names in `text`, leading function words dropped ('In Kabul' -> 'Kabul', 'The' -> nothing)."""
    found = []
    for match in _NAME.finditer(text):
        parts = match.group(0).split()
        while parts and parts[0].lower() in STOPWORDS:
            parts.pop(0)
        name = " ".join(parts)
        if name and not name.isupper() and name.lower() not in STOPWORDS:
            found.append(name)
    return found


def subjects(sentences: list[Sentence]) -> Counter[str]:
    """Names a sentence starts with, counted once a sentence: the recurring ones are the parties of a report."""
    found: Counter[str] = Counter()
    for sentence in sentences:
        found.update(set(_names(_head(sentence.text))))
    return found


def find_parties(text: str, sentences: list[Sentence], given: list[str] | None) -> list[Party]:
    transcript = any(s.speaker for s in sentences)
    if transcript:
        counts = Counter(s.speaker for s in sentences if s.speaker and not CHAIR.match(s.speaker))
    else:
        counts = subjects(sentences)
    if given:
        names = []
        for name in given:
            found = _match(name, list(counts))
            if found is None and not mentions(text, name):
                raise UserError(f"--parties: {name!r} does not occur in the source")
            names.append(found or name)
    else:
        names = [n for n, c in counts.most_common(MAX_PARTIES) if c >= MIN_SENTENCES]
    if len(names) < 2:
        raise UserError(
            f"found {len(names)} part{'y' if len(names) == 1 else 'ies'} with {MIN_SENTENCES}+ sentences of their own "
            "(speaker labels 'NAME: ...' or named subjects); name them with --parties A,B"
        )
    # Speaker labels are written in capitals by convention; other names as the source or the author spells them.
    shown = [_display(n) if transcript else n for n in names]
    ids = _ids(shown, transcript)
    if len(set(ids)) != len(ids):
        raise UserError(f"--parties: two names give the same id ({', '.join(ids)}); give distinct names")
    return [
        Party(id=pid, name=name, aliases=_aliases(name, pid, transcript), label=n if transcript else None)
        for pid, name, n in zip(ids, shown, names, strict=True)
    ]


def _first_named(text: str, parties: list[Party]) -> Party | None:
    """The party named earliest in `text`, if any."""
    places = []
    for party in parties:
        for alias in party.aliases:
            flags = 0 if alias.isupper() else re.I
            found = re.search(rf"(?<![\w-]){re.escape(alias)}(?![\w-])", text, flags)
            if found:
                places.append((found.start(), party.id, party))
    return min(places, key=lambda p: (p[0], p[1]))[2] if places else None


def attribute(sentences: list[Sentence], parties: list[Party], anywhere: bool = False) -> list[tuple[Party, Sentence]]:
    """Each party's own sentences: its turns in a transcript; in a report, the sentences it is the subject of
    (named in the first words), or with `anywhere` (parties the author named) the first party a sentence names."""
    by_label = {p.label: p for p in parties if p.label}
    out: list[tuple[Party, Sentence]] = []
    previous: Party | None = None
    for sentence in sentences:
        owner: Party | None = None
        if sentence.speaker is not None:
            owner = by_label.get(sentence.speaker)
        else:
            owner = _first_named(sentence.text if anywhere else _head(sentence.text), parties)
            if owner is None and previous is not None and _PRONOUN_START.match(sentence.text):
                owner = previous
        if owner is not None:
            out.append((owner, sentence))
        previous = owner
    return out
