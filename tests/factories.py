"""Factories for test data."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from deliberation.config import Settings

REPO = Path(__file__).resolve().parent.parent
"""The checkout under test: its personas/ and prompts/ are the packaged data of the editable install."""
MINI = Path(__file__).parent / "scenarios" / "mini"


def copy_mini(root: Path, edit: dict[str, Any] | None = None, persona: str = "council") -> Path:
    """A writable copy of the mini scenario under `root`, with top-level fields of one persona replaced."""
    target = root / "mini"
    target.mkdir(parents=True, exist_ok=True)
    for path in MINI.iterdir():
        (target / path.name).write_bytes(path.read_bytes())
    if edit is not None:
        data = yaml.safe_load((target / f"{persona}.yaml").read_text(encoding="utf-8"))
        data.update(edit)
        (target / f"{persona}.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return root


def settings_for(root: Path, tmp: Path, base: Settings) -> Settings:
    return base.model_copy(update={"scenarios_dir": root, "data_dir": tmp / "data"})
