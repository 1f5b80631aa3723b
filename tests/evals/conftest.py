"""The deterministic scorer on the packaged scenario, shared by the scorer tests."""

from __future__ import annotations

import pytest
from deliberation.evals.deterministic import DeterministicScorer

from deliberation.config import Settings
from deliberation.loader import scenario


@pytest.fixture(scope="module")
def scorer() -> DeterministicScorer:
    return DeterministicScorer(scenario(Settings(), "afghanistan"))
