"""Which debates this process holds in memory: loaded from storage on first use, let go when ended or idle.

A debate is read back from its record and checkpoint whenever it is asked for again, so memory is a cache of
storage; with several replicas a debate this process does not drive is re-read before every use.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from deliberation.classroom.leases import Leases
from deliberation.classroom.live import LiveDebate, thread
from deliberation.classroom.records import Debate, DebateSpec, Status
from deliberation.classroom.store import DebateRecords
from deliberation.classroom.views import public
from deliberation.config import Settings
from deliberation.errors import StorageError
from deliberation.quotas import LiveDebates
from deliberation.runtime import SummitDeps, SummitOptions, make_deps
from deliberation.state import History
from deliberation.turns import Turn

log = logging.getLogger(__name__)


def _options(spec: DebateSpec) -> SummitOptions:
    return SummitOptions(scenario=spec.scenario, model=spec.model, rounds=spec.rounds, topics=spec.topics, seed=spec.seed)


async def deps_for(settings: Settings, spec: DebateSpec) -> SummitDeps:
    # building the retrieval index the first time is slow, blocking work: keep it off the event loop
    return await asyncio.to_thread(make_deps, settings, _options(spec), spec.human_seats())


class Memory:
    def __init__(self, settings: Settings, store: DebateRecords, graph: Any, leases: Leases, cap: LiveDebates) -> None:
        self.settings, self._store, self._graph, self._leases, self.cap = settings, store, graph, leases, cap
        self.live: dict[str, LiveDebate] = {}

    def hold(self, live: LiveDebate) -> None:
        """Keep a debate just created (its place under the live-debate cap is already taken)."""
        self.live[live.debate.id] = live

    async def get(self, debate_id: str, fresh: bool = True) -> LiveDebate:
        """The debate, from memory or storage; `fresh` re-reads one another replica may be moving on."""
        live = self.live.get(debate_id)
        if live is not None:
            live.touched = time.monotonic()
            if fresh and self._leases.shared and not live.driving():
                await self.refresh(live)
            return live
        debate = self._store.get(debate_id)
        deps = await deps_for(self.settings, debate.spec)
        values, damage = await self._stored_values(debate)
        loaded = LiveDebate(debate, deps, _turns(values), values, damage=damage)
        if debate.status == Status.ended or damage is not None:
            return loaded  # read from storage for this request; it does not stay in memory
        live = self.live.get(debate_id)
        if live is None:
            live = self.live[debate_id] = loaded
            await self.cap.track(debate.owner, debate_id)
        return live

    async def _stored_values(self, debate: Debate) -> tuple[dict[str, Any], str | None]:
        """The values of a debate's checkpoint, or why it cannot be read (a debate never started has none)."""
        try:
            state = await self._graph.aget_state(thread(debate.id))
        except Exception as error:  # a damaged row fails in the checkpointer's deserialiser: any exception type
            if isinstance(error, sqlite3.OperationalError) and ("locked" in str(error) or "busy" in str(error)):
                raise StorageError(f"the checkpoints of debate {debate.id} are busy; try again in a moment") from None
            detail = str(error).splitlines()[0][:120] if str(error) else ""
            reason = f"its checkpoint cannot be read ({type(error).__name__}: {detail})"
        else:
            if state.created_at is not None or debate.status == Status.created:
                return state.values or {}, None
            reason = f"its checkpoint is missing from {self.settings.checkpoints_file}"
        log.error("debate %s is damaged: %s", debate.id, reason)
        return {}, reason

    async def refresh(self, live: LiveDebate) -> None:
        """Another replica may have moved the debate on: read its record and state from shared storage."""
        live.debate = self._store.get(live.debate.id)
        live.values = (await self._graph.aget_state(thread(live.debate.id))).values or {}
        live.turns = _turns(live.values)

    @asynccontextmanager
    async def locked(self, live: LiveDebate) -> AsyncIterator[None]:
        """One state change of a debate at a time: in this process, and across replicas when there are several."""
        async with live.lock, self._leases.mutex(live.debate.id):
            if self._leases.shared and not live.driving():
                await self.refresh(live)
            yield

    async def evict(self, live: LiveDebate) -> None:
        """Let go of a debate: it stays in storage, and `get` reads it back when it is asked for."""
        if self.live.get(live.debate.id) is live:
            del self.live[live.debate.id]
            await self.cap.release(live.debate.id, ended=live.debate.status == Status.ended)

    async def sweep(self) -> None:
        """Evict debates nobody has touched for `idle_s` that are neither running nor timing a silent seat."""
        cutoff = time.monotonic() - self.settings.idle_s
        for live in [v for v in self.live.values() if v.touched < cutoff and v.idle()]:
            await self.evict(live)


def _turns(values: dict[str, Any]) -> list[Turn]:
    return [public(t) for t in values.get("history", History()).turns]
