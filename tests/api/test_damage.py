"""Finding 4: a lost or corrupt checkpoint silently restarted a debate; a corrupt database stopped the server.

A debate whose checkpoint is missing or unreadable is shown as damaged, with the reason, and refuses to go on;
other debates keep working, and the server starts whatever state its files are in.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from deliberation.api.main import create_app

from deliberation.config import Settings
from tests.api.helpers import OPERATOR_KEY, bearer, create, post, start, wait_for, waiting_for


@pytest.fixture
def private(settings: Settings, tmp_path: Path) -> Settings:
    """Settings over a data dir of this test's own: these tests break its files."""
    return settings.model_copy(update={"data_dir": tmp_path / "data"})


@asynccontextmanager
async def serving(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings)
    transport = httpx.ASGITransport(app=app)
    async with app.router.lifespan_context(app), httpx.AsyncClient(
        transport=transport, base_url="http://t", headers=bearer(OPERATOR_KEY)
    ) as client:
        yield client


async def two_debates(settings: Settings) -> tuple[dict[str, Any], dict[str, Any]]:
    """One waiting for its Kabul seat, one never started."""
    async with serving(settings) as client:
        waiting = await create(client, seats={"kabul": "human"}, rounds=1, silence={"after_s": 3600})
        await start(client, waiting)
        await wait_for(client, waiting, waiting_for("kabul"))
        fresh = await create(client, rounds=0)
    return waiting, fresh


def wipe(path: Path, content: bytes) -> None:
    """Replace the file (a new inode, as a restore or a crash-time rewrite leaves it) with `content`."""
    for suffix in ("", "-wal", "-shm"):
        path.with_name(path.name + suffix).unlink(missing_ok=True)
    path.write_bytes(content)


async def view(client: httpx.AsyncClient, debate: dict[str, Any]) -> dict[str, Any]:
    response = await client.get(f"/v1/debates/{debate['id']}", headers=bearer(debate["teacher_token"]))
    assert response.status_code == 200, response.text
    shown: dict[str, Any] = response.json()
    return shown


async def assert_damaged(client: httpx.AsyncClient, debate: dict[str, Any], reason: str) -> None:
    shown = await view(client, debate)
    assert shown["status"] == "damaged" and reason in shown["damage"], shown
    assert shown["turns"] == 0 or shown["turns"] is not None
    refused = await post(client, debate, "kabul", "Are we still talking?")
    resumed = await client.post(f"/v1/debates/{debate['id']}/resume", headers=bearer(debate["teacher_token"]))
    assert (refused.status_code, resumed.status_code) == (409, 409)
    assert "damaged" in refused.json()["error"]["message"] and reason in refused.json()["error"]["message"]


@pytest.mark.parametrize("content", [b"", b"SQLite format 3\x00" + b"\x00" * 50, b"not a database at all" * 100])
async def test_a_lost_or_corrupt_checkpoint_file_shows_damage(
    private: Settings, content: bytes, caplog: pytest.LogCaptureFixture
) -> None:
    waiting, fresh = await two_debates(private)
    wipe(private.data_dir / "checkpoints.sqlite", content)
    caplog.set_level(logging.WARNING)
    async with serving(private) as client:
        await assert_damaged(client, waiting, "checkpoint")
        assert (await view(client, fresh))["status"] == "created"
        await start(client, fresh)  # the never-started debate and new ones work
        assert (await client.post("/v1/debates", json={"rounds": 0})).status_code == 201
    assert waiting["id"] in caplog.text


async def test_one_corrupt_checkpoint_damages_only_its_debate(private: Settings) -> None:
    waiting, _ = await two_debates(private)
    async with serving(private) as client:
        other = await create(client, seats={"kabul": "human"}, rounds=1, silence={"after_s": 3600})
        await start(client, other)
        await wait_for(client, other, waiting_for("kabul"))
    with sqlite3.connect(private.data_dir / "checkpoints.sqlite") as db:
        changed = db.execute("UPDATE checkpoints SET checkpoint = X'c1c2c3' WHERE thread_id = ?", (f"debate-{waiting['id']}",))
        assert changed.rowcount > 0
    async with serving(private) as client:
        await assert_damaged(client, waiting, "checkpoint")
        assert (await post(client, other, "kabul", "We are ready.")).status_code == 202


async def test_a_truncated_checkpoint_file_does_not_stop_the_server(private: Settings) -> None:
    waiting, fresh = await two_debates(private)
    path = private.data_dir / "checkpoints.sqlite"
    wipe(path, path.read_bytes()[: 4096 + 100])
    async with serving(private) as client:
        await assert_damaged(client, waiting, "checkpoint")
        assert (await view(client, fresh))["status"] == "created"


@pytest.mark.parametrize("content", [b"garbage" * 1000, b""])
async def test_a_corrupt_debates_database_does_not_stop_the_server(
    private: Settings, content: bytes, caplog: pytest.LogCaptureFixture
) -> None:
    await two_debates(private)
    wipe(private.data_dir / "debates.sqlite", content)
    caplog.set_level(logging.ERROR)
    async with serving(private) as client:
        assert (await client.post("/v1/debates", json={"rounds": 0})).status_code == 201
    if content:
        assert "debates.sqlite" in caplog.text
        assert list(private.data_dir.glob("debates.sqlite.corrupt-*")), "the unreadable file is kept for the operator"
