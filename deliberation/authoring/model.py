"""Drafting with a model: structured output through litellm, every quote located in the source or rejected."""

from __future__ import annotations

import json
from collections import defaultdict
from itertools import combinations
from pathlib import Path

from deliberation.evals.lexicon import Lexicon
from pydantic import BaseModel, Field

from deliberation.authoring.draft import Draft, slug
from deliberation.authoring.offline import MAX_AGENDA, MAX_ROUNDS, MEDIATOR_ID, mediator_persona, title_of
from deliberation.authoring.wording import load_wording
from deliberation.errors import UserError
from deliberation.llm.client import ModelConfig, complete
from deliberation.prompts import render
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


class PositionOut(BaseModel):
    topic: str = Field(description="short topic name, the same for every party speaking to the same question")
    stance: Stance
    statement: str = Field(description="first person, as the party says it")
    relay: str = Field(description="third person, as a neutral mediator conveys it")
    quotes: list[str] = Field(description="verbatim spans of the source")


class CharacterisationOut(BaseModel):
    text: str
    quotes: list[str]


class PartyOut(BaseModel):
    name: str
    aliases: list[str] = Field(default=[], description="other names the source uses for the party")
    role: str
    voice: str
    positions: list[PositionOut]
    characterisations: list[CharacterisationOut] = []


class TopicOut(BaseModel):
    topic: str
    title: str
    question: str
    cues: list[str] = Field(default=[], description="words of the source that signal the topic")


class PointOut(BaseModel):
    topic: str
    text: str


class DraftOut(BaseModel):
    title: str
    parties: list[PartyOut]
    agenda: list[TopicOut]
    points: list[PointOut] = []


def locate(quote: str, text: str) -> Evidence | None:
    """The quote's exact place in the source; None if it is not there verbatim."""
    start = text.find(quote) if quote else -1
    return Evidence(quote=quote, start=start, end=start + len(quote)) if start >= 0 else None


def _spans(quotes: list[str], text: str, owner: str, notes: list[str]) -> list[Evidence]:
    found = []
    for quote in quotes:
        span = locate(quote, text)
        if span is None:
            notes.append(f"{owner}: rejected a quote not found verbatim in the source: {quote[:60]!r}")
        else:
            found.append(span)
    return found


def assemble(out: DraftOut, text: str, source_name: str, prompts_dir: Path, name: str | None) -> Draft:
    """The model's answer as a scenario: quotes located, unsupported positions dropped, agenda kept to shared topics."""
    wording = load_wording(prompts_dir)
    notes: list[str] = []
    personas: list[Persona] = []
    aliases: dict[str, list[str]] = {}
    for party in out.parties:
        pid = slug(party.name)
        if pid == MEDIATOR_ID or pid in aliases:
            notes.append(f"{party.name}: dropped, its id {pid!r} is taken")
            continue
        positions: dict[str, Position] = {}
        for item in party.positions:
            topic = slug(item.topic)
            spans = _spans(item.quotes, text, f"{pid}.{topic}", notes)
            if not spans:
                notes.append(f"{pid}.{topic}: dropped, no verbatim evidence")
                continue
            if topic in positions:
                notes.append(f"{pid}.{topic}: a second position on the topic dropped")
                continue
            positions[topic] = Position(id=f"{pid}.{topic}", topic=topic, stance=item.stance, statement=item.statement,
                                        relay=item.relay, evidence=spans)  # fmt: skip
        characterisations = [
            Characterisation(text=c.text, evidence=spans)
            for c in party.characterisations
            if (spans := _spans(c.quotes, text, f"{pid}.characterisation", notes))
        ]
        personas.append(Persona(id=pid, name=party.name, role=party.role, voice=party.voice,
                                positions=list(positions.values()), characterisations=characterisations))  # fmt: skip
        aliases[pid] = list(dict.fromkeys(a.lower() for a in [party.name, *party.aliases] if a.strip()))
    if len(personas) < 2:
        raise UserError(f"the model named {len(personas)} usable part{'y' if len(personas) == 1 else 'ies'}; "
                        "give --parties or try the offline drafter")  # fmt: skip
    holders: dict[str, int] = defaultdict(int)
    for persona in personas:
        for position in persona.positions:
            holders[position.topic] += 1
    agenda, cues = [], {}
    for proposed in out.agenda:
        key = slug(proposed.topic)
        if holders[key] < 2:
            notes.append(f"agenda topic {key!r}: dropped, fewer than two parties hold a position on it")
            continue
        agenda.append(AgendaItem(topic=key, title=proposed.title, question=proposed.question))
        cues[key] = [c.lower() for c in proposed.cues if c.strip() and c.lower() in text.lower()] or [proposed.title.lower()]
    if not agenda:
        raise UserError("the model's draft has no agenda topic shared by two parties; try the offline drafter")
    agenda = agenda[:MAX_AGENDA]
    topics = {a.topic for a in agenda} | set(holders)
    points = [Point(id=f"{slug(p.topic)}-{i}", topic=slug(p.topic), text=p.text)
              for i, p in enumerate(out.points, start=1) if slug(p.topic) in topics]  # fmt: skip
    parties = [p.id for p in personas]
    spec = ScenarioFile(
        id=slug(name) if name else slug(Path(source_name).stem), title=name or out.title or title_of(text, source_name),
        source=Path(source_name).name, mediator=MEDIATOR_ID, parties=parties,
        protocol=Protocol(rounds=min(MAX_ROUNDS, len(agenda)), agenda=agenda, pairs=list(combinations(parties, 2)),
                          points=points),
    )  # fmt: skip
    mediator = mediator_persona([p.name for p in personas], wording)
    lexicon = Lexicon(aliases={**aliases, MEDIATOR_ID: ["mediator", "intermediary", "neutral mediator"]}, topics=cues)
    return Draft(spec=spec, personas=[mediator, *personas], lexicon=lexicon, source_text=text, notes=notes)


async def draft_with_model(
    text: str, source_name: str, prompts_dir: Path, config: ModelConfig, name: str | None = None,
    parties: list[str] | None = None,
) -> Draft:  # fmt: skip
    schema = json.dumps(DraftOut.model_json_schema(), separators=(",", ":"))
    prompt = render(prompts_dir, "draft_scenario.j2", source=text, parties=parties or [], schema=schema)
    done = await complete(config, [{"role": "user", "content": prompt}], DraftOut, "draft")
    return assemble(done.output, text, source_name, prompts_dir, name)
