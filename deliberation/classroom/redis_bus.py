"""Debate events in Redis Streams: one stream per debate, readable from every replica.

Stream entry ids are global per debate and follow the talks: turn N is entry `N-0`; a status change after turn N is
`N-1`, `N-2`, .... A script appends atomically, so a turn whose number is already in the stream is dropped: a replica
taking a debate over republishes its checkpoint's turns without duplicating any.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from redis.asyncio import Redis

from deliberation.classroom.events import Item, Subscription
from deliberation.classroom.records import Status
from deliberation.turns import Turn

log = logging.getLogger(__name__)

_APPEND = """
local top = redis.call('XREVRANGE', KEYS[1], '+', '-', 'COUNT', 1)
local ms, seq = 0, 0
if #top > 0 then
  local id = top[1][1]
  local dash = string.find(id, '-', 1, true)
  ms = tonumber(string.sub(id, 1, dash - 1))
  seq = tonumber(string.sub(id, dash + 1))
end
if ARGV[1] == 'turn' then
  local n = tonumber(ARGV[2])
  if n <= ms then return false end
  return redis.call('XADD', KEYS[1], n .. '-0', 'kind', 'turn', 'data', ARGV[3])
end
local id = redis.call('XADD', KEYS[1], ms .. '-' .. (seq + 1), 'kind', ARGV[1], 'data', ARGV[3])
if ARGV[3] == 'ended' then redis.call('EXPIRE', KEYS[1], ARGV[4]) end
return id
"""
ENDED_TTL_S = 86_400
"""An ended debate's stream is kept a day for late readers; its turns stay in the checkpoint for good."""


def stream_key(debate_id: str) -> str:
    return f"deliberation:debate:{debate_id}:events"


def _decode(fields: dict[bytes, bytes]) -> Item:
    if fields[b"kind"] == b"turn":
        return Turn.model_validate_json(fields[b"data"])
    return Status(fields[b"data"].decode())


class _StreamSubscription:
    def __init__(self, redis: Any, key: str, last_id: str) -> None:
        self._redis, self._key, self.last_id = redis, key, last_id
        self._buffer: list[Item] = []

    async def get(self) -> Item:
        while not self._buffer:
            # A bounded block, so that a closed client connection is noticed by the caller between reads; well
            # under redis-py's socket timeout (5 s by default): a 5 s block raced it, and lost when the loop was busy.
            answer = await self._redis.xread({self._key: self.last_id}, count=100, block=2000)
            for _, entries in answer or []:
                for entry_id, fields in entries:
                    self.last_id = entry_id.decode()
                    self._buffer.append(_decode(fields))
        return self._buffer.pop(0)

    def empty(self) -> bool:
        return not self._buffer

    async def close(self) -> None:
        return None


class RedisBus:
    """Publishing never blocks the caller (it runs inside the graph's turn callback): one writer task appends, in order."""

    def __init__(self, redis: Redis) -> None:
        self._redis: Any = redis  # redis-py's stubs type every reply as a union of sync and async results
        self._append: Any = redis.register_script(_APPEND)
        self._outbox: asyncio.Queue[tuple[str, Item]] = asyncio.Queue()
        self._writer: asyncio.Task[None] | None = None

    def publish(self, debate_id: str, item: Item) -> None:
        if self._writer is None or self._writer.done():
            self._writer = asyncio.get_running_loop().create_task(self._write(), name="redis-bus-writer")
        self._outbox.put_nowait((debate_id, item))

    async def _write(self) -> None:
        while True:
            debate_id, item = await self._outbox.get()
            try:
                args = ["turn", str(item.turn), item.model_dump_json()] if isinstance(item, Turn) else ["status", "0", item.value]
                args.append(str(ENDED_TTL_S))
                await self._append(keys=[stream_key(debate_id)], args=args)
            except Exception:  # the stream is the viewers' copy; the checkpoint keeps the turn, a takeover republishes it
                log.exception("could not publish an event of debate %s to Redis", debate_id)
            finally:
                self._outbox.task_done()

    async def subscribe(self, debate_id: str, after: int = 0) -> Subscription:
        """Everything after turn `after`: a turn published before its checkpoint was written is not missed."""
        return _StreamSubscription(self._redis, stream_key(debate_id), f"{after}-0")

    async def flush(self) -> None:
        await self._outbox.join()

    async def close(self) -> None:
        await self.flush()
        if self._writer is not None:
            self._writer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._writer
