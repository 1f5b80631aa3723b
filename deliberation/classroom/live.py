"""A debate held in memory by this process: its record, its turns so far, its driving task, its open streams."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from typing import Any

from langchain_core.runnables import RunnableConfig

from deliberation.classroom.events import Subscription
from deliberation.classroom.records import Debate
from deliberation.runtime import SummitDeps
from deliberation.turns import Turn


@dataclass
class LiveDebate:
    debate: Debate
    deps: SummitDeps
    turns: list[Turn]
    values: dict[str, Any] = field(default_factory=dict)
    """The talks' state at the latest step this process saw (its checkpoint's values): views read it here,
    not from the checkpointer, so a view never queues behind the debates' checkpoint writes."""
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    subscribers: set[Subscription] = field(default_factory=set)
    """The event streams open on this debate in this process; filtering is per viewer, on the way out."""
    task: asyncio.Task[None] | None = None
    silence: asyncio.Task[None] | None = None
    silence_started: float | None = None
    """Event-loop time the waiting seat's silence clock started."""
    stop: bool = False
    touched: float = field(default_factory=time.monotonic)
    damage: str | None = None
    """Why the debate cannot go on (its checkpoint is missing or unreadable); None when it is whole."""

    def driving(self) -> bool:
        """This process runs the debate's graph right now."""
        return self.task is not None and not self.task.done()

    def idle(self) -> bool:
        return not self.driving() and self.silence is None and not self.subscribers and not self.lock.locked()


def thread(debate_id: str) -> RunnableConfig:
    """The checkpointer thread that holds a debate's talks."""
    return {"configurable": {"thread_id": f"debate-{debate_id}"}}


def cursor(live: LiveDebate) -> int:
    """The next step of the plan: a teacher's pending redirect wins over the checkpoint's."""
    return int(live.debate.pending.get("cursor", live.values.get("cursor", 0)))
