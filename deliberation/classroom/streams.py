"""A viewer's live stream of a debate: the turns it may see after a given one, then each new turn and state change."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable

from deliberation.classroom.events import EventBus
from deliberation.classroom.live import LiveDebate
from deliberation.classroom.records import DebateView, Status, Viewer
from deliberation.turns import Turn

Event = Turn | DebateView
"""What a viewer's stream yields: each new turn it may see, and the state of the talks whenever it changes."""

View = Callable[[LiveDebate], Awaitable[DebateView]]
"""The viewer's view of a debate."""
Load = Callable[[], Awaitable[LiveDebate]]
"""The debate read again (on a state change another replica may have made)."""


async def stream(bus: EventBus, live: LiveDebate, viewer: Viewer, after: int, view: View, load: Load) -> AsyncIterator[Event]:
    # before reading the backlog, so nothing falls between the two
    queue = await bus.subscribe(viewer.debate_id, live.turns[-1].turn if live.turns else 0)
    live.subscribers.add(queue)
    try:
        backlog = [t for t in live.turns if t.turn > after]
        sent = backlog[-1].turn if backlog else after
        for turn in backlog:
            if viewer.sees(turn):
                yield turn
        yield await view(live)
        # the stream ends with the `ended` status item: on a shared bus it may arrive after the stored status changed
        ended = live.debate.status == Status.ended
        while not ended:
            item = await queue.get()
            if isinstance(item, Turn):
                if item.turn > sent and viewer.sees(item):
                    yield item
                sent = max(sent, item.turn)
            else:
                yield await view(await load())
                ended = item == Status.ended
    finally:
        live.subscribers.discard(queue)
        await queue.close()
