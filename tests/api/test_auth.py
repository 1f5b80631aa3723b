"""Tokens: 401 without one, 404 for a token that does not open the debate (as for an unknown one), 403 beyond a seat's rights."""

from __future__ import annotations

import json
import sqlite3

import httpx

from deliberation.config import Settings
from deliberation.tokens import hash_token, token_matches
from tests.api.helpers import bearer, create


async def test_no_token_is_401_and_a_wrong_token_404(client: httpx.AsyncClient) -> None:
    debate = await create(client, seats={"kabul": "human"})
    url = f"/v1/debates/{debate['id']}"
    missing = await client.get(url, headers={"Authorization": ""})
    wrong = await client.get(url, headers=bearer("not-a-token"))
    operator = await client.get(url)  # the operator key creates debates; it does not open them
    assert (missing.status_code, wrong.status_code, operator.status_code) == (401, 404, 404)
    assert missing.json()["error"]["type"] == "Unauthorized"
    assert "Bearer" in missing.json()["error"]["message"]


async def test_a_token_of_another_debate_is_404(client: httpx.AsyncClient) -> None:
    first, second = await create(client), await create(client)
    response = await client.get(f"/v1/debates/{second['id']}", headers=bearer(first["teacher_token"]))
    assert response.status_code == 404


async def test_unknown_debate_is_404(client: httpx.AsyncClient) -> None:
    response = await client.get("/v1/debates/nope", headers=bearer("x"))
    assert response.status_code == 404
    assert response.json()["error"]["type"] == "NotFound"


async def test_a_seat_cannot_use_teacher_controls(client: httpx.AsyncClient) -> None:
    debate = await create(client, seats={"kabul": "human"})
    seat = bearer(debate["seat_tokens"]["kabul"])
    for control in ("start", "pause", "resume", "advance", "end"):
        response = await client.post(f"/v1/debates/{debate['id']}/{control}", headers=seat)
        assert response.status_code == 403, control
    inject = await client.post(f"/v1/debates/{debate['id']}/inject", headers=seat, json={"text": "news"})
    assert inject.status_code == 403


async def test_a_seat_cannot_read_or_post_for_another_seat(client: httpx.AsyncClient) -> None:
    debate = await create(client, seats={"kabul": "human", "taliban": "human"})
    kabul = bearer(debate["seat_tokens"]["kabul"])
    other = await client.get(f"/v1/debates/{debate['id']}/transcript", params={"channel": "taliban"}, headers=kabul)
    posted = await client.post(f"/v1/debates/{debate['id']}/messages", headers=kabul, json={"content": "hi", "seat": "taliban"})
    events = await client.get(f"/v1/debates/{debate['id']}/events", params={"channel": "taliban"}, headers=kabul)
    assert (other.status_code, posted.status_code, events.status_code) == (403, 403, 403)


async def test_the_teacher_cannot_post_for_a_seat(client: httpx.AsyncClient) -> None:
    debate = await create(client, seats={"kabul": "human"})
    response = await client.post(
        f"/v1/debates/{debate['id']}/messages", headers=bearer(debate["teacher_token"]), json={"content": "hi"}
    )
    assert response.status_code == 403


async def test_tokens_are_stored_hashed(client: httpx.AsyncClient, settings: Settings) -> None:
    debate = await create(client, seats={"kabul": "human"})
    with sqlite3.connect(settings.data_dir / "debates.sqlite") as db:
        (record,) = db.execute("SELECT record FROM debates WHERE id = ?", (debate["id"],)).fetchone()
    stored = json.loads(record)
    assert stored["teacher_hash"] == hash_token(debate["teacher_token"])
    assert token_matches(debate["seat_tokens"]["kabul"], stored["seat_hashes"]["kabul"])
    assert debate["teacher_token"] not in record and debate["seat_tokens"]["kabul"] not in record


async def test_seats_must_be_parties(client: httpx.AsyncClient) -> None:
    mediator = await client.post("/v1/debates", json={"scenario": "afghanistan", "seats": {"mediator": "human"}})
    unknown = await client.post("/v1/debates", json={"scenario": "nowhere"})
    assert (mediator.status_code, unknown.status_code) == (400, 404)
