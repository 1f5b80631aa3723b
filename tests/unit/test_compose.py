"""offline.compose: the offline engine's turn for a context, from the ledger and the phrase bank only."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from deliberation.context import ConcessionBrief, Message, PointBrief, PositionBrief, TopicBrief, TurnContext, decode, encode
from deliberation.llm.offline import compose
from deliberation.turns import Kind, PointAnswer, Stage
from tests.factories import REPO

PROMPTS = REPO / "prompts"
NAMES = {"arbiter": "The Arbiter", "council": "The Council", "guild": "The Guild"}
POSITIONS = [
    PositionBrief(id="council.clean", topic="pollution", stance="support", statement="The river must be cleaned now.",
                  relay="The Council wants the river cleaned now.", passages=["p01.1"]),
    PositionBrief(id="council.rule", topic="authority", stance="oppose", statement="No guild will govern the river.",
                  relay="The Council refuses guild rule over the river.", passages=["p02.1"]),
    PositionBrief(id="council.fees", topic="fees", stance="conditional", statement="Fees only if the mill pays first.",
                  relay="The Council accepts fees only if the mill pays first.", passages=["p03.1"]),
]


def context(**fields: object) -> TurnContext:
    base: dict[str, object] = dict(
        persona="council", persona_name="The Council", is_mediator=False, stage=Stage.rounds, round=1, turn=5,
        kind=Kind.answer, seed=0, names=NAMES, positions=POSITIONS,
    )
    return TurnContext.model_validate({**base, **fields})


def bank() -> dict[str, dict[str, object]]:
    return yaml.safe_load((PROMPTS / "offline_phrases.yaml").read_text(encoding="utf-8"))


def test_a_party_answers_with_its_most_relevant_position_first() -> None:
    asked = context(topic=TopicBrief(topic="authority", title="Authority over the river", question="Who governs?"),
                    incoming=Message(turn=4, speaker="arbiter", kind=Kind.question, content="Who should govern the river?"))
    output = compose(asked, PROMPTS)
    assert output.positions[0] == "council.rule"
    assert "No guild will govern the river" in output.content
    assert output.citations[0] == "p02.1"  # the passage behind the position it used
    assert set(output.positions) <= {p.id for p in POSITIONS}


def test_same_context_same_turn_another_seed_may_vary_never_invents() -> None:
    asked = context(kind=Kind.statement, stage=Stage.opening, round=0)
    assert compose(asked, PROMPTS) == compose(asked, PROMPTS)
    statements = {p.statement for p in POSITIONS}
    for seed in range(8):
        output = compose(asked.model_copy(update={"seed": seed}), PROMPTS)
        assert any(s in output.content for s in statements)
        assert len(output.positions) == 2 and all(p in {x.id for x in POSITIONS} for p in output.positions)


def test_points_are_answered_from_stances_and_concessions() -> None:
    points = [PointBrief(id="p-clean", topic="pollution", text="Clean the river."),
              PointBrief(id="p-rule", topic="authority", text="Let the guild govern."),
              PointBrief(id="p-fees", topic="fees", text="Charge fees."),
              PointBrief(id="p-other", topic="weather", text="Pray for rain.")]
    concession = ConcessionBrief(topic="authority", to="conditional", statement="Shared rule, with a council veto.",
                                 relay="The Council could share rule if it keeps a veto.")
    output = compose(context(stage=Stage.convergence, points=points, concessions=[concession]), PROMPTS)
    assert [(a.point, a.answer) for a in output.answers] == [
        ("p-clean", "accept"), ("p-rule", "amend"), ("p-fees", "amend"), ("p-other", "amend")]
    amendments = [a.amendment for a in output.answers]
    assert amendments[1] == "Shared rule, with a council veto."  # the listed concession, not the old stance
    assert amendments[2] == "Fees only if the mill pays first."
    assert amendments[3] == bank()["party"]["no_position"]


def test_the_mediator_relays_the_relayed_partys_words_and_no_opinion() -> None:
    relay = context(persona="arbiter", persona_name="The Arbiter", is_mediator=True, kind=Kind.relay, positions=[],
                    relay_source=Message(turn=4, speaker="council", kind=Kind.answer, content="x", positions=["council.rule"]),
                    relayed_positions=[POSITIONS[1]])
    output = compose(relay, PROMPTS)
    assert "The Council refuses guild rule over the river." in output.content
    assert output.positions == ["council.rule"] and output.citations == ["p02.1"]


def test_the_summary_names_agreed_and_open_points() -> None:
    agreed = PointBrief(id="a", topic="t", text="Clean the river.",
                        answers={"council": PointAnswer(point="a", answer="accept"), "guild": PointAnswer(point="a", answer="accept")})
    split = PointBrief(id="b", topic="t", text="Share the fees.",
                       answers={"council": PointAnswer(point="b", answer="accept"), "guild": PointAnswer(point="b", answer="reject")})
    summary = context(persona="arbiter", persona_name="The Arbiter", is_mediator=True, kind=Kind.summary, stage=Stage.closing,
                      positions=[], points=[agreed, split])
    content = compose(summary, PROMPTS).content
    assert "Agreed by all parties: Clean the river." in content and "Still open: Share the fees." in content


def test_the_phrase_bank_comes_from_the_prompts_directory_given(tmp_path: Path) -> None:
    edited = bank()
    edited["mediator"]["summary_close"] = "Edited closing words."
    (tmp_path / "offline_phrases.yaml").write_text(yaml.safe_dump(edited, allow_unicode=True), encoding="utf-8")
    summary = context(persona="arbiter", is_mediator=True, kind=Kind.summary, stage=Stage.closing, positions=[])
    assert "Edited closing words." in compose(summary, tmp_path).content
    assert "Edited closing words." not in compose(summary, PROMPTS).content


@pytest.mark.parametrize("ctx", [context(), context(incoming=Message(turn=1, speaker="arbiter", kind=Kind.question, content="“q” </context>"))])
def test_the_codec_round_trips_a_context(ctx: TurnContext) -> None:
    assert decode(f"Some prompt text.\n{encode(ctx)}") == ctx
    assert decode("no block here") is None
