"""Helpers for API tests: create a debate, act as teacher or seat, poll the teacher's view."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import httpx

OPERATOR_KEY = "classroom"
"""The operator key of the test settings (DELIBERATION_API_KEYS); the OpenAI client tests send it as their api_key."""


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def create(client: httpx.AsyncClient, headers: dict[str, str] | None = None, **spec: Any) -> dict[str, Any]:
    body = {"scenario": "afghanistan", "rounds": 1, **spec}
    response = await client.post("/v1/debates", json=body, headers=headers)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


async def wait_for(
    client: httpx.AsyncClient, debate: dict[str, Any], done: Callable[[dict[str, Any]], bool], timeout: float = 30.0
) -> dict[str, Any]:
    """Poll the teacher's view until `done` holds."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        view: dict[str, Any] = (await client.get(f"/v1/debates/{debate['id']}", headers=bearer(debate["teacher_token"]))).json()
        if done(view):
            return view
        assert asyncio.get_running_loop().time() < deadline, f"timed out; last view: {view}"
        await asyncio.sleep(0.02)


def waiting_for(seat: str) -> Callable[[dict[str, Any]], bool]:
    return lambda view: view["status"] == "waiting" and view["waiting_for"] == seat


def ended(view: dict[str, Any]) -> bool:
    return bool(view["status"] == "ended")


async def transcript(client: httpx.AsyncClient, debate: dict[str, Any], token: str) -> list[dict[str, Any]]:
    response = await client.get(f"/v1/debates/{debate['id']}/transcript", headers=bearer(token))
    assert response.status_code == 200, response.text
    turns: list[dict[str, Any]] = response.json()["turns"]
    return turns


async def post(client: httpx.AsyncClient, debate: dict[str, Any], seat: str, content: str) -> httpx.Response:
    token = debate["seat_tokens"][seat]
    return await client.post(f"/v1/debates/{debate['id']}/messages", headers=bearer(token), json={"content": content})


async def start(client: httpx.AsyncClient, debate: dict[str, Any]) -> None:
    response = await client.post(f"/v1/debates/{debate['id']}/start", headers=bearer(debate["teacher_token"]))
    assert response.status_code == 200, response.text
