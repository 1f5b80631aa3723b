"""protocol.plan: the order of moves, step by step, for any scenario and options."""

from __future__ import annotations

import pytest

from deliberation.config import Settings
from deliberation.errors import UserError
from deliberation.loader import load_scenario
from deliberation.protocol import Step, first_step_of, plan
from deliberation.scenario import Scenario
from deliberation.turns import Kind, Stage
from tests.factories import MINI


@pytest.fixture(scope="module")
def mini() -> Scenario:
    return load_scenario("mini", MINI.parent)


def moves(steps: list[Step]) -> list[tuple[str, int, str, str, tuple[str, ...]]]:
    return [(s.stage.value, s.round, s.speaker, s.kind.value, tuple(s.audience)) for s in steps]


def test_one_round_is_opening_six_moves_convergence_closing(mini: Scenario) -> None:
    steps = plan(mini, rounds=1)
    assert moves(steps) == [
        ("opening", 0, "arbiter", "statement", ("council", "guild")),
        ("opening", 0, "council", "statement", ("arbiter",)),
        ("opening", 0, "guild", "statement", ("arbiter",)),
        ("rounds", 1, "arbiter", "question", ("council",)),
        ("rounds", 1, "council", "answer", ("arbiter",)),
        ("rounds", 1, "arbiter", "relay", ("guild",)),
        ("rounds", 1, "guild", "answer", ("arbiter",)),
        ("rounds", 1, "arbiter", "relay", ("council",)),
        ("rounds", 1, "council", "answer", ("arbiter",)),
        ("convergence", 1, "arbiter", "proposal", ("council", "guild")),
        ("convergence", 1, "council", "answer", ("arbiter",)),
        ("convergence", 1, "guild", "answer", ("arbiter",)),
        ("closing", 1, "council", "statement", ("arbiter",)),
        ("closing", 1, "guild", "statement", ("arbiter",)),
        ("closing", 1, "arbiter", "summary", ("council", "guild")),
    ]
    assert [s.index for s in steps] == list(range(len(steps)))


def test_relays_point_at_the_answer_they_carry(mini: Scenario) -> None:
    steps = plan(mini, rounds=2)
    relays = [s for s in steps if s.kind == Kind.relay]
    assert len(relays) == 4
    for relay in relays:
        carried = steps[relay.relay_of]  # type: ignore[index]
        assert carried.index < relay.index and carried.kind == Kind.answer and carried.round == relay.round
        assert carried.speaker not in relay.audience  # a party never hears its own words relayed back as news


def test_rounds_cycle_through_agenda_and_pairs(mini: Scenario) -> None:
    steps = plan(mini, rounds=3)
    questions = [s for s in steps if s.kind == Kind.question]
    assert [q.topic for q in questions] == ["pollution", "authority", "pollution"]
    assert [q.round for q in questions] == [1, 2, 3]
    assert all(s.topic is None for s in steps if s.stage in (Stage.opening, Stage.closing))


def test_topics_choose_and_order_the_agenda(mini: Scenario) -> None:
    questions = [s for s in plan(mini, rounds=2, topics=["authority"]) if s.kind == Kind.question]
    assert [q.topic for q in questions] == ["authority", "authority"]
    with pytest.raises(UserError, match=r"unknown topic\(s\) fishing .*has: pollution, authority"):
        plan(mini, rounds=1, topics=["fishing"])


def test_no_rounds_and_no_points_leave_those_stages_out(mini: Scenario) -> None:
    steps = plan(mini.model_copy(update={"protocol": mini.protocol.model_copy(update={"points": []})}), rounds=0)
    assert [s.stage for s in steps] == [Stage.opening] * 3 + [Stage.closing] * 3
    assert first_step_of(steps, Stage.rounds) == first_step_of(steps, Stage.convergence) == len(steps)
    assert first_step_of(steps, Stage.closing) == 3


def test_the_default_scenario_plan_parties_always_speak_to_the_mediator(settings: Settings) -> None:
    scenario = load_scenario("afghanistan", settings.scenarios_dir)
    steps = plan(scenario, rounds=scenario.protocol.rounds)
    assert all(s.audience == [scenario.mediator] for s in steps if s.speaker != scenario.mediator)
    assert all(scenario.mediator not in s.audience for s in steps if s.speaker == scenario.mediator)
