"""Equal scores rank in passage-id order, whatever order the store returns the passages in."""

from __future__ import annotations

from typing import Any

import numpy as np

from deliberation.retrieval.index import Ranking


class StoredInOrder:
    """A collection as Chroma's `count` / `get` show it, with its passages in a chosen storage order."""

    def __init__(self, ids: list[str], vectors: list[list[float]]) -> None:
        self.ids, self.vectors = ids, vectors

    def count(self) -> int:
        return len(self.ids)

    def get(self, include: list[str]) -> dict[str, Any]:
        return {"ids": self.ids, "embeddings": self.vectors}


def ranking(ids: list[str], vectors: list[list[float]]) -> Ranking:
    return Ranking(StoredInOrder(ids, vectors), function=None, model="test")  # type: ignore[arg-type]


def test_ties_rank_by_passage_id_whatever_the_storage_order() -> None:
    tied = [[1.0, 0.0], [1.0, 0.0], [1.0, 0.0]]
    query = np.array([1.0, 0.0], dtype=np.float32)
    for order in (["p03", "p01", "p02"], ["p02", "p03", "p01"]):
        assert [pid for pid, _ in ranking(order, tied).ranked(query, 3)] == ["p01", "p02", "p03"]


def test_a_higher_score_still_comes_first() -> None:
    ids, vectors = ["p01", "p02", "p03"], [[1.0, 0.0], [0.0, 1.0], [1.0, 0.0]]
    assert [pid for pid, _ in ranking(ids, vectors).ranked(np.array([0.0, 1.0], dtype=np.float32), 2)] == ["p02", "p01"]
