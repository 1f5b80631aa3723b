"""What a fresh `deliberation` process imports: light commands must not load the model, index or graph stacks.

A check of what is imported (python -X importtime), not of timings; bench/cli_start.py measures those.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.services import free_port, http_get

HEAVY = {"litellm", "chromadb", "langgraph", "numpy", "tokenizers", "onnxruntime", "torch"}


def _imported(importtime_stderr: str) -> set[str]:
    """Top-level package names from `-X importtime` lines: `import time: self | cumulative | <indent>name`."""
    return {
        line.rsplit("|", 1)[1].strip().split(".")[0]
        for line in importtime_stderr.splitlines()
        if line.startswith("import time:") and "|" in line
    }


def _env(tmp_path: Path) -> dict[str, str]:
    return {**os.environ, "DELIBERATION_DATA_DIR": str(tmp_path / "data"), "LITELLM_LOCAL_MODEL_COST_MAP": "True"}


def _run(tmp_path: Path, *argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "deliberation", *argv],
        capture_output=True,
        text=True,
        env=_env(tmp_path),
        cwd=tmp_path,
        timeout=120,
    )


def test_the_check_sees_a_heavy_import(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-X", "importtime", "-c", "import numpy"], capture_output=True, text=True, timeout=120)
    assert "numpy" in _imported(done.stderr)


@pytest.mark.parametrize("argv", [["--help"], ["scenarios"], ["eval", "--help"], ["summit", "--help"]])
def test_listing_commands_start_without_heavy_imports(tmp_path: Path, argv: list[str]) -> None:
    done = _run(tmp_path, *argv)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout
    assert not _imported(done.stderr) & HEAVY


# Deterministic scoring grounds clauses with MiniLM embeddings (numpy, tokenizers), and needs nothing else.
SCORING_NEEDS = {"numpy", "tokenizers"}


def test_deterministic_scoring_starts_without_heavy_imports(tmp_path: Path) -> None:
    utterances = tmp_path / "utterances.jsonl"
    utterances.write_text('{"id": "u1", "persona": "taliban", "text": "Foreign forces must leave first."}\n', encoding="utf-8")
    done = _run(tmp_path, "eval", "score", str(utterances))
    assert done.returncode == 0, done.stderr[-2000:]
    assert "1 scored" in done.stdout
    assert not _imported(done.stderr) & (HEAVY - SCORING_NEEDS)


def test_serve_answers_the_page_and_scenarios_without_heavy_imports(tmp_path: Path) -> None:
    port = free_port()
    log = tmp_path / "serve.log"
    with log.open("w") as stderr:
        server = subprocess.Popen(
            [sys.executable, "-X", "importtime", "-m", "deliberation", "serve", "--port", str(port)],
            stdout=subprocess.DEVNULL,
            stderr=stderr,
            env=_env(tmp_path),
            cwd=tmp_path,
        )
        try:
            deadline = time.monotonic() + 120
            while True:
                try:
                    page = http_get(f"http://127.0.0.1:{port}/")
                    break
                except OSError:
                    assert server.poll() is None and time.monotonic() < deadline, log.read_text()[-2000:]
                    time.sleep(0.1)
            assert "<html" in page
            assert '"afghanistan"' in http_get(f"http://127.0.0.1:{port}/v1/scenarios")
        finally:
            server.terminate()
            server.wait(timeout=60)
    assert not _imported(log.read_text()) & HEAVY


def test_an_offline_summit_loads_neither_litellm_nor_chroma_once_its_index_is_built(tmp_path: Path) -> None:
    """The offline engine is called in-process and a built index's vectors are read from their copy: an offline
    run pays for neither import (about 1.5-2 s and 1 s of CPU). The first run builds the index in Chroma."""
    scenarios = str(Path(__file__).resolve().parents[1] / "scenarios")
    argv = ["--scenarios-dir", scenarios, "summit", "--scenario", "mini", "--rounds", "1", "--out", str(tmp_path / "runs")]
    first = _run(tmp_path, *argv)
    assert first.returncode == 0, first.stderr[-2000:]
    assert "chromadb" in _imported(first.stderr)
    second = _run(tmp_path, *argv[:-2], "--seed", "2", "--out", str(tmp_path / "runs"))
    assert second.returncode == 0, second.stderr[-2000:]
    assert "0 failed" in second.stdout
    assert not _imported(second.stderr) & {"litellm", "chromadb"}
