"""The debate service, opened at its first use rather than at startup.

The page and the scenario list need neither langgraph nor litellm, so `deliberation serve` listens before
those are imported. A data dir with debates still running or waiting opens the service at startup, so
that they drive on after a restart without waiting for a request.
"""

from __future__ import annotations

import asyncio
from contextlib import AsyncExitStack
from typing import TYPE_CHECKING

from deliberation.config import Settings
from deliberation.debate_store import DebateStore
from deliberation.debate_types import Status

if TYPE_CHECKING:
    from deliberation.debates import DebateService

STORE_FILE = "debates.sqlite"


def has_debates_to_recover(settings: Settings) -> bool:
    path = settings.data_dir / STORE_FILE
    if not path.is_file():
        return False
    store = DebateStore(path)
    try:
        return bool(store.with_status(Status.running, Status.waiting))
    finally:
        store.close()


class ServiceSlot:
    """Holds the one `DebateService` of an app; `get()` opens it once, `close()` (at shutdown) closes it."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._stack = AsyncExitStack()
        self._lock = asyncio.Lock()
        self._service: DebateService | None = None

    async def get(self) -> DebateService:
        async with self._lock:
            if self._service is None:
                from deliberation.debates import open_service

                self._service = await self._stack.enter_async_context(open_service(self._settings))
            return self._service

    async def close(self) -> None:
        await self._stack.aclose()
        self._service = None
