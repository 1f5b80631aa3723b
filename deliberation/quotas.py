"""Quotas of the classroom server: a rate limit per operator key, caps on live debates and on event streams.

Each is a small interface with an in-process implementation. The rate limit uses the `limits` library, whose
async storages include Redis: a shared store across replicas is a different `storage`, not different code.
A shared cap on live debates implements `LiveDebates` over the same store.
"""

from __future__ import annotations

import math
import time
from collections import Counter
from collections.abc import Callable
from typing import Protocol

import limits
from limits.aio.storage import MemoryStorage, Storage
from limits.aio.strategies import MovingWindowRateLimiter

from deliberation.errors import TooMany, UserError


class RateLimiter(Protocol):
    async def hit(self, key: str) -> None:
        """Count one request of `key`; raise `TooMany` (with a retry delay) beyond the limit."""


class LiveDebates(Protocol):
    """Which debates are live (held in memory, not ended) and whose: the cap per key and in total."""

    async def acquire(self, owner: str, debate_id: str) -> None:
        """Count a new debate of `owner`; raise `TooMany` at either cap."""

    async def track(self, owner: str, debate_id: str) -> None:
        """Count a debate coming back to life (a restart, a reload after eviction): never refused."""

    async def release(self, debate_id: str) -> None:
        """The debate ended or left memory."""


class WindowRateLimiter:
    """`N/minute` (any `limits` rate string) per key, over a moving window."""

    def __init__(self, rate: str, storage: Storage | None = None) -> None:
        try:
            self.item = limits.parse(rate)
        except ValueError:
            raise UserError(f"DELIBERATION_RATE_LIMIT {rate!r} is not a rate such as 60/minute") from None
        self._limiter = MovingWindowRateLimiter(storage or MemoryStorage())

    async def hit(self, key: str) -> None:
        if await self._limiter.hit(self.item, "deliberation", key):
            return
        stats = await self._limiter.get_window_stats(self.item, "deliberation", key)
        retry = max(1, math.ceil(stats.reset_time - time.time()))
        raise TooMany(f"rate limit of {self.item} reached for this key; retry in {retry} s", retry_after_s=retry)


class MemoryLiveDebates:
    def __init__(self, total: int, per_owner: int) -> None:
        self.total, self.per_owner = total, per_owner
        self._owners: dict[str, str] = {}

    async def acquire(self, owner: str, debate_id: str) -> None:
        mine = sum(1 for o in self._owners.values() if o == owner)
        if mine >= self.per_owner:
            raise TooMany(f"this key holds {mine} live debates, the most it may (end one, or wait until an idle one is let go)")
        if len(self._owners) >= self.total:
            raise TooMany(f"the server holds {len(self._owners)} live debates, the most it may; try again later")
        self._owners[debate_id] = owner

    async def track(self, owner: str, debate_id: str) -> None:
        self._owners[debate_id] = owner

    async def release(self, debate_id: str) -> None:
        self._owners.pop(debate_id, None)


class StreamSlots:
    """Concurrent event streams per token, in this process (a stream is a connection to this process)."""

    def __init__(self, per_token: int) -> None:
        self.per_token = per_token
        self._open: Counter[str] = Counter()

    def take(self, token_hash: str) -> Callable[[], None]:
        """Claim a slot, or raise `TooMany`; returns the release, which may safely be called more than once."""
        if self._open[token_hash] >= self.per_token:
            raise TooMany(f"this token already holds {self.per_token} open event streams; close one first")
        self._open[token_hash] += 1
        released = False

        def release() -> None:
            nonlocal released
            if not released:
                released = True
                self._open[token_hash] -= 1
                if not self._open[token_hash]:
                    del self._open[token_hash]

        return release
