"""The Chroma index of a scenario's passages: built once, reused, rebuilt when the source changes.

`hybrid` (the default) fuses three rankings with reciprocal rank fusion (k=60, the usual constant):
MiniLM on each passage, MiniLM on each passage with the sentence before it (so "it" and "this" keep
their referent), and hashed TF-IDF (exact names and rare words). bench/retrieval.py measures each.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import chromadb
from chromadb.config import Settings as ChromaSettings

from deliberation.errors import DeliberationError, UserError
from deliberation.passages import Passage, chunk
from deliberation.retrieval.embeddings import EMBEDDINGS, make_embedding
from deliberation.scenario import Scenario

CHUNKER_VERSION = "1"
RRF_K = 60
HYBRID = (("minilm", False), ("minilm", True), ("lexical", False))


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Hit:
    passage: Passage
    score: float


class Retriever:
    """Top-k passages of one scenario for a query, fused over one or more rankings."""

    def __init__(self, collections: list[Any], passages: list[Passage]) -> None:
        self._collections = collections
        self.passages = {p.id: p for p in passages}

    def search(self, query: str, k: int) -> list[Hit]:
        if not query.strip():
            return []
        if len(self._collections) == 1:
            result = self._collections[0].query(query_texts=[query], n_results=min(k, len(self.passages)))
            return [Hit(self.passages[i], 1.0 - d) for i, d in zip(result["ids"][0], result["distances"][0], strict=True)]
        fused: dict[str, float] = {}
        for collection in self._collections:
            ranked = collection.query(query_texts=[query], n_results=len(self.passages))["ids"][0]
            for rank, pid in enumerate(ranked, start=1):
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


def _collection(client: Any, scenario: Scenario, passages: list[Passage], embedding: str, context: bool) -> Any:
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
    return collection


def open_retriever(scenario: Scenario, embedding: str, data_dir: Path, chroma_url: str | None = None) -> Retriever:
    """Reuse each collection when its fingerprint (source, chunker, embedding) matches; rebuild otherwise."""
    if embedding != "hybrid" and embedding not in EMBEDDINGS:
        raise UserError(f"unknown embedding {embedding!r} (choose one of: hybrid, {', '.join(EMBEDDINGS)})")
    passages = chunk(scenario.source_text)
    parts = HYBRID if embedding == "hybrid" else ((embedding, False),)
    try:
        client = _client(data_dir, chroma_url)
        collections = [_collection(client, scenario, passages, name, context) for name, context in parts]
    except DeliberationError:
        raise
    except Exception as error:  # chromadb raises many unrelated types; name the index and what to check
        raise DeliberationError(
            f"retrieval index for {scenario.id!r} ({embedding}) could not be opened or built: {error}"
        ) from error
    return Retriever(collections, passages)
