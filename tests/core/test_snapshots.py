"""Snapshots of what a reviewer should see change: the graph's shape and the first prompt each persona gets.

Refresh with `UPDATE_SNAPSHOTS=1 pytest tests/core/test_snapshots.py`, then review the diff of tests/snapshots/.
"""

from __future__ import annotations

import asyncio
import json
import re
from pathlib import Path

import pytest

from deliberation.config import Settings
from deliberation.graph import build_graph
from deliberation.summit import SummitOptions, run_summit
from tests.factories import REPO
from tests.prompt_capture import CONTEXT, captured_prompts
from tests.snapshot import assert_snapshot

PERSONAS = ["mediator", "kabul", "taliban", "us"]


def readable(messages: list[dict[str, str]]) -> str:
    """Each message verbatim under its role, except the one-line <context> JSON, re-indented so a diff shows the field."""

    def indent(match: re.Match[str]) -> str:
        return match.group(1) + json.dumps(json.loads(match.group(2)), indent=1, ensure_ascii=False) + match.group(3)

    return "\n".join(f"===== {m['role']} =====\n{CONTEXT.sub(indent, m['content'])}\n" for m in messages)


@pytest.fixture(scope="module")
def first_prompts(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[dict[str, str]]]:
    """One offline summit with lexical retrieval (no float ties between machines), seed 0, no indirect rounds."""
    tmp = tmp_path_factory.mktemp("snapshots")
    settings = Settings(
        data_dir=tmp / "data", scenarios_dir=REPO / "personas", prompts_dir=REPO / "prompts", embedding="lexical"
    )
    with captured_prompts() as capture:
        options = SummitOptions(scenario="afghanistan", seed=0, rounds=0)
        asyncio.run(run_summit(settings, options, tmp / "runs", run_id="snapshot"))
    first: dict[str, list[dict[str, str]]] = {}
    for persona, messages in capture.calls:
        first.setdefault(persona, messages)
    assert sorted(first) == sorted(PERSONAS)
    return first


def test_graph_shape() -> None:
    assert_snapshot("graph.mmd", build_graph().get_graph().draw_mermaid())


@pytest.mark.parametrize("persona", PERSONAS)
def test_first_prompt_of_each_persona(first_prompts: dict[str, list[dict[str, str]]], persona: str) -> None:
    text = readable(first_prompts[persona])
    assert "/tmp" not in text and str(Path.home()) not in text
    assert_snapshot(f"prompt-afghanistan-{persona}.txt", text)


def test_a_missing_snapshot_says_how_to_create_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("UPDATE_SNAPSHOTS", raising=False)
    with pytest.raises(pytest.fail.Exception, match="UPDATE_SNAPSHOTS=1 pytest"):
        assert_snapshot("absent.txt", "x", tmp_path)
    monkeypatch.setenv("UPDATE_SNAPSHOTS", "1")
    assert_snapshot("absent.txt", "x", tmp_path)
    monkeypatch.delenv("UPDATE_SNAPSHOTS")
    assert_snapshot("absent.txt", "x", tmp_path)
    with pytest.raises(pytest.fail.Exception, match=r"(?s)differs.*-x\n\+y"):
        assert_snapshot("absent.txt", "y", tmp_path)
