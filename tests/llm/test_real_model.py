"""A real small model, replayed: a one-round summit and the judge on a handful of utterances, as
gemma-3-270m answered them.

Recorded with `pytest --record` against llama-cpp-python's server (model, server, flags and settings in
tests/fixtures/llm/gemma-3-270m/README.md) and replayed here through the real code path: the replies are
parsed and validated now as they were then.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from deliberation.evals.dataset import Case, load_cases
from deliberation.evals.deterministic import DeterministicScorer
from deliberation.evals.judge import JudgeScorer
from deliberation.evals.transcripts import evaluate_transcripts, gate_failures, load_gate
from deliberation.evals.types import JudgeFailed, Verdict
from llm_fixtures import MockLLM, real_settings

from deliberation.briefing import mediator_context, party_context
from deliberation.llm.client import model_config
from deliberation.llm.schema import budget_key
from deliberation.loader import scenario
from deliberation.runtime import SummitOptions, make_deps
from deliberation.speak import speak
from deliberation.state import NegotiatingText
from deliberation.summit import run_summit
from deliberation.transcript import read_events, turns_of
from deliberation.turns import Stage

pytestmark = pytest.mark.filterwarnings("ignore:Items? .* on TypedDict class .*`ReadOnly` qualifier:UserWarning")

MODEL = "openai/gemma-3-270m"


async def test_the_real_models_opening_turns_parse_and_fail_the_gate(real_llm: MockLLM, tmp_path: Path) -> None:
    settings = real_settings(tmp_path / "data")
    deps = make_deps(settings, SummitOptions(model=MODEL, rounds=0, seed=0))
    opening, statement = deps.steps[0], deps.steps[1]
    first = await speak(deps, opening, await asyncio.to_thread(mediator_context, deps, opening, [], None, NegotiatingText(), 1), None)
    context = await asyncio.to_thread(party_context, deps, statement, [first], 2)
    second = await speak(deps, statement, context, None)
    for turn in (first, second):
        assert not turn.error and turn.content, turn.error
        assert (turn.structured_output, turn.repairs, turn.attempts) == ("json_object_schema", 0, 1)
        assert turn.usage.completion_tokens <= settings.max_tokens[turn.kind.value]
    assert second.audience == ["mediator"] and set(second.positions) <= {p.id for p in context.positions}
    assert budget_key(context) == "statement"
    bodies = real_llm.requests
    assert [b["response_format"]["type"] for b in bodies] == ["json_object", "json_object"]
    assert all("schema" in b["response_format"] for b in bodies)
    report = await evaluate_transcripts([("gemma", [first, second])], deps.scenario, DeterministicScorer(deps.scenario))
    assert report.value("barrier") == 1.0 and report.value("failed_turns") == 0.0
    assert report.metrics["relay_fidelity"].shown == "n/a"  # no relay among the opening turns: not a perfect score
    failures = gate_failures(report.metrics, load_gate())
    assert any(f.startswith("faithful_rate = 0.500") for f in failures), failures  # a 270M base model misstates the US


def handful() -> list[Case]:
    """One faithful and one unfaithful utterance per party, the first of each in the labelled test split."""
    cases = [c for c in load_cases("afghanistan").cases if c.split == "test"]
    return [next(c for c in cases if c.persona == p and c.label == label)
            for p in ("kabul", "taliban", "us") for label in ("faithful", "unfaithful")]  # fmt: skip


async def test_the_real_model_as_judge_catches_nothing(real_llm: MockLLM, tmp_path: Path) -> None:
    settings = real_settings(tmp_path / "data")
    judge = JudgeScorer(scenario(settings, "afghanistan"), model_config(settings, MODEL), settings=settings)
    verdicts: dict[str, Verdict] = {}
    errors: dict[str, str] = {}
    for case in handful():
        try:
            verdicts[case.id] = await judge.score(case)
        except JudgeFailed as error:
            errors[case.id] = str(error)
    # Its list of claims ran to max_tokens twice (the repair too): an error, never a verdict.
    assert list(errors) == ["us-f-003"] and "cut off at max_tokens" in errors["us-f-003"]
    # Every verdict it gave is "faithful" with no claim supported: none of the three stance flips is caught.
    unfaithful = {c.id for c in handful() if c.label == "unfaithful"}
    assert unfaithful <= set(verdicts)
    assert all(v.faithful and not v.violations and v.score == 0.0 for v in verdicts.values())


async def test_the_real_models_one_round_summit(real_llm: MockLLM, tmp_path: Path) -> None:
    """The whole one-round summit as the real model played it, through the summit's own code path."""
    settings = real_settings(tmp_path / "data")
    result = await run_summit(settings, SummitOptions(model=MODEL, rounds=1, seed=0), tmp_path / "runs", run_id="gemma")
    turns = turns_of(read_events(result.jsonl))
    assert [t.turn for t in turns] == list(range(1, 19)) and result.finished.turns == 18
    assert all(t.structured_output == "json_object_schema" and t.attempts >= 1 for t in turns)
    for t in turns:  # no reply ran past its budget (a turn's usage sums its attempts)
        budget = "answer_points" if t.stage == Stage.convergence and t.speaker != "mediator" else t.kind.value
        assert t.usage.completion_tokens <= t.attempts * settings.max_tokens[budget], (t.turn, t.usage)
    assert not [t.turn for t in turns if t.error] and result.finished.failed_turns == 0
    assert sum(t.repairs == 0 for t in turns) / len(turns) >= 0.95  # the target: parsed without repair
    scenario_ = scenario(settings, "afghanistan")
    report = await evaluate_transcripts([("gemma", turns)], scenario_, DeterministicScorer(scenario_))
    assert report.value("barrier") == 1.0  # the barrier is structural: whatever the model says, parties hear only the mediator
    # Twelve of its 18 replies say nothing ('0', '1', ':{', '10.13', a bare link, a list of numbers): each is a failed turn
    # (rule content.non-answer), not a faithful one. Before that rule they passed every other rule: faithful_rate 0.611.
    non_answers = [s.turn for s in report.turns if s.failed and "content.non-answer" in s.failed]
    assert non_answers == [4, 6, 9, 10, *range(11, 19)] and report.value("failed_turns") == 12.0
    # Three faithful turns of 18: Kabul's opening and two Taliban turns that the scorer reads as refusing direct talks.
    assert report.metrics["faithful_rate"].shown == "0.167"
    assert gate_failures(report.metrics, load_gate()), "a 270M base model's talk must not pass the gate"
