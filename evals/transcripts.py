"""Score whole transcripts: a verdict per turn from any scorer, then the talk-level metrics over them.

Failures count. A turn that failed (or said nothing, or nothing of substance: see substance.py) is a scored failure
of every per-turn metric, never a skipped turn, and the `failed_turns` metric counts them. Each metric reports its
coverage (turns scored / turns expected); one with nothing to score is "n/a", never a perfect score. A turn the
scorer could not score (a judge error) is left out of the metric and shows as missing coverage. Metrics are small
named functions, registered under the names `gate.yaml` uses.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from deliberation.evals.lexicon import Lexicon, load_lexicon
from deliberation.evals.substance import RULE as NON_ANSWER
from deliberation.evals.substance import non_answer
from deliberation.evals.types import Scorer, Utterance, Verdict
from pydantic import BaseModel

from deliberation.errors import DeliberationError, InvalidScenario
from deliberation.ledger import evidence_of, ledger_integrity
from deliberation.resources import packaged
from deliberation.scenario import Scenario
from deliberation.terms import terms
from deliberation.turns import Kind, Turn, channel

GATE = packaged("deliberation.evals") / "gate.yaml"
ROLE_KINDS = {"persona_swap", "break_character", "injection"}
CONTRADICTIONS = {"stance_flip", "direct_talks", "contradiction"}
RELAY_KEPT = 0.3


class TurnScore(BaseModel):
    run: str
    turn: int
    speaker: str
    stage: str
    kind: str
    content: str
    verdict: Verdict | None = None
    """None when the turn failed or said nothing (`failed`), or the scorer could not score it (`error`)."""
    failed: str | None = None
    error: str | None = None
    citations_valid: int = 0
    citations_total: int = 0


class Score(BaseModel):
    value: float | None
    """None: nothing to score ("n/a")."""
    scored: int
    expected: int

    @property
    def shown(self) -> str:
        return "n/a" if self.value is None else f"{self.value:.3f}"

    @property
    def coverage(self) -> str:
        return f"{self.scored}/{self.expected}"


class Report(BaseModel):
    transcripts: list[str]
    scorer: str
    metrics: dict[str, Score]
    airtime: dict[str, int]
    per_persona: dict[str, dict[str, float]]
    per_stage: dict[str, dict[str, float]]
    turns: list[TurnScore]
    failures: list[str] = []

    def value(self, name: str) -> float | None:
        return self.metrics[name].value


@dataclass(frozen=True)
class Talk:
    run: str
    turns: list[Turn]
    scores: dict[int, TurnScore]

    def scored(self, turn: Turn) -> TurnScore:
        return self.scores[turn.turn]


@dataclass(frozen=True)
class Evidence:
    """What every metric reads: the talks with their per-turn scores, the scenario and its lexicon."""

    talks: list[Talk]
    scenario: Scenario
    lexicon: Lexicon

    def items(self, where: Callable[[Turn], bool] = lambda t: True) -> Iterable[tuple[Talk, Turn, TurnScore]]:
        return ((talk, turn, talk.scored(turn)) for talk in self.talks for turn in talk.turns if where(turn))


Metric = Callable[[Evidence], Score]
METRICS: dict[str, Metric] = {}


def metric(name: str) -> Callable[[Metric], Metric]:
    def register(function: Metric) -> Metric:
        METRICS[name] = function
        return function

    return register


def _per_turn(evidence: Evidence, where: Callable[[Turn], bool], good: Callable[[Verdict], bool]) -> Score:
    """good / (scored + failed): a failed turn counts against the metric; an unscorable one is left out."""
    passed = scored = failed = expected = 0
    for _, _, score in evidence.items(where):
        expected += 1
        if score.failed:
            failed += 1
        elif score.verdict is not None:
            scored += 1
            passed += good(score.verdict)
    total = scored + failed
    return Score(value=passed / total if total else None, scored=scored, expected=expected)


def _kinds(verdict: Verdict) -> set[str]:
    return {v.kind for v in verdict.violations}


def _party(evidence: Evidence) -> Callable[[Turn], bool]:
    return lambda t: t.speaker in evidence.scenario.parties


@metric("ledger_integrity")
def _ledger_integrity(evidence: Evidence) -> Score:
    spans = sum(1 for p in evidence.scenario.personas.values() for _ in evidence_of(p))
    return Score(value=ledger_integrity(evidence.scenario), scored=spans, expected=spans)


@metric("failed_turns")
def _failed_turns(evidence: Evidence) -> Score:
    """How many turns failed or said nothing (a count, not a rate)."""
    turns = list(evidence.items())
    return Score(value=float(sum(1 for *_, s in turns if s.failed)), scored=len(turns), expected=len(turns))


@metric("faithful_rate")
def _faithful_rate(evidence: Evidence) -> Score:
    return _per_turn(evidence, lambda t: True, lambda v: v.faithful)


@metric("contradiction_rate")
def _contradiction_rate(evidence: Evidence) -> Score:
    """Party turns contradicting the ledger (a failed turn counts as one: nothing shows it did not)."""
    kept = _per_turn(evidence, _party(evidence), lambda v: not (_kinds(v) & CONTRADICTIONS))
    return kept if kept.value is None else kept.model_copy(update={"value": 1 - kept.value})


@metric("citation_validity")
def _citation_validity(evidence: Evidence) -> Score:
    """Citations naming a real passage that shares content words with the turn or its cited positions."""
    items = list(evidence.items())
    spoken = [s for *_, s in items if not s.failed]
    cited = sum(s.citations_total for s in spoken)
    value = sum(s.citations_valid for s in spoken) / cited if cited else None
    return Score(value=value, scored=len(spoken), expected=len(items))


@metric("barrier")
def _barrier(evidence: Evidence) -> Score:
    """Structural (who a turn is addressed to, what a relay points at) for every turn, failed ones too; leaks
    are read from the verdicts."""
    scenario = evidence.scenario
    items = list(evidence.items())
    held = 0
    for talk, turn, score in items:
        by_number = {t.turn: t for t in talk.turns}
        held += _barrier_ok(turn, by_number, scenario, score.verdict)
    return Score(value=held / len(items) if items else None, scored=len(items), expected=len(items))


@metric("relay_fidelity")
def _relay_fidelity(evidence: Evidence) -> Score:
    """Relays that carry the relayed turn's positions or most of its content words; a failed relay carries nothing."""
    items = list(evidence.items(lambda t: t.kind == Kind.relay))
    kept = scored = 0
    for talk, turn, score in items:
        if score.failed:
            continue
        scored += 1
        kept += _relay_kept(turn, {t.turn: t for t in talk.turns}.get(turn.relayed_from or -1), evidence.scenario)
    return Score(value=kept / len(items) if items else None, scored=scored, expected=len(items))


@metric("mediator_neutrality")
def _mediator_neutrality(evidence: Evidence) -> Score:
    mediator = evidence.scenario.mediator
    return _per_turn(evidence, lambda t: t.speaker == mediator, lambda v: "mediator_bias" not in _kinds(v))


@metric("role_adherence")
def _role_adherence(evidence: Evidence) -> Score:
    return _per_turn(evidence, lambda t: True, lambda v: not (_kinds(v) & ROLE_KINDS))


@metric("stance_stability")
def _stance_stability(evidence: Evidence) -> Score:
    """1 - (persona-topic pairs contradicted at some turn / persona-topic pairs spoken about); concessions never count."""
    spoken: set[tuple[str, str]] = set()
    flipped: set[tuple[str, str]] = set()
    scored = expected = 0
    for _, turn, score in evidence.items(_party(evidence)):
        expected += 1
        if score.verdict is None:
            continue
        scored += 1
        spoken |= {(turn.speaker, topic) for topic in evidence.lexicon.topics_in(turn.content)}
        flipped |= {(turn.speaker, topic) for v in score.verdict.violations if (topic := _topic(v, evidence.scenario))}
    pairs = spoken | flipped
    return Score(value=1 - len(flipped) / len(pairs) if pairs else None, scored=scored, expected=expected)


def _topic(violation: Any, scenario: Scenario) -> str | None:
    """The topic a violation contradicts: from a stance rule, or from the position a judge named."""
    if violation.rule.startswith("stance."):
        return str(violation.rule.split(".", 1)[1])
    if violation.kind == "contradiction" and violation.position:
        owner = scenario.personas.get(violation.position.split(".")[0])
        position = owner.position(violation.position) if owner else None
        return position.topic if position else None
    return None


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


def _barrier_ok(turn: Turn, by_number: dict[int, Turn], scenario: Scenario, verdict: Verdict | None) -> bool:
    if turn.speaker in scenario.parties and turn.audience != [scenario.mediator]:
        return False
    if turn.kind == Kind.relay:
        source = by_number.get(turn.relayed_from or -1)
        if source is None or source.turn >= turn.turn or source.speaker not in scenario.parties:
            return False
        if source.speaker in turn.audience:
            return False
    return verdict is None or not any(v.kind in ("leak", "addresses_party") for v in verdict.violations)


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


def failure_of(turn: Turn, heard: str | None = None) -> str | None:
    """Why a turn counts as failed: its error, or a reply with nothing of substance in it ('0', ':{', the question
    again; `heard`: the last message its speaker heard)."""
    if turn.error:
        return turn.error
    if not turn.content.strip():
        return "the turn said nothing"
    reason = non_answer(turn.content, heard)
    return f"{reason} (rule {NON_ANSWER})" if reason else None


def _last_heard(turns: list[Turn], turn: Turn, scenario: Scenario) -> str | None:
    """The message a party answers: the last one it heard before its turn (a mediator answers no one)."""
    if turn.speaker == scenario.mediator:
        return None
    earlier = [t for t in channel(turns, turn.speaker) if t.turn < turn.turn and t.speaker != turn.speaker]
    return earlier[-1].content if earlier else None


def utterance_of(turns: list[Turn], turn: Turn, scenario: Scenario, run: str) -> Utterance:
    context = _seen_before(turns, turn) if turn.speaker != scenario.mediator else None
    return Utterance(id=f"{run}:{turn.turn}", persona=turn.speaker, text=turn.content, stage=turn.stage.value, context=context)


def _blank(run: str, turns: list[Turn], turn: Turn, scenario: Scenario) -> TurnScore:
    valid, total = _citation_counts(turn, scenario)
    failed = failure_of(turn, _last_heard(turns, turn, scenario))
    return TurnScore(run=run, turn=turn.turn, speaker=turn.speaker, stage=turn.stage.value, kind=turn.kind.value,
                     content=turn.content, failed=failed, citations_valid=valid, citations_total=total)  # fmt: skip


async def score_turns(turns: list[Turn], scenario: Scenario, scorer: Scorer, run: str, after: int = 0) -> list[TurnScore]:
    """A score per turn numbered above `after`: a verdict, or why there is none (the turn failed; the scorer could
    not score it). Each verdict reads only what its speaker had heard before the turn, so it never changes."""
    scored = []
    for turn in turns:
        if turn.turn <= after:
            continue
        item = _blank(run, turns, turn, scenario)
        if not item.failed:
            try:
                item.verdict = await scorer.score(utterance_of(turns, turn, scenario, run))
            except DeliberationError as error:
                item.error = str(error)
        scored.append(item)
    return scored


def _group(scored: list[TurnScore], key: str) -> dict[str, dict[str, float]]:
    groups: dict[str, list[TurnScore]] = defaultdict(list)
    for item in scored:
        groups[getattr(item, key)].append(item)
    table = {}
    for name, items in sorted(groups.items()):
        judged = [i for i in items if i.verdict is not None or i.failed]
        faithful = sum(1 for i in items if i.verdict is not None and i.verdict.faithful)
        scores = [i.verdict.score if i.verdict else 0.0 for i in judged]
        table[name] = {
            "turns": float(len(items)),
            "failed": float(sum(1 for i in items if i.failed)),
            "faithful_rate": faithful / len(judged) if judged else float("nan"),
            "mean_score": sum(scores) / len(scores) if scores else float("nan"),
        }
    return table


async def evaluate_transcripts(transcripts: list[tuple[str, list[Turn]]], scenario: Scenario, scorer: Scorer) -> Report:
    talks = []
    for run, turns in transcripts:
        scores = await score_turns(turns, scenario, scorer, run)
        talks.append(Talk(run, turns, {s.turn: s for s in scores}))
    evidence = Evidence(talks, scenario, load_lexicon(scenario))
    airtime: Counter[str] = Counter()
    for _, turn, _ in evidence.items(lambda t: t.speaker == scenario.mediator and len(t.audience) == 1):
        airtime[turn.audience[0]] += len(turn.content.split())
    every = [s for talk in talks for s in talk.scores.values()]
    return Report(
        transcripts=[run for run, _ in transcripts],
        scorer=scorer.name,
        metrics={name: function(evidence) for name, function in METRICS.items()},
        airtime={p: airtime.get(p, 0) for p in scenario.parties},
        per_persona=_group(every, "speaker"),
        per_stage=_group(every, "stage"),
        turns=every,
    )


def load_gate(path: Path = GATE) -> dict[str, float]:
    try:
        data: Any = yaml.safe_load(path.read_text(encoding="utf-8"))
        gate = {str(k): float(v) for k, v in data.items()}
    except (OSError, AttributeError, ValueError, yaml.YAMLError) as error:
        raise InvalidScenario(f"{path}: not a mapping of metric thresholds ({error.__class__.__name__})") from None
    unknown = sorted(name for name in gate if name.removesuffix("_max") not in METRICS)
    if unknown:
        raise InvalidScenario(f"{path}: unknown metric(s) {', '.join(unknown)}; known: {', '.join(METRICS)}")
    return gate


def gate_failures(metrics: dict[str, Score], gate: dict[str, float]) -> list[str]:
    """A threshold a metric misses; `name_max` is an upper bound. A metric with nothing to score ("n/a") passes:
    it was not asked for (a talk without relays); failed turns are gated by `failed_turns_max` instead."""
    failures = []
    for name, threshold in gate.items():
        bound = name.endswith("_max")
        score = metrics[name.removesuffix("_max")]
        if score.value is None:
            continue
        if bound and score.value > threshold:
            failures.append(f"{name.removesuffix('_max')} = {score.shown} > {threshold:g} (coverage {score.coverage})")
        elif not bound and score.value < threshold:
            failures.append(f"{name} = {score.shown} < {threshold:g} (coverage {score.coverage})")
    return failures


def _cell(value: float) -> str:
    return "n/a" if value != value else f"{value:.3f}"  # NaN: nothing scored


def render_report(report: Report, worst: int = 8) -> str:
    lines = ["# Eval report", "", f"Transcripts: {', '.join(report.transcripts)}; scorer: {report.scorer}", "",
             "| metric | value | coverage (scored/expected) |", "|---|---|---|"]  # fmt: skip
    lines += [f"| {name} | {score.shown} | {score.coverage} |" for name, score in report.metrics.items()]
    lines.append(f"| airtime (words to each party) | {report.airtime} | |")
    for title, table in (("Per persona", report.per_persona), ("Per stage", report.per_stage)):
        lines += ["", f"## {title}", "", "| | turns | failed | faithful rate | mean score |", "|---|---|---|---|---|"]
        lines += [f"| {k} | {int(v['turns'])} | {int(v['failed'])} | {_cell(v['faithful_rate'])} | {_cell(v['mean_score'])} |"
                  for k, v in table.items()]  # fmt: skip
    failed = [s for s in report.turns if s.failed or s.error]
    lines += ["", "## Failed or unscored turns", ""]
    lines += [f"- **{s.run}:{s.turn}** {s.speaker} ({s.stage}, {s.kind}): {'failed' if s.failed else 'not scored'}: "
              f"{(s.failed or s.error or '')[:400]}" for s in failed] or ["None."]  # fmt: skip
    flagged = sorted((s for s in report.turns if s.verdict and s.verdict.violations),
                     key=lambda s: s.verdict.score if s.verdict else 0)  # fmt: skip
    lines += ["", "## Worst turns", ""]
    for item in flagged[:worst]:
        assert item.verdict is not None
        lines.append(f"- **{item.verdict.id}** {item.speaker} ({item.stage}): “{item.content[:240]}”")
        lines += [f"  - {v.kind} · rule `{v.rule}` · {v.position or '-'} · “{v.evidence[:120]}”" for v in item.verdict.violations]
    if not flagged:
        lines.append("None flagged.")
    if report.failures:
        lines += ["", "## Gate failures", "", *[f"- {f}" for f in report.failures]]
    return "\n".join(lines) + "\n"
