"""The Chroma index of a scenario's passages: built once, reused, rebuilt when the source changes.

`hybrid` (the default) fuses three rankings with reciprocal rank fusion (k=60, the usual constant):
MiniLM on each passage, MiniLM on each passage with the sentence before it (so "it" and "this" keep
their referent), and hashed TF-IDF (exact names and rare words). bench/retrieval.py measures each.

Chroma is the store of record. A scenario's collections are small (tens to a few thousand passages),
so their stored vectors are read once into memory and a query is one embedding per model plus a
matrix product, not a Chroma round trip per ranking; larger collections are queried in Chroma.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import chromadb
import numpy as np
from chromadb.api.types import EmbeddingFunction
from chromadb.config import Settings as ChromaSettings

from deliberation.errors import DeliberationError, UserError
from deliberation.passages import Passage, chunk
from deliberation.retrieval.embeddings import EMBEDDINGS, make_embedding
from deliberation.scenario import Scenario

CHUNKER_VERSION = "1"
RRF_K = 60
HYBRID = (("minilm", False), ("minilm", True), ("lexical", False))
IN_MEMORY_LIMIT = 20_000
"""Collections up to this many passages are ranked from vectors held in memory."""


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Hit:
    passage: Passage
    score: float


class Ranking:
    """One ranking of the passages: a Chroma collection and the embedding function it was built with."""

    def __init__(self, collection: Any, function: EmbeddingFunction[Any], model: str) -> None:
        self.collection, self.function, self.model = collection, function, model
        self._ids: list[str] = []
        self._id_order: np.ndarray | None = None
        self._vectors: np.ndarray | None = None
        if collection.count() <= IN_MEMORY_LIMIT:
            stored = collection.get(include=["embeddings"])
            self._ids = list(stored["ids"])
            self._id_order = np.argsort(np.argsort(np.array(self._ids)))
            vectors = np.asarray(stored["embeddings"], dtype=np.float32)
            norms = np.linalg.norm(vectors, axis=1, keepdims=True)
            self._vectors = vectors / np.where(norms == 0, 1, norms)

    def ranked(self, query: np.ndarray, n: int) -> list[tuple[str, float]]:
        """(passage id, cosine similarity), best first (the order Chroma's cosine space returns); equal scores in
        passage id order, so that a ranking never depends on the order the store happens to return."""
        if self._vectors is None or self._id_order is None:
            result = self.collection.query(query_embeddings=[query], n_results=n)
            return [(i, 1.0 - d) for i, d in zip(result["ids"][0], result["distances"][0], strict=True)]
        norm = float(np.linalg.norm(query)) or 1.0
        scores = self._vectors @ (query / norm)
        order = np.lexsort((self._id_order, -scores))[:n]
        return [(self._ids[i], float(scores[i])) for i in order]


class Retriever:
    """Top-k passages of one scenario for a query, fused over one or more rankings."""

    def __init__(self, rankings: list[Ranking], passages: list[Passage]) -> None:
        self._rankings = rankings
        self.passages = {p.id: p for p in passages}

    def _queries(self, query: str) -> list[np.ndarray]:
        """The query embedded once per model (hybrid's two MiniLM rankings share one encode)."""
        by_model: dict[str, np.ndarray] = {}
        for ranking in self._rankings:
            if ranking.model not in by_model:
                by_model[ranking.model] = np.asarray(ranking.function([query])[0], dtype=np.float32)
        return [by_model[r.model] for r in self._rankings]

    def search(self, query: str, k: int) -> list[Hit]:
        if not query.strip():
            return []
        vectors = self._queries(query)
        if len(self._rankings) == 1:
            ranked = self._rankings[0].ranked(vectors[0], min(k, len(self.passages)))
            return [Hit(self.passages[i], score) for i, score in ranked]
        fused: dict[str, float] = {}
        for ranking, vector in zip(self._rankings, vectors, strict=True):
            for rank, (pid, _) in enumerate(ranking.ranked(vector, len(self.passages)), start=1):
                fused[pid] = fused.get(pid, 0.0) + 1.0 / (RRF_K + rank)
        best = sorted(fused, key=lambda pid: (-fused[pid], pid))[:k]
        return [Hit(self.passages[pid], fused[pid]) for pid in best]


def _client(data_dir: Path, chroma_url: str | None) -> Any:
    settings = ChromaSettings(anonymized_telemetry=False)
    if chroma_url:
        return chromadb.HttpClient(host=chroma_url, settings=settings)
    return chromadb.PersistentClient(path=str(data_dir / "chroma"), settings=settings)


def _with_context(passages: list[Passage]) -> list[str]:
    """Each passage preceded by the previous passage of its paragraph, if any."""
    texts = []
    for before, passage in zip([None, *passages], passages, strict=False):
        same_paragraph = before is not None and before.id.split(".")[0] == passage.id.split(".")[0]
        texts.append(f"{before.text} {passage.text}" if same_paragraph and before else passage.text)
    return texts


def _ranking(client: Any, scenario: Scenario, passages: list[Passage], embedding: str, context: bool) -> Ranking:
    documents = _with_context(passages) if context else [p.text for p in passages]
    function = make_embedding(embedding, documents)
    fingerprint = sha256_text(f"{sha256_text(scenario.source_text)}:{CHUNKER_VERSION}:{embedding}:{context}")
    name = f"{scenario.id}-{embedding}{'-context' if context else ''}"
    collection = client.get_or_create_collection(name, embedding_function=function, metadata={"hnsw:space": "cosine"})
    if (collection.metadata or {}).get("fingerprint") != fingerprint or collection.count() != len(passages):
        client.delete_collection(name)
        collection = client.create_collection(
            name, embedding_function=function, metadata={"hnsw:space": "cosine", "fingerprint": fingerprint}
        )
        collection.add(
            ids=[p.id for p in passages],
            documents=documents,
            metadatas=[{"start": p.start, "end": p.end} for p in passages],
        )
    # One model per embedding name, except lexical: its IDF is fitted on each collection's own documents.
    model = f"{embedding}:{name}" if embedding == "lexical" else embedding
    return Ranking(collection, function, model)


def open_retriever(scenario: Scenario, embedding: str, data_dir: Path, chroma_url: str | None = None) -> Retriever:
    """Reuse each collection when its fingerprint (source, chunker, embedding) matches; rebuild otherwise."""
    if embedding != "hybrid" and embedding not in EMBEDDINGS:
        raise UserError(f"unknown embedding {embedding!r} (choose one of: hybrid, {', '.join(EMBEDDINGS)})")
    passages = chunk(scenario.source_text)
    parts = HYBRID if embedding == "hybrid" else ((embedding, False),)
    try:
        client = _client(data_dir, chroma_url)
        rankings = [_ranking(client, scenario, passages, name, context) for name, context in parts]
    except DeliberationError:
        raise
    except Exception as error:  # chromadb raises many unrelated types; name the index and what to check
        raise DeliberationError(
            f"retrieval index for {scenario.id!r} ({embedding}) could not be opened or built: {error}"
        ) from error
    return Retriever(rankings, passages)
