"""A real small model, replayed: the opening turns of a summit as gemma-3-270m answered them.

Recorded with `pytest --record` against llama-cpp-python's server (model, server, flags and settings in
tests/fixtures/llm/gemma-3-270m/README.md) and replayed here through the real code path: the replies are
parsed and validated now as they were then. Only the opening turns: on this shared 2-core machine the model
took about six minutes a turn, so a whole summit could not be recorded (see the README there).
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from deliberation.evals.deterministic import DeterministicScorer
from deliberation.evals.transcripts import evaluate_transcripts, gate_failures, load_gate
from llm_fixtures import MockLLM

from deliberation.briefing import mediator_context, party_context
from deliberation.config import Settings
from deliberation.llm.schema import budget_key
from deliberation.nodes.speak import speak
from deliberation.summit import SummitOptions, make_deps
from tests.factories import REPO

pytestmark = pytest.mark.filterwarnings("ignore:Items? .* on TypedDict class .*`ReadOnly` qualifier:UserWarning")

MODEL = "openai/gemma-3-270m"


def real_settings(data_dir: Path) -> Settings:
    """The settings of the recording."""
    return Settings(
        data_dir=data_dir, scenarios_dir=REPO / "personas", prompts_dir=REPO / "prompts",
        embedding="lexical", retries=1, timeout_s=900.0, structured_output="json_object_schema",
    )  # fmt: skip


async def test_the_real_models_opening_turns_parse_and_fail_the_gate(real_llm: MockLLM, tmp_path: Path) -> None:
    settings = real_settings(tmp_path / "data")
    deps = make_deps(settings, SummitOptions(model=MODEL, rounds=0, seed=0))
    opening, statement = deps.steps[0], deps.steps[1]
    first = await speak(deps, opening, await asyncio.to_thread(mediator_context, deps, opening, [], {}, {}, 1), None)
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
