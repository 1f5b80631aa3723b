"""The cap on live debates, per operator key and in total, held in Redis so that it holds across replicas.

A debate counts once however many replicas hold it in memory. Each replica's hold on a debate expires unless that
replica renews it (every third of `ttl_s`): a replica that dies stops renewing, and the debates only it held stop
counting within `ttl_s` (as on a restart, they count again when a replica loads them). A debate that ends, on any
replica, stops counting at once for every replica; one evicted as idle stops counting when no replica holds it.

One Lua script does each change (purge the expired, count, check, add) atomically, with Redis's clock for expiry so
that the replicas' clocks need not agree. Every key shares one hash tag, so a Redis Cluster keeps them on one node.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from redis.asyncio import Redis
from redis.exceptions import RedisError

from deliberation.errors import Unavailable
from deliberation.quotas import owner_cap_reached, total_cap_reached

log = logging.getLogger(__name__)

PREFIX = "{deliberation:live}"
"""`:all` debate -> expiry (ms, the latest of its holds); `:owners` debate -> owner; `:owner:<owner>` its debates;
`:holds:<debate>` replica -> expiry of that replica's hold."""

_SCRIPT = """
local prefix, op = KEYS[1], ARGV[1]
local all, owners = prefix .. ':all', prefix .. ':owners'
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)

local function forget(debate)
  local owner = redis.call('HGET', owners, debate)
  if owner then redis.call('SREM', prefix .. ':owner:' .. owner, debate) end
  redis.call('HDEL', owners, debate)
  redis.call('DEL', prefix .. ':holds:' .. debate)
  redis.call('ZREM', all, debate)
end

local function hold(debate, owner, holder, expiry)
  redis.call('HSET', owners, debate, owner)
  redis.call('SADD', prefix .. ':owner:' .. owner, debate)
  redis.call('ZADD', prefix .. ':holds:' .. debate, expiry, holder)
  redis.call('ZADD', all, 'GT', expiry, debate)
end

for _, debate in ipairs(redis.call('ZRANGEBYSCORE', all, '-inf', now)) do forget(debate) end

if op == 'acquire' or op == 'track' then
  local debate, owner, holder, ttl = ARGV[2], ARGV[3], ARGV[4], tonumber(ARGV[5])
  if op == 'acquire' and redis.call('ZSCORE', all, debate) == false then
    local mine = redis.call('SCARD', prefix .. ':owner:' .. owner)
    if mine >= tonumber(ARGV[6]) then return {'owner', mine} end
    local total = redis.call('ZCARD', all)
    if total >= tonumber(ARGV[7]) then return {'total', total} end
  end
  hold(debate, owner, holder, now + ttl)
  return {'ok', 0}
elseif op == 'renew' then
  local holder, expiry, gone = ARGV[2], now + tonumber(ARGV[3]), {}
  for i = 4, #ARGV do
    local debate = ARGV[i]
    local holds = prefix .. ':holds:' .. debate
    if redis.call('ZSCORE', holds, holder) then
      redis.call('ZADD', holds, expiry, holder)
      redis.call('ZADD', all, 'GT', expiry, debate)
    else
      table.insert(gone, debate)  -- ended elsewhere, or this replica's hold lapsed: not brought back
    end
  end
  return gone
elseif op == 'release' then
  local debate, holder, ended = ARGV[2], ARGV[3], ARGV[4]
  if ended == '1' then forget(debate) return 0 end
  local holds = prefix .. ':holds:' .. debate
  redis.call('ZREM', holds, holder)
  redis.call('ZREMRANGEBYSCORE', holds, '-inf', now)
  local latest = redis.call('ZREVRANGE', holds, 0, 0, 'WITHSCORES')
  if #latest == 0 then forget(debate) else redis.call('ZADD', all, 'XX', latest[2], debate) end
  return 0
elseif op == 'count' then
  if ARGV[2] ~= '' then return redis.call('SCARD', prefix .. ':owner:' .. ARGV[2]) end
  return redis.call('ZCARD', all)
end
return redis.error_reply('unknown operation ' .. op)
"""


class RedisLiveDebates:
    """`LiveDebates` across replicas; `holder` names this replica in the holds it keeps."""

    def __init__(self, redis: Redis, total: int, per_owner: int, holder: str, ttl_s: float = 15.0) -> None:
        self.total, self.per_owner, self.holder = total, per_owner, holder
        self.ttl_ms = int(ttl_s * 1000)
        self._script: Any = redis.register_script(_SCRIPT)  # redis-py's stubs type replies as sync-or-async unions
        self._held: set[str] = set()
        self._keeper: asyncio.Task[None] | None = None

    async def _run(self, *args: str | int) -> Any:
        return await self._script(keys=[PREFIX], args=list(args))

    async def acquire(self, owner: str, debate_id: str) -> None:
        try:
            verdict, held = await self._run("acquire", debate_id, owner, self.holder, self.ttl_ms, self.per_owner, self.total)
        except (RedisError, OSError) as error:  # a new debate is refused rather than let past caps nobody can check
            raise Unavailable(
                f"cannot check the caps on live debates: Redis failed ({error}); "
                "check that Redis at DELIBERATION_REDIS_URL is running and reachable"
            ) from None
        if verdict == b"owner":
            raise owner_cap_reached(int(held))
        if verdict == b"total":
            raise total_cap_reached(int(held))
        self._held.add(debate_id)

    # Neither counting a debate that comes back nor letting one go may fail the request or the sweep that does it:
    # while Redis is away the count runs short, and an unreleased hold lapses on its own after `ttl_s`.
    async def track(self, owner: str, debate_id: str) -> None:
        try:
            await self._run("track", debate_id, owner, self.holder, self.ttl_ms)
        except (RedisError, OSError):
            log.exception("could not count debate %s as live", debate_id)
            return
        self._held.add(debate_id)

    async def release(self, debate_id: str, ended: bool = False) -> None:
        self._held.discard(debate_id)
        try:
            await self._run("release", debate_id, self.holder, "1" if ended else "0")
        except (RedisError, OSError):
            log.exception("could not let go of live debate %s", debate_id)

    async def count(self, owner: str = "") -> int:
        """Live debates of `owner`, or of everyone: what the caps compare against."""
        return int(await self._run("count", owner))

    async def renew(self) -> None:
        """Push this replica's holds `ttl_s` on; forget those that ended elsewhere or lapsed."""
        if self._held:
            gone = await self._run("renew", self.holder, self.ttl_ms, *sorted(self._held))
            self._held.difference_update(g.decode() for g in gone)

    async def _keep(self) -> None:
        while True:
            await asyncio.sleep(self.ttl_ms / 3000)
            try:
                await self.renew()
            except Exception:  # Redis unreachable for a moment: the next renewal comes before the holds lapse
                log.exception("could not renew this replica's holds on live debates")

    def start(self) -> None:
        self._keeper = asyncio.create_task(self._keep(), name="live-debate-holds")

    def stop(self) -> None:
        """Stop renewing, as a replica that died would: its holds lapse after `ttl_s`."""
        if self._keeper is not None:
            self._keeper.cancel()

    async def close(self) -> None:
        """A replica shutting down lets go of its holds: its debates leave its memory."""
        self.stop()
        if self._keeper is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await self._keeper
        for debate_id in sorted(self._held):
            await self.release(debate_id)
