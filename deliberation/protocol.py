"""The order of moves: a plan of steps derived from the scenario protocol and the run options."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from deliberation.errors import UserError
from deliberation.scenario import AgendaItem, Scenario
from deliberation.turns import Kind, Stage


class Step(BaseModel):
    model_config = ConfigDict(frozen=True)

    index: int
    stage: Stage
    round: int
    speaker: str
    kind: Kind
    audience: list[str]
    topic: str | None = None
    relay_of: int | None = None
    """Index of the step whose turn this relays."""


class _Planner:
    def __init__(self, scenario: Scenario) -> None:
        self.scenario = scenario
        self.steps: list[Step] = []

    def add(self, stage: Stage, round_: int, speaker: str, kind: Kind, audience: list[str], **extra: object) -> int:
        index = len(self.steps)
        self.steps.append(Step(index=index, stage=stage, round=round_, speaker=speaker, kind=kind, audience=audience, **extra))  # type: ignore[arg-type]
        return index

    def to_mediator(self, stage: Stage, round_: int, party: str, kind: Kind, **extra: object) -> int:
        return self.add(stage, round_, party, kind, [self.scenario.mediator], **extra)

    def from_mediator(self, stage: Stage, round_: int, kind: Kind, audience: list[str], **extra: object) -> int:
        return self.add(stage, round_, self.scenario.mediator, kind, audience, **extra)


def agenda_for(scenario: Scenario, topics: list[str] | None) -> list[AgendaItem]:
    if not topics:
        return scenario.protocol.agenda
    by_topic = {a.topic: a for a in scenario.protocol.agenda}
    unknown = [t for t in topics if t not in by_topic]
    if unknown:
        raise UserError(f"unknown topic(s) {', '.join(unknown)} (scenario {scenario.id!r} has: {', '.join(by_topic)})")
    return [by_topic[t] for t in topics]


def plan(scenario: Scenario, rounds: int, topics: list[str] | None = None) -> list[Step]:
    """Opening, `rounds` indirect rounds (one agenda topic and one pair each), convergence, closing."""
    agenda, pairs, parties = agenda_for(scenario, topics), scenario.protocol.pairs, scenario.parties
    p = _Planner(scenario)
    p.from_mediator(Stage.opening, 0, Kind.statement, parties)
    for party in parties:
        p.to_mediator(Stage.opening, 0, party, Kind.statement)
    for number in range(1, rounds + 1):
        topic = agenda[(number - 1) % len(agenda)].topic
        first, second = pairs[(number - 1) % len(pairs)]
        p.from_mediator(Stage.rounds, number, Kind.question, [first], topic=topic)
        said = p.to_mediator(Stage.rounds, number, first, Kind.answer, topic=topic)
        p.from_mediator(Stage.rounds, number, Kind.relay, [second], topic=topic, relay_of=said)
        reply = p.to_mediator(Stage.rounds, number, second, Kind.answer, topic=topic)
        p.from_mediator(Stage.rounds, number, Kind.relay, [first], topic=topic, relay_of=reply)
        p.to_mediator(Stage.rounds, number, first, Kind.answer, topic=topic)
    if scenario.protocol.points:
        p.from_mediator(Stage.convergence, rounds, Kind.proposal, parties)
        for party in parties:
            p.to_mediator(Stage.convergence, rounds, party, Kind.answer)
    for party in parties:
        p.to_mediator(Stage.closing, rounds, party, Kind.statement)
    p.from_mediator(Stage.closing, rounds, Kind.summary, parties)
    return p.steps


def first_step_of(steps: list[Step], stage: Stage) -> int:
    return next((s.index for s in steps if s.stage == stage), len(steps))
