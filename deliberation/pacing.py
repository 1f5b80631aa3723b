"""The CPU between a process's debates: at most `SHARE` of them advance their talks at once.

With every debate's graph stepping at once, the event loop's queue holds all of them, and a student's post or a
view waits behind the whole queue (a p95 of seconds with 50 debates on two cores). A debate advances while it
holds a share; a step that answers a seat's post goes before the AI's (`urgent`), and a step that waits on
another machine (a provider's reply) gives its share up meanwhile, so a slow provider never holds back the rest.
"""

from __future__ import annotations

import asyncio
import weakref
from collections import deque
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

SHARE = 2
"""Debates advancing at once: one can encode its retrieval query (NumPy, off the GIL) while another runs Python."""


@dataclass
class _Gate:
    """A semaphore whose urgent waiters go first; a released share passes straight to the next waiter."""

    free: int = SHARE
    queues: tuple[deque[asyncio.Future[None]], deque[asyncio.Future[None]]] = field(
        default_factory=lambda: (deque(), deque())
    )

    async def acquire(self, urgent: bool) -> None:
        if self.free and not any(self.queues):
            self.free -= 1
            return
        turn = asyncio.get_running_loop().create_future()
        self.queues[0 if urgent else 1].append(turn)
        try:
            await turn
        except asyncio.CancelledError:
            if turn.done() and not turn.cancelled():
                self.release()  # handed a share as it was cancelled: pass it on
            raise

    def release(self) -> None:
        for queue in self.queues:
            while queue:
                turn = queue.popleft()
                if not turn.done():
                    turn.set_result(None)
                    return
        self.free += 1


@dataclass
class _Hold:
    gate: _Gate
    held: bool = True


_GATES: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _Gate] = weakref.WeakKeyDictionary()
_HOLD: ContextVar[_Hold | None] = ContextVar("deliberation_pacing_hold", default=None)


def _gate() -> _Gate:
    loop = asyncio.get_running_loop()
    gate = _GATES.get(loop)
    if gate is None:
        gate = _GATES[loop] = _Gate()
    return gate


@asynccontextmanager
async def advancing(urgent: bool = False) -> AsyncIterator[None]:
    """A debate's talks moving on (the graph's nodes run inside, in tasks that carry the share with them)."""
    gate = _gate()
    await gate.acquire(urgent)
    hold = _Hold(gate)
    token = _HOLD.set(hold)
    try:
        yield
    finally:
        _HOLD.reset(token)
        if hold.held:
            gate.release()


@asynccontextmanager
async def waiting() -> AsyncIterator[None]:
    """A wait on another machine while advancing: the share goes to another debate until the reply is in."""
    hold = _HOLD.get()
    if hold is None or not hold.held:
        yield
        return
    hold.gate.release()
    hold.held = False
    try:
        yield
    finally:
        await hold.gate.acquire(urgent=False)  # cancelled here, it is not held, and `advancing` releases nothing
        hold.held = True
