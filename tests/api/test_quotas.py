"""Finding 2: unbounded resources. Per-key rate limit, caps on live debates and streams, eviction from memory."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from deliberation.api.main import create_app
from fastapi import FastAPI

from deliberation.config import Settings
from tests.api.helpers import OPERATOR_KEY, bearer, create, ended, start, transcript, wait_for

OTHER_KEY = "second-classroom"
CHAT = {"model": "afghanistan/kabul", "messages": [{"role": "user", "content": "Hello?"}]}


@pytest.fixture
def private(settings: Settings, tmp_path: Path) -> Settings:
    """A data dir of this test's own: debates of other tests would count as live after a restart."""
    return settings.model_copy(update={"data_dir": tmp_path / "data", "api_keys": [OPERATOR_KEY, OTHER_KEY]})


@asynccontextmanager
async def serving(settings: Settings, **update: Any) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient]]:
    app = create_app(settings.model_copy(update=update))
    transport = httpx.ASGITransport(app=app)
    async with app.router.lifespan_context(app), httpx.AsyncClient(
        transport=transport, base_url="http://t", headers=bearer(OPERATOR_KEY)
    ) as client:
        yield app, client


async def test_rate_limit_per_key_with_retry_after(private: Settings) -> None:
    async with serving(private, rate_limit="3/minute") as (_, client):
        codes = [(await client.post("/v1/debates", json={"rounds": 0})).status_code for _ in range(2)]
        codes.append((await client.post("/v1/chat/completions", json=CHAT)).status_code)
        refused = await client.post("/v1/debates", json={"rounds": 0})
        chat_refused = await client.post("/v1/chat/completions", json=CHAT)
        other = await client.post("/v1/debates", json={"rounds": 0}, headers=bearer(OTHER_KEY))
    assert codes == [201, 201, 200]
    assert (refused.status_code, chat_refused.status_code, other.status_code) == (429, 429, 201)
    assert 0 < int(refused.headers["Retry-After"]) <= 60
    assert "3 per 1 minute" in refused.json()["error"]["message"]


async def test_live_debates_are_capped_per_key_and_in_total(private: Settings) -> None:
    async with serving(private, max_live_debates_per_key=2, max_live_debates=3) as (_, client):
        first, _second = await create(client), await create(client)
        per_key = await client.post("/v1/debates", json={"rounds": 0})
        await create(client, headers=bearer(OTHER_KEY))
        total = await client.post("/v1/debates", json={"rounds": 0}, headers=bearer(OTHER_KEY))
        assert (per_key.status_code, total.status_code) == (429, 429)
        assert "live debates" in per_key.json()["error"]["message"]
        ending = await client.post(f"/v1/debates/{first['id']}/end", headers=bearer(first["teacher_token"]))
        assert ending.status_code == 200
        assert (await client.post("/v1/debates", json={"rounds": 0})).status_code == 201


async def test_ended_and_idle_debates_leave_memory_and_stay_readable(private: Settings) -> None:
    async with serving(private, idle_s=0.2) as (app, client):
        service = await app.state.services.get()
        finished = await create(client, rounds=0)
        await start(client, finished)
        await wait_for(client, finished, ended)
        idle = await create(client, rounds=0)
        await asyncio.sleep(0.3)
        await service.sweep()
        assert service.live_ids() == set()
        turns = await transcript(client, finished, finished["teacher_token"])
        view = await client.get(f"/v1/debates/{idle['id']}", headers=bearer(idle["teacher_token"]))
        assert turns and turns[-1]["kind"] == "summary"
        assert view.status_code == 200 and view.json()["status"] == "created"
        await start(client, idle)  # an evicted debate comes back to life when it is used
        await wait_for(client, idle, ended)
        assert idle["id"] not in service.live_ids()


async def test_streams_per_token_are_capped(server_factory: Any) -> None:
    base = server_factory(max_streams_per_token=2)
    async with httpx.AsyncClient(base_url=base, timeout=30, headers=bearer(OPERATOR_KEY)) as client:
        debate = await create(client, seats={"kabul": "human"})
        url = f"/v1/debates/{debate['id']}/events"
        seat = bearer(debate["seat_tokens"]["kabul"])
        async with client.stream("GET", url, headers=seat) as one, client.stream("GET", url, headers=seat) as two:
            assert (one.status_code, two.status_code) == (200, 200)
            third = await client.get(url, headers=seat)
            teacher = await client.get(f"/v1/debates/{debate['id']}", headers=bearer(debate["teacher_token"]))
            assert third.status_code == 429 and "streams" in third.json()["error"]["message"]
            assert teacher.status_code == 200
        # the slots come back once the server sees the two streams closed, which it learns a moment later
        for _ in range(50):
            async with client.stream("GET", url, headers=seat) as again:
                if again.status_code == 200:
                    break
            await asyncio.sleep(0.1)
        assert again.status_code == 200
