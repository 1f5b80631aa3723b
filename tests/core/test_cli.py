"""The `deliberation` command line: listings, runs, and a user error as one stderr line with exit code 2."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from deliberation.cli import main
from deliberation.config import get_settings
from deliberation.transcript import RunStarted
from tests.factories import MINI, REPO, copy_mini

PERSONAS = REPO / "personas"
Run = Callable[..., tuple[int, str, str]]


@pytest.fixture
def use_dirs(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Callable[[Path], None]]:
    """Point the settings at a scenarios folder, a private data dir and lexical retrieval (fast to index)."""

    def use(scenarios: Path) -> None:
        monkeypatch.setenv("DELIBERATION_SCENARIOS_DIR", str(scenarios))
        monkeypatch.setenv("DELIBERATION_DATA_DIR", str(tmp_path / "data"))
        monkeypatch.setenv("DELIBERATION_EMBEDDING", "lexical")
        get_settings.cache_clear()

    use(PERSONAS)
    yield use
    get_settings.cache_clear()


@pytest.fixture
def run(use_dirs: Callable[[Path], None], capsys: pytest.CaptureFixture[str]) -> Run:
    """`main(argv)` -> (exit code, stdout, stderr); argparse's own errors exit through SystemExit."""

    def call(*argv: str) -> tuple[int, str, str]:
        try:
            code = main(list(argv))
        except SystemExit as stop:
            code = int(stop.code or 0)
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return call


def _one_error_line(err: str, *names: str) -> str:
    lines = err.strip().splitlines()
    assert "Traceback" not in err
    assert len(lines) == 1, err
    assert all(name in lines[0] for name in names), lines[0]
    return lines[0]


def test_scenarios_lists_each_scenario_with_its_personas(run: Run) -> None:
    code, out, _ = run("scenarios")
    assert code == 0
    assert out.splitlines()[0].startswith("afghanistan: ")
    listed = {line.split()[0] for line in out.splitlines()[1:]}
    assert listed == {"mediator", "kabul", "taliban", "us"}


def test_scenarios_in_an_empty_folder_says_where_it_looked(run: Run, use_dirs: Callable[[Path], None], tmp_path: Path) -> None:
    use_dirs(tmp_path / "nothing-here")
    code, _, err = run("scenarios")
    assert code == 2
    _one_error_line(err, "nothing-here", "DELIBERATION_SCENARIOS_DIR")


@pytest.mark.parametrize(
    ("argv", "names"),
    [
        (["--scenario", "atlantis"], ["atlantis"]),
        (["--model", "nosuchprovider/x"], ["nosuchprovider/x"]),
        (["--persona-model", "ghost=offline/extractive"], ["ghost"]),
        (["--persona-model", "kabul"], ["--persona-model"]),
        (["--topics", "nosuch"], ["nosuch"]),
        (["--rounds", "-1"], ["--rounds"]),
        (["--runs", "0"], ["--runs"]),
        (["--runs", "2", "--concurrency", "0"], ["--concurrency"]),
        (["--resume", "no-such-run"], ["no-such-run"]),
    ],
)
def test_a_bad_summit_request_exits_2_with_one_line(run: Run, tmp_path: Path, argv: list[str], names: list[str]) -> None:
    code, _, err = run("summit", "--out", str(tmp_path / "runs"), *argv)
    assert code == 2
    if err.startswith("usage:"):  # argparse's own errors lead with the usage lines
        err = err[err.index("deliberation: error:") :]
    _one_error_line(err, *names)
    assert not (tmp_path / "runs").exists() or not any((tmp_path / "runs").iterdir())


def test_a_malformed_persona_file_is_named(run: Run, use_dirs: Callable[[Path], None], tmp_path: Path) -> None:
    use_dirs(copy_mini(tmp_path / "scenarios", edit={"positions": "not a list"}))
    code, _, err = run("summit", "--scenario", "mini", "--out", str(tmp_path / "runs"))
    assert code == 2
    _one_error_line(err, "council.yaml", "positions")


def test_out_must_be_a_folder(run: Run, tmp_path: Path) -> None:
    (tmp_path / "runs").write_text("not a folder", encoding="utf-8")
    code, _, err = run("summit", "--rounds", "0", "--out", str(tmp_path / "runs"))
    assert code == 2
    _one_error_line(err, "--out", "runs")


def test_resume_without_a_checkpoint_names_the_data_dir(run: Run, tmp_path: Path) -> None:
    out = tmp_path / "runs"
    out.mkdir()
    started = RunStarted(
        run_id="lost", scenario="afghanistan", scenario_sha256="-", models={}, files={}, seed=0, rounds=0, started_at="-"
    )
    (out / "lost.jsonl").write_text(started.model_dump_json() + "\n", encoding="utf-8")
    code, _, err = run("summit", "--resume", "lost", "--out", str(out))
    assert code == 2
    _one_error_line(err, "lost", str(tmp_path / "data"))


def test_a_summit_writes_its_transcript_and_markdown(run: Run, use_dirs: Callable[[Path], None], tmp_path: Path) -> None:
    use_dirs(MINI.parent)
    code, out, err = run("summit", "--scenario", "mini", "--rounds", "1", "--out", str(tmp_path / "runs"))
    assert code == 0, err
    jsonl, markdown = sorted((tmp_path / "runs").glob("*.jsonl")), sorted((tmp_path / "runs").glob("*.md"))
    assert len(jsonl) == len(markdown) == 1
    assert str(jsonl[0]) in out and "0 failed" in out
    assert f"--resume {jsonl[0].stem}" in err


def test_a_batch_writes_one_transcript_per_run(run: Run, use_dirs: Callable[[Path], None], tmp_path: Path) -> None:
    use_dirs(MINI.parent)
    argv = ["--scenario", "mini", "--rounds", "1", "--runs", "3", "--concurrency", "2", "--seed", "4"]
    code, out, err = run("summit", *argv, "--out", str(tmp_path / "runs"))
    assert code == 0, err
    written = sorted((tmp_path / "runs").glob("*.jsonl"))
    assert len(written) == 3 and len(list((tmp_path / "runs").glob("*.md"))) == 3
    assert {path.stem.split("-")[1] for path in written} == {"s4", "s5", "s6"}
    assert all(str(path) in out for path in written)


def test_python_m_deliberation_reports_a_user_error_without_traceback(tmp_path: Path) -> None:
    env = {**os.environ, "DELIBERATION_DATA_DIR": str(tmp_path / "data"), "DELIBERATION_SCENARIOS_DIR": str(PERSONAS)}
    done = subprocess.run(
        [sys.executable, "-m", "deliberation", "summit", "--scenario", "atlantis", "--out", str(tmp_path / "runs")],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
    )
    assert done.returncode == 2
    _one_error_line(done.stderr, "atlantis")
    assert done.stdout == ""


def test_a_reader_that_closes_the_pipe_gets_no_traceback(tmp_path: Path) -> None:
    """`deliberation ... | head`: the reader goes away before the output is written."""
    env = {**os.environ, "DELIBERATION_DATA_DIR": str(tmp_path / "data")}
    command = subprocess.Popen([sys.executable, "-m", "deliberation", "scenarios"], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, env=env, cwd=tmp_path)  # fmt: skip
    assert command.stdout is not None and command.stderr is not None
    command.stdout.close()
    errors = command.stderr.read().decode()
    assert command.wait(timeout=120) == 141
    assert "Traceback" not in errors
