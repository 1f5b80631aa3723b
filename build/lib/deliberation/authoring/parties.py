"""Who the parties of a source are (speaker labels, else recurring named subjects) and which sentences are theirs."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from deliberation.authoring.draft import slug
from deliberation.authoring.source import CHAIR, Sentence
from deliberation.errors import UserError

MIN_SENTENCES = 3
MAX_PARTIES = 6
_HONORIFICS = {"mr", "mrs", "ms", "miss", "sir", "lord", "lady", "dr", "the", "hon", "rt", "general", "president", "senator"}
# A sentence whose subject is a named party: "[The] Upper Basin States maintain ...", "Arizona does not ...".
_SUBJECT = re.compile(r"^(?:The\s+)?((?:[A-Z][\w’'-]*)(?:\s+(?:of\s+|the\s+)?[A-Z][\w’'-]*){0,4})\s+(?=[a-z])")
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
    plain = " ".join(_plain(name))
    out = [name.lower(), plain]
    if transcript:
        out.append(pid.replace("-", " "))
    return list(dict.fromkeys(a for a in out if a))


def _match(given: str, candidates: list[str]) -> str | None:
    want = given.strip().lower()
    for candidate in candidates:
        if candidate.lower() == want:
            return candidate
    for candidate in candidates:
        if want in candidate.lower() or candidate.lower() in want:
            return candidate
    return None


def subjects(sentences: list[Sentence]) -> Counter[str]:
    """Named subjects of sentences: the recurring ones are the parties of a report."""
    found: Counter[str] = Counter()
    for sentence in sentences:
        match = _SUBJECT.match(sentence.text)
        if match and not match.group(1).isupper():
            found[match.group(1)] += 1
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
            if found is None and name.lower() not in text.lower():
                raise UserError(f"--parties: {name!r} does not occur in the source")
            names.append(found or name)
    else:
        names = [n for n, c in counts.most_common(MAX_PARTIES) if c >= MIN_SENTENCES]
    if len(names) < 2:
        raise UserError(
            f"found {len(names)} part{'y' if len(names) == 1 else 'ies'} with {MIN_SENTENCES}+ sentences of their own "
            "(speaker labels 'NAME: ...' or named subjects); name them with --parties A,B"
        )
    ids = _ids([_display(n) for n in names], transcript)
    if len(set(ids)) != len(ids):
        raise UserError(f"--parties: two names give the same id ({', '.join(ids)}); give distinct names")
    return [
        Party(id=pid, name=_display(n), aliases=_aliases(_display(n), pid, transcript), label=n if transcript else None)
        for pid, n in zip(ids, names, strict=True)
    ]


def _starts_with(text: str, party: Party) -> bool:
    head = re.sub(r"^The\s+", "", text).lower()
    return any(head.startswith(alias + " ") or head.startswith(alias + ",") for alias in party.aliases)


def attribute(sentences: list[Sentence], parties: list[Party]) -> list[tuple[Party, Sentence]]:
    """Each party's own sentences: its turns in a transcript; in a report, the sentences it is the subject of."""
    by_label = {p.label: p for p in parties if p.label}
    out: list[tuple[Party, Sentence]] = []
    previous: Party | None = None
    for sentence in sentences:
        owner: Party | None = None
        if sentence.speaker is not None:
            owner = by_label.get(sentence.speaker)
        else:
            owner = next((p for p in parties if _starts_with(sentence.text, p)), None)
            if owner is None and previous is not None and _PRONOUN_START.match(sentence.text):
                owner = previous
        if owner is not None:
            out.append((owner, sentence))
        previous = owner
    return out
