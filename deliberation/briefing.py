"""Build the bounded `TurnContext` a persona gets for one turn, from what it may see and nothing else."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TYPE_CHECKING

from deliberation.context import (
    ConcessionBrief,
    Message,
    PassageBrief,
    PointBrief,
    PositionBrief,
    TopicBrief,
    TurnContext,
)
from deliberation.protocol import Step
from deliberation.scenario import Persona, Position, Scenario
from deliberation.state import NegotiatingText
from deliberation.turns import Turn

if TYPE_CHECKING:  # the runtime deps hold the retriever and model clients; importing this module needs neither
    from deliberation.runtime import SummitDeps

MEMORY = 6


def as_message(turn: Turn, human: bool = False) -> Message:
    return Message(
        turn=turn.turn, speaker=turn.speaker, kind=turn.kind, content=turn.content, positions=turn.positions,
        human=turn.human or human,
    )


def relays_a_seat(deps: SummitDeps, turn: Turn) -> bool:
    """Whether a mediator's relay carries a human seat's words (its source is not in the receiving party's channel)."""
    if turn.kind.value != "relay" or not deps.human_seats:
        return False
    return any(
        deps.steps[s.relay_of].speaker in deps.human_seats
        for s in deps.steps
        if s.relay_of is not None
        and (s.stage, s.round, s.topic, s.audience) == (turn.stage, turn.round, turn.topic, turn.audience)
    )


def _message(deps: SummitDeps, turn: Turn) -> Message:
    return as_message(turn, relays_a_seat(deps, turn))


def position_brief(position: Position, deps: SummitDeps) -> PositionBrief:
    passages = deps.retriever.passages.values()
    covering = [p.id for e in position.evidence for p in passages if p.start < e.end and e.start < p.end]
    return PositionBrief(
        id=position.id,
        topic=position.topic,
        stance=position.stance.value,
        statement=position.statement,
        relay=position.relay,
        passages=list(dict.fromkeys(covering)),
    )


def _find_position(scenario: Scenario, position_id: str) -> Position | None:
    persona = scenario.personas.get(position_id.split(".")[0])
    return persona.position(position_id) if persona else None


def _topic(deps: SummitDeps, topic: str | None) -> TopicBrief | None:
    item = next((a for a in deps.scenario.protocol.agenda if a.topic == topic), None)
    return TopicBrief(topic=item.topic, title=item.title, question=item.question) if item else None


def _points(deps: SummitDeps, text: NegotiatingText | None) -> list[PointBrief]:
    """The scenario's points, with each party's answers when `text` is given."""
    points = [PointBrief(id=p.id, topic=p.topic, text=p.text) for p in deps.scenario.protocol.points]
    if text is not None:
        for point in points:
            if point.id in text.points:
                point.answers = dict(text.points[point.id].answers)
    return points


def _base(deps: SummitDeps, persona: Persona, step: Step, turn_number: int, query: str) -> TurnContext:
    scenario = deps.scenario
    hits = deps.retriever.search(query, deps.top_k)
    return TurnContext(
        persona=persona.id,
        persona_name=persona.name,
        is_mediator=persona.id == scenario.mediator,
        stage=step.stage,
        round=step.round,
        turn=turn_number,
        kind=step.kind,
        seed=deps.seed,
        names={pid: scenario.personas[pid].name for pid in scenario.participants},
        topic=_topic(deps, step.topic),
        positions=[position_brief(p, deps) for p in persona.positions],
        concessions=[ConcessionBrief(**c.model_dump(mode="json")) for c in persona.concessions],
        passages=[PassageBrief(id=h.passage.id, text=h.passage.text) for h in hits],
    )


async def built(deps: SummitDeps, query: str, build: Callable[[], TurnContext]) -> TurnContext:
    """A turn's context (`build`, which searches for `query`), built on the event loop once the query is embedded
    off it. Built whole in a worker thread, its Python made the event loop wait for the GIL; a retriever that asks a
    Chroma server still builds there, as that answer is awaited."""
    if not deps.retriever.in_memory:
        return await asyncio.to_thread(build)
    await deps.retriever.prepare(query)
    return build()


def _incoming(seen: list[Turn], persona: str) -> Turn | None:
    received = [t for t in seen if t.speaker != persona]
    return received[-1] if received else None


def party_query(deps: SummitDeps, step: Step, seen: list[Turn]) -> str:
    """What a party's turn searches the source for: what it was just told, and the question on the table."""
    persona = deps.scenario.persona(step.speaker)
    incoming, topic = _incoming(seen, persona.id), _topic(deps, step.topic)
    query = " ".join(x for x in [incoming.content if incoming else "", topic.question if topic else ""] if x)
    return query or persona.role


def party_context(deps: SummitDeps, step: Step, seen: list[Turn], turn_number: int, news: str | None = None) -> TurnContext:
    """`seen` is the party's channel; the context holds its latest messages and its own recent positions."""
    persona = deps.scenario.persona(step.speaker)
    incoming = _incoming(seen, persona.id)
    context = _base(deps, persona, step, turn_number, party_query(deps, step, seen))
    context.incoming = _message(deps, incoming) if incoming else None
    context.recent = [_message(deps, t) for t in seen[-deps.recent_messages - 1 : -1]] if incoming else []
    own = [pid for t in seen if t.speaker == persona.id for pid in t.positions]
    context.memory = list(dict.fromkeys(reversed(own)))[:MEMORY]
    if incoming is not None and incoming.kind.value == "relay":
        found = [_find_position(deps.scenario, pid) for pid in incoming.positions]
        context.relayed_positions = [position_brief(p, deps) for p in found if p is not None]
    if step.stage.value == "convergence" and incoming is not None and incoming.kind.value == "proposal":
        context.points = _points(deps, None)
    context.news = news
    return context


def mediator_query(deps: SummitDeps, step: Step, source: Turn | None) -> str:
    """What the mediator's turn searches the source for: the turn it relays, else the question on the table."""
    topic = _topic(deps, step.topic)
    return source.content if source else (topic.question if topic else deps.scenario.title)


def mediator_context(
    deps: SummitDeps, step: Step, seen: list[Turn], source: Turn | None, text: NegotiatingText, turn_number: int
) -> TurnContext:
    """`seen` is the mediator's channel (every turn: it carries all of them); `source` the turn a relay carries."""
    persona = deps.scenario.persona(deps.scenario.mediator)
    context = _base(deps, persona, step, turn_number, mediator_query(deps, step, source))
    context.addressee = step.audience[0] if len(step.audience) == 1 else None
    if source is not None:
        context.relay_source = as_message(source)
        found = [_find_position(deps.scenario, pid) for pid in source.positions]
        context.relayed_positions = [
            position_brief(p, deps) for p in found if p is not None and p.id.startswith(f"{source.speaker}.")
        ]
    if step.kind.value == "statement":
        context.agenda = [a.title for a in deps.scenario.protocol.agenda]
    if step.kind.value == "proposal":
        context.points = _points(deps, None)
    if step.kind.value == "summary":
        context.points = _points(deps, text)
        finals = [t for t in seen if t.stage.value == "closing" and t.speaker in deps.scenario.parties]
        context.recent = [as_message(t) for t in finals[-len(deps.scenario.parties) :]]
    return context
