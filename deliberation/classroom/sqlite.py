"""Debate records in SQLite under the data directory, beside the graph checkpoints."""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path

from pydantic import ValidationError

from deliberation.classroom.records import Debate, Status
from deliberation.errors import NotFound, StorageError
from deliberation.storage import set_aside, sqlite_problem

log = logging.getLogger(__name__)

_SCHEMA = "CREATE TABLE IF NOT EXISTS debates (id TEXT PRIMARY KEY, status TEXT NOT NULL, record TEXT NOT NULL)"


class DebateStore:
    """Small, synchronous writes: one row per debate, rewritten on every status change."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        problem = sqlite_problem(path)
        if problem is not None:  # the server starts; the operator finds the old file beside the new one
            set_aside(path, problem)
        self.path = path
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")  # as the checkpoints (runtime.checkpointer): no fsync on the event loop
        self._db.execute(_SCHEMA)

    def _record(self, debate_id: str, text: str) -> Debate | None:
        try:
            return Debate.model_validate_json(text)
        except ValidationError as error:
            log.error("%s: the record of debate %s is unreadable (%s)", self.path, debate_id, str(error).splitlines()[0])
            return None

    def save(self, debate: Debate) -> None:
        self._db.execute(
            "INSERT INTO debates (id, status, record) VALUES (?, ?, ?) "
            "ON CONFLICT(id) DO UPDATE SET status = excluded.status, record = excluded.record",
            (debate.id, debate.status.value, debate.model_dump_json()),
        )

    def get(self, debate_id: str) -> Debate:
        row = self._db.execute("SELECT record FROM debates WHERE id = ?", (debate_id,)).fetchone()
        if row is None:
            raise NotFound(f"unknown debate {debate_id!r}: create one with POST /v1/debates")
        debate = self._record(debate_id, row[0])
        if debate is None:
            raise StorageError(f"the stored record of debate {debate_id} is unreadable; the server log has the details")
        return debate

    def with_status(self, *statuses: Status) -> list[Debate]:
        marks = ", ".join("?" for _ in statuses)
        rows = self._db.execute(f"SELECT id, record FROM debates WHERE status IN ({marks})", [s.value for s in statuses])
        return [d for d in (self._record(r[0], r[1]) for r in rows) if d is not None]

    def close(self) -> None:
        self._db.close()
