"""Finding 3: no input gives a 5xx. Names are identifiers, not paths; lone surrogates and NUL are refused with a 422."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from tests.api.helpers import OPERATOR_KEY, bearer, create, start, wait_for, waiting_for

ANY_TEXT = st.text(st.characters(codec=None, categories=None), max_size=300)
"""Every code point, lone surrogates and NUL included (Hypothesis leaves out surrogates by default)."""


def raw_json(body: Any) -> bytes:
    return json.dumps(body, ensure_ascii=True).encode("ascii")  # a lone surrogate travels as \\ud800, as a client sends it


async def send(client: httpx.AsyncClient, url: str, body: Any, headers: dict[str, str] | None = None) -> httpx.Response:
    return await client.post(url, content=raw_json(body), headers={"content-type": "application/json", **(headers or {})})


@pytest.mark.parametrize("name", ["a" * 256, "a" * 5000, "../../etc", "afghanistan/../afghanistan", "x\x00y", ".hidden"])
async def test_a_scenario_name_is_an_identifier(client: httpx.AsyncClient, name: str) -> None:
    response = await send(client, "/v1/debates", {"scenario": name})
    assert response.status_code == 422, response.text


@pytest.mark.parametrize("bad", ["\ud800", "before \udfff after", "nul \x00 inside"])
async def test_surrogates_and_nul_are_refused(client: httpx.AsyncClient, bad: str) -> None:
    chat = await send(client, "/v1/chat/completions", {"model": "afghanistan/kabul", "messages": [{"role": "user", "content": bad}]})
    parts = await send(
        client, "/v1/chat/completions",
        {"model": "afghanistan/kabul", "messages": [{"role": "user", "content": [{"type": "text", "text": bad}]}]},
    )
    debate = await create(client, seats={"kabul": "human"})
    seat = bearer(debate["seat_tokens"]["kabul"])
    message = await send(client, f"/v1/debates/{debate['id']}/messages", {"content": bad}, seat)
    news = await send(client, f"/v1/debates/{debate['id']}/inject", {"text": bad}, bearer(debate["teacher_token"]))
    assert [r.status_code for r in (chat, parts, message, news)] == [422] * 4
    assert "surrogate" in chat.json()["error"]["message"] or "NUL" in chat.json()["error"]["message"]


@given(content=ANY_TEXT, role=st.sampled_from(["user", "assistant", "system", "developer"]), as_parts=st.booleans())
@hypothesis_settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
def test_chat_bodies_never_give_a_server_error(server: str, content: str, role: str, as_parts: bool) -> None:
    body: Any = [{"type": "text", "text": content}] if as_parts else content
    messages = [{"role": role, "content": body}, {"role": "user", "content": content}]
    with httpx.Client(base_url=server, timeout=30, headers={**bearer(OPERATOR_KEY), "content-type": "application/json"}) as client:
        response = client.post("/v1/chat/completions", content=raw_json({"model": "afghanistan/us", "messages": messages}))
    assert response.status_code < 500, response.text


@pytest.fixture
def waiting_seat(server: str) -> tuple[str, str, str]:
    """A debate on the real server whose Kabul seat has the floor for long: (base URL, messages URL, seat token)."""

    async def prepare() -> tuple[str, str]:
        async with httpx.AsyncClient(base_url=server, timeout=30, headers=bearer(OPERATOR_KEY)) as client:
            debate = await create(client, seats={"kabul": "human"}, rounds=12, silence={"after_s": 86_400})
            await start(client, debate)
            await wait_for(client, debate, waiting_for("kabul"))
        return f"/v1/debates/{debate['id']}/messages", debate["seat_tokens"]["kabul"]

    url, token = asyncio.run(prepare())
    return server, url, token


@given(content=ANY_TEXT, seat_name=st.one_of(st.none(), ANY_TEXT))
@hypothesis_settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
def test_message_bodies_never_give_a_server_error(waiting_seat: tuple[str, str, str], content: str, seat_name: str | None) -> None:
    server, url, token = waiting_seat
    with httpx.Client(base_url=server, timeout=30, headers={**bearer(token), "content-type": "application/json"}) as client:
        response = client.post(url, content=raw_json({"content": content, "seat": seat_name}))
        assert response.status_code < 500, response.text
        while response.status_code == 202 and client.get(url.removesuffix("/messages")).json()["status"] == "running":
            time.sleep(0.01)  # accepted: the talks run until the floor comes back to the seat
