"""Finding 1: anyone could spend the operator's provider key and choose the model.

Operator keys guard debate creation, the model list and chat; without keys the server takes loopback clients only;
clients choose models from an allow-list, and provider errors reach them only as a generic reason.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
import respx
import uvicorn
from deliberation.api.main import create_app
from llm_fixtures import COMPLETIONS

from deliberation.cli import main
from deliberation.config import Settings, get_settings
from tests.api.helpers import OPERATOR_KEY, bearer, create, ended, transcript, wait_for

GUARDED = [
    ("POST", "/v1/debates", {"scenario": "afghanistan", "rounds": 0}),
    ("GET", "/v1/models", None),
    ("POST", "/v1/chat/completions", {"model": "afghanistan/kabul", "messages": [{"role": "user", "content": "Hello?"}]}),
]


@pytest.mark.parametrize(("method", "path", "body"), GUARDED)
async def test_operator_routes_need_an_operator_key(client: httpx.AsyncClient, method: str, path: str, body: Any) -> None:
    debate = await create(client)
    for headers in ({"Authorization": ""}, bearer("not-a-key"), bearer(debate["teacher_token"])):
        response = await client.request(method, path, json=body, headers=headers)
        assert response.status_code == 401, (headers, response.text)
        assert response.json()["error"]["type"] == "Unauthorized"
    allowed = await client.request(method, path, json=body)
    assert allowed.status_code in (200, 201), allowed.text


async def test_debate_tokens_still_open_their_debate(client: httpx.AsyncClient) -> None:
    debate = await create(client, seats={"kabul": "human"})
    for token in (debate["teacher_token"], debate["seat_tokens"]["kabul"]):
        response = await client.get(f"/v1/debates/{debate['id']}", headers=bearer(token))
        assert response.status_code == 200


@pytest.fixture
async def anonymous_app(settings: Settings) -> AsyncIterator[Any]:
    app = create_app(settings.model_copy(update={"api_keys": []}))
    async with app.router.lifespan_context(app):
        yield app


async def test_without_keys_only_loopback_clients_are_served(anonymous_app: Any) -> None:
    body = {"scenario": "afghanistan", "rounds": 0}
    for host, expected in (("127.0.0.1", 201), ("::1", 201), ("203.0.113.7", 403), ("10.0.0.2", 403)):
        transport = httpx.ASGITransport(app=anonymous_app, client=(host, 40000))
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
            response = await http.post("/v1/debates", json=body)
            page = await http.get("/")
        assert (response.status_code, page.status_code) == (expected, 200 if expected == 201 else 403), host
        if expected == 403:
            assert "DELIBERATION_API_KEYS" in response.json()["error"]["message"]


async def test_allow_anonymous_serves_any_client(settings: Settings) -> None:
    app = create_app(settings.model_copy(update={"api_keys": [], "allow_anonymous": True}))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, client=("203.0.113.7", 40000))
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
            assert (await http.post("/v1/debates", json={"rounds": 0})).status_code == 201


@pytest.fixture
def uvicorn_calls(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[dict[str, Any]]]:
    calls: list[dict[str, Any]] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **kwargs: calls.append({"app": app, **kwargs}))
    monkeypatch.delenv("DELIBERATION_API_KEYS", raising=False)
    get_settings.cache_clear()
    yield calls
    get_settings.cache_clear()


def test_serve_refuses_a_public_host_without_keys(uvicorn_calls: list[Any], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["serve", "--host", "0.0.0.0"]) == 2
    err = capsys.readouterr().err.strip()
    assert uvicorn_calls == [] and len(err.splitlines()) == 1
    assert "DELIBERATION_API_KEYS" in err and "--allow-anonymous" in err


def test_serve_on_loopback_without_keys_says_so(uvicorn_calls: list[Any], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["serve"]) == 0
    assert len(uvicorn_calls) == 1 and "loopback" in capsys.readouterr().err


def test_serve_a_public_host_with_keys_or_on_purpose(
    uvicorn_calls: list[Any], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["serve", "--host", "0.0.0.0", "--allow-anonymous"]) == 0
    assert "anonymous" in capsys.readouterr().err
    monkeypatch.setenv("DELIBERATION_API_KEYS", "k1, k2")
    get_settings.cache_clear()
    assert main(["serve", "--host", "0.0.0.0"]) == 0
    assert len(uvicorn_calls) == 2 and uvicorn_calls[1]["host"] == "0.0.0.0"


async def test_a_model_off_the_allow_list_is_refused_before_any_call(client: httpx.AsyncClient) -> None:
    with respx.mock(assert_all_called=False) as router:
        anywhere = router.route().mock(return_value=httpx.Response(200))
        response = await client.post("/v1/debates", json={"model": "ollama/llama3", "rounds": 12})
    assert response.status_code == 422, response.text
    message = response.json()["error"]["message"]
    assert "ollama/llama3" in message and "offline/extractive" in message
    assert anywhere.call_count == 0


async def test_allowed_models_are_configurable(settings: Settings) -> None:
    allowed = settings.model_copy(update={"allowed_models": ["offline/extractive", "openai/gpt-4o-mini"]})
    app = create_app(allowed)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t", headers=bearer(OPERATOR_KEY)) as http:
            ok = await http.post("/v1/debates", json={"model": "openai/gpt-4o-mini", "rounds": 0})
            refused = await http.post("/v1/debates", json={"model": "openai/gpt-4o", "rounds": 0})
    assert (ok.status_code, refused.status_code) == (201, 422)
    assert "openai/gpt-4o-mini" in refused.json()["error"]["message"]


SECRET = "upstream said: org-42 quota for sk-live-123 exhausted"


@pytest.fixture
def failing_provider(monkeypatch: pytest.MonkeyPatch) -> respx.Route:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    monkeypatch.setenv("OPENAI_API_BASE", COMPLETIONS.removesuffix("/chat/completions"))
    with respx.mock(assert_all_called=False) as router:
        yield router.post(COMPLETIONS).mock(return_value=httpx.Response(400, json={"error": {"message": SECRET}}))


async def test_provider_errors_are_logged_not_shown(
    settings: Settings, failing_provider: respx.Route, caplog: pytest.LogCaptureFixture
) -> None:
    model = "openai/gpt-4o-mini"
    app = create_app(settings.model_copy(update={"model": model, "retries": 0}))
    caplog.set_level(logging.WARNING)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t", headers=bearer(OPERATOR_KEY)) as http:
            chat = await http.post("/v1/chat/completions", json=GUARDED[2][2])
            debate = await create(http, rounds=0)
            await http.post(f"/v1/debates/{debate['id']}/start", headers=bearer(debate["teacher_token"]))
            await wait_for(http, debate, ended)
            turns = await transcript(http, debate, debate["teacher_token"])
            markdown = await http.get(
                f"/v1/debates/{debate['id']}/transcript", params={"format": "md"}, headers=bearer(debate["teacher_token"])
            )
    assert failing_provider.call_count > 0
    assert chat.status_code == 502 and SECRET not in chat.text and "model" in chat.json()["error"]["message"]
    assert turns and all(t["error"] for t in turns)
    shown = chat.text + str(turns) + markdown.text
    assert SECRET not in shown and "BadRequestError" not in shown
    assert SECRET in caplog.text
