"""Drafted scenarios of the two public-domain test sources, drafted once per session (MiniLM runs on the CPU).

sources/corn-laws-1846.txt: a condensed classroom restatement of the House of Commons debates on the repeal of
the Corn Laws (Peel, Disraeli, Cobden; February-May 1846), written for these tests from the public-domain Hansard
record: speeches shortened and paraphrased, not verbatim Hansard.
sources/colorado-river-1922.txt: a condensed report on the 1922 Colorado River Compact negotiations (Arizona,
California, the Upper Basin States, the Federal Government), written for these tests from public-domain US federal
records of the Colorado River Commission: the parties' positions restated, not a verbatim excerpt.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from deliberation.authoring.draft import Draft, write_draft
from deliberation.authoring.offline import draft_offline
from tests.authoring.drafting import NAMES, SOURCES
from tests.factories import REPO


@pytest.fixture(scope="session")
def drafts() -> dict[str, Draft]:
    return {
        name: draft_offline((SOURCES / f"{name}.txt").read_text(encoding="utf-8"), f"{name}.txt", REPO / "prompts")
        for name in NAMES
    }


@pytest.fixture(scope="session")
def drafted_root(drafts: dict[str, Draft], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A scenarios folder holding both drafts as written by `scenario draft`."""
    root = tmp_path_factory.mktemp("drafted")
    for name, draft in drafts.items():
        write_draft(draft, root / name)
    return root
