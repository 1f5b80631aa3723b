"""A server restart loses nothing: debates and checkpoints live in SQLite under the data directory."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from deliberation.api.main import create_app

from deliberation.config import Settings
from tests.api.helpers import OPERATOR_KEY, bearer, create, ended, post, start, transcript, wait_for, waiting_for


@asynccontextmanager
async def serving(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings)
    transport = httpx.ASGITransport(app=app)
    async with app.router.lifespan_context(app), httpx.AsyncClient(transport=transport, base_url="http://t", headers=bearer(OPERATOR_KEY)) as client:
        yield client


async def test_a_waiting_seat_survives_a_restart(settings: Settings) -> None:
    async with serving(settings) as client:
        debate = await create(client, seats={"kabul": "human"}, rounds=1)
        await start(client, debate)
        before = await wait_for(client, debate, waiting_for("kabul"))
    async with serving(settings) as client:
        after = await wait_for(client, debate, waiting_for("kabul"))
        assert 0 < after.pop("silence_left_s") <= 300 and before.pop("silence_left_s") > 0  # the seat's clock restarts
        assert after == before
        assert (await post(client, debate, "kabul", "We are still here after the restart.")).status_code == 202
        view = await wait_for(client, debate, waiting_for("kabul"))
        turns = await transcript(client, debate, debate["teacher_token"])
    assert view["turns"] > before["turns"]
    assert [t["turn"] for t in turns] == list(range(1, len(turns) + 1))
    assert any(t["content"] == "We are still here after the restart." for t in turns)


async def test_a_running_debate_drives_on_after_a_restart(settings: Settings) -> None:
    async with serving(settings) as client:
        debate = await create(client, rounds=2)
        await start(client, debate)
        await wait_for(client, debate, lambda v: v["turns"] >= 3)
    async with serving(settings) as client:
        await wait_for(client, debate, ended)
        turns = await transcript(client, debate, debate["teacher_token"])
        seat_view = await client.get(f"/v1/debates/{debate['id']}", headers=bearer(debate["teacher_token"]))
    assert [t["turn"] for t in turns] == list(range(1, len(turns) + 1))
    assert turns[-1]["kind"] == "summary" and seat_view.json()["status"] == "ended"
