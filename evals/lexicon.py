"""A scenario's cue words (`<scenario>/lexicon.yaml`): party aliases and topic cues, matched on stems."""

from __future__ import annotations

from functools import cached_property
from pathlib import Path

import yaml
from pydantic import BaseModel

from deliberation.errors import InvalidScenario
from deliberation.scenario import Scenario
from deliberation.terms import stem, words


def stems(text: str) -> list[str]:
    """Every word stemmed, stopwords kept: cues like 'face to face' need their small words."""
    return [stem(w) for w in words(text)]


def _contains(haystack: list[str], needle: list[str]) -> bool:
    n = len(needle)
    return n > 0 and any(haystack[i : i + n] == needle for i in range(len(haystack) - n + 1))


class Lexicon(BaseModel):
    aliases: dict[str, list[str]] = {}
    topics: dict[str, list[str]] = {}
    anti_topics: list[str] = []
    shadows: dict[str, list[str]] = {}
    """A more specific topic hides broader ones found in the same words (inclusion in the talks vs the talks)."""
    """Topics named after an adversary (fighting it is support): negation says nothing about the stance."""

    @cached_property
    def _alias_stems(self) -> dict[str, list[list[str]]]:
        return {pid: [stems(a) for a in names] for pid, names in self.aliases.items()}

    @cached_property
    def _topic_stems(self) -> dict[str, list[list[str]]]:
        return {topic: [stems(c) for c in cues] for topic, cues in self.topics.items()}

    def parties_named(self, text: str) -> list[str]:
        tokens = stems(text)
        return [pid for pid, names in self._alias_stems.items() if any(_contains(tokens, n) for n in names)]

    def names_at_start(self, text: str, window: int = 4) -> list[str]:
        """Parties named within the first words of a clause: the clause is about them."""
        head = stems(" ".join(text.split()[:window]))
        return [pid for pid, names in self._alias_stems.items() if any(_contains(head, n) for n in names)]

    def subject(self, text: str, parties: list[str], window: int = 6) -> str | None:
        """The party named first within the first words of a clause: who does what, not to whom ('The Taliban accept
        the government's constitution' is about the Taliban, though it names the government too)."""
        head = stems(" ".join(text.split()[:window]))
        first: dict[str, int] = {}
        for pid, names in self._alias_stems.items():
            starts = [i for n in names for i in range(len(head) - len(n) + 1) if n and head[i : i + len(n)] == n]
            if pid in parties and starts:
                first[pid] = min(starts)
        return min(first, key=lambda pid: first[pid]) if first else None

    def topic_owned(self, text: str, topic: str) -> bool:
        """Every mention of the topic is the speaker's own ('our soldiers', 'our own forces')."""
        tokens = stems(text)
        starts = [
            (i, len(c)) for c in self._topic_stems.get(topic, []) for i in range(len(tokens) - len(c) + 1)
            if c and tokens[i : i + len(c)] == c
        ]  # fmt: skip
        owner = {stem("our"), stem("my")}
        return bool(starts) and all(
            (i >= 1 and tokens[i - 1] in owner) or (i >= 2 and tokens[i - 2] in owner and tokens[i - 1] == stem("own"))
            for i, _ in starts
        )

    def topics_in(self, text: str) -> list[str]:
        tokens, raw = stems(text), words(text)
        found = []
        for topic, cues in self.topics.items():
            stemmed = self._topic_stems[topic]
            if any(_contains(tokens, c) or _prefix(raw, cue) for c, cue in zip(stemmed, cues, strict=True)):
                found.append(topic)
        hidden = {h for t in found for h in self.shadows.get(t, [])}
        return [t for t in found if t not in hidden]


def _prefix(raw: list[str], cue: str) -> bool:
    """A one-word cue of six letters or more ('recognis') matches any word that starts with it."""
    return " " not in cue and len(cue) >= 6 and any(w.startswith(cue) for w in raw)


def load_lexicon(scenario: Scenario) -> Lexicon:
    path: Path = scenario.directory / "lexicon.yaml"
    if not path.is_file():
        return Lexicon(aliases={pid: [pid] for pid in scenario.participants}, topics={})
    try:
        return Lexicon.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
    except Exception as error:  # yaml and pydantic errors alike: name the file
        raise InvalidScenario(f"{path}: {str(error).splitlines()[0]}") from None
