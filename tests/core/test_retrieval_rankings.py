"""The hybrid ranking is pinned: every labelled question's full fused ranking equals the reference.

tests/fixtures/retrieval/afghanistan-hybrid.json was recorded before the encoder and retrieval were made
fast (float32, batched encodes, in-memory vectors; issue 10); speed work must not move a single passage.
Regenerate deliberately with `UPDATE_SNAPSHOTS=1 pytest <this file>`.
"""

from __future__ import annotations

import json
from pathlib import Path

from deliberation.evals.retrieval import load_questions

from deliberation.config import Settings
from deliberation.loader import load_scenario
from deliberation.retrieval.index import open_retriever
from tests.snapshot import assert_snapshot

REFERENCES = Path(__file__).parent.parent / "fixtures" / "retrieval"


def test_hybrid_rankings_on_the_labelled_questions_are_unchanged(settings: Settings) -> None:
    retriever = open_retriever(load_scenario("afghanistan", settings.scenarios_dir), "hybrid", settings.data_dir)
    everything = len(retriever.passages)
    rankings = {
        q.id: [hit.passage.id for hit in retriever.search(q.question, everything)]
        for q in load_questions("afghanistan").questions
    }
    assert all(len(ranked) == everything for ranked in rankings.values())
    assert_snapshot("afghanistan-hybrid.json", json.dumps(rankings, indent=1), REFERENCES)
