"""Embedding functions for Chroma: an offline lexical default, real models selectable by name."""

from __future__ import annotations

import hashlib
import math
from collections import Counter
from itertools import pairwise
from typing import Any

from chromadb.api.types import Documents, EmbeddingFunction, Embeddings

from deliberation.errors import UserError
from deliberation.terms import terms

DIMENSIONS = 4096


def _bucket(feature: str) -> int:
    return int.from_bytes(hashlib.blake2b(feature.encode(), digest_size=4).digest(), "big") % DIMENSIONS


def _features(text: str) -> Counter[int]:
    tokens = terms(text)
    grams = tokens + [f"{a} {b}" for a, b in pairwise(tokens)]
    return Counter(_bucket(g) for g in grams)


class LexicalEmbedding(EmbeddingFunction[Documents]):
    """Hashed TF-IDF over stemmed unigrams and bigrams: deterministic, offline, no model download.

    IDF weights are fitted on the scenario's passages, so rare, distinctive terms dominate the
    cosine similarity the way BM25 would weigh them.
    """

    def __init__(self, idf: list[float] | None = None) -> None:
        self.idf = idf or [1.0] * DIMENSIONS

    @classmethod
    def fit(cls, corpus: list[str]) -> LexicalEmbedding:
        document_frequency: Counter[int] = Counter()
        for text in corpus:
            document_frequency.update(set(_features(text)))
        n = len(corpus)
        return cls([math.log(1 + (n + 1) / (document_frequency[i] + 1)) for i in range(DIMENSIONS)])

    def __call__(self, input: Documents) -> Embeddings:
        return [self._vector(text) for text in input]  # type: ignore[misc]  # chroma accepts plain float lists

    def _vector(self, text: str) -> list[float]:
        vector = [0.0] * DIMENSIONS
        for index, count in _features(text).items():
            vector[index] = (1 + math.log(count)) * self.idf[index]
        norm = math.sqrt(sum(v * v for v in vector)) or 1.0
        return [v / norm for v in vector]

    @staticmethod
    def name() -> str:
        return "deliberation-lexical"

    def default_space(self) -> str:  # type: ignore[override]
        return "cosine"

    def get_config(self) -> dict[str, Any]:
        return {"idf": self.idf}

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> LexicalEmbedding:
        return LexicalEmbedding(config["idf"])


EMBEDDINGS = ("minilm", "lexical", "chroma-default", "openai", "ollama")


def make_embedding(name: str, corpus: list[str]) -> EmbeddingFunction[Documents]:
    """The embedding named in settings; the real ones need network or a local server."""
    if name == "lexical":
        return LexicalEmbedding.fit(corpus)
    if name == "minilm":
        from deliberation.retrieval.minilm import MiniLMEmbedding

        return MiniLMEmbedding()
    from chromadb.utils import embedding_functions as ef

    if name == "chroma-default":
        return ef.DefaultEmbeddingFunction()  # type: ignore[return-value]
    if name == "openai":
        return ef.OpenAIEmbeddingFunction(model_name="text-embedding-3-small")  # type: ignore[return-value]
    if name == "ollama":
        return ef.OllamaEmbeddingFunction(model_name="nomic-embed-text")  # type: ignore[return-value]
    raise UserError(f"unknown embedding {name!r} (choose one of: {', '.join(EMBEDDINGS)})")
