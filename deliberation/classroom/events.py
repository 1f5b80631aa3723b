"""How a debate's events (each new turn, each status change) reach its viewers: a bus, per debate, in order.

In one process a bus is a set of queues (`LocalBus`); across replicas it is a Redis stream (`redis_bus.RedisBus`).
A subscription sees what is published after it was opened, so a viewer subscribes first and then reads the backlog;
a shared bus also replays what followed the backlog's last turn, which another replica may have published already.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from typing import Protocol

from deliberation.debate_types import Status
from deliberation.turns import Turn

Item = Turn | Status


class Subscription(Protocol):
    async def get(self) -> Item:
        """The next item, waiting for it."""
        ...

    def empty(self) -> bool:
        """Nothing already received is left to get."""
        ...

    async def close(self) -> None: ...


class EventBus(Protocol):
    def publish(self, debate_id: str, item: Item) -> None:
        """Queue an item; items of a debate are delivered in the order published.

        A shared bus drops a turn whose number was already published, so a replica taking a debate over may
        publish its checkpoint's turns again. The in-process bus has no other publisher to race with."""

    async def subscribe(self, debate_id: str, after: int = 0) -> Subscription:
        """What is published from now on; a shared bus also replays what came after turn `after` (the reader's backlog)."""
        ...

    async def flush(self) -> None:
        """Wait until every item published so far has been delivered to the bus."""

    async def close(self) -> None: ...


class _QueueSubscription:
    def __init__(self, bus: LocalBus, debate_id: str) -> None:
        self.queue: asyncio.Queue[Item] = asyncio.Queue()
        self._bus, self._debate_id = bus, debate_id

    async def get(self) -> Item:
        return await self.queue.get()

    def empty(self) -> bool:
        return self.queue.empty()

    async def close(self) -> None:
        self._bus.subscribers[self._debate_id].discard(self)
        if not self._bus.subscribers[self._debate_id]:
            del self._bus.subscribers[self._debate_id]


class LocalBus:
    """In-process fan-out: every subscriber of a debate gets each item put on its queue at once."""

    def __init__(self) -> None:
        self.subscribers: defaultdict[str, set[_QueueSubscription]] = defaultdict(set)

    def publish(self, debate_id: str, item: Item) -> None:
        for subscription in self.subscribers.get(debate_id, ()):
            subscription.queue.put_nowait(item)

    async def subscribe(self, debate_id: str, after: int = 0) -> Subscription:
        subscription = _QueueSubscription(self, debate_id)
        self.subscribers[debate_id].add(subscription)
        return subscription

    async def flush(self) -> None:
        return None

    async def close(self) -> None:
        return None
