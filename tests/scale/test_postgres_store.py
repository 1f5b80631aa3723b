"""Debate records and graph checkpoints in a real Postgres: migrations, the store, `summit --resume` on the same URL."""

from __future__ import annotations

import asyncio
from pathlib import Path

import psycopg
import pytest

from deliberation.classroom.postgres import PostgresDebateStore, migrate, migrations
from deliberation.cli import main
from deliberation.config import Settings, get_settings
from deliberation.debate_types import Debate, DebateSpec, Status
from deliberation.errors import NotFound
from deliberation.summit import SummitOptions, run_summit
from deliberation.transcript import RunFinished, read_events, turns_of
from deliberation.turns import Turn


def _debate(debate_id: str, status: Status = Status.created) -> Debate:
    return Debate(id=debate_id, spec=DebateSpec(seats={"kabul": "human"}), status=status, teacher_hash="t" * 64,
                  seat_hashes={"kabul": "k" * 64}, created_at="2026-01-01T00:00:00+00:00")


def test_migrations_apply_once_in_order(database_url: str) -> None:
    versions = [v for v, _ in migrations()]
    assert versions == sorted(versions) and versions[0] == "0001_debates"
    store = PostgresDebateStore(database_url)
    try:
        assert migrate(store._pool) == []  # a second replica starting finds them applied
        with psycopg.connect(database_url) as conn:
            assert [r[0] for r in conn.execute("SELECT version FROM deliberation_migrations ORDER BY version")] == versions
    finally:
        store.close()


def test_store_keeps_records_statuses_and_deadlines(database_url: str) -> None:
    store = PostgresDebateStore(database_url)
    try:
        waiting = _debate("a", Status.waiting)
        waiting.silence_deadline = 1234.5
        waiting.pending = {"news": ["a ceasefire"]}
        store.save(waiting)
        store.save(_debate("b", Status.ended))
        store.save(_debate("c", Status.created))
        assert store.get("a") == waiting
        waiting.status = Status.running
        store.save(waiting)
        assert [d.id for d in store.with_status(Status.running, Status.waiting)] == ["a"]
        with pytest.raises(NotFound, match="'nope'"):
            store.get("nope")
    finally:
        store.close()


async def test_summit_resume_reads_checkpoints_from_the_same_database(
    settings: Settings, database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shared = settings.model_copy(update={"embedding": "lexical", "database_url": database_url, "data_dir": tmp_path / "a"})
    whole = await run_summit(shared, SummitOptions(seed=3, rounds=1), tmp_path / "whole")

    class Stop(Exception):
        pass

    def stop_after(turn: Turn) -> None:
        if turn.turn == 5:
            raise Stop

    out = tmp_path / "cut"
    with pytest.raises(Stop):
        await run_summit(shared, SummitOptions(seed=3, rounds=1), out, on_turn=stop_after, run_id="cut-run")
    # another machine: a fresh data dir, the same database
    monkeypatch.setenv("DELIBERATION_DATABASE_URL", database_url)
    monkeypatch.setenv("DELIBERATION_DATA_DIR", str(tmp_path / "b"))
    monkeypatch.setenv("DELIBERATION_EMBEDDING", "lexical")
    get_settings.cache_clear()
    try:
        assert await asyncio.to_thread(main, ["summit", "--resume", "cut-run", "--out", str(out)]) == 0
    finally:
        get_settings.cache_clear()
    assert not (tmp_path / "b" / "checkpoints.sqlite").exists()
    events = read_events(out / "cut-run.jsonl")
    expected = turns_of(read_events(whole.jsonl))
    assert [t.turn for t in turns_of(events)] == list(range(1, len(expected) + 1))
    assert [t.content for t in turns_of(events)] == [t.content for t in expected]
    assert isinstance(events[-1], RunFinished)


def test_an_unreachable_database_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "r.jsonl").write_text('{"event": "run_started", "run_id": "r", "scenario": "afghanistan", "scenario_sha256": "x", '
                                      '"models": {"mediator": "offline/extractive"}, "files": {}, "seed": 0, "rounds": 1, "topics": null, "started_at": "now"}\n')
    monkeypatch.setenv("DELIBERATION_DATABASE_URL", "postgresql://someone:secret@127.0.0.1:1/none")
    monkeypatch.setenv("DELIBERATION_DATA_DIR", str(tmp_path))
    get_settings.cache_clear()
    try:
        code = main(["summit", "--resume", "r", "--out", str(tmp_path)])
    finally:
        get_settings.cache_clear()
    err = capsys.readouterr().err
    assert code == 2 and "cannot reach Postgres at 127.0.0.1:1/none (DELIBERATION_DATABASE_URL)" in err
    assert "secret" not in err and "Traceback" not in err
