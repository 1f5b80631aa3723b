"""The Chroma index of a scenario's passages: built once, reused, rebuilt when the source changes."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import chromadb
from chromadb.config import Settings as ChromaSettings

from deliberation.errors import DeliberationError
from deliberation.passages import Passage, chunk
from deliberation.retrieval.embeddings import make_embedding
from deliberation.scenario import Scenario

CHUNKER_VERSION = "1"


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Hit:
    passage: Passage
    score: float


class Retriever:
    """Top-k passages of one scenario for a query."""

    def __init__(self, collection: Any, passages: list[Passage]) -> None:
        self._collection = collection
        self.passages = {p.id: p for p in passages}

    def search(self, query: str, k: int) -> list[Hit]:
        if not query.strip():
            return []
        result = self._collection.query(query_texts=[query], n_results=min(k, len(self.passages)))
        ids, distances = result["ids"][0], result["distances"][0]
        return [Hit(self.passages[i], 1.0 - d) for i, d in zip(ids, distances, strict=True)]


def _client(data_dir: Path, chroma_url: str | None) -> Any:
    settings = ChromaSettings(anonymized_telemetry=False)
    if chroma_url:
        return chromadb.HttpClient(host=chroma_url, settings=settings)
    return chromadb.PersistentClient(path=str(data_dir / "chroma"), settings=settings)


def open_retriever(scenario: Scenario, embedding: str, data_dir: Path, chroma_url: str | None = None) -> Retriever:
    """Reuse the collection when its fingerprint (source, chunker, embedding) matches; rebuild otherwise."""
    passages = chunk(scenario.source_text)
    function = make_embedding(embedding, [p.text for p in passages])
    fingerprint = sha256_text(f"{sha256_text(scenario.source_text)}:{CHUNKER_VERSION}:{embedding}")
    name = f"{scenario.id}-{embedding}"
    try:
        client = _client(data_dir, chroma_url)
        collection = client.get_or_create_collection(name, embedding_function=function, metadata={"hnsw:space": "cosine"})
        if (collection.metadata or {}).get("fingerprint") != fingerprint or collection.count() != len(passages):
            client.delete_collection(name)
            collection = client.create_collection(
                name, embedding_function=function, metadata={"hnsw:space": "cosine", "fingerprint": fingerprint}
            )
            collection.add(
                ids=[p.id for p in passages],
                documents=[p.text for p in passages],
                metadatas=[{"start": p.start, "end": p.end} for p in passages],
            )
    except Exception as error:  # chromadb raises many unrelated types; name the index and move on
        raise DeliberationError(f"retrieval index {name!r} could not be opened or built: {error}") from error
    return Retriever(collection, passages)
