"""Pick the classroom server's backends from the settings: embedded by default, Postgres and Redis when configured.

With `DELIBERATION_REDIS_URL`, Redis carries the events, the driver leases, the per-key rate limit and the caps on
live debates, so that all of them hold across replicas.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from deliberation.classroom.leases import Leases, LocalLeases
from deliberation.classroom.sqlite import DebateStore
from deliberation.classroom.store import DebateRecords
from deliberation.config import Settings
from deliberation.errors import Unavailable, UserError
from deliberation.quotas import LiveDebates, MemoryLiveDebates, RateLimiter, WindowRateLimiter

if TYPE_CHECKING:  # the API imports this module as it starts, for its rate limiter: no graph or event types then
    from langgraph.checkpoint.serde.base import SerializerProtocol

    from deliberation.classroom.events import EventBus

_EXTRA = "install the scaled backends with: pip install 'deliberation[scale]'"


def _scaled(module: str, setting: str) -> Any:
    """Import a module of the optional `scale` extra, or say which setting needs it."""
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError as error:
        raise UserError(f"{setting} is set but {error.name} is not installed; {_EXTRA}") from None


@asynccontextmanager
async def postgres_saver(url: str, serde: SerializerProtocol) -> AsyncIterator[Any]:
    async with _scaled("deliberation.classroom.postgres", "DELIBERATION_DATABASE_URL").postgres_saver(url, serde) as saver:
        yield saver


def open_store(settings: Settings) -> DebateRecords:
    if settings.database_url:
        store: DebateRecords = _scaled("deliberation.classroom.postgres", "DELIBERATION_DATABASE_URL").PostgresDebateStore(
            settings.database_url
        )
        return store
    return DebateStore(settings.data_dir / "debates.sqlite")


def rate_limiter(settings: Settings) -> RateLimiter:
    """The per-key rate limit: its moving windows in this process, or in Redis shared by every replica."""
    if not settings.redis_url:
        return WindowRateLimiter(settings.rate_limit)
    redis = _scaled("redis.asyncio", "DELIBERATION_REDIS_URL")
    from limits.aio.storage import RedisStorage

    # limits wants its own URI schemes; the pool is ours, so that shutting down closes its connections
    uri = "async+redis+unix://" + settings.redis_url.removeprefix("unix://") if settings.redis_url.startswith("unix://") \
        else "async+" + settings.redis_url
    pool = redis.ConnectionPool.from_url(settings.redis_url, socket_connect_timeout=10)
    storage = RedisStorage(uri, implementation="redispy", key_prefix="deliberation:limits", wrap_exceptions=True,
                           connection_pool=pool)
    return WindowRateLimiter(settings.rate_limit, storage, close=pool.aclose)


@dataclass
class Coordination:
    bus: EventBus
    leases: Leases
    live: LiveDebates


@asynccontextmanager
async def coordination(settings: Settings) -> AsyncIterator[Coordination]:
    if not settings.redis_url:
        from deliberation.classroom.events import LocalBus

        cap = MemoryLiveDebates(settings.max_live_debates, settings.max_live_debates_per_key)
        yield Coordination(LocalBus(), LocalLeases(), cap)
        return
    redis = _scaled("redis.asyncio", "DELIBERATION_REDIS_URL")
    bus_module = _scaled("deliberation.classroom.redis_bus", "DELIBERATION_REDIS_URL")
    leases_module = _scaled("deliberation.classroom.redis_leases", "DELIBERATION_REDIS_URL")
    quotas_module = _scaled("deliberation.classroom.redis_quotas", "DELIBERATION_REDIS_URL")
    client = redis.Redis.from_url(settings.redis_url, socket_connect_timeout=10)
    try:
        await client.ping()
    except (OSError, redis.RedisError) as error:
        await client.aclose()
        where = settings.redis_url.rsplit("@", 1)[-1]  # no password in messages
        raise Unavailable(f"cannot reach Redis at {where} (DELIBERATION_REDIS_URL): {error}") from None
    bus, leases = bus_module.RedisBus(client), leases_module.RedisLeases(client)
    live = quotas_module.RedisLiveDebates(client, settings.max_live_debates, settings.max_live_debates_per_key, leases.owner)
    try:
        await leases.start()
        live.start()
        yield Coordination(bus, leases, live)
    finally:
        await live.close()
        await leases.close()
        await bus.close()
        await client.aclose()
