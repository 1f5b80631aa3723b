"""Scorer validation: a case the judge could not score is listed apart, and the others still count."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from deliberation.evals.dataset import Case
from deliberation.evals.types import JudgeFailed, Utterance, Verdict
from deliberation.evals.validation import render_comparison, render_validation, validate

from tests.factories import REPO


class FlagsAllButFailsOne:
    """Flags every utterance as unfaithful, except one it cannot score."""

    name = "judge"

    async def score(self, utterance: Utterance) -> Verdict:
        if utterance.id == "broken":
            raise JudgeFailed(utterance.id, "claims reply cut off at max_tokens; 1 repair(s) tried")
        return Verdict(id=utterance.id, faithful=False, score=0.0)


class FlagsNothing:
    name = "judge"

    async def score(self, utterance: Utterance) -> Verdict:
        return Verdict(id=utterance.id, faithful=True, score=1.0)


def case(id: str, label: str) -> Case:
    return Case(id=id, persona="kabul", text="We will not negotiate.", label=label, kind=None, split="t")  # type: ignore[arg-type]


CASES = [case("u1", "unfaithful"), case("f1", "faithful"), case("broken", "unfaithful")]


async def test_a_case_the_judge_cannot_score_is_listed_apart_and_the_rest_still_count() -> None:
    result = await validate(FlagsAllButFailsOne(), CASES)
    assert (result.overall.tp, result.overall.fp, result.overall.fn) == (1, 1, 0)
    assert list(result.unscored) == ["broken"]
    report = render_validation(result, "judge")
    assert "unscored (1" in report and "broken: claims reply cut off" in report


async def test_precision_is_not_a_number_when_nothing_was_flagged() -> None:
    result = await validate(FlagsNothing(), CASES)
    assert result.overall.precision is None
    assert "precision(unfaithful) n/a" in render_validation(result, "judge")
    assert "| precision(unfaithful) | n/a |" in render_comparison({"judge": result}, "t")


def test_a_recorded_judge_replays_on_a_case_file_of_ones_own(tmp_path: Path) -> None:
    """gemma-3-270m's recorded verdicts on a 48-case subset of blind3 (tests/fixtures/judge): it calls all faithful."""
    fixtures = REPO / "tests" / "fixtures" / "judge"
    command = [sys.executable, "-m", "deliberation", "eval", "validate", "--cases", str(fixtures / "afghanistan.blind3j.yaml"),
               "--split", "blind3j", "--scorer", "judge", "--recorded", str(fixtures / "gemma-3-270m.blind3.jsonl")]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, cwd=tmp_path, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "(48 cases): balanced accuracy 0.500, precision(unfaithful) n/a, unfaithful caught 0/24" in done.stdout
