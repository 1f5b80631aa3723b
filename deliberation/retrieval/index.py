"""The retrieval index of a scenario's passages: built once, reused, rebuilt when the source changes.

`hybrid` (the default) fuses three rankings with reciprocal rank fusion: MiniLM on each passage, MiniLM on
each passage with the sentence before it (so "it" and "this" keep their referent), and hashed TF-IDF (exact
names and rare words). bench/retrieval.py measures each.

Chroma is the store of record. A scenario's collections are small (tens to a few thousand passages), so
their vectors are ranked from memory: a query is one embedding per model plus a matrix product. With an
offline encoder, a copy of those vectors kept beside the store (`vector_cache`) opens a built index in a new
process without loading Chroma; a Chroma server (`chroma_url`) is always read.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from deliberation.errors import DeliberationError, UserError
from deliberation.passages import Passage, chunk
from deliberation.retrieval import vector_cache
from deliberation.retrieval.embeddings import EMBEDDINGS, OFFLINE, query_encoder
from deliberation.retrieval.ranking import Ranking, Retriever, Vectors
from deliberation.scenario import Scenario

CHUNKER_VERSION = "1"
HYBRID = (("minilm", False), ("minilm", True), ("lexical", False))


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _with_context(passages: list[Passage]) -> list[str]:
    """Each passage preceded by the previous passage of its paragraph, if any."""
    texts = []
    for before, passage in zip([None, *passages], passages, strict=False):
        same_paragraph = before is not None and before.id.split(".")[0] == passage.id.split(".")[0]
        texts.append(f"{before.text} {passage.text}" if same_paragraph and before else passage.text)
    return texts


def _ranking(scenario: Scenario, passages: list[Passage], embedding: str, context: bool, data_dir: Path,
             chroma_url: str | None, store: Callable[[], Any]) -> Ranking:  # fmt: skip
    documents = _with_context(passages) if context else [p.text for p in passages]
    fingerprint = sha256_text(f"{sha256_text(scenario.source_text)}:{CHUNKER_VERSION}:{embedding}:{context}")
    name = f"{scenario.id}-{embedding}{'-context' if context else ''}"
    # One model per embedding name, except lexical: its IDF is fitted on each collection's own documents.
    model = f"{embedding}:{name}" if embedding == "lexical" else embedding
    ids = [p.id for p in passages]
    copy = vector_cache.path(data_dir, name, fingerprint) if chroma_url is None and embedding in OFFLINE else None
    if copy is not None and (cached := vector_cache.load(copy, ids)) is not None:
        return Ranking(model, query_encoder(embedding, documents), Vectors(*cached))
    from deliberation.retrieval import chroma_store

    metadatas: list[dict[str, Any]] = [{"start": p.start, "end": p.end} for p in passages]
    found, encode = chroma_store.collection(store(), name, fingerprint, embedding, ids, documents, metadatas)
    stored = chroma_store.stored_vectors(found)
    if stored is None:
        return Ranking(model, encode, chroma_store.CollectionQuery(found))
    if copy is not None:
        vector_cache.save(copy, *stored)
    return Ranking(model, encode, Vectors(*stored))


def open_retriever(scenario: Scenario, embedding: str, data_dir: Path, chroma_url: str | None = None) -> Retriever:
    """Reuse each collection when its fingerprint (source, chunker, embedding) matches; rebuild otherwise."""
    if embedding != "hybrid" and embedding not in EMBEDDINGS:
        raise UserError(f"unknown embedding {embedding!r} (choose one of: hybrid, {', '.join(EMBEDDINGS)})")
    passages = chunk(scenario.source_text)
    parts = HYBRID if embedding == "hybrid" else ((embedding, False),)
    opened: list[Any] = []

    def store() -> Any:
        if not opened:
            from deliberation.retrieval import chroma_store

            opened.append(chroma_store.client(data_dir, chroma_url))
        return opened[0]

    try:
        rankings = [_ranking(scenario, passages, name, context, data_dir, chroma_url, store) for name, context in parts]
    except DeliberationError:
        raise
    except Exception as error:  # chromadb raises many unrelated types; name the index and what to check
        raise DeliberationError(
            f"retrieval index for {scenario.id!r} ({embedding}) could not be opened or built: {error}"
        ) from error
    return Retriever(rankings, passages)
