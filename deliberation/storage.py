"""Checks of the SQLite files under the data directory, so that a damaged file is named, never a traceback."""

from __future__ import annotations

import logging
import sqlite3
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path

log = logging.getLogger(__name__)

_SIDECARS = ("-wal", "-shm")


def sqlite_problem(path: Path) -> str | None:
    """What is wrong with the database at `path`, or None when it is readable (or absent: it will be created)."""
    if not path.exists():
        return None
    try:
        with closing(sqlite3.connect(path)) as db:
            rows = db.execute("PRAGMA quick_check").fetchall()
    except sqlite3.Error as error:
        return str(error)
    found = [str(row[0]) for row in rows]
    return None if found == ["ok"] else "; ".join(found[:2])


def set_aside(path: Path, problem: str) -> Path:
    """Move an unreadable database (and its journal files) aside, so a fresh one can take its place."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
    kept = path.with_name(f"{path.name}.corrupt-{stamp}")
    path.rename(kept)
    for suffix in _SIDECARS:
        sidecar = path.with_name(path.name + suffix)
        if sidecar.exists():
            sidecar.rename(kept.with_name(kept.name + suffix))
    log.error("%s is unreadable (%s): moved it to %s and started a fresh one", path, problem, kept)
    return kept


def usable(path: Path) -> None:
    """For a long-running server: set an unreadable database aside rather than refuse to start."""
    problem = sqlite_problem(path)
    if problem is not None:
        set_aside(path, problem)
