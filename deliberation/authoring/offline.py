"""The offline drafter: extractive, deterministic, no model. Every statement stays close to a quoted sentence."""

from __future__ import annotations

import re
from collections import defaultdict
from itertools import combinations
from pathlib import Path

import numpy as np
from deliberation.evals.deterministic import polarity
from deliberation.evals.lexicon import Lexicon, clauses, scopes

from deliberation.authoring.draft import Draft, slug
from deliberation.authoring.parties import Party, attribute, find_parties
from deliberation.authoring.person import relay_from_report, relay_of, statement_of
from deliberation.authoring.source import Sentence, sentences
from deliberation.authoring.topics import Topic, cluster, name_topics, similarity
from deliberation.authoring.wording import Wording, load_wording
from deliberation.errors import UserError
from deliberation.scenario import (
    AgendaItem,
    Characterisation,
    Evidence,
    Persona,
    Point,
    Position,
    Protocol,
    ScenarioFile,
    Stance,
)
from deliberation.text import terms

MIN_WORDS = 5
MAX_AGENDA = 8
MAX_ROUNDS = 4
EVIDENCE_PER_POSITION = 2
CHARACTERISATIONS = 3
_CONDITION = re.compile(r"\b(?:if|provided|unless|until|only when|only if|as long as|as soon as|on condition)\b", re.I)
_REASON = re.compile(r",\s*(?:for|because|since|as)\s|\s+because\s", re.I)
_AUTHOR = re.compile(r"\b(?:I|I’ll|I'll|I’m|I'm|my|we|our)\b", re.I)
MEDIATOR_ID = "mediator"


def stance_of(sentence: str) -> Stance:
    """Conditional when the sentence sets a condition; else the polarity of its main clause (before 'for', 'because')."""
    if _CONDITION.search(sentence):
        return Stance.conditional
    main = _REASON.split(clauses(sentence)[0])[0] if clauses(sentence) else sentence
    return polarity(scopes(main)[0] if scopes(main) else main)


def title_of(text: str, fallback: str) -> str:
    first = next((line.strip() for line in text.splitlines() if line.strip()), "")
    if first and len(first) <= 100 and ":" not in first[:40].rstrip(":"):
        return first.title() if first.isupper() else first
    if first and len(first) <= 100 and first.isupper():
        return first.title()
    return fallback


def _usable(sentence: Sentence) -> bool:
    """Long enough to state something, not a question, and in a report not the author's own voice ('I', 'we')."""
    if len(sentence.text.split()) < MIN_WORDS or sentence.text.endswith("?"):
        return False
    return sentence.speaker is not None or not _AUTHOR.search(sentence.text)


def _evidence(sentence: Sentence) -> Evidence:
    return Evidence(quote=sentence.text, start=sentence.start, end=sentence.end)


def _voice(party: Party, sentence: Sentence, wording: Wording) -> tuple[str, str]:
    """(statement, relay) for a sentence of the party's own."""
    if party.label is not None:
        return sentence.text, relay_of(sentence.text, party.name, wording.relay.quoted, wording.relay.reported)
    plural = party.name.lower().endswith("s")
    return statement_of(sentence.text, party.aliases, plural), relay_from_report(sentence.text, party.name)


def _positions(
    party: Party, topics: list[Topic], owned: list[tuple[Party, Sentence]], sim: np.ndarray, wording: Wording
) -> list[Position]:
    positions = []
    for topic in topics:
        mine = [i for i in topic.members if owned[i][0].id == party.id]
        if not mine:
            continue
        # The party's most central sentence on the topic speaks for it; the next one adds evidence.
        central = sorted(mine, key=lambda i: (-float(sim[i, topic.members].mean()), i))[:EVIDENCE_PER_POSITION]
        lead = owned[central[0]][1]
        statement, relay = _voice(party, lead, wording)
        positions.append(
            (lead.start, Position(
                id=f"{party.id}.{topic.slug}", topic=topic.slug, stance=stance_of(lead.text), statement=statement, relay=relay,
                evidence=[_evidence(owned[i][1]) for i in sorted(central, key=lambda i: owned[i][1].start)],
            ))
        )  # fmt: skip
    return [p for _, p in sorted(positions, key=lambda x: x[0])]


def _characterisations(party: Party, narration: list[Sentence]) -> list[Characterisation]:
    """What the source's own voice (no party speaking) says about the party: kept apart from its positions."""
    names = re.compile(r"\b(?:" + "|".join(re.escape(a) for a in party.aliases) + r")\b", re.I)
    found = [s for s in narration if names.search(s.text)]
    return [Characterisation(text=s.text, evidence=[_evidence(s)]) for s in found[:CHARACTERISATIONS]]


def _persona(party: Party, positions: list[Position], characterisations: list[Characterisation], title: str,
             wording: Wording) -> Persona:  # fmt: skip
    w = wording.party
    return Persona(
        id=party.id,
        name=party.name,
        role=w.role.format(name=party.name, title=title),
        voice=w.voice,
        goals=[w.goal.format(statement=p.statement) for p in positions if p.stance == Stance.support][:3],
        red_lines=[w.red_line.format(statement=p.statement) for p in positions if p.stance == Stance.oppose][:3],
        positions=positions,
        characterisations=characterisations,
    )


def mediator_persona(names: list[str], wording: Wording) -> Persona:
    w = wording.mediator
    joined = ", ".join(names[:-1]) + " and " + names[-1]
    return Persona(
        id=MEDIATOR_ID, name=w.name, role=w.role.format(parties=joined), voice=w.voice.format(first=names[0]),
        goals=w.goals, red_lines=w.red_lines,
    )  # fmt: skip


def _joined(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def draft_offline(
    text: str, source_name: str, prompts_dir: Path, name: str | None = None, parties_given: list[str] | None = None
) -> Draft:
    wording = load_wording(prompts_dir)
    all_sentences = sentences(text)
    parties = find_parties(text, all_sentences, parties_given)
    if any(p.id == MEDIATOR_ID for p in parties):
        raise UserError(f"a party may not be called {MEDIATOR_ID!r}: that id is the drafted mediator's")
    owned = [(p, s) for p, s in attribute(all_sentences, parties, anywhere=bool(parties_given)) if _usable(s)]
    if not owned:
        raise UserError("no sentence of the source could be attributed to a party")
    texts = [s.text for _, s in owned]
    exclude = {t for p in parties for a in p.aliases for t in terms(a)}
    sim = similarity(texts, exclude)
    topics = name_topics(texts, cluster(sim), exclude)
    title = name or title_of(text, Path(source_name).stem.replace("-", " ").replace("_", " ").capitalize())
    scenario_id = slug(name) if name else slug(Path(source_name).stem)
    owned_ids = {id(s) for _, s in owned}
    narration = [s for s in all_sentences if s.speaker is None and id(s) not in owned_ids]
    personas = []
    for party in parties:
        positions = _positions(party, topics, owned, sim, wording)
        personas.append(_persona(party, positions, _characterisations(party, narration), title, wording))
    holders: dict[str, list[Persona]] = defaultdict(list)
    for persona in personas:
        for position in persona.positions:
            holders[position.topic].append(persona)
    shared = sorted((t for t in topics if len(holders[t.slug]) >= 2), key=lambda t: (-len(holders[t.slug]), min(t.members)))
    if not shared:
        raise UserError("no topic is shared by two parties: the source may be too short, or give --parties")
    agenda = [AgendaItem(topic=t.slug, title=t.title, question=wording.agenda.question.format(title=t.title.lower()))
              for t in shared[:MAX_AGENDA]]  # fmt: skip
    points = []
    for item in agenda:
        agree = [p.name for p in holders[item.topic] if p.stance_on(item.topic) == Stance.support]
        if len(agree) >= 2:
            text_ = wording.point.format(parties=_joined(agree), title=item.title.lower())
            points.append(Point(id=f"{item.topic}-common", topic=item.topic, text=text_))
    spec = ScenarioFile(
        id=scenario_id, title=title, source=Path(source_name).name, mediator=MEDIATOR_ID,
        parties=[p.id for p in parties],
        protocol=Protocol(rounds=min(MAX_ROUNDS, len(agenda)), agenda=agenda,
                          pairs=list(combinations([p.id for p in parties], 2)), points=points),
    )  # fmt: skip
    mediator_aliases = ["mediator", "intermediary", "chair", "neutral mediator"]
    lexicon = Lexicon(
        aliases={**{p.id: p.aliases for p in parties}, MEDIATOR_ID: mediator_aliases},
        topics={t.slug: t.cues for t in topics if t.slug in holders},
    )
    mediator = mediator_persona([p.name for p in parties], wording)
    return Draft(spec=spec, personas=[mediator, *personas], lexicon=lexicon, source_text=text)
