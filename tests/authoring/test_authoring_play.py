"""Drafted and checked scenarios play with no code change: an offline summit, eval reports, a classroom debate."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from deliberation.api.main import create_app
from deliberation.evals.deterministic import DeterministicScorer
from deliberation.evals.transcripts import evaluate_transcripts, gate_failures, load_gate

from deliberation.authoring.check import check_scenario
from deliberation.config import Settings
from deliberation.loader import scenario
from deliberation.summit import SummitOptions, run_summit
from deliberation.transcript import read_events, turns_of
from tests.api.helpers import create, ended, start, transcript, wait_for
from tests.factories import REPO


def _settings(root: Path, data: Path) -> Settings:
    return Settings(data_dir=data, scenarios_dir=root, prompts_dir=REPO / "prompts", embedding="lexical")


@pytest.mark.parametrize("name", ["corn-laws-1846", "colorado-river-1922"])
async def test_a_drafted_scenario_runs_a_summit_that_passes_the_gate(drafted_root: Path, tmp_path: Path, name: str) -> None:
    assert check_scenario(drafted_root / name) == []
    settings = _settings(drafted_root, tmp_path / "data")
    result = await run_summit(settings, SummitOptions(scenario=name), tmp_path / "runs")

    assert result.finished.turns > 10 and result.finished.failed_turns == 0
    events = read_events(result.jsonl)
    loaded = scenario(settings, name)
    report = await evaluate_transcripts([(result.run_id, turns_of(events))], loaded, DeterministicScorer(loaded))
    assert report.value("ledger_integrity") == 1.0
    assert gate_failures(report.metrics, load_gate()) == []


@pytest.mark.filterwarnings("ignore:Items? .* using the `ReadOnly` qualifier:UserWarning")
async def test_a_drafted_scenario_serves_a_classroom_debate(drafted_root: Path, tmp_path: Path) -> None:
    app = create_app(_settings(drafted_root, tmp_path / "data"))
    transport = httpx.ASGITransport(app=app)
    async with app.router.lifespan_context(app), httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        listed = (await client.get("/v1/scenarios")).json()
        assert {"corn-laws-1846", "colorado-river-1922"} <= {s["id"] for s in listed}
        debate = await create(client, scenario="colorado-river-1922", rounds=1)
        await start(client, debate)
        await wait_for(client, debate, ended, timeout=120)
        turns = await transcript(client, debate, debate["teacher_token"])
    speakers = {t["speaker"] for t in turns}
    assert {"mediator", "arizona", "california", "upper-basin-states", "federal-government"} <= speakers
