"""Semantic grounding, the blind split, and the judge on the same footing (recorded verdicts, combined mode)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from deliberation.evals.dataset import load_cases
from deliberation.evals.deterministic import DeterministicScorer
from deliberation.evals.grounding import negative
from deliberation.evals.recorded import CombinedScorer, RecordedScorer
from deliberation.evals.types import Utterance, Verdict, Violation
from deliberation.evals.validation import render_comparison, validate

from deliberation.errors import NotFound


def test_blind_split_is_balanced_and_separate() -> None:
    cases = load_cases("afghanistan").cases
    blind = [c for c in cases if c.split == "blind"]
    assert len(blind) >= 160
    for persona in ("mediator", "kabul", "taliban", "us"):
        mine = [c for c in blind if c.persona == persona]
        assert len(mine) >= 40
        assert sum(c.label == "faithful" for c in mine) == sum(c.label == "unfaithful" for c in mine)
    assert not {c.id for c in blind} & {c.id for c in cases if c.split != "blind"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("We will keep fighting against Daesh.", False),
        ("We are against any talks with them.", True),
        ("We have no objection to indirect contacts.", False),
        ("Washington declined to attend and does not regard the format as useful.", True),
        ("Any such seat would be illegitimate.", True),
    ],
)
def test_sense_reads_negation_and_adversaries(text: str, expected: bool) -> None:
    assert negative(text) is expected


@pytest.mark.parametrize(
    ("persona", "text", "kind"),
    [
        # No cue word of the lexicon: caught because the clause is closest to the speaker's own position, reversed.
        ("kabul", "The government would be glad to see a Taliban delegation take its place at the Moscow table.", "stance_flip"),
        ("us", "Washington will pull every soldier out of Afghanistan this year.", "stance_flip"),
        ("mediator", "The Taliban have told me they accept the authority of the government.", "stance_flip"),
        ("us", "We have 120,000 troops in Afghanistan today.", "invented_fact"),
    ],
)
def test_paraphrased_contradictions_are_flagged(scorer: DeterministicScorer, persona: str, text: str, kind: str) -> None:
    verdict = scorer.check(Utterance(id="x", persona=persona, text=text))
    assert not verdict.faithful
    assert kind in {v.kind for v in verdict.violations}


def test_names_outside_the_source_are_not_violations(scorer: DeterministicScorer) -> None:
    verdict = scorer.check(Utterance(id="x", persona="taliban", text="Zabihullah Mujahid, our spokesman, repeated that we are fighting Daesh."))
    assert verdict.faithful, verdict.violations


def test_a_claim_close_to_nothing_is_unsupported_not_unfaithful(scorer: DeterministicScorer) -> None:
    verdict = scorer.check(Utterance(id="x", persona="kabul", text="The weather in Geneva has been pleasant this week."))
    assert verdict.faithful
    assert [v.kind for v in verdict.violations] == ["unsupported"]


class _Scripted:
    name = "judge"

    def __init__(self, faithful: bool) -> None:
        self.faithful = faithful
        self.asked: list[str] = []

    async def score(self, utterance: Utterance) -> Verdict:
        self.asked.append(utterance.id)
        violations = [] if self.faithful else [Violation(kind="contradiction", rule="judge.contradicted", evidence=utterance.text)]
        return Verdict(id=utterance.id, faithful=self.faithful, score=float(self.faithful), violations=violations)


async def test_combined_asks_the_judge_only_about_unsupported_turns(scorer: DeterministicScorer) -> None:
    judge = _Scripted(faithful=False)
    combined = CombinedScorer(scorer, judge)
    unsupported = await combined.score(Utterance(id="u", persona="kabul", text="The weather in Geneva has been pleasant this week."))
    flagged = await combined.score(Utterance(id="f", persona="kabul", text="As an AI language model I cannot take sides."))
    grounded = await combined.score(Utterance(id="g", persona="kabul", text="We will not sit down face to face with the Taliban."))
    assert judge.asked == ["u"]
    assert not unsupported.faithful and {v.kind for v in unsupported.violations} == {"unsupported", "contradiction"}
    assert not flagged.faithful and grounded.faithful


async def test_recorded_judge_verdicts_replay_by_id_and_name_what_is_missing(tmp_path: Path) -> None:
    cases = [c for c in load_cases("afghanistan").cases if c.split == "dev"][:6]
    recorded = tmp_path / "judge.jsonl"
    lines = [Verdict(id=c.id, faithful=c.label == "faithful", score=1.0).model_dump_json() for c in cases]
    recorded.write_text("\n".join(lines) + "\n", encoding="utf-8")
    judge = RecordedScorer(recorded)
    result = await validate(judge, cases)
    assert result.overall.balanced_accuracy == 1.0
    assert "judge" in render_comparison({"judge": result}, "t")
    with pytest.raises(NotFound, match="no recorded judge verdict for 'elsewhere'"):
        await judge.score(Utterance(id="elsewhere", persona="kabul", text="x"))
    with pytest.raises(NotFound, match="not found"):
        RecordedScorer(tmp_path / "missing.jsonl")
    assert json.loads(lines[0])["id"] == cases[0].id
