"""Persona chat streams the model's own tokens as they come; the role check on the whole reply can end it."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import httpx
import pytest
from deliberation.api.main import create_app
from llm_fixtures import MockLLM, streamed

from deliberation.config import Settings
from deliberation.errors import TurnFailed
from tests.api.helpers import OPERATOR_KEY, bearer

SWAPPED = "We, the Government of Afghanistan, will never negotiate with terrorists."
"""Said by the Taliban persona: speaking as another party."""


@pytest.fixture
async def model_client(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings.model_copy(update={"model": "openai/gpt-4o-mini"}))
    transport = httpx.ASGITransport(app=app)
    headers = bearer(OPERATOR_KEY)
    async with app.router.lifespan_context(app), httpx.AsyncClient(transport=transport, base_url="http://test", headers=headers) as http:
        yield http


def events(body: str) -> list[str]:
    return [line.removeprefix("data: ").strip() for line in body.splitlines() if line.startswith("data: ")]


def ask(text: str = "Would you talk to Kabul?") -> dict[str, object]:
    return {"model": "afghanistan/taliban", "stream": True, "messages": [{"role": "user", "content": text}]}


async def test_deltas_are_the_models_own_pieces_of_content(model_client: httpx.AsyncClient, mock_llm: MockLLM) -> None:
    content = "Only through the mediator; we have said so from the start."
    mock_llm.script(streamed(json.dumps({"content": content, "citations": [], "positions": []})))
    response = await model_client.post("/v1/chat/completions", json=ask())
    data = [json.loads(e) for e in events(response.text)[:-1]]
    deltas = [d["choices"][0]["delta"].get("content", "") for d in data]
    assert response.status_code == 200 and events(response.text)[-1] == "[DONE]"
    assert "".join(deltas) == content and len([d for d in deltas if d]) > 5  # streamed as it came, not at the end
    assert mock_llm.requests[0]["stream"] is True and data[-1]["choices"][0]["finish_reason"] == "stop"


async def test_a_reply_out_of_role_ends_the_stream_with_an_error(
    model_client: httpx.AsyncClient, mock_llm: MockLLM, caplog: pytest.LogCaptureFixture
) -> None:
    mock_llm.script(streamed(json.dumps({"content": SWAPPED, "citations": [], "positions": []})))
    response = await model_client.post("/v1/chat/completions", json=ask())
    last = json.loads(events(response.text)[-1])
    assert "[DONE]" not in events(response.text)
    assert last["error"]["type"] == "OutOfRole" and last["error"]["message"] == TurnFailed.public_message
    assert "persona_swap" in caplog.text  # the details are the operator's, in the server's log


async def test_a_reply_that_breaks_its_schema_ends_the_stream_with_an_error(
    model_client: httpx.AsyncClient, mock_llm: MockLLM, caplog: pytest.LogCaptureFixture
) -> None:
    mock_llm.script(streamed('{"content": "We will talk.", "mood": "calm"}'))
    response = await model_client.post("/v1/chat/completions", json=ask())
    last = json.loads(events(response.text)[-1])
    assert last["error"]["code"] == 502 and last["error"]["message"] == TurnFailed.public_message
    assert "Extra inputs are not permitted" in caplog.text


async def test_without_streaming_the_role_check_is_a_502(
    model_client: httpx.AsyncClient, mock_llm: MockLLM, caplog: pytest.LogCaptureFixture
) -> None:
    reply = {"id": "c", "object": "chat.completion", "created": 0, "model": "gpt-4o-mini",
             "choices": [{"index": 0, "finish_reason": "stop", "message": {"role": "assistant",
                          "content": json.dumps({"content": SWAPPED, "citations": [], "positions": []})}}],
             "usage": {"prompt_tokens": 10, "completion_tokens": 10, "total_tokens": 20}}  # fmt: skip
    mock_llm.script(httpx.Response(200, json=reply))
    response = await model_client.post("/v1/chat/completions", json={**ask(), "stream": False})
    assert response.status_code == 502 and response.json()["error"]["type"] == "OutOfRole"
    assert "left its role" in caplog.text and "left its role" not in response.text


async def test_refusals_come_before_the_stream(model_client: httpx.AsyncClient, mock_llm: MockLLM) -> None:
    response = await model_client.post("/v1/chat/completions", json={**ask(), "model": "afghanistan/nobody"})
    assert response.status_code == 404 and not mock_llm.requests
