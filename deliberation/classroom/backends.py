"""Pick the classroom server's backends from the settings: embedded by default, Postgres and Redis when configured."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from deliberation.classroom.events import EventBus, LocalBus
from deliberation.classroom.leases import Leases, LocalLeases
from deliberation.classroom.store import DebateRecords
from deliberation.config import Settings
from deliberation.debate_store import DebateStore
from deliberation.errors import Unavailable, UserError

_EXTRA = "install the scaled backends with: pip install 'deliberation[scale]'"


def _scaled(module: str, setting: str) -> Any:
    """Import a module of the optional `scale` extra, or say which setting needs it."""
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError as error:
        raise UserError(f"{setting} is set but {error.name} is not installed; {_EXTRA}") from None


@asynccontextmanager
async def postgres_saver(url: str) -> AsyncIterator[Any]:
    async with _scaled("deliberation.classroom.postgres", "DELIBERATION_DATABASE_URL").postgres_saver(url) as saver:
        yield saver


def open_store(settings: Settings) -> DebateRecords:
    if settings.database_url:
        store: DebateRecords = _scaled("deliberation.classroom.postgres", "DELIBERATION_DATABASE_URL").PostgresDebateStore(
            settings.database_url
        )
        return store
    return DebateStore(settings.data_dir / "debates.sqlite")


@dataclass
class Coordination:
    bus: EventBus
    leases: Leases


@asynccontextmanager
async def coordination(settings: Settings) -> AsyncIterator[Coordination]:
    if not settings.redis_url:
        yield Coordination(LocalBus(), LocalLeases())
        return
    redis = _scaled("redis.asyncio", "DELIBERATION_REDIS_URL")
    bus_module = _scaled("deliberation.classroom.redis_bus", "DELIBERATION_REDIS_URL")
    leases_module = _scaled("deliberation.classroom.redis_leases", "DELIBERATION_REDIS_URL")
    client = redis.Redis.from_url(settings.redis_url, socket_connect_timeout=10)
    try:
        await client.ping()
    except (OSError, redis.RedisError) as error:
        await client.aclose()
        where = settings.redis_url.rsplit("@", 1)[-1]  # no password in messages
        raise Unavailable(f"cannot reach Redis at {where} (DELIBERATION_REDIS_URL): {error}") from None
    bus, leases = bus_module.RedisBus(client), leases_module.RedisLeases(client)
    try:
        await leases.start()
        yield Coordination(bus, leases)
    finally:
        await leases.close()
        await bus.close()
        await client.aclose()
