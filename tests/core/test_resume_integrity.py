"""Finding 5: `summit --resume` checks the transcript against the checkpoint before it goes on.

A truncated last line is repaired from the checkpoint; a gap is refused, naming the missing turns; every
storage error is one line and exit 2.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from deliberation.cli import main
from deliberation.config import get_settings
from deliberation.summit import SummitOptions, run_summit
from deliberation.transcript import RunFinished, read_events, turns_of
from deliberation.turns import Turn
from tests.factories import REPO

RUN = "cut-run"
STOP_AFTER = 6


class _Stop(Exception):
    pass


def _stop_after(turn: Turn) -> None:
    if turn.turn == STOP_AFTER:
        raise _Stop


@pytest.fixture
def interrupted(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Path]:
    """A run stopped after turn 6 (CLI settings over a private data dir); yields its transcript."""
    monkeypatch.setenv("DELIBERATION_SCENARIOS_DIR", str(REPO / "personas"))
    monkeypatch.setenv("DELIBERATION_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("DELIBERATION_EMBEDDING", "lexical")
    get_settings.cache_clear()
    import asyncio

    with pytest.raises(_Stop):
        asyncio.run(run_summit(get_settings(), SummitOptions(rounds=1), tmp_path / "runs", on_turn=_stop_after, run_id=RUN))
    yield tmp_path / "runs" / f"{RUN}.jsonl"
    get_settings.cache_clear()


def resume(path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(["summit", "--resume", RUN, "--out", str(path.parent)])
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return code, err.strip()


def lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines(keepends=True)


def test_a_gap_is_refused_naming_the_missing_turns(interrupted: Path, capsys: pytest.CaptureFixture[str]) -> None:
    kept = lines(interrupted)
    del kept[3]  # the run_started line, then turns 1, 2, 3...: this drops turn 3
    interrupted.write_text("".join(kept), encoding="utf-8")
    code, err = resume(interrupted, capsys)
    assert code == 2 and len(err.splitlines()) == 1
    assert "missing" in err and "3" in err and RUN in err
    assert "".join(lines(interrupted)) == "".join(kept), "nothing written to a transcript that was refused"


def test_a_truncated_last_line_is_repaired_from_the_checkpoint(interrupted: Path, capsys: pytest.CaptureFixture[str]) -> None:
    kept = lines(interrupted)
    interrupted.write_text("".join(kept[:-1]) + kept[-1][: len(kept[-1]) // 2], encoding="utf-8")
    code, err = resume(interrupted, capsys)
    assert code == 0, err
    events = read_events(interrupted)
    numbers = [t.turn for t in turns_of(events)]
    assert numbers == list(range(1, len(numbers) + 1)) and isinstance(events[-1], RunFinished)
    assert json.loads(kept[-1])["content"] == turns_of(events)[STOP_AFTER - 1].content
    assert "repaired" in err


def test_turns_the_checkpoint_does_not_hold_are_refused(interrupted: Path, capsys: pytest.CaptureFixture[str]) -> None:
    extra = json.loads(lines(interrupted)[-1])
    extra["turn"] = STOP_AFTER + 5
    with interrupted.open("a", encoding="utf-8") as handle:
        handle.write(json.dumps(extra) + "\n")
    code, err = resume(interrupted, capsys)
    assert code == 2 and len(err.splitlines()) == 1 and "checkpoint" in err


@pytest.mark.parametrize("content", [b"garbage" * 500, b"SQLite format 3\x00" + b"\xff" * 200])
def test_a_garbage_checkpoint_is_one_line(interrupted: Path, capsys: pytest.CaptureFixture[str], content: bytes) -> None:
    data = Path(get_settings().data_dir)
    for suffix in ("-wal", "-shm"):
        (data / f"checkpoints.sqlite{suffix}").unlink(missing_ok=True)
    (data / "checkpoints.sqlite").write_bytes(content)
    code, err = resume(interrupted, capsys)
    assert code == 2 and len(err.splitlines()) == 1 and "checkpoints.sqlite" in err


def test_an_unwritable_out_is_one_line(interrupted: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Tests run as root, which writes through permission bits: a folder in the way and /proc stand in for a read-only disk."""
    blocked = interrupted.with_suffix(".md")
    blocked.mkdir()
    code, err = resume(interrupted, capsys)
    assert code == 2 and len(err.splitlines()) == 1 and str(blocked) in err
    fresh = main(["summit", "--rounds", "0", "--out", "/proc/self/no-such-folder/runs"])
    fresh_err = capsys.readouterr().err.strip()
    assert fresh == 2 and len(fresh_err.splitlines()) == 1 and "/proc/self/no-such-folder/runs" in fresh_err
    assert "Traceback" not in fresh_err
