"""Teacher controls: start, pause, resume, advance, inject, end."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

from tests.api.helpers import bearer, create, ended, post, start, transcript, wait_for, waiting_for


async def control(client: httpx.AsyncClient, debate: dict[str, Any], name: str, **body: Any) -> httpx.Response:
    return await client.post(f"/v1/debates/{debate['id']}/{name}", headers=bearer(debate["teacher_token"]), json=body or None)


async def test_an_ai_only_debate_runs_to_its_end(client: httpx.AsyncClient) -> None:
    debate = await create(client, rounds=1)
    await start(client, debate)
    view = await wait_for(client, debate, ended)
    turns = await transcript(client, debate, debate["teacher_token"])
    assert [t["turn"] for t in turns] == list(range(1, view["turns"] + 1))
    assert turns[-1]["kind"] == "summary" and view["text"] and view["stage"] is None
    assert (await control(client, debate, "start")).status_code == 409


async def test_pause_stops_after_the_current_turn_and_resume_goes_on(client: httpx.AsyncClient) -> None:
    debate = await create(client, rounds=2)
    await start(client, debate)
    await wait_for(client, debate, lambda v: v["turns"] >= 2)
    paused = (await control(client, debate, "pause")).json()
    assert paused["status"] == "paused"
    held = (await wait_for(client, debate, lambda v: v["status"] == "paused"))["turns"]
    # Once warm, an AI-only debate makes a turn well within a second: two seconds paused would show a leak.
    await asyncio.sleep(2)
    still = await wait_for(client, debate, lambda v: True)
    assert (still["status"], still["turns"]) == ("paused", held)
    assert (await control(client, debate, "pause")).status_code == 409
    assert (await control(client, debate, "resume")).json()["status"] in ("running", "ended")
    turns = await transcript(client, debate, debate["teacher_token"])
    await wait_for(client, debate, ended)
    final = await transcript(client, debate, debate["teacher_token"])
    assert [t["turn"] for t in final] == list(range(1, len(final) + 1)) and len(final) >= len(turns)


async def test_advance_moves_to_the_next_stage(client: httpx.AsyncClient) -> None:
    debate = await create(client, seats={"kabul": "human"}, rounds=2)
    await start(client, debate)
    await wait_for(client, debate, waiting_for("kabul"))
    opening = await wait_for(client, debate, lambda v: True)
    assert opening["stage"] == "opening"
    assert (await control(client, debate, "advance")).status_code == 200
    view = await wait_for(client, debate, waiting_for("kabul"))
    assert view["stage"] == "rounds"
    turns = await transcript(client, debate, debate["teacher_token"])
    assert [t["speaker"] for t in turns if t["stage"] == "opening"] == ["mediator"]  # the opening statements were cut
    await control(client, debate, "advance")
    view = await wait_for(client, debate, waiting_for("kabul"))
    assert view["stage"] == "convergence"


async def test_inject_is_briefed_to_every_party(client: httpx.AsyncClient) -> None:
    debate = await create(client, seats={"kabul": "human"}, rounds=1)
    await start(client, debate)
    await wait_for(client, debate, waiting_for("kabul"))
    assert (await control(client, debate, "inject", text="A ceasefire was announced in Kunduz")).status_code == 200
    view = await wait_for(client, debate, waiting_for("kabul"))
    turns = await transcript(client, debate, debate["teacher_token"])
    brief = next(t for t in turns if "Kunduz" in t["content"])
    assert brief["speaker"] == "mediator" and sorted(brief["audience"]) == ["kabul", "taliban", "us"]
    assert view["prompt"] == brief["content"]
    seat = await transcript(client, debate, debate["seat_tokens"]["kabul"])
    assert brief in seat


async def test_controls_while_paused_apply_on_resume(client: httpx.AsyncClient) -> None:
    debate = await create(client, seats={"kabul": "human"}, rounds=1)
    await start(client, debate)
    await wait_for(client, debate, waiting_for("kabul"))
    await control(client, debate, "pause")
    await control(client, debate, "inject", text="Talks moved to Doha")
    assert not any("Doha" in t["content"] for t in await transcript(client, debate, debate["teacher_token"]))
    await control(client, debate, "resume")
    await wait_for(client, debate, waiting_for("kabul"))
    assert any("Doha" in t["content"] for t in await transcript(client, debate, debate["teacher_token"]))


async def test_end_stops_the_talks(client: httpx.AsyncClient) -> None:
    debate = await create(client, seats={"kabul": "human"}, rounds=1)
    await start(client, debate)
    await wait_for(client, debate, waiting_for("kabul"))
    assert (await control(client, debate, "end")).json()["status"] == "ended"
    assert (await post(client, debate, "kabul", "too late")).status_code == 409
    assert (await control(client, debate, "resume")).status_code == 409
