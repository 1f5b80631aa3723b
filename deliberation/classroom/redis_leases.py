"""Driver leases in Redis: `SET NX PX` with a token per replica, renewed while held, released only by their holder.

A replica that dies stops renewing; its leases expire after `ttl_s` and any other replica's sweep takes the debates
over. Stop requests travel on a pub/sub channel that every replica listens to.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import socket
import uuid
from collections.abc import AsyncIterator
from typing import Any

from redis.asyncio import Redis
from redis.exceptions import LockError

from deliberation.classroom.leases import Signal, StopAction
from deliberation.errors import Conflict

log = logging.getLogger(__name__)

_RENEW = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end return 0"
_RELEASE = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0"
_CHANNEL = "deliberation:drivers"


def lease_key(debate_id: str) -> str:
    return f"deliberation:debate:{debate_id}:driver"


class RedisLeases:
    shared = True

    def __init__(self, redis: Redis, ttl_s: float = 3.0, wait_s: float = 180.0) -> None:
        self._redis: Any = redis  # redis-py's stubs type every reply as a union of sync and async results
        self.ttl_ms, self.wait_s = int(ttl_s * 1000), wait_s
        self.owner = f"{socket.gethostname()}/{os.getpid()}/{uuid.uuid4().hex[:8]}"
        """This replica's token in the leases it holds: host and process first, so that an operator can tell who drives."""
        self._renew: Any = redis.register_script(_RENEW)
        self._release: Any = redis.register_script(_RELEASE)
        self._held: dict[str, asyncio.Task[None]] = {}
        self._handlers: list[Signal] = []
        self._listener: asyncio.Task[None] | None = None

    @contextlib.asynccontextmanager
    async def mutex(self, debate_id: str) -> AsyncIterator[None]:
        # expires on its own if this replica dies mid-control; long enough to wait out a turn in flight
        lock = self._redis.lock(f"deliberation:debate:{debate_id}:mutex", timeout=self.wait_s + 30, blocking_timeout=self.wait_s)
        try:
            acquired = await lock.acquire()
        except LockError:
            acquired = False
        if not acquired:
            raise Conflict(f"debate {debate_id} is busy with another request; try again")
        try:
            yield
        finally:
            with contextlib.suppress(LockError):
                await lock.release()

    async def acquire(self, debate_id: str) -> bool:
        key = lease_key(debate_id)
        if not await self._redis.set(key, self.owner, nx=True, px=self.ttl_ms):
            holder = await self._redis.get(key)
            if holder is None or holder.decode() != self.owner:
                return False
        if debate_id not in self._held:
            self._held[debate_id] = asyncio.create_task(self._keep(debate_id), name=f"lease-{debate_id}")
        return True

    async def _keep(self, debate_id: str) -> None:
        while True:
            await asyncio.sleep(self.ttl_ms / 3000)
            try:
                if not await self._renew(keys=[lease_key(debate_id)], args=[self.owner, self.ttl_ms]):
                    log.error("lost the driver lease of debate %s; stopping its driver here", debate_id)
                    self._signal(debate_id, "halt")
                    return
            except Exception:  # Redis unreachable for a moment: try again before the lease runs out
                log.exception("could not renew the driver lease of debate %s", debate_id)

    async def release(self, debate_id: str) -> None:
        keeper = self._held.pop(debate_id, None)
        if keeper is not None:
            keeper.cancel()
        await self._release(keys=[lease_key(debate_id)], args=[self.owner])

    async def held(self, debate_id: str) -> bool:
        return bool(await self._redis.exists(lease_key(debate_id)))

    async def stop_driver(self, debate_id: str, action: StopAction) -> None:
        if not await self.held(debate_id):
            return
        await self._redis.publish(_CHANNEL, json.dumps({"debate": debate_id, "action": action}))
        deadline = asyncio.get_running_loop().time() + self.wait_s
        while await self.held(debate_id):
            if asyncio.get_running_loop().time() > deadline:
                raise Conflict(f"the replica driving debate {debate_id} did not stop within {self.wait_s:.0f} s; try again")
            await asyncio.sleep(0.02)

    def on_signal(self, handler: Signal) -> None:
        self._handlers.append(handler)

    def _signal(self, debate_id: str, action: StopAction) -> None:
        for handler in self._handlers:
            handler(debate_id, action)

    async def start(self) -> None:
        """Listen for stop requests; returns once subscribed, so that none sent afterwards is missed."""
        pubsub = self._redis.pubsub()
        await pubsub.subscribe(_CHANNEL)
        self._listener = asyncio.create_task(self._listen(pubsub), name="lease-signals")

    async def _listen(self, pubsub: Any) -> None:
        try:
            async for message in pubsub.listen():
                if message.get("type") != "message":
                    continue
                request = json.loads(message["data"])
                if request.get("debate") and request.get("action") in ("halt", "cancel"):
                    self._signal(request["debate"], request["action"])
        finally:
            await pubsub.aclose()

    async def close(self) -> None:
        if self._listener is not None:
            self._listener.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._listener
        for debate_id in list(self._held):
            with contextlib.suppress(Exception):
                await self.release(debate_id)
