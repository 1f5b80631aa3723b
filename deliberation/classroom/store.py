"""What the debate service needs of a store of debate records; SQLite (embedded) and Postgres (scaled) provide it."""

from __future__ import annotations

from typing import Protocol

from deliberation.debate_types import Debate, Status


class DebateRecords(Protocol):
    def save(self, debate: Debate) -> None: ...

    def get(self, debate_id: str) -> Debate:
        """The record, or `NotFound`."""
        ...

    def with_status(self, *statuses: Status) -> list[Debate]: ...

    def close(self) -> None: ...
