"""A summit and the client through litellm's OpenAI-compatible path, HTTP replayed by respx; no network."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
import respx
from llm_fixtures import API_BASE, MockLLM, completion, for_turn, reply, request_key, streamed, turn_of

from deliberation.config import Settings
from deliberation.errors import TurnFailed
from deliberation.llm.client import Completion, ModelConfig, complete, stream
from deliberation.llm.schema import TurnOutput
from deliberation.summit import SummitOptions, run_summit
from deliberation.transcript import RunFinished, TurnEvent, read_events

# litellm's OpenAI path imports a TypedDict pydantic warns about; not ours to fix
pytestmark = pytest.mark.filterwarnings("ignore:Items? .* on TypedDict class .*`ReadOnly` qualifier:UserWarning")

MESSAGES = [{"role": "user", "content": "Say hello."}]
RETRIED, BROKEN = 2, 4
"""Turn 2 meets one 500 then succeeds; turn 4 gets a malformed body on every attempt."""


async def test_summit_survives_provider_faults(recorded_settings: Settings, mock_llm: MockLLM, tmp_path: Path) -> None:
    mock_llm.script(httpx.Response(500, json={"error": {"message": "internal error"}}), when=for_turn(RETRIED))
    malformed = httpx.Response(200, content=b'{"id": "x", "choices": [', headers={"content-type": "application/json"})
    mock_llm.script(malformed, malformed, when=for_turn(BROKEN))

    result = await run_summit(recorded_settings, SummitOptions(model="openai/gpt-4o-mini", rounds=1), tmp_path / "runs")

    events = read_events(result.jsonl)
    turns = {e.turn: e for e in events if isinstance(e, TurnEvent)}
    assert isinstance(events[-1], RunFinished) and events[-1].failed_turns == 1
    assert max(turns) == result.finished.turns > BROKEN  # the talks went on to the end
    assert turns[RETRIED].content and not turns[RETRIED].error
    assert not turns[BROKEN].content and "openai/gpt-4o-mini" in (turns[BROKEN].error or "")
    attempts = [turn_of(body) for body in mock_llm.requests]
    assert attempts.count(RETRIED) == 2 and attempts.count(BROKEN) == 2
    assert {body["model"] for body in mock_llm.requests} == {"gpt-4o-mini"}


async def test_model_config_api_base_and_key_reach_the_provider(mock_llm: MockLLM, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENAI_API_BASE")
    monkeypatch.delenv("OPENAI_API_KEY")
    mock_llm.script(reply(json.dumps({"content": "Hello."})))
    config = ModelConfig(model="openai/gpt-4o-mini", retries=0, api_base=API_BASE, api_key="sk-config")
    done = await complete(config, MESSAGES, TurnOutput, "chat")
    assert done.output == TurnOutput(content="Hello.")
    assert mock_llm.route.calls.last.request.headers["authorization"] == "Bearer sk-config"
    assert "sk-config" not in repr(config)


async def test_a_request_without_fixture_names_its_hash(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    mock = MockLLM(fixtures=tmp_path)
    config = ModelConfig(model="openai/gpt-4o-mini", retries=0, api_base=API_BASE, api_key="test")
    with mock.router, pytest.raises(TurnFailed):
        await complete(config, MESSAGES, TurnOutput, "chat")
    assert mock.missing == [request_key(mock.requests[0])]


async def test_no_request_leaves_the_process(mock_llm: MockLLM) -> None:
    async with httpx.AsyncClient() as client:
        with pytest.raises(respx.models.AllMockedAssertionError):
            await client.get("https://api.openai.com/v1/models")


async def test_a_call_costs_the_published_price_and_an_unpriced_model_costs_nothing_known(mock_llm: MockLLM) -> None:
    import litellm

    mock_llm.script(httpx.Response(200, json=completion(json.dumps({"content": "Hello."}), prompt_tokens=1000)))
    priced = await complete(ModelConfig(model="openai/gpt-4o-mini", retries=0), MESSAGES, TurnOutput, "chat")
    price = litellm.model_cost["gpt-4o-mini"]
    usage = priced.trace.usage
    expected = usage.prompt_tokens * price["input_cost_per_token"] + usage.completion_tokens * price["output_cost_per_token"]
    assert usage.prompt_tokens == 1000 and usage.cost_usd == pytest.approx(expected)

    mock_llm.script(httpx.Response(200, json=completion(json.dumps({"content": "Hello."}), model="a-local-model")))
    unpriced = await complete(ModelConfig(model="openai/a-local-model", retries=0), MESSAGES, TurnOutput, "chat")
    assert unpriced.trace.usage.completion_tokens > 0 and unpriced.trace.usage.cost_usd is None

    mock_llm.script(streamed(json.dumps({"content": "Hello, streamed."})))
    *_, done = [item async for item in stream(ModelConfig(model="openai/gpt-4o-mini", retries=0), MESSAGES, TurnOutput, "chat")]
    assert isinstance(done, Completion)
    tokens = done.trace.usage
    expected = tokens.prompt_tokens * price["input_cost_per_token"] + tokens.completion_tokens * price["output_cost_per_token"]
    assert tokens.completion_tokens > 0 and tokens.cost_usd == pytest.approx(expected)
