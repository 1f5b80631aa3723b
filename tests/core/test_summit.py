"""End-to-end summits on the offline engine: records, determinism, barrier, resume, bounded prompts."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from deliberation.config import Settings
from deliberation.summit import SummitOptions, resume_summit, run_summit
from deliberation.transcript import RunFinished, RunStarted, TurnEvent, read_events, turns_of
from deliberation.turns import Kind, Turn
from tests.prompt_capture import captured_prompts


async def _summit(settings: Settings, out: Path, **options: Any) -> list[Turn]:
    result = await run_summit(settings, SummitOptions(**options), out)
    return turns_of(read_events(result.jsonl))


async def test_offline_summit_writes_a_complete_grounded_record(settings: Settings, tmp_path: Path) -> None:
    result = await run_summit(settings, SummitOptions(seed=7, rounds=2), tmp_path)
    events = read_events(result.jsonl)
    started, finished = events[0], events[-1]
    assert isinstance(started, RunStarted) and isinstance(finished, RunFinished)
    assert started.scenario_sha256 == "d620a7ec1b7d54871e616e22d28cd0f023beec586b3fa1879d3122ca3ad9c960"
    assert set(started.models) == {"mediator", "kabul", "taliban", "us"}
    assert any(f.startswith("prompts/") for f in started.files) and "afghanistan/kabul.yaml" in started.files
    turns = turns_of(events)
    assert [t.turn for t in turns] == list(range(1, len(turns) + 1))
    assert turns[0].stage.value == "opening" and turns[-1].kind == Kind.summary
    assert {t.stage.value for t in turns} == {"opening", "rounds", "convergence", "closing"}
    party_turns = [t for t in turns if t.speaker != "mediator"]
    ungrounded = [t.turn for t in party_turns if t.stage.value != "convergence" and not (t.citations and t.positions)]
    assert not ungrounded
    assert all(c.start is not None for t in turns for c in t.citations)
    assert all(p.startswith(f"{t.speaker}.") for t in party_turns for p in t.positions)
    assert finished.turns == len(turns) and finished.failed_turns == 0
    assert finished.usage.prompt_tokens == sum(t.usage.prompt_tokens for t in turns) > 0
    assert len(finished.outcome.agreed) + len(finished.outcome.open) == 5
    markdown = result.markdown.read_text(encoding="utf-8")
    assert "## Opening" in markdown and "## Closing" in markdown and "[^1]:" in markdown
    relay = next(t for t in turns if t.kind == Kind.relay)
    assert f"**{relay.turn}. " in markdown and f"_relay (relaying turn {relay.relayed_from})_" in markdown


async def test_same_seed_same_talks_other_seed_other_wording(settings: Settings, tmp_path: Path) -> None:
    first = await _summit(settings, tmp_path / "a", seed=1, rounds=2)
    again = await _summit(settings, tmp_path / "b", seed=1, rounds=2)
    other = await _summit(settings, tmp_path / "c", seed=2, rounds=2)
    assert [t.content for t in first] == [t.content for t in again]
    assert [t.content for t in first] != [t.content for t in other]


async def test_replies_respond_to_what_was_relayed(settings: Settings, tmp_path: Path) -> None:
    turns = await _summit(settings, tmp_path, seed=3, rounds=3)
    answers = [t for t in turns if t.kind == Kind.answer and t.stage.value == "rounds"]
    assert len({t.content for t in answers}) == len(answers), "a party repeated the same paragraph"
    on_topic = [t for t in answers if any(p.split(".")[0] == t.speaker for p in t.positions)]
    assert len(on_topic) == len(answers)
    relays = [t for t in turns if t.kind == Kind.relay]
    by_number = {t.turn: t for t in turns}
    for relay in relays:
        source = by_number[relay.relayed_from or 0]
        assert set(relay.positions) == set(source.positions), "a relay must carry the positions it relays"


def _check_barrier(turns: list[Turn], parties: list[str], mediator: str) -> None:
    by_number = {t.turn: t for t in turns}
    for turn in turns:
        if turn.speaker in parties:
            assert turn.audience == [mediator], f"turn {turn.turn}: a party addressed {turn.audience}"
        if turn.kind == Kind.relay:
            assert turn.speaker == mediator and len(turn.audience) == 1
            source = by_number.get(turn.relayed_from or -1)
            assert source is not None and source.turn < turn.turn, f"relay {turn.turn} points nowhere earlier"
            assert source.speaker in parties and source.speaker not in turn.audience


@given(seed=st.integers(0, 10_000), rounds=st.integers(0, 4), order=st.permutations(["pollution", "authority"]))
@hsettings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
async def test_barrier_holds_on_generated_talks(
    mini_settings: Settings, tmp_path: Path, seed: int, rounds: int, order: list[str]
) -> None:
    out = tmp_path / f"{seed}-{rounds}"
    turns = await _summit(mini_settings, out, scenario="mini", seed=seed, rounds=rounds, topics=order)
    _check_barrier(turns, ["council", "guild"], "arbiter")


async def test_barrier_on_the_default_scenario_and_prompts(settings: Settings, tmp_path: Path) -> None:
    """What reaches a party's model holds only its own channel: another party's words never appear."""
    with captured_prompts() as capture:
        turns = await _summit(settings, tmp_path, seed=5, rounds=3)
    prompts = [(persona, messages[-1]["content"]) for persona, messages in capture.calls]
    _check_barrier(turns, ["kabul", "taliban", "us"], "mediator")
    assert len(prompts) == len(turns)
    for persona, prompt in prompts:
        if persona == "mediator":
            continue
        foreign = [t for t in turns if t.speaker not in (persona, "mediator") and t.content]
        leaked = [t.turn for t in foreign if json.dumps(t.content)[1:-1] in prompt]
        assert not leaked, f"{persona} was shown other parties' turns {leaked}"


async def test_interrupted_summit_resumes_without_losing_or_repeating_turns(settings: Settings, tmp_path: Path) -> None:
    whole = await _summit(settings, tmp_path / "whole", seed=11, rounds=2)

    class Stop(Exception):
        pass

    def stop_after(turn: Turn) -> None:
        if turn.turn == 9:
            raise Stop

    out = tmp_path / "cut"
    with pytest.raises(Stop):
        await run_summit(settings, SummitOptions(seed=11, rounds=2), out, on_turn=stop_after, run_id="cut-run")
    partial = turns_of(read_events(out / "cut-run.jsonl"))
    assert [t.turn for t in partial] == list(range(1, 10))
    result = await resume_summit(settings, "cut-run", out)
    events = read_events(result.jsonl)
    resumed = turns_of(events)
    assert [t.turn for t in resumed] == list(range(1, len(whole) + 1))
    assert [t.content for t in resumed] == [t.content for t in whole]
    assert sum(isinstance(e, RunStarted) for e in events) == 1 and isinstance(events[-1], RunFinished)


async def test_prompts_stay_bounded_as_talks_grow(mini_settings: Settings, tmp_path: Path) -> None:
    turns = await _summit(mini_settings, tmp_path, scenario="mini", seed=0, rounds=10)
    party = [t for t in turns if t.speaker != "arbiter" and t.stage.value == "rounds"]
    first = max(t.usage.prompt_tokens for t in party if t.round == 1)
    tenth = max(t.usage.prompt_tokens for t in party if t.round == 10)
    assert tenth <= first * 1.3, (first, tenth)


async def test_a_turn_event_is_one_json_line_with_the_documented_fields(settings: Settings, tmp_path: Path) -> None:
    result = await run_summit(settings, SummitOptions(seed=0, rounds=1), tmp_path)
    lines = result.jsonl.read_text(encoding="utf-8").splitlines()
    turn = json.loads(lines[1])
    assert TurnEvent.model_validate(turn).turn == 1 and turn["event"] == "turn"
    for key in (
        "turn",
        "stage",
        "round",
        "speaker",
        "audience",
        "kind",
        "content",
        "citations",
        "positions",
        "relayed_from",
        "model",
        "usage",
    ):
        assert key in turn
