"""Debate records in SQLite under the data directory, beside the graph checkpoints."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from deliberation.debate_types import Debate, Status
from deliberation.errors import NotFound

_SCHEMA = "CREATE TABLE IF NOT EXISTS debates (id TEXT PRIMARY KEY, status TEXT NOT NULL, record TEXT NOT NULL)"


class DebateStore:
    """Small, synchronous writes: one row per debate, rewritten on every status change."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute(_SCHEMA)

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
        return Debate.model_validate_json(row[0])

    def with_status(self, *statuses: Status) -> list[Debate]:
        marks = ", ".join("?" for _ in statuses)
        rows = self._db.execute(f"SELECT record FROM debates WHERE status IN ({marks})", [s.value for s in statuses])
        return [Debate.model_validate_json(r[0]) for r in rows]

    def close(self) -> None:
        self._db.close()
