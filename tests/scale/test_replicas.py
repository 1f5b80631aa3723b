"""Two `deliberation serve` replicas on one Postgres and one Redis: any replica serves any request of any debate,
exactly one drives each debate, and when the driver is killed the other finishes the talks from the checkpoint."""

from __future__ import annotations

import asyncio
import os
import signal
from concurrent.futures import ThreadPoolExecutor, wait
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest
import redis
from services import start_replica

from deliberation.classroom.redis_leases import lease_key
from tests.api.helpers import bearer
from tests.api.test_events import read_events

pytestmark = pytest.mark.slow


async def _view(client: httpx.AsyncClient, base: str, debate: dict[str, Any]) -> dict[str, Any]:
    response = await client.get(f"{base}/v1/debates/{debate['id']}", headers=bearer(debate["teacher_token"]))
    assert response.status_code == 200, response.text
    view: dict[str, Any] = response.json()
    return view


async def _until(client: httpx.AsyncClient, base: str, debate: dict[str, Any], statuses: set[str], timeout: float = 60) -> dict[str, Any]:
    deadline = asyncio.get_running_loop().time() + timeout
    while (view := await _view(client, base, debate))["status"] not in statuses:
        assert asyncio.get_running_loop().time() < deadline, f"timed out waiting for {statuses}; last view {view}"
        await asyncio.sleep(0.02)
    return view


async def _post(client: httpx.AsyncClient, base: str, debate: dict[str, Any], seat: str) -> dict[str, Any]:
    token = debate["seat_tokens"][seat]
    response = await client.post(f"{base}/v1/debates/{debate['id']}/messages", headers=bearer(token),
                                 json={"content": f"{seat} asks for a ceasefire before any other step."})
    assert response.status_code == 202, response.text
    view: dict[str, Any] = response.json()
    return view


def _driver_pid(redis_url: str, debate_id: str) -> int | None:
    with redis.Redis.from_url(redis_url) as client:
        owner = client.get(lease_key(debate_id))
    return int(owner.decode().split("/")[1]) if owner else None


async def test_two_replicas_share_debates_and_survive_the_driver_being_killed(scaled: Any, tmp_path: Path) -> None:
    env = {"DELIBERATION_DATABASE_URL": scaled.database_url, "DELIBERATION_REDIS_URL": scaled.redis_url,
           "DELIBERATION_EMBEDDING": "lexical"}
    with ThreadPoolExecutor(2) as pool:
        starts = [pool.submit(start_replica, env, tmp_path / name, tmp_path / f"{name}.log") for name in ("a", "b")]
        wait(starts)
    started = [s.result()[0] for s in starts if s.exception() is None]
    try:
        (a, url_a), (_, url_b) = (s.result() for s in starts)
        async with httpx.AsyncClient(timeout=60) as client:
            response = await client.post(f"{url_a}/v1/debates", json={"scenario": "afghanistan", "rounds": 2, "seats": {"kabul": "human"}})
            assert response.status_code == 201, response.text
            debate = response.json()
            teacher = bearer(debate["teacher_token"])

            async def watch() -> list[tuple[str, str | None, dict[str, Any]]]:
                async with client.stream("GET", f"{url_b}/v1/debates/{debate['id']}/events", headers=teacher) as stream:
                    return await read_events(stream)

            watcher = asyncio.create_task(watch())  # the teacher's stream, on the replica that did not create the debate
            assert (await client.post(f"{url_a}/v1/debates/{debate['id']}/start", headers=teacher)).status_code == 200
            assert (await _until(client, url_b, debate, {"waiting"}))["waiting_for"] == "kabul"

            killed, posts = False, 0
            for _ in range(3):  # one stage at a time, until A is caught driving (a stage may end before we look)
                await _until(client, url_b, debate, {"waiting"})
                await _post(client, url_b, debate, "kabul")  # B now drives
                posts += 1
                advanced = await client.post(f"{url_a}/v1/debates/{debate['id']}/advance", headers=teacher)
                assert advanced.status_code == 200, advanced.text  # A stopped B's run (if still going) and drives on
                if _driver_pid(scaled.redis_url, debate["id"]) == a.pid:
                    os.kill(a.pid, signal.SIGKILL)
                    killed = True
                    break
            assert killed, "replica A never held the lease after taking the advance control"
            a.wait()
            survivor = url_b
            with psycopg.connect(scaled.database_url) as conn:
                status = conn.execute("SELECT status FROM debates WHERE id = %s", (debate["id"],)).fetchone()
            assert status == ("running",) and _driver_pid(scaled.redis_url, debate["id"]) == a.pid  # died mid-run

            while (view := await _until(client, survivor, debate, {"waiting", "ended"}, timeout=90))["status"] == "waiting":
                await _post(client, survivor, debate, "kabul")
                posts += 1
            events = await asyncio.wait_for(watcher, 60)
            transcript = (await client.get(f"{survivor}/v1/debates/{debate['id']}/transcript", headers=teacher)).json()["turns"]
    finally:
        for process in started:
            if process.poll() is None:
                process.terminate()
                process.wait(timeout=30)
    taken_over = (tmp_path / "b.log").read_text()
    assert "had no driver: driving it on from its checkpoint" in taken_over
    turns = [t["turn"] for t in transcript]
    assert turns == list(range(1, view["turns"] + 1)) and len(turns) > 10 and posts >= 2
    streamed = [(ident, data) for event, ident, data in events if event == "turn"]
    assert [int(ident or 0) for ident, _ in streamed] == turns, "the stream on B has every turn once, in order"
    assert [data["content"] for _, data in streamed] == [t["content"] for t in transcript]
    assert events[-1][0] == "status" and events[-1][2]["status"] == "ended"
