"""The Chroma side of retrieval: our encoders as Chroma embedding functions, and each ranking's collection,
reused while its fingerprint (source, chunker, embedding) matches and rebuilt otherwise."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import chromadb
import numpy as np
from chromadb.api.types import Documents, EmbeddingFunction, Embeddings
from chromadb.config import Settings as ChromaSettings

from deliberation.errors import UserError
from deliberation.retrieval import minilm
from deliberation.retrieval.embeddings import EMBEDDINGS, LexicalEmbedding
from deliberation.retrieval.ranking import Encode

IN_MEMORY_LIMIT = 20_000
"""Collections up to this many passages are ranked from vectors held in memory."""


class ChromaLexical(EmbeddingFunction[Documents]):
    """`LexicalEmbedding` for Chroma; its IDF travels in the collection's configuration."""

    def __init__(self, idf: list[float] | None = None) -> None:
        self.encoder = LexicalEmbedding(idf)

    def __call__(self, input: Documents) -> Embeddings:
        return self.encoder(list(input))  # type: ignore[return-value]  # chroma accepts plain float lists

    @staticmethod
    def name() -> str:
        return "deliberation-lexical"

    def default_space(self) -> str:  # type: ignore[override]
        return "cosine"

    def get_config(self) -> dict[str, Any]:
        return {"idf": self.encoder.idf}

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> ChromaLexical:
        return ChromaLexical(config["idf"])


class ChromaMiniLM(EmbeddingFunction[Documents]):
    """MiniLM for Chroma: semantic embeddings, offline; bridges paraphrases that share no words with the source."""

    def __init__(self) -> None:
        minilm.load_model()

    def __call__(self, input: Documents) -> Embeddings:
        if len(input) == 1:
            return [minilm.encode_query(input[0])]
        return list(minilm.encode(list(input)))

    @staticmethod
    def name() -> str:
        return "deliberation-minilm"

    def default_space(self) -> str:  # type: ignore[override]
        return "cosine"

    def get_config(self) -> dict[str, Any]:
        return {}

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> ChromaMiniLM:
        return ChromaMiniLM()


def make_embedding(name: str, corpus: list[str]) -> EmbeddingFunction[Documents]:
    """The embedding named in settings; the real ones need network or a local server."""
    if name == "lexical":
        return ChromaLexical(LexicalEmbedding.fit(corpus).idf)
    if name == "minilm":
        return ChromaMiniLM()
    from chromadb.utils import embedding_functions as ef

    if name == "chroma-default":
        return ef.DefaultEmbeddingFunction()  # type: ignore[return-value]
    if name == "openai":
        return ef.OpenAIEmbeddingFunction(model_name="text-embedding-3-small")  # type: ignore[return-value]
    if name == "ollama":
        return ef.OllamaEmbeddingFunction(model_name="nomic-embed-text")  # type: ignore[return-value]
    raise UserError(f"unknown embedding {name!r} (choose one of: {', '.join(EMBEDDINGS)})")


def client(data_dir: Path, chroma_url: str | None) -> Any:
    settings = ChromaSettings(anonymized_telemetry=False)
    if chroma_url:
        return chromadb.HttpClient(host=chroma_url, settings=settings)
    return chromadb.PersistentClient(path=str(data_dir / "chroma"), settings=settings)


class CollectionQuery:
    """A collection too large to hold in memory, ranked by Chroma (cosine space, best first)."""

    def __init__(self, collection: Any) -> None:
        self.collection = collection

    def ranked(self, query: np.ndarray, n: int) -> list[tuple[str, float]]:
        result = self.collection.query(query_embeddings=[query], n_results=n)
        return [(i, 1.0 - d) for i, d in zip(result["ids"][0], result["distances"][0], strict=True)]


def collection(store: Any, name: str, fingerprint: str, embedding: str, ids: list[str], documents: list[str],
               metadatas: list[dict[str, Any]]) -> tuple[Any, Encode]:  # fmt: skip
    """The named collection, rebuilt when its fingerprint or size differs, and its query encoder."""
    function = make_embedding(embedding, documents)
    found = store.get_or_create_collection(name, embedding_function=function, metadata={"hnsw:space": "cosine"})
    if (found.metadata or {}).get("fingerprint") != fingerprint or found.count() != len(ids):
        store.delete_collection(name)
        found = store.create_collection(
            name, embedding_function=function, metadata={"hnsw:space": "cosine", "fingerprint": fingerprint}
        )
        found.add(ids=ids, documents=documents, metadatas=metadatas)
    return found, lambda text: np.asarray(function([text])[0], dtype=np.float32)


def stored_vectors(found: Any) -> tuple[list[str], np.ndarray] | None:
    """The collection's ids and vectors, when it is small enough to rank in memory."""
    if found.count() > IN_MEMORY_LIMIT:
        return None
    stored = found.get(include=["embeddings"])
    return list(stored["ids"]), np.asarray(stored["embeddings"], dtype=np.float32)
