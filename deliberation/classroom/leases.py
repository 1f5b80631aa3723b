"""Which replica drives a debate: a lease per debate, a mutex for its state changes, and a way to stop its driver.

In one process every lease is granted (`LocalLeases`): the debate's asyncio lock and its single task already
serialise everything. Across replicas (`redis_leases.RedisLeases`) a lease expires unless its holder renews it, so a
replica that dies loses its debates within seconds and another replica takes them over from their checkpoints.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable
from typing import Literal, Protocol

StopAction = Literal["halt", "cancel"]
"""halt: stop after the turn in flight; cancel: stop now, the turn in flight is never recorded."""

Signal = Callable[[str, StopAction], None]


class Leases(Protocol):
    shared: bool
    """True when other replicas drive debates too: then views are read from storage, not from this process."""

    def mutex(self, debate_id: str) -> contextlib.AbstractAsyncContextManager[None]:
        """Held while a replica changes a debate's state (a control, a post, a silence, a takeover)."""
        ...

    async def acquire(self, debate_id: str) -> bool:
        """Become the debate's driver (True), or find that another replica is (False). Kept until `release`."""
        ...

    async def release(self, debate_id: str) -> None: ...

    async def held(self, debate_id: str) -> bool:
        """Some replica (this one included) drives the debate."""
        ...

    async def stop_driver(self, debate_id: str, action: StopAction) -> None:
        """Ask whichever replica drives the debate to stop, and wait until it has let the lease go."""

    def on_signal(self, handler: Signal) -> None:
        """Called with (debate_id, action) when another replica asks this one to stop driving a debate."""

    async def close(self) -> None: ...


class LocalLeases:
    shared = False

    @contextlib.asynccontextmanager
    async def _nothing(self) -> AsyncIterator[None]:
        yield

    def mutex(self, debate_id: str) -> contextlib.AbstractAsyncContextManager[None]:
        return self._nothing()

    async def acquire(self, debate_id: str) -> bool:
        return True

    async def release(self, debate_id: str) -> None:
        return None

    async def held(self, debate_id: str) -> bool:
        return False

    async def stop_driver(self, debate_id: str, action: StopAction) -> None:
        return None

    def on_signal(self, handler: Signal) -> None:
        return None

    async def close(self) -> None:
        return None
