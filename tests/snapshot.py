"""Snapshot files under tests/snapshots: compare, or (re)write with UPDATE_SNAPSHOTS=1; a change is reviewed, not missed."""

from __future__ import annotations

import difflib
import os
from pathlib import Path

import pytest

SNAPSHOTS = Path(__file__).parent / "snapshots"
UPDATE = "UPDATE_SNAPSHOTS"


def assert_snapshot(name: str, text: str, directory: Path = SNAPSHOTS) -> None:
    """`text` must equal the file `directory/name`; with UPDATE_SNAPSHOTS=1 the file is written instead."""
    text = text if text.endswith("\n") else text + "\n"
    path = directory / name
    test = os.environ.get("PYTEST_CURRENT_TEST", "").split(" ")[0]
    how = f"run `{UPDATE}=1 pytest '{test}'` and review the file"
    if os.environ.get(UPDATE) == "1":
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        return
    if not path.is_file():
        pytest.fail(f"no snapshot {path}: to create it, {how}", pytrace=False)
    expected = path.read_text(encoding="utf-8")
    if text != expected:
        diff = difflib.unified_diff(
            expected.splitlines(keepends=True), text.splitlines(keepends=True), f"{name} (snapshot)", f"{name} (now)"
        )
        pytest.fail(f"{name} differs from its snapshot; if the change is intended, {how}:\n{''.join(diff)}", pytrace=False)
