"""Driver leases in a real Redis: one holder at a time, renewed while held, and a stop request reaches the holder."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
import redis.asyncio as aioredis

from deliberation.classroom.leases import StopAction
from deliberation.classroom.redis_leases import RedisLeases
from deliberation.errors import Conflict


@pytest.fixture
async def pair(redis_url: str) -> AsyncIterator[tuple[RedisLeases, RedisLeases]]:
    clients = [aioredis.Redis.from_url(redis_url) for _ in range(2)]
    a, b = (RedisLeases(c, ttl_s=0.6, wait_s=5) for c in clients)
    await a.start()
    await b.start()
    yield a, b
    for leases, client in zip((a, b), clients, strict=True):
        await leases.close()
        await client.aclose()


async def test_one_driver_at_a_time_and_the_lease_outlives_its_ttl_while_renewed(pair: tuple[RedisLeases, RedisLeases]) -> None:
    a, b = pair
    assert await a.acquire("d") and await a.acquire("d")  # asking again keeps it
    assert not await b.acquire("d")
    await asyncio.sleep(1.5)  # well past the 0.6 s expiry: renewed by its holder
    assert await b.held("d") and not await b.acquire("d")
    await b.release("d")  # only the holder can let it go
    assert await a.held("d")
    await a.release("d")
    assert not await a.held("d") and await b.acquire("d")


async def test_a_stop_request_reaches_the_driver_and_waits_for_it_to_let_go(pair: tuple[RedisLeases, RedisLeases]) -> None:
    a, b = pair
    received: list[tuple[str, StopAction]] = []

    def on_signal(debate_id: str, action: StopAction) -> None:
        received.append((debate_id, action))
        asyncio.get_running_loop().call_later(0.2, lambda: asyncio.ensure_future(a.release(debate_id)))

    a.on_signal(on_signal)
    assert await a.acquire("d")
    await b.stop_driver("d", "halt")
    assert received == [("d", "halt")] and not await b.held("d")
    await b.stop_driver("d", "cancel")  # nobody drives it: returns at once
    assert received == [("d", "halt")]


async def test_the_mutex_admits_one_replica_at_a_time(pair: tuple[RedisLeases, RedisLeases]) -> None:
    a, b = pair
    order: list[str] = []

    async def hold(leases: RedisLeases, name: str) -> None:
        async with leases.mutex("d"):
            order.append(f"{name} in")
            await asyncio.sleep(0.2)
            order.append(f"{name} out")

    await asyncio.gather(hold(a, "a"), hold(b, "b"))
    assert order in (["a in", "a out", "b in", "b out"], ["b in", "b out", "a in", "a out"])
    b.wait_s = 0.3
    async with a.mutex("d"):
        with pytest.raises(Conflict, match="busy"):
            async with b.mutex("d"):
                pass
