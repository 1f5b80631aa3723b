"""Equal scores rank in passage-id order, whatever order the store returns the passages in."""

from __future__ import annotations

import numpy as np

from deliberation.retrieval.ranking import Vectors


def ranking(ids: list[str], vectors: list[list[float]]) -> Vectors:
    return Vectors(ids, np.array(vectors, dtype=np.float32))


def test_ties_rank_by_passage_id_whatever_the_storage_order() -> None:
    tied = [[1.0, 0.0], [1.0, 0.0], [1.0, 0.0]]
    query = np.array([1.0, 0.0], dtype=np.float32)
    for order in (["p03", "p01", "p02"], ["p02", "p03", "p01"]):
        assert [pid for pid, _ in ranking(order, tied).ranked(query, 3)] == ["p01", "p02", "p03"]


def test_a_higher_score_still_comes_first() -> None:
    ids, vectors = ["p01", "p02", "p03"], [[1.0, 0.0], [0.0, 1.0], [1.0, 0.0]]
    assert [pid for pid, _ in ranking(ids, vectors).ranked(np.array([0.0, 1.0], dtype=np.float32), 2)] == ["p02", "p01"]
