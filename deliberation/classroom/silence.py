"""The silence clock of a waiting human seat: when it runs out, the seat's silence policy applies.

In one process the clock is a task. With several replicas the deadline is stored with the debate and whichever
replica's sweep finds it passed applies it (`takeover`), so here the clock only remembers when it started.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from deliberation.classroom.live import LiveDebate

Fire = Callable[[LiveDebate, int], Awaitable[None]]
"""Called with the debate and how many turns it had when the clock started."""


class SilenceClock:
    def __init__(self, shared: bool) -> None:
        self._shared = shared

    def arm(self, live: LiveDebate, fire: Fire) -> None:
        self.disarm(live)
        live.silence_started = asyncio.get_running_loop().time()
        if not self._shared:
            live.silence = asyncio.create_task(self._run(live, len(live.turns), fire))

    @staticmethod
    def disarm(live: LiveDebate) -> None:
        if live.silence is not None and live.silence is not asyncio.current_task():
            live.silence.cancel()
        live.silence, live.silence_started = None, None

    @staticmethod
    async def _run(live: LiveDebate, turns: int, fire: Fire) -> None:
        await asyncio.sleep(live.debate.spec.silence.after_s)
        await fire(live, turns)

    @staticmethod
    def elapsed(live: LiveDebate) -> float | None:
        """Seconds since the clock started; None when it is not running in this process."""
        started = live.silence_started
        return None if started is None else asyncio.get_running_loop().time() - started
