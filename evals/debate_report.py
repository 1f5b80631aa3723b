"""A classroom debate's report for grading: the transcript metrics plus, per party, faithfulness, airtime and concessions."""

from __future__ import annotations

import asyncio

from deliberation.evals.deterministic import DeterministicScorer
from deliberation.evals.transcripts import Report, Score, TurnScore, evaluate_transcripts, score_turns
from deliberation.evals.types import Violation
from pydantic import BaseModel

from deliberation.scenario import Scenario
from deliberation.terms import terms
from deliberation.turns import PointAnswer, Turn

CONCESSION_MATCH = 0.6
"""Share of a listed concession's content words a turn must carry to count as making it."""

_SCORERS: dict[str, tuple[Scenario, DeterministicScorer]] = {}


def scorer_for(scenario: Scenario) -> DeterministicScorer:
    """One scorer per loaded scenario (building one compiles the ledger's patterns)."""
    cached = _SCORERS.get(scenario.id)
    if cached is None or cached[0] is not scenario:
        cached = _SCORERS[scenario.id] = (scenario, DeterministicScorer(scenario))
    return cached[1]


def turn_scores(turns: list[Turn], scenario: Scenario, run: str, after: int = 0) -> list[TurnScore]:
    """The deterministic verdict on each turn after `after` (a verdict reads only earlier turns, so it never changes).

    Synchronous, for a worker thread: the deterministic scorer is CPU-bound and would stall the server's event loop."""
    return asyncio.run(score_turns(turns, scenario, scorer_for(scenario), run, after))


class ConcessionMade(BaseModel):
    turn: int
    topic: str
    to: str
    """The stance the party moved to."""
    statement: str


class Flag(BaseModel):
    turn: int
    kind: str
    rule: str
    evidence: str


class PartyReport(BaseModel):
    party: str
    name: str
    seat: str
    """"human" or "ai"."""
    turns: int
    words: int
    """Words the party said: its airtime."""
    addressed_words: int
    """Words the mediator addressed to this party alone."""
    faithful_rate: float | None
    """Faithful turns / turns scored or failed (a failed turn counts against it); None when the party said nothing."""
    mean_score: float | None
    concessions: list[ConcessionMade]
    answers: list[PointAnswer]
    """Its latest answer to each point of the negotiating text."""
    flags: list[Flag]


class DebateReport(BaseModel):
    debate: str
    scenario: str
    title: str
    points: dict[str, str]
    """The text of each point the mediator may table, by id."""
    metrics: dict[str, Score]
    """Every transcript metric with its coverage (turns scored / turns expected)."""
    airtime: dict[str, int]
    """Words the mediator addressed to each party alone."""
    parties: list[PartyReport]
    turns: list[TurnScore]


def concessions_in(turn: Turn, scenario: Scenario) -> list[ConcessionMade]:
    """The persona's listed concessions this turn voices, in its words or in an amendment to a point."""
    persona = scenario.personas[turn.speaker]
    said = set(terms(" ".join([turn.content, *(a.amendment or "" for a in turn.answers)])))
    made = []
    for concession in persona.concessions:
        wanted = set(terms(concession.statement))
        if wanted and len(wanted & said) / len(wanted) >= CONCESSION_MATCH:
            made.append(ConcessionMade(turn=turn.turn, topic=concession.topic, to=concession.to.value,
                                       statement=concession.statement))  # fmt: skip
    return made


def _violations(score: TurnScore) -> list[Violation]:
    return score.verdict.violations if score.verdict else []


def _party(party: str, turns: list[Turn], report: Report, scenario: Scenario, seats: dict[str, str]) -> PartyReport:
    spoken = [t for t in turns if t.speaker == party]
    scored = [s for s in report.turns if s.speaker == party and (s.verdict is not None or s.failed)]
    answers: dict[str, PointAnswer] = {}
    for turn in spoken:
        answers.update({a.point: a for a in turn.answers})
    return PartyReport(
        party=party,
        name=scenario.personas[party].name,
        seat=seats.get(party, "ai"),
        turns=len(spoken),
        words=sum(len(t.content.split()) for t in spoken),
        addressed_words=report.airtime.get(party, 0),
        faithful_rate=sum(bool(s.verdict and s.verdict.faithful) for s in scored) / len(scored) if scored else None,
        mean_score=sum(s.verdict.score if s.verdict else 0.0 for s in scored) / len(scored) if scored else None,
        concessions=[c for t in spoken for c in concessions_in(t, scenario)],
        answers=list(answers.values()),
        flags=[Flag(turn=s.turn, kind=v.kind, rule=v.rule, evidence=v.evidence) for s in scored for v in _violations(s)],
    )


def debate_report(debate: str, turns: list[Turn], scenario: Scenario, seats: dict[str, str]) -> DebateReport:
    """Synchronous, for a worker thread (see `turn_scores`)."""
    report = asyncio.run(evaluate_transcripts([(debate, turns)], scenario, scorer_for(scenario)))
    return DebateReport(
        debate=debate,
        scenario=scenario.id,
        title=scenario.title,
        points={p.id: p.text for p in scenario.protocol.points},
        metrics=report.metrics,
        airtime=report.airtime,
        parties=[_party(p, turns, report, scenario, seats) for p in scenario.parties],
        turns=report.turns,
    )


def render_debate_report(report: DebateReport) -> str:
    """Markdown for the teacher: one table of parties, then each party's concessions and flagged turns."""
    lines = [f"# Eval report: {report.title}", "", f"Debate {report.debate}.", "",
             "| party | seat | turns | words said | words addressed | faithful | mean score | concessions |",
             "|---|---|---|---|---|---|---|---|"]  # fmt: skip
    for p in report.parties:
        faithful = "n/a" if p.faithful_rate is None else f"{p.faithful_rate:.0%}"
        mean = "n/a" if p.mean_score is None else f"{p.mean_score:.2f}"
        lines.append(f"| {p.name} | {p.seat} | {p.turns} | {p.words} | {p.addressed_words} | {faithful} "
                     f"| {mean} | {len(p.concessions)} |")  # fmt: skip
    lines += ["", "## Talk-level metrics", "", "| metric | value | coverage (scored/expected) |", "|---|---|---|"]
    lines += [f"| {name} | {score.shown} | {score.coverage} |" for name, score in report.metrics.items()]
    for p in report.parties:
        lines += ["", f"## {p.name}", ""]
        lines += [f"- Concession (turn {c.turn}, {c.topic} → {c.to}): {c.statement}" for c in p.concessions] or [
            "- No listed concession made."
        ]
        lines += [f"- “{report.points.get(a.point, a.point)}”: {a.answer}" + (f" ({a.amendment})" if a.amendment else "")
                  for a in p.answers]  # fmt: skip
        lines += [f"- Turn {f.turn} flagged {f.kind} (rule `{f.rule}`): “{f.evidence[:160]}”" for f in p.flags]
    return "\n".join(lines) + "\n"
