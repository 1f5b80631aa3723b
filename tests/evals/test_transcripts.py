"""Transcript metrics count failures: coverage on every metric, n/a for nothing to score, a gate on failed turns."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
import yaml
from deliberation.evals.deterministic import DeterministicScorer
from deliberation.evals.transcripts import METRICS, evaluate_transcripts, gate_failures, load_gate, render_report
from llm_fixtures import MockLLM, reply

from deliberation.config import Settings
from deliberation.errors import InvalidScenario
from deliberation.loader import scenario
from deliberation.summit import SummitOptions, run_summit
from deliberation.transcript import RunStarted, TranscriptWriter, TurnEvent, read_events, turns_of
from deliberation.turns import Kind, Turn

pytestmark = pytest.mark.filterwarnings("ignore:Items? .* on TypedDict class .*`ReadOnly` qualifier:UserWarning")


@pytest.fixture(scope="module")
async def talk(tmp_path_factory: pytest.TempPathFactory) -> list[Turn]:
    root = tmp_path_factory.mktemp("talk")
    result = await run_summit(Settings(data_dir=root / "data", embedding="lexical"), SummitOptions(seed=3, rounds=1), root / "runs")
    return turns_of(read_events(result.jsonl))


def failed(turns: list[Turn]) -> list[Turn]:
    return [t.model_copy(update={"content": "", "citations": [], "positions": [], "error": "openai/x: timed out"}) for t in turns]


async def report_of(turns: list[Turn]):  # type: ignore[no-untyped-def]
    loaded = scenario(Settings(), "afghanistan")
    return await evaluate_transcripts([("t", turns)], loaded, DeterministicScorer(loaded))


async def test_a_talk_where_every_turn_failed_scores_zero_and_fails_the_gate(talk: list[Turn]) -> None:
    report = await report_of(failed(talk))
    m = report.metrics
    assert m["failed_turns"].value == len(talk) == 18
    assert (m["faithful_rate"].value, m["faithful_rate"].coverage) == (0.0, "0/18")
    assert m["role_adherence"].value == 0.0 and m["mediator_neutrality"].value == 0.0
    assert m["contradiction_rate"].value == 1.0  # nothing shows a failed party turn kept its positions
    assert m["relay_fidelity"].value == 0.0 and m["relay_fidelity"].expected == 2
    assert m["barrier"].value == 1.0  # structural: who each turn went to still holds
    assert m["citation_validity"].shown == "n/a" and m["stance_stability"].shown == "n/a"
    failures = gate_failures(m, load_gate())
    assert any(f.startswith("failed_turns = 18.000 > 0") for f in failures)
    assert any(f.startswith("faithful_rate = 0.000 < 0.95 (coverage 0/18)") for f in failures)
    text = render_report(report)
    assert "| citation_validity | n/a | 0/18 |" in text and "timed out" in text


async def test_one_failed_turn_is_counted_not_skipped(talk: list[Turn]) -> None:
    one = [failed([t])[0] if t.turn == 5 else t for t in talk]
    m = (await report_of(one)).metrics
    assert m["faithful_rate"].value == pytest.approx(17 / 18) and m["faithful_rate"].coverage == "17/18"
    assert m["failed_turns"].value == 1.0
    assert gate_failures(m, load_gate())[0].startswith("failed_turns")


async def test_nothing_to_score_is_na_and_not_gated(talk: list[Turn]) -> None:
    no_relays = [t for t in talk if t.kind != Kind.relay]
    m = (await report_of(no_relays)).metrics
    assert m["relay_fidelity"].value is None and m["relay_fidelity"].coverage == "0/0"
    assert not any(f.startswith("relay_fidelity") for f in gate_failures(m, load_gate()))


def test_every_gated_name_is_a_registered_metric(tmp_path: Path) -> None:
    assert {name.removesuffix("_max") for name in load_gate()} <= set(METRICS)
    bad = tmp_path / "gate.yaml"
    bad.write_text(yaml.safe_dump({"faithfulness": 0.9}), encoding="utf-8")
    with pytest.raises(InvalidScenario, match=r"unknown metric.*faithfulness"):
        load_gate(bad)


def write_transcript(path: Path, turns: list[Turn]) -> None:
    writer = TranscriptWriter(path)
    writer.write(RunStarted(run_id="judged", scenario="afghanistan", scenario_sha256="x", models={}, files={}, seed=0,
                            rounds=0, started_at="2026-01-01T00:00:00+00:00"))  # fmt: skip
    for turn in turns:
        writer.write(TurnEvent.model_validate(turn.model_dump()))


async def test_eval_transcripts_runs_with_the_judge(
    talk: list[Turn], mock_llm: MockLLM, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from deliberation.cli import main
    from deliberation.config import get_settings

    spoken, broken = talk[0], failed([talk[1]])[0]
    write_transcript(tmp_path / "judged.jsonl", [spoken, broken])
    mock_llm.script(reply(json.dumps({"claims": []})))  # the one turn that spoke is procedural to this judge
    monkeypatch.setenv("DELIBERATION_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("DELIBERATION_EMBEDDING", "lexical")
    get_settings.cache_clear()
    try:
        code = await asyncio.to_thread(
            main, ["eval", "transcripts", str(tmp_path / "judged.jsonl"), "--scorer", "judge", "--model", "openai/gpt-4o-mini",
                   "--out", str(tmp_path / "report"), "--gate"])  # fmt: skip
    finally:
        get_settings.cache_clear()
    report = json.loads((tmp_path / "report" / "eval-report.json").read_text(encoding="utf-8"))
    assert code == 1 and report["scorer"] == "judge" and len(mock_llm.requests) == 1
    assert report["metrics"]["faithful_rate"] == {"value": 0.5, "scored": 1, "expected": 2}
    assert "gate: failed_turns = 1.000 > 0" in capsys.readouterr().err
