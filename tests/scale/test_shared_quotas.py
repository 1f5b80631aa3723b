"""The per-key rate limit and the caps on live debates hold across replicas sharing one Redis.

Two API apps in this process stand for two replicas (as in test_shared_service.py); the holds of a replica that dies
are checked on `RedisLiveDebates` itself, with a short expiry.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
import redis.asyncio as aioredis
from deliberation.api.main import create_app
from services import free_port

from deliberation.classroom.backends import rate_limiter
from deliberation.classroom.redis_quotas import RedisLiveDebates
from deliberation.config import Settings
from deliberation.errors import TooMany, Unavailable
from tests.api.helpers import OPERATOR_KEY, bearer, create, ended, start, wait_for

OTHER_KEY = "second-classroom"


@asynccontextmanager
async def two_replicas(scaled: Settings, tmp_path: Path, **update: Any) -> AsyncIterator[tuple[httpx.AsyncClient, httpx.AsyncClient]]:
    settings = scaled.model_copy(update={"api_keys": [OPERATOR_KEY, OTHER_KEY], **update})
    async with AsyncExitStack() as stack:
        clients = []
        for name in ("a", "b"):
            app = create_app(settings.model_copy(update={"data_dir": tmp_path / name}))
            await stack.enter_async_context(app.router.lifespan_context(app))
            transport = httpx.ASGITransport(app=app)
            clients.append(await stack.enter_async_context(
                httpx.AsyncClient(transport=transport, base_url=f"http://{name}", headers=bearer(OPERATOR_KEY))))
        yield clients[0], clients[1]


async def _create(client: httpx.AsyncClient, key: str = OPERATOR_KEY) -> httpx.Response:
    return await client.post("/v1/debates", json={"scenario": "afghanistan", "rounds": 0}, headers=bearer(key))


async def test_replicas_share_one_rate_limit_per_key(scaled: Settings, tmp_path: Path) -> None:
    async with two_replicas(scaled, tmp_path, rate_limit="3/minute") as (a, b):
        codes = [(await _create(client)).status_code for client in (a, b, a)]
        refused = await _create(b)
        other = await _create(b, OTHER_KEY)
    assert codes == [201, 201, 201]
    assert refused.status_code == 429 and "3 per 1 minute" in refused.json()["error"]["message"]
    assert 0 < int(refused.headers["Retry-After"]) <= 60
    assert other.status_code == 201  # the limit is per key


async def test_replicas_share_the_live_debate_caps_and_an_end_on_either_frees_the_slot(scaled: Settings, tmp_path: Path) -> None:
    async with two_replicas(scaled, tmp_path, max_live_debates_per_key=2, max_live_debates=3) as (a, b):
        first = (await _create(a)).json()
        assert (await _create(b)).status_code == 201
        per_key = await _create(a)
        assert (await _create(b, OTHER_KEY)).status_code == 201
        total = await _create(a, OTHER_KEY)
        assert (per_key.status_code, total.status_code) == (429, 429)
        assert "this key holds 2 live debates" in per_key.json()["error"]["message"]
        assert "holds 3 live debates" in total.json()["error"]["message"]
        # created on A, ended on B: A's hold goes too, for good (A's renewals do not bring it back)
        ending = await b.post(f"/v1/debates/{first['id']}/end", headers=bearer(first["teacher_token"]))
        assert ending.status_code == 200, ending.text
        third = await _create(a)
        assert third.status_code == 201, third.text
        refused = await _create(b)
        assert refused.status_code == 429  # the freed slot is taken again, whichever replica asks


async def test_a_debate_that_finishes_on_the_other_replica_frees_its_slot(scaled: Settings, tmp_path: Path) -> None:
    async with two_replicas(scaled, tmp_path, max_live_debates_per_key=1) as (a, b):
        debate = await create(a, rounds=0)
        assert (await _create(b)).status_code == 429
        await start(b, debate)  # B drives it to its end
        await wait_for(b, debate, ended)
        assert (await _create(a)).status_code == 201


@pytest.fixture
async def clients(redis_url: str) -> AsyncIterator[list[aioredis.Redis]]:
    opened = [aioredis.Redis.from_url(redis_url) for _ in range(2)]
    yield opened
    for client in opened:
        await client.aclose()


@asynccontextmanager
async def holding(clients: list[aioredis.Redis], **caps: Any) -> AsyncIterator[tuple[RedisLiveDebates, RedisLiveDebates]]:
    """The live-debate caps of replicas A and B, renewing their holds (1 s expiry) until closed."""
    a, b = (RedisLiveDebates(c, holder=name, ttl_s=1.0, **caps) for c, name in zip(clients, "ab", strict=True))
    a.start()
    b.start()
    try:
        yield a, b
    finally:
        await a.close()
        await b.close()


async def test_a_dead_replicas_holds_lapse_while_a_live_replica_keeps_its_own(clients: list[aioredis.Redis]) -> None:
    async with holding(clients, total=10, per_owner=2) as (a, b):
        await a.acquire("k", "d1")
        await a.acquire("k", "d2")
        await b.track("k", "d2")  # both replicas hold d2: it counts once
        assert await b.count("k") == 2
        with pytest.raises(TooMany, match="this key holds 2"):
            await b.acquire("k", "d3")
        await asyncio.sleep(2.5)  # well past the 1 s expiry: renewed by their holders
        assert await b.count("k") == 2
        a.stop()  # replica A dies without letting go
        await asyncio.sleep(2.5)
        assert await b.count("k") == 1  # d1 lapsed; d2 is still held by B
        await b.acquire("k", "d3")
        assert await b.count() == 2


async def test_an_idle_eviction_lets_go_of_one_replica_and_an_end_of_all(clients: list[aioredis.Redis]) -> None:
    async with holding(clients, total=10, per_owner=10) as (a, b):
        for live in (a, b):
            await live.track("k", "d1")
            await live.track("k", "d2")
        await a.release("d1")  # idle on A, still in B's memory
        assert await a.count() == 2
        await b.release("d2", ended=True)  # ended on B: live nowhere, though A still holds it in memory
        await asyncio.sleep(1.0)  # A renews its holds meanwhile, and must not bring d2 back
        assert await a.count() == 1
        await b.release("d1")
        assert await a.count() == 0


async def test_the_total_cap_is_checked_atomically(clients: list[aioredis.Redis]) -> None:
    a, b = (RedisLiveDebates(c, total=5, per_owner=100, holder=name) for c, name in zip(clients, "ab", strict=True))
    outcomes = await asyncio.gather(*(live.acquire(f"k{i}", f"d{i}") for i, live in enumerate([a, b] * 10)),
                                    return_exceptions=True)
    assert sum(1 for o in outcomes if o is None) == 5
    assert all(isinstance(o, TooMany) for o in outcomes if o is not None)
    assert await a.count() == 5
    await a.close()
    await b.close()


async def test_an_unreachable_redis_refuses_with_503_naming_the_store(settings: Settings) -> None:
    limiter = rate_limiter(settings.model_copy(update={"redis_url": f"redis://127.0.0.1:{free_port()}/0"}))
    try:
        with pytest.raises(Unavailable, match="rate limit: the shared store failed"):
            await limiter.hit("key:abc")
    finally:
        await limiter.close()


async def test_without_redis_a_new_debate_is_refused_and_letting_go_does_not_fail() -> None:
    client = aioredis.Redis.from_url(f"redis://127.0.0.1:{free_port()}/0", socket_connect_timeout=2)
    live = RedisLiveDebates(client, total=10, per_owner=10, holder="a")
    try:
        with pytest.raises(Unavailable, match="caps on live debates: Redis failed"):
            await live.acquire("k", "d1")
        await live.track("k", "d2")  # logged; the debate goes uncounted while Redis is away
        await live.release("d2", ended=True)
    finally:
        await live.close()
        await client.aclose()
