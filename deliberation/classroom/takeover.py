"""Debates outlive the process that drove them: recovery after a restart, takeover from a replica that died.

One process: at startup, running debates drive on from their checkpoints and waiting seats get a fresh clock.
Several replicas: a sweep on every replica finds running debates whose driver lease expired, and waiting debates
whose stored silence deadline passed, and drives them on; a replica asked to stop driving a debate does so.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time

from deliberation.classroom.events import EventBus
from deliberation.classroom.leases import Leases, StopAction
from deliberation.classroom.memory import Memory
from deliberation.classroom.records import Debate, Status
from deliberation.classroom.runner import Runner
from deliberation.classroom.store import DebateRecords
from deliberation.errors import DeliberationError

log = logging.getLogger(__name__)

SWEEP_S = 0.5
"""How often a replica looks for debates whose driver died and for silence deadlines that passed (shared mode)."""


def _silence_due(debate: Debate) -> bool:
    return debate.status == Status.waiting and (debate.silence_deadline or float("inf")) <= time.time()


class TakeOver:
    def __init__(self, store: DebateRecords, bus: EventBus, leases: Leases, memory: Memory, runner: Runner) -> None:
        self._store, self._bus, self._leases, self._memory, self._runner = store, bus, leases, memory, runner
        self._sweeper: asyncio.Task[None] | None = None
        leases.on_signal(self._on_signal)

    async def recover(self) -> None:
        """After a restart: running debates drive on from their checkpoints; waiting seats get a fresh clock."""
        if self._leases.shared:  # the sweep finds them, on this replica or another
            self._sweeper = asyncio.create_task(self._sweep_forever(), name="debate-sweep")
            return
        for debate in self._store.with_status(Status.running, Status.waiting):
            try:
                live = await self._memory.get(debate.id)
            except DeliberationError as error:  # one debate that cannot be loaded now must not stop the server
                log.error("debate %s was not resumed: %s", debate.id, error)
                continue
            if live.damage is not None:
                continue  # logged when loaded; shown as damaged to whoever opens it
            if debate.status == Status.running:
                self._runner.launch(live, None)
            else:
                self._runner.arm(live)

    async def close(self) -> None:
        if self._sweeper is not None:
            self._sweeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._sweeper

    def _on_signal(self, debate_id: str, action: StopAction) -> None:
        live = self._memory.live.get(debate_id)
        if live is not None and live.driving():
            self._runner.signal(live, action)

    async def _sweep_forever(self) -> None:
        while True:
            try:
                await self._sweep()
            except Exception:  # Postgres or Redis unreachable for a moment: the next sweep tries again
                log.exception("sweep for debates without a driver failed")
            await asyncio.sleep(SWEEP_S)

    async def _sweep(self) -> None:
        """Take over running debates nobody drives (their replica died) and apply silence deadlines that passed."""
        for debate in self._store.with_status(Status.running, Status.waiting):
            local = self._memory.live.get(debate.id)
            if local is not None and local.driving():
                continue
            if (debate.status == Status.running and not await self._leases.held(debate.id)) or _silence_due(debate):
                await self.take_over(debate.id)

    async def take_over(self, debate_id: str) -> None:
        live = await self._memory.get(debate_id)
        async with self._memory.locked(live):
            if live.driving():
                return  # a control or post here launched a driver since the sweep looked (the lease is already ours)
            debate = live.debate
            if debate.status == Status.running and await self._leases.acquire(debate_id):
                log.warning("debate %s had no driver: driving it on from its checkpoint (turn %d)", debate_id, len(live.turns))
                for turn in live.turns:  # events its last driver checkpointed but may not have published
                    self._bus.publish(debate_id, turn)
                self._runner.launch(live, None)
            elif _silence_due(debate):
                await self._runner.apply_silence(live)
