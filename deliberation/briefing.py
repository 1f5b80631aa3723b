"""Build the bounded `TurnContext` a persona gets for one turn, from what it may see and nothing else."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

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
from deliberation.turns import PointAnswer, Turn

if TYPE_CHECKING:  # the runtime deps hold the retriever and model clients; channel() and friends need neither
    from deliberation.deps import SummitDeps

MEMORY = 6


def channel(turns: list[Turn], persona: str) -> list[Turn]:
    """The barrier: what a persona said and what was addressed to it. Nothing else."""
    return [t for t in turns if t.speaker == persona or persona in t.audience]


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


def _points(deps: SummitDeps, text: dict[str, Any], with_answers: bool) -> list[PointBrief]:
    points = [PointBrief(id=p.id, topic=p.topic, text=p.text) for p in deps.scenario.protocol.points]
    if with_answers:
        for point in points:
            answers = (text.get(point.id) or {}).get("answers", {})
            point.answers = {k: PointAnswer.model_validate(v) for k, v in answers.items()}
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


def party_context(deps: SummitDeps, step: Step, seen: list[Turn], turn_number: int, news: str | None = None) -> TurnContext:
    """`seen` is the party's channel; the context holds its latest messages and its own recent positions."""
    persona = deps.scenario.persona(step.speaker)
    received = [t for t in seen if t.speaker != persona.id]
    incoming = received[-1] if received else None
    topic = _topic(deps, step.topic)
    query = " ".join(x for x in [incoming.content if incoming else "", topic.question if topic else ""] if x)
    context = _base(deps, persona, step, turn_number, query or persona.role)
    context.incoming = _message(deps, incoming) if incoming else None
    context.recent = [_message(deps, t) for t in seen[-deps.recent_messages - 1 : -1]] if incoming else []
    own = [pid for t in seen if t.speaker == persona.id for pid in t.positions]
    context.memory = list(dict.fromkeys(reversed(own)))[:MEMORY]
    if incoming is not None and incoming.kind.value == "relay":
        found = [_find_position(deps.scenario, pid) for pid in incoming.positions]
        context.relayed_positions = [position_brief(p, deps) for p in found if p is not None]
    if step.stage.value == "convergence" and incoming is not None and incoming.kind.value == "proposal":
        context.points = _points(deps, {}, with_answers=False)
    context.news = news
    return context


def mediator_context(
    deps: SummitDeps, step: Step, turns: list[Turn], step_turns: dict[str, int], text: dict[str, Any], turn_number: int
) -> TurnContext:
    persona = deps.scenario.persona(deps.scenario.mediator)
    by_number = {t.turn: t for t in turns}
    source = by_number.get(step_turns.get(str(step.relay_of), -1)) if step.relay_of is not None else None
    topic = _topic(deps, step.topic)
    query = source.content if source else (topic.question if topic else deps.scenario.title)
    context = _base(deps, persona, step, turn_number, query)
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
        context.points = _points(deps, text, with_answers=False)
    if step.kind.value == "summary":
        context.points = _points(deps, text, with_answers=True)
        finals = [t for t in turns if t.stage.value == "closing" and t.speaker in deps.scenario.parties]
        context.recent = [as_message(t) for t in finals[-len(deps.scenario.parties) :]]
    return context
