"""Server-Sent Events: per-viewer filtering, and resuming with Last-Event-ID without gaps or duplicates."""

from __future__ import annotations

import json
from typing import Any

import httpx

from tests.api.helpers import OPERATOR_KEY, bearer, create, ended, post, start, wait_for, waiting_for


async def read_events(response: httpx.Response, limit: int | None = None) -> list[tuple[str, str | None, dict[str, Any]]]:
    """(event, id, data) of each SSE event, stopping after `limit` turn events."""
    found: list[tuple[str, str | None, dict[str, Any]]] = []
    event, ident, data = "message", None, ""
    async for line in response.aiter_lines():
        if line.startswith("event:"):
            event = line.split(":", 1)[1].strip()
        elif line.startswith("id:"):
            ident = line.split(":", 1)[1].strip()
        elif line.startswith("data:"):
            data += line.split(":", 1)[1].strip()
        elif not line and data:
            found.append((event, ident, json.loads(data)))
            event, ident, data = "message", None, ""
            if limit is not None and sum(1 for e in found if e[0] == "turn") >= limit:
                break
    return found


def turn_ids(events: list[tuple[str, str | None, dict[str, Any]]]) -> list[int]:
    return [int(i) for e, i, d in events if e == "turn" and i is not None and int(i) == d["turn"]]


async def test_reconnecting_with_last_event_id_has_no_gap_and_no_duplicate(server: str) -> None:
    async with httpx.AsyncClient(base_url=server, timeout=30, headers=bearer(OPERATOR_KEY)) as client:
        debate = await create(client, rounds=3)
        teacher = bearer(debate["teacher_token"])
        url = f"/v1/debates/{debate['id']}/events"
        async with client.stream("GET", url, headers=teacher) as first_stream:
            await start(client, debate)
            first = await read_events(first_stream, limit=4)
        last = turn_ids(first)[-1]
        async with client.stream("GET", url, headers={**teacher, "Last-Event-ID": str(last)}) as second_stream:
            second = await read_events(second_stream)
        total = (await wait_for(client, debate, ended))["turns"]
    seen = turn_ids(first) + turn_ids(second)
    assert seen == list(range(1, total + 1))
    assert second[-1][0] == "status" and second[-1][2]["status"] == "ended"


async def test_a_seat_stream_holds_only_its_channel(client: httpx.AsyncClient) -> None:
    debate = await create(client, seats={"kabul": "human"}, rounds=2, silence={"action": "stand_in", "after_s": 0.05})
    await start(client, debate)
    await wait_for(client, debate, ended)
    url = f"/v1/debates/{debate['id']}/events"
    async with client.stream("GET", url, headers=bearer(debate["seat_tokens"]["kabul"])) as response:
        seat = await read_events(response)
    async with client.stream("GET", url, headers=bearer(debate["teacher_token"])) as response:
        everything = await read_events(response)
    mine = [d for e, _, d in seat if e == "turn"]
    assert mine and all(d["speaker"] == "kabul" or "kabul" in d["audience"] for d in mine)
    hidden = [d for e, _, d in everything if e == "turn" and d not in mine]
    assert hidden and all(d["speaker"] != "kabul" and "kabul" not in d["audience"] for d in hidden)
    assert any(d["speaker"] == "mediator" and d["audience"] == ["taliban"] for d in hidden)  # what Kabul must not see


async def test_the_barrier_holds_in_transcripts(client: httpx.AsyncClient) -> None:
    debate = await create(client, seats={"kabul": "human"}, rounds=1)
    await start(client, debate)
    await wait_for(client, debate, waiting_for("kabul"))
    await post(client, debate, "kabul", "Kabul's secret offer to the mediator.")
    await wait_for(client, debate, waiting_for("kabul"))
    seat = bearer(debate["seat_tokens"]["kabul"])
    data = (await client.get(f"/v1/debates/{debate['id']}/transcript", headers=seat)).json()
    markdown = (await client.get(f"/v1/debates/{debate['id']}/transcript?format=md", headers=seat)).text
    full = (await client.get(f"/v1/debates/{debate['id']}/transcript", headers=bearer(debate["teacher_token"]))).json()
    assert data["viewer"] == "kabul" and len(full["turns"]) > len(data["turns"])
    for turn in full["turns"]:
        visible = turn["speaker"] == "kabul" or "kabul" in turn["audience"]
        assert (turn in data["turns"]) == visible
        if not visible and turn["content"]:
            assert turn["content"] not in markdown
    teacher = bearer(debate["teacher_token"])
    narrowed = await client.get(f"/v1/debates/{debate['id']}/transcript?channel=taliban", headers=teacher)
    assert all(t["speaker"] == "taliban" or "taliban" in t["audience"] for t in narrowed.json()["turns"])


async def test_a_seat_sees_only_its_own_answers_in_the_negotiating_text(client: httpx.AsyncClient) -> None:
    debate = await create(client, seats={"kabul": "human"}, rounds=1, silence={"action": "stand_in", "after_s": 0.05})
    await start(client, debate)
    full = await wait_for(client, debate, ended)
    seat = (await client.get(f"/v1/debates/{debate['id']}", headers=bearer(debate["seat_tokens"]["kabul"]))).json()
    assert {party for point in full["text"] for party in point["answers"]} == {"kabul", "taliban", "us"}
    assert {party for point in seat["text"] for party in point["answers"]} == {"kabul"}
