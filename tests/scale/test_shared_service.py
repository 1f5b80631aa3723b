"""Two API replicas in one test process over a real Postgres and Redis: events, controls and silence deadlines
cross replicas. (tests/scale/test_replicas.py runs them as separate processes and kills one.)"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Any

import httpx
import pytest
import redis.asyncio as aioredis
from deliberation.api.main import create_app

from deliberation.classroom.records import Status
from deliberation.classroom.redis_bus import RedisBus, stream_key
from deliberation.classroom.redis_leases import RedisLeases
from deliberation.config import Settings
from deliberation.turns import Turn
from tests.api.helpers import bearer, create, ended, post, start, transcript, wait_for, waiting_for
from tests.api.test_events import read_events, turn_ids


@pytest.fixture
async def replicas(scaled: Settings, tmp_path: Path) -> AsyncIterator[tuple[httpx.AsyncClient, httpx.AsyncClient, AsyncExitStack]]:
    async with AsyncExitStack() as stack:
        clients = []
        for name in ("a", "b"):
            app = create_app(scaled.model_copy(update={"data_dir": tmp_path / name}))
            lifespan = AsyncExitStack()
            await lifespan.enter_async_context(app.router.lifespan_context(app))
            stack.push_async_callback(lifespan.aclose)
            transport = httpx.ASGITransport(app=app)
            clients.append(await stack.enter_async_context(httpx.AsyncClient(transport=transport, base_url=f"http://{name}")))
            if name == "a":
                first = lifespan
        yield clients[0], clients[1], first


async def test_an_event_stream_resumes_on_another_replica_without_gap_or_duplicate(replicas: Any) -> None:
    a, b, _ = replicas
    debate = await create(a, rounds=2)
    teacher = bearer(debate["teacher_token"])
    url = f"/v1/debates/{debate['id']}/events"
    await start(a, debate)
    async with a.stream("GET", url, headers=teacher) as first_stream:
        first = await read_events(first_stream, limit=3)
    last = turn_ids(first)[-1]
    async with b.stream("GET", url, headers={**teacher, "Last-Event-ID": str(last)}) as second_stream:
        second = await read_events(second_stream)
    total = (await wait_for(b, debate, ended))["turns"]
    assert turn_ids(first) + turn_ids(second) == list(range(1, total + 1))
    assert second[-1][0] == "status" and second[-1][2]["status"] == "ended"


async def test_controls_on_one_replica_stop_the_driver_on_the_other(replicas: Any) -> None:
    a, b, _ = replicas
    debate = await create(a, rounds=6)
    teacher = bearer(debate["teacher_token"])
    await start(a, debate)  # A drives
    paused = await b.post(f"/v1/debates/{debate['id']}/pause", headers=teacher)
    assert paused.status_code == 200 and paused.json()["status"] == "paused", paused.text
    held = paused.json()["turns"]
    await asyncio.sleep(0.5)
    assert (await a.get(f"/v1/debates/{debate['id']}", headers=teacher)).json()["turns"] == held  # A stopped driving
    assert (await b.post(f"/v1/debates/{debate['id']}/resume", headers=teacher)).status_code == 200  # B drives
    end = await a.post(f"/v1/debates/{debate['id']}/end", headers=teacher)
    assert end.status_code == 200 and end.json()["status"] == "ended", end.text
    turns = [t["turn"] for t in await transcript(b, debate, debate["teacher_token"])]
    assert turns == list(range(1, len(turns) + 1)) and len(turns) >= held


async def test_a_silence_deadline_is_applied_by_a_replica_that_did_not_set_it(replicas: Any) -> None:
    a, b, first = replicas
    debate = await create(a, seats={"kabul": "human"}, rounds=0, silence={"action": "skip", "after_s": 0.3})
    await start(a, debate)
    await wait_for(a, debate, waiting_for("kabul"))
    await first.aclose()  # replica A goes away; no timer of its own survives it
    view = await wait_for(b, debate, ended, timeout=60)
    turns = await transcript(b, debate, debate["teacher_token"])
    assert [t["turn"] for t in turns] == list(range(1, view["turns"] + 1))
    assert any(t["speaker"] == "kabul" and t["human"] for t in turns)  # the skipped turns are recorded for the seat


async def test_a_post_on_either_replica_moves_the_talks(replicas: Any) -> None:
    a, b, _ = replicas
    debate = await create(b, seats={"kabul": "human"}, rounds=1)
    await start(b, debate)
    for client in (a, b, a, b, a, b, a, b):
        view = await wait_for(b, debate, lambda v: v["status"] in ("waiting", "ended"))
        if view["status"] == "ended":
            break
        assert (await post(client, debate, "kabul", "Kabul asks for a ceasefire first.")).status_code == 202
    assert (await wait_for(a, debate, ended))["status"] == "ended"


async def test_the_stream_keeps_each_turn_once_with_ids_that_follow_the_talks(redis_url: str) -> None:
    client = aioredis.Redis.from_url(redis_url)
    bus = RedisBus(client)
    try:
        listener = await bus.subscribe("d1")
        turn = Turn.model_validate({"turn": 1, "stage": "opening", "round": 0, "speaker": "mediator", "audience": ["kabul"],
                                "kind": "question", "content": "Welcome.", "model": "offline/extractive"})
        bus.publish("d1", Status.running)
        bus.publish("d1", turn)
        bus.publish("d1", turn.model_copy(update={"content": "a replayed turn 1"}))  # a takeover republishing
        bus.publish("d1", Status.waiting)
        await bus.flush()
        ids = [entry_id.decode() for entry_id, _ in await client.xrange(stream_key("d1"))]
        assert ids == ["0-1", "1-0", "1-1"]
        received = [await listener.get() for _ in range(3)]
        assert received == [Status.running, turn, Status.waiting] and listener.empty()
    finally:
        await bus.close()
        await client.aclose()


async def test_a_post_waits_for_a_driver_that_is_letting_go_and_is_refused_by_one_that_is_not(
    replicas: Any, redis_url: str
) -> None:
    """A driver that has just stopped for a seat frees its lease a moment after storing the status: a post that
    reaches another replica in that moment waits for the lease (it used to be refused as 'driven by another
    server', and the seat then sat waiting for its silence policy); a lease that is not let go still refuses."""
    a, b, _ = replicas
    debate = await create(a, seats={"kabul": "human"}, rounds=1)
    await start(a, debate)
    await wait_for(a, debate, waiting_for("kabul"))
    client = aioredis.Redis.from_url(redis_url)
    other = RedisLeases(client)
    try:
        assert await other.acquire(debate["id"])  # another replica's driver, still letting go
        letting_go = asyncio.get_running_loop().call_later(0.3, lambda: asyncio.ensure_future(other.release(debate["id"])))
        taken = await post(b, debate, "kabul", "Kabul answers through the mediator.")
        assert taken.status_code == 202, taken.text
        letting_go.cancel()
        await wait_for(a, debate, waiting_for("kabul"))
        assert await other.acquire(debate["id"])  # this one keeps it
        refused = await post(b, debate, "kabul", "Kabul answers again.")
        assert refused.status_code == 409 and "driven by another server" in refused.text
    finally:
        await other.release(debate["id"])
        await other.close()
        await client.aclose()
