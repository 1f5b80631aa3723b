"""Driving a debate's graph: launch it, stop it (after the turn in flight, or at once), store each status change.

Each new turn goes to the event bus as it is checkpointed; each status change is stored, then published. A running
debate holds its driver lease until its task ends, so a running debate without a lease is one whose driver died.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from typing import Any

from langgraph.types import Command

from deliberation.classroom.events import EventBus
from deliberation.classroom.leases import Leases, StopAction
from deliberation.classroom.live import LiveDebate, thread
from deliberation.classroom.memory import Memory
from deliberation.classroom.records import Status
from deliberation.classroom.silence import SilenceClock
from deliberation.classroom.store import DebateRecords
from deliberation.classroom.views import public
from deliberation.errors import Conflict
from deliberation.runtime import drive
from deliberation.turns import Turn

log = logging.getLogger(__name__)

LEASE_WAIT_S = 2.0
"""How long a launch waits for another replica's driver to let go of a debate it has just stopped driving."""


class _Stop(Exception):
    """Raised from the turn callback so driving stops after the turn that just finished."""


class Runner:
    def __init__(self, store: DebateRecords, graph: Any, bus: EventBus, leases: Leases, memory: Memory) -> None:
        self._store, self._graph, self._bus, self._leases, self._memory = store, graph, bus, leases, memory
        self.silence = SilenceClock(leases.shared)

    def launch(self, live: LiveDebate, graph_input: Any) -> None:
        """Drive the graph on in a task; pending teacher input joins any input that is not a seat's answer."""
        pending = live.debate.pending
        if pending and not isinstance(graph_input, Command):
            graph_input = {**(graph_input or {}), **pending}
            live.debate.pending = {}
            self._store.save(live.debate)
        live.task = asyncio.create_task(self._drive(live, graph_input), name=f"debate-{live.debate.id}")

    async def set_status(self, live: LiveDebate, status: Status, announce: bool = True) -> None:
        """Store the status, then (`announce`) tell the viewers; a driver announces only once its lease is free."""
        if status == Status.running and not await self._lease(live.debate.id):
            raise Conflict(f"debate {live.debate.id} is being driven by another server; try again in a few seconds")
        live.debate.status = status
        waiting = status == Status.waiting
        live.debate.silence_deadline = time.time() + live.debate.spec.silence.after_s if waiting else None
        self._store.save(live.debate)
        if waiting:
            self.arm(live)
        if announce:
            await self._announce(live, status)

    async def _lease(self, debate_id: str) -> bool:
        """The driver lease. A driver that has just stopped (for a seat, say) lets it go a moment after storing its
        status: a post that reaches another replica in that moment waits for it rather than being refused."""
        deadline = time.monotonic() + LEASE_WAIT_S
        while not await self._leases.acquire(debate_id):
            if time.monotonic() >= deadline:
                return False
            await asyncio.sleep(0.05)
        return True

    async def _announce(self, live: LiveDebate, status: Status) -> None:
        self._bus.publish(live.debate.id, status)
        if status == Status.ended:
            await self._memory.evict(live)

    async def run(self, live: LiveDebate, graph_input: Any) -> None:
        """Set the debate running and launch it."""
        await self.set_status(live, Status.running)
        self.launch(live, graph_input)

    async def apply_silence(self, live: LiveDebate) -> None:
        """The waiting seat stayed silent: its policy (a stand-in, or a skip) is the graph's answer."""
        await self.run(live, Command(resume={"action": live.debate.spec.silence.action}))

    async def halt(self, live: LiveDebate) -> None:
        """Stop driving after the current turn (a turn in flight is finished and recorded, never cut)."""
        self.silence.disarm(live)
        task = live.task
        if task is None or task.done():
            if self._leases.shared:  # another replica may be driving: stop it, then read what it recorded
                await self._leases.stop_driver(live.debate.id, "halt")
                await self._memory.refresh(live)
            return
        live.stop = True
        try:
            await asyncio.shield(task)
        finally:
            live.stop = False

    async def cancel(self, live: LiveDebate) -> None:
        """Stop driving now: no turn follows, so one cut short is simply never recorded."""
        self.silence.disarm(live)
        if self._leases.shared and not live.driving():  # another replica may be driving
            await self._leases.stop_driver(live.debate.id, "cancel")
            await self._memory.refresh(live)
        await self.abort(live)

    @staticmethod
    async def abort(live: LiveDebate) -> None:
        if live.task is not None and not live.task.done():
            live.task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await live.task

    def signal(self, live: LiveDebate, action: StopAction) -> None:
        """Another replica asks this one to stop driving: after the turn in flight (halt) or at once (cancel)."""
        if action == "halt":
            live.stop = True
        elif live.task is not None:
            live.task.cancel()

    def arm(self, live: LiveDebate) -> None:
        """Start the waiting seat's silence clock."""
        self.silence.arm(live, self._on_silence)

    async def _on_silence(self, live: LiveDebate, turns: int) -> None:
        async with self._memory.locked(live):
            if live.debate.status == Status.waiting and len(live.turns) == turns:
                live.silence = None
                await self.apply_silence(live)

    def _on_turn(self, live: LiveDebate, turn: Turn) -> None:
        if live.turns and turn.turn <= live.turns[-1].turn:
            return  # a resumed graph may replay a turn that was already published
        if turn.error and not turn.human:
            log.warning("debate %s, turn %d (%s): %s", live.debate.id, turn.turn, turn.speaker, turn.error)
        turn = public(turn)
        live.turns.append(turn)
        self._bus.publish(live.debate.id, turn)
        if live.stop:
            raise _Stop

    async def _drive(self, live: LiveDebate, graph_input: Any) -> None:
        stopped_at: Status | None = None
        try:
            stopped_at = await self._run_graph(live, graph_input)
        finally:  # after the status is stored: a running debate without a lease is one whose driver died
            live.stop = False
            # this driver's turns reach the shared stream before the next driver's: a later turn there drops earlier ones
            await self._bus.flush()
            await self._leases.release(live.debate.id)
        if stopped_at is not None:
            # Only now: a seat told it is its turn may post to any replica, which must be able to take the lease.
            await self._announce(live, stopped_at)

    async def _run_graph(self, live: LiveDebate, graph_input: Any) -> Status | None:
        """Drive the graph on; the status it stopped at (stored, not yet announced), or None if stopped otherwise."""
        try:
            done = await drive(
                self._graph, graph_input, thread(live.debate.id), live.deps,
                on_turn=lambda t: self._on_turn(live, t), on_state=lambda v: setattr(live, "values", v),
            )  # fmt: skip
        except _Stop:
            return None  # whoever stopped the run sets the status
        except Exception:  # a background task has no caller to raise to: log it and let the teacher resume
            log.exception("debate %s stopped on an error", live.debate.id)
            await self.set_status(live, Status.paused, announce=False)
            return Status.paused
        if live.stop:
            return None
        status = Status.ended if done else Status.waiting
        await self.set_status(live, status, announce=False)
        return status
