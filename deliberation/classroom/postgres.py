"""Debate records in Postgres, and the schema migrations that create them (plain SQL files, applied in order once)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib import resources
from typing import Any
from urllib.parse import urlsplit

import psycopg
from langgraph.checkpoint.postgres.aio import AsyncPostgresSaver
from psycopg.rows import dict_row
from psycopg.types.json import Jsonb
from psycopg_pool import AsyncConnectionPool, ConnectionPool, PoolTimeout

from deliberation.debate_types import Debate, Status
from deliberation.errors import NotFound, Unavailable

# Any constants shared by every replica: migrations run under these advisory locks (ours, then LangGraph's), so two
# replicas starting together apply each migration once.
_MIGRATION_LOCK = 7_261_013
CONNECT_TIMEOUT_S = 10.0


def where(url: str) -> str:
    """The server and database of a URL, without its password, for error messages."""
    parts = urlsplit(url)
    return f"{parts.hostname or 'localhost'}:{parts.port or 5432}{parts.path}"


def _unreachable(url: str, error: Exception) -> Unavailable:
    detail = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    return Unavailable(f"cannot reach Postgres at {where(url)} (DELIBERATION_DATABASE_URL): {detail}")


def migrations() -> list[tuple[str, str]]:
    """(version, SQL) of every migration file, in the order of their names."""
    folder = resources.files("deliberation.classroom") / "migrations"
    files = sorted((f for f in folder.iterdir() if f.name.endswith(".sql")), key=lambda f: f.name)
    return [(f.name.removesuffix(".sql"), f.read_text(encoding="utf-8")) for f in files]


def migrate(pool: ConnectionPool) -> list[str]:
    """Apply the migrations this database has not seen; returns the versions applied now."""
    applied: list[str] = []
    with pool.connection() as conn, conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (_MIGRATION_LOCK,))
        conn.execute(
            "CREATE TABLE IF NOT EXISTS deliberation_migrations "
            "(version TEXT PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())"
        )
        seen = {row[0] for row in conn.execute("SELECT version FROM deliberation_migrations")}
        for version, sql in migrations():
            if version not in seen:
                conn.execute(sql.encode())
                conn.execute("INSERT INTO deliberation_migrations (version) VALUES (%s)", (version,))
                applied.append(version)
    return applied


class PostgresDebateStore:
    """The same small synchronous writes as the SQLite store, over a connection pool shared by the service's tasks."""

    def __init__(self, url: str, max_size: int = 8) -> None:
        self._pool = ConnectionPool(url, min_size=1, max_size=max_size, kwargs={"autocommit": True}, open=False)
        try:
            self._pool.open(wait=True, timeout=CONNECT_TIMEOUT_S)
            migrate(self._pool)
        except (psycopg.OperationalError, PoolTimeout) as error:
            self._pool.close()
            raise _unreachable(url, error) from None

    def save(self, debate: Debate) -> None:
        with self._pool.connection() as conn:
            conn.execute(
                "INSERT INTO debates (id, status, silence_deadline, record) VALUES (%s, %s, %s, %s) "
                "ON CONFLICT (id) DO UPDATE SET status = excluded.status, silence_deadline = excluded.silence_deadline, "
                "record = excluded.record, updated_at = now()",
                (debate.id, debate.status.value, debate.silence_deadline, Jsonb(debate.model_dump(mode="json"))),
            )

    def get(self, debate_id: str) -> Debate:
        with self._pool.connection() as conn:
            row = conn.execute("SELECT record FROM debates WHERE id = %s", (debate_id,)).fetchone()
        if row is None:
            raise NotFound(f"unknown debate {debate_id!r}: create one with POST /v1/debates")
        return Debate.model_validate(row[0])

    def with_status(self, *statuses: Status) -> list[Debate]:
        with self._pool.connection() as conn:
            rows = conn.execute("SELECT record FROM debates WHERE status = ANY(%s)", ([s.value for s in statuses],)).fetchall()
        return [Debate.model_validate(r[0]) for r in rows]

    def close(self) -> None:
        self._pool.close()


async def _try_lock(conn: Any, key: int) -> bool:
    row = await (await conn.execute("SELECT pg_try_advisory_lock(%s) AS got", (key,))).fetchone()
    return bool(row["got"])


@asynccontextmanager
async def postgres_saver(url: str, max_size: int = 16) -> AsyncIterator[AsyncPostgresSaver]:
    """LangGraph's Postgres checkpointer over a pool; `setup` runs its own migrations (idempotent, locked)."""
    kwargs = {"autocommit": True, "prepare_threshold": 0, "row_factory": dict_row}
    pool = AsyncConnectionPool(url, min_size=1, max_size=max_size, kwargs=kwargs, open=False)
    try:
        await pool.open(wait=True, timeout=CONNECT_TIMEOUT_S)
        saver = AsyncPostgresSaver(pool)  # type: ignore[arg-type]
        async with pool.connection() as conn:  # its setup is not safe for two replicas starting at once
            # polled, not waited for: its CREATE INDEX CONCURRENTLY waits out every open transaction, a blocked one too
            while not await _try_lock(conn, _MIGRATION_LOCK + 1):
                await asyncio.sleep(0.1)
            try:
                await saver.setup()
            finally:
                await conn.execute("SELECT pg_advisory_unlock(%s)", (_MIGRATION_LOCK + 1,))
    except (psycopg.OperationalError, PoolTimeout) as error:
        await pool.close()
        raise _unreachable(url, error) from None
    try:
        yield saver
    finally:
        await pool.close()
