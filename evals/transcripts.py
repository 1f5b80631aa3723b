"""Score whole transcripts: per-turn verdicts plus the talk-level metrics (barrier, relays, airtime, stability)."""

from __future__ import annotations

from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import yaml
from deliberation.evals.deterministic import DeterministicScorer
from deliberation.evals.types import Utterance, Verdict
from pydantic import BaseModel

from deliberation.errors import InvalidScenario
from deliberation.ledger import ledger_integrity
from deliberation.resources import packaged
from deliberation.scenario import Scenario
from deliberation.terms import terms
from deliberation.turns import Kind, Turn, channel

GATE = packaged("deliberation.evals") / "gate.yaml"
ROLE_KINDS = {"persona_swap", "break_character", "injection"}
CONTRADICTIONS = {"stance_flip", "direct_talks"}
RELAY_KEPT = 0.3


class TurnScore(BaseModel):
    turn: int
    speaker: str
    stage: str
    kind: str
    content: str
    verdict: Verdict
    citations_valid: int
    citations_total: int


class Metrics(BaseModel):
    ledger_integrity: float
    faithful_rate: float
    contradiction_rate: float
    citation_validity: float
    barrier: float
    relay_fidelity: float
    mediator_neutrality: float
    role_adherence: float
    stance_stability: float
    airtime: dict[str, int]


class Report(BaseModel):
    transcripts: list[str]
    metrics: Metrics
    per_persona: dict[str, dict[str, float]]
    per_stage: dict[str, dict[str, float]]
    turns: list[TurnScore]
    failures: list[str] = []


def _seen_before(turns: list[Turn], turn: Turn) -> str:
    """What the speaker had been told before this turn: its channel, minus its own words."""
    earlier = [t for t in channel(turns, turn.speaker) if t.turn < turn.turn and t.speaker != turn.speaker]
    return "\n".join(t.content for t in earlier)


def _citation_counts(turn: Turn, scenario: Scenario) -> tuple[int, int]:
    """A citation is valid when it names a real passage that shares content words with the turn."""
    said = set(terms(turn.content))
    valid = 0
    for citation in turn.citations:
        if citation.start is None or citation.end is None:
            continue
        passage = set(terms(scenario.source_text[citation.start : citation.end]))
        ledger = {t for p in scenario.personas.values() for pos in p.positions if pos.id in turn.positions
                  for t in terms(pos.statement + " " + pos.relay)}  # fmt: skip
        if said & passage or ledger & passage:
            valid += 1
    return valid, len(turn.citations)


def _barrier_ok(turn: Turn, by_number: dict[int, Turn], scenario: Scenario, verdict: Verdict) -> bool:
    if turn.speaker in scenario.parties and turn.audience != [scenario.mediator]:
        return False
    if turn.kind == Kind.relay:
        source = by_number.get(turn.relayed_from or -1)
        if source is None or source.turn >= turn.turn or source.speaker not in scenario.parties:
            return False
        if source.speaker in turn.audience:
            return False
    return not any(v.kind in ("leak", "addresses_party") for v in verdict.violations)


def _relay_kept(relay: Turn, source: Turn | None, scenario: Scenario) -> bool:
    """A relay keeps the substance: it carries the source's positions or most of its content words."""
    if source is None:
        return False
    if not source.content:
        return True
    if source.positions and set(source.positions) <= set(relay.positions):
        return True
    wanted = set(terms(source.content))
    for pid in source.positions:
        owner = scenario.personas.get(pid.split(".")[0])
        position = owner.position(pid) if owner else None
        if position:
            wanted |= set(terms(position.relay))
    got = set(terms(relay.content))
    return bool(wanted) and len(wanted & got) / len(set(terms(source.content)) or {""}) >= RELAY_KEPT


def _stance_stability(
    scored: list[TurnScore], turns: list[Turn], scenario: Scenario, scorer: DeterministicScorer
) -> tuple[int, int]:
    """(persona-topic pairs contradicted at some turn, persona-topic pairs spoken about); concessions never count."""
    spoken = {(t.speaker, topic) for t in turns if t.speaker in scenario.parties for topic in scorer.lexicon.topics_in(t.content)}
    flipped = {(s.speaker, v.rule.split(".", 1)[1]) for s in scored for v in s.verdict.violations if v.rule.startswith("stance.")}
    return len(flipped), len(spoken | flipped)


def _rate(values: list[bool]) -> float:
    return sum(values) / len(values) if values else 1.0


def score_turns(
    turns: list[Turn], scenario: Scenario, scorer: DeterministicScorer, run: str, after: int = 0
) -> list[TurnScore]:
    """Verdicts on the turns numbered above `after`; each reads only what its speaker had heard before it."""
    scored = []
    for turn in turns:
        if not turn.content or turn.turn <= after:
            continue
        context = _seen_before(turns, turn) if turn.speaker != scenario.mediator else None
        utterance = Utterance(id=f"{run}:{turn.turn}", persona=turn.speaker, text=turn.content,
                              stage=turn.stage.value, context=context)  # fmt: skip
        valid, total = _citation_counts(turn, scenario)
        scored.append(TurnScore(turn=turn.turn, speaker=turn.speaker, stage=turn.stage.value, kind=turn.kind.value,
                                content=turn.content, verdict=scorer.check(utterance),
                                citations_valid=valid, citations_total=total))  # fmt: skip
    return scored


def _group(scored: list[TurnScore], key: str) -> dict[str, dict[str, float]]:
    groups: dict[str, list[TurnScore]] = defaultdict(list)
    for item in scored:
        groups[getattr(item, key)].append(item)
    return {
        name: {
            "turns": float(len(items)),
            "faithful_rate": _rate([i.verdict.faithful for i in items]),
            "mean_score": sum(i.verdict.score for i in items) / len(items),
        }
        for name, items in sorted(groups.items())
    }


def evaluate_transcripts(transcripts: list[tuple[str, list[Turn]]], scenario: Scenario) -> Report:
    scorer = DeterministicScorer(scenario)
    scored: list[TurnScore] = []
    barrier: list[bool] = []
    relays: list[bool] = []
    airtime: Counter[str] = Counter()
    flips = mentions = 0
    for run, turns in transcripts:
        run_scores = score_turns(turns, scenario, scorer, run)
        scored += run_scores
        verdicts = {s.turn: s.verdict for s in run_scores}
        by_number = {t.turn: t for t in turns}
        for turn in turns:
            empty = Verdict(id="", faithful=True, score=1.0)
            barrier.append(_barrier_ok(turn, by_number, scenario, verdicts.get(turn.turn, empty)))
            if turn.kind == Kind.relay:
                relays.append(_relay_kept(turn, by_number.get(turn.relayed_from or -1), scenario))
            if turn.speaker == scenario.mediator and len(turn.audience) == 1:
                airtime[turn.audience[0]] += len(turn.content.split())
        f, m = _stance_stability(run_scores, turns, scenario, scorer)
        flips, mentions = flips + f, mentions + m
    mediator = [s for s in scored if s.speaker == scenario.mediator]
    parties = [s for s in scored if s.speaker in scenario.parties]
    kinds = [{v.kind for v in s.verdict.violations} for s in scored]
    party_kinds = [{v.kind for v in s.verdict.violations} for s in parties]
    cited = sum(s.citations_total for s in scored)
    metrics = Metrics(
        ledger_integrity=ledger_integrity(scenario),
        faithful_rate=_rate([s.verdict.faithful for s in scored]),
        contradiction_rate=sum(bool(k & CONTRADICTIONS) for k in party_kinds) / len(parties) if parties else 0.0,
        citation_validity=sum(s.citations_valid for s in scored) / cited if cited else 1.0,
        barrier=_rate(barrier),
        relay_fidelity=_rate(relays),
        mediator_neutrality=_rate([not any(v.kind == "mediator_bias" for v in s.verdict.violations) for s in mediator]),
        role_adherence=_rate([not (k & ROLE_KINDS) for k in kinds]),
        stance_stability=1 - flips / mentions if mentions else 1.0,
        airtime={p: airtime.get(p, 0) for p in scenario.parties},
    )  # fmt: skip
    return Report(
        transcripts=[run for run, _ in transcripts],
        metrics=metrics,
        per_persona=_group(scored, "speaker"),
        per_stage=_group(scored, "stage"),
        turns=scored,
    )


def load_gate(path: Path = GATE) -> dict[str, float]:
    try:
        data: Any = yaml.safe_load(path.read_text(encoding="utf-8"))
        return {str(k): float(v) for k, v in data.items()}
    except (OSError, AttributeError, ValueError, yaml.YAMLError) as error:
        raise InvalidScenario(f"{path}: not a mapping of metric thresholds ({error.__class__.__name__})") from None


def gate_failures(metrics: Metrics, gate: dict[str, float]) -> list[str]:
    values = metrics.model_dump()
    failures = []
    for name, threshold in gate.items():
        if name.endswith("_max"):
            value = values[name.removesuffix("_max")]
            if value > threshold:
                failures.append(f"{name.removesuffix('_max')} = {value:.3f} > {threshold}")
        elif values.get(name, 0.0) < threshold:
            failures.append(f"{name} = {values.get(name, 0.0):.3f} < {threshold}")
    return failures


def render_report(report: Report, worst: int = 8) -> str:
    m = report.metrics
    lines = ["# Eval report", "", f"Transcripts: {', '.join(report.transcripts)}", "", "| metric | value |", "|---|---|"]
    for name, value in m.model_dump().items():
        lines.append(f"| {name} | {value if isinstance(value, dict) else f'{value:.3f}'} |")
    for title, table in (("Per persona", report.per_persona), ("Per stage", report.per_stage)):
        lines += ["", f"## {title}", "", "| | turns | faithful rate | mean score |", "|---|---|---|---|"]
        lines += [f"| {k} | {int(v['turns'])} | {v['faithful_rate']:.3f} | {v['mean_score']:.3f} |" for k, v in table.items()]
    flagged = sorted((s for s in report.turns if s.verdict.violations), key=lambda s: s.verdict.score)[:worst]
    lines += ["", "## Worst turns", ""]
    for item in flagged:
        lines.append(f"- **{item.verdict.id}** {item.speaker} ({item.stage}): “{item.content[:240]}”")
        lines += [f"  - {v.kind} · rule `{v.rule}` · {v.position or '-'} · “{v.evidence[:120]}”" for v in item.verdict.violations]
    if not flagged:
        lines.append("None flagged.")
    if report.failures:
        lines += ["", "## Gate failures", "", *[f"- {f}" for f in report.failures]]
    return "\n".join(lines) + "\n"
