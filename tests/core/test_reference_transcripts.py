"""Behaviour pinned: an offline summit on the default scenario and settings is byte-identical to the committed reference.

The references in tests/fixtures/transcripts were generated before the typed-state and fast-turn rework
(issues 9 and 10) and must not change with a refactor. Only what cannot repeat is masked: the start time,
the duration, and the sha256 of each prompt and persona file (editing a template or the scorer's lexicon
changes those without changing the talk). Regenerate deliberately with `UPDATE_SNAPSHOTS=1 pytest <this file>`.
"""

from __future__ import annotations

import asyncio
import json
import re
from pathlib import Path

import pytest

from deliberation.config import Settings
from deliberation.summit import SummitOptions, run_summit
from tests.factories import REPO
from tests.snapshot import assert_snapshot

REFERENCES = Path(__file__).parent.parent / "fixtures" / "transcripts"
SEEDS = [0, 7]
_DURATION_S = re.compile(r'"duration_s":[0-9.e-]+')
_DURATION = re.compile(r"tokens, \d+\.\d s\.$", re.MULTILINE)


def masked_jsonl(text: str) -> str:
    """Turn lines are compared byte for byte; the run_started line is re-encoded with its volatile fields masked."""
    lines = []
    for line in text.splitlines():
        if line.startswith('{"event":"run_started"'):
            event = json.loads(line)
            event["started_at"] = "<started_at>"
            event["files"] = {name: "<sha256>" for name in event["files"]}
            line = json.dumps(event, ensure_ascii=False, separators=(",", ":"))
        lines.append(_DURATION_S.sub('"duration_s":0.0', line))
    return "\n".join(lines) + "\n"


def masked_markdown(text: str) -> str:
    return _DURATION.sub("tokens, <duration> s.", text)


@pytest.mark.slow
@pytest.mark.parametrize("seed", SEEDS)
def test_offline_summit_matches_its_reference(tmp_path: Path, data_dir: Path, seed: int) -> None:
    settings = Settings(data_dir=data_dir, scenarios_dir=REPO / "personas", prompts_dir=REPO / "prompts")
    run_id = f"reference-s{seed}"
    result = asyncio.run(run_summit(settings, SummitOptions(seed=seed), tmp_path, run_id=run_id))
    assert result.finished.failed_turns == 0
    assert_snapshot(f"{run_id}.jsonl", masked_jsonl(result.jsonl.read_text(encoding="utf-8")), REFERENCES)
    assert_snapshot(f"{run_id}.md", masked_markdown(result.markdown.read_text(encoding="utf-8")), REFERENCES)
