"""A reply with nothing of substance is a failed turn, not a faithful one; procedural talk is speech."""

from __future__ import annotations

import pytest
from deliberation.evals.deterministic import DeterministicScorer
from deliberation.evals.substance import non_answer
from deliberation.evals.transcripts import evaluate_transcripts, gate_failures, load_gate
from deliberation.evals.types import Utterance

from deliberation.config import Settings
from deliberation.loader import scenario
from deliberation.summit import SummitOptions, run_summit
from deliberation.transcript import read_events, turns_of
from deliberation.turns import Turn

pytestmark = pytest.mark.filterwarnings("ignore:Items? .* on TypedDict class .*`ReadOnly` qualifier:UserWarning")

QUESTION = "Would your government accept indirect talks through the intermediary states present at the negotiations?"


@pytest.mark.parametrize(
    "reply",
    ["0", ":{", "  ", '{"content": ""}', "[1, 2, 3]", "10.13", "https://example.org/press-release/2018/09/24", "...",
     QUESTION, "indirect talks through the intermediary states present at the negotiations"],
)
def test_non_answers(reply: str) -> None:
    assert non_answer(reply, QUESTION)


@pytest.mark.parametrize(
    "reply",
    ["Thank you, Mr. Mediator.", "Could you clarify the question?", "No.", "We accept indirect talks through the intermediary states.",
     "Indirect talks.", "We will answer in the next round.", '{"content": "We reject it"}'],
)
def test_procedural_and_short_answers_have_substance(reply: str) -> None:
    assert non_answer(reply, QUESTION) is None


def test_the_scorer_flags_a_non_answer_and_keeps_a_greeting() -> None:
    scorer = DeterministicScorer(scenario(Settings(), "afghanistan"))
    bare = scorer.check(Utterance(id="x", persona="kabul", text=":{"))
    assert not bare.faithful and [v.rule for v in bare.violations] == ["content.non-answer"]
    echo = scorer.check(Utterance(id="y", persona="kabul", text=QUESTION.lower(), context=QUESTION))
    assert not echo.faithful and "non_answer" in {v.kind for v in echo.violations}
    assert scorer.check(Utterance(id="z", persona="kabul", text="Thank you, Mr. Mediator.")).faithful


@pytest.fixture(scope="module")
async def talk(tmp_path_factory: pytest.TempPathFactory) -> list[Turn]:
    root = tmp_path_factory.mktemp("talk")
    result = await run_summit(Settings(data_dir=root / "data", embedding="lexical"), SummitOptions(seed=3, rounds=1), root / "runs")
    return turns_of(read_events(result.jsonl))


async def test_a_non_answer_in_a_transcript_is_a_failed_turn(talk: list[Turn]) -> None:
    loaded = scenario(Settings(), "afghanistan")
    answer = next(t for t in talk if t.speaker == "kabul" and t.turn > 2)
    turns = [t.model_copy(update={"content": "0"}) if t.turn == answer.turn else t for t in talk]
    report = await evaluate_transcripts([("t", turns)], loaded, DeterministicScorer(loaded))
    item = next(s for s in report.turns if s.turn == answer.turn)
    assert item.verdict is None and item.failed and "content.non-answer" in item.failed
    assert report.value("failed_turns") == 1.0 and report.value("faithful_rate") == pytest.approx(17 / 18)
    assert gate_failures(report.metrics, load_gate())[0].startswith("failed_turns = 1.000")
    # The offline engine's own talk has substance in every turn.
    clean = await evaluate_transcripts([("t", talk)], loaded, DeterministicScorer(loaded))
    assert clean.value("failed_turns") == 0.0
