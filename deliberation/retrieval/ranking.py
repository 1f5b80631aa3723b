"""Rankings of a scenario's passages for a query, fused by reciprocal rank fusion (k=60, the usual constant).

Pure NumPy: a ranking scores passage vectors held in memory, or asks a store for large collections. Nothing
here imports Chroma, so a run whose vectors are cached never loads it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Protocol

import numpy as np

from deliberation.passages import Passage

RRF_K = 60


@dataclass(frozen=True)
class Hit:
    passage: Passage
    score: float


class Scores(Protocol):
    def ranked(self, query: np.ndarray, n: int) -> list[tuple[str, float]]:
        """(passage id, cosine similarity), best first."""
        ...


class Vectors:
    """Passage vectors held in memory: a query is one matrix product."""

    def __init__(self, ids: list[str], vectors: np.ndarray) -> None:
        self.ids = ids
        self._id_order = np.argsort(np.argsort(np.array(ids)))
        vectors = np.asarray(vectors, dtype=np.float32)
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        self._vectors = vectors / np.where(norms == 0, 1, norms)

    def ranked(self, query: np.ndarray, n: int) -> list[tuple[str, float]]:
        """Equal scores in passage id order, so that a ranking never depends on the order the store returned."""
        norm = float(np.linalg.norm(query)) or 1.0
        scores = self._vectors @ (query / norm)
        order = np.lexsort((self._id_order, -scores))[:n]
        return [(self.ids[i], float(scores[i])) for i in order]


Encode = Callable[[str], np.ndarray]


@dataclass(frozen=True)
class Ranking:
    """One ranking: `model` names its query encoder (rankings that share one share the encode)."""

    model: str
    encode: Encode
    scores: Scores


class Retriever:
    """Top-k passages of one scenario for a query, fused over one or more rankings."""

    def __init__(self, rankings: list[Ranking], passages: list[Passage]) -> None:
        self._rankings = rankings
        self.passages = {p.id: p for p in passages}
        self._queries = lru_cache(maxsize=1024)(self._embed)
        self.in_memory = all(isinstance(r.scores, Vectors) for r in rankings)
        """Every ranking scores vectors held here (none asks a store)."""

    async def prepare(self, query: str) -> None:
        """Embed `query` off the event loop: the `search` for it that follows finds its vectors ready."""
        if query.strip():
            await asyncio.to_thread(self._queries, query)

    def _embed(self, query: str) -> list[np.ndarray]:
        """The query embedded once per model (hybrid's two MiniLM rankings share one encode)."""
        by_model: dict[str, np.ndarray] = {}
        for ranking in self._rankings:
            if ranking.model not in by_model:
                by_model[ranking.model] = np.asarray(ranking.encode(query), dtype=np.float32)
        return [by_model[r.model] for r in self._rankings]

    def search(self, query: str, k: int) -> list[Hit]:
        if not query.strip():
            return []
        vectors = self._queries(query)
        if len(self._rankings) == 1:
            ranked = self._rankings[0].scores.ranked(vectors[0], min(k, len(self.passages)))
            return [Hit(self.passages[i], score) for i, score in ranked]
        fused: dict[str, float] = {}
        for ranking, vector in zip(self._rankings, vectors, strict=True):
            for rank, (pid, _) in enumerate(ranking.scores.ranked(vector, len(self.passages)), start=1):
                fused[pid] = fused.get(pid, 0.0) + 1.0 / (RRF_K + rank)
        best = sorted(fused, key=lambda pid: (-fused[pid], pid))[:k]
        return [Hit(self.passages[pid], fused[pid]) for pid in best]
