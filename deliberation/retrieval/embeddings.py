"""The offline encoders, lexical and MiniLM, as plain functions of text (Chroma's adapters are in `chroma_store`)."""

from __future__ import annotations

import hashlib
import math
from collections import Counter
from itertools import pairwise

import numpy as np

from deliberation.retrieval.ranking import Encode
from deliberation.terms import terms

DIMENSIONS = 4096


def _bucket(feature: str) -> int:
    return int.from_bytes(hashlib.blake2b(feature.encode(), digest_size=4).digest(), "big") % DIMENSIONS


def _features(text: str) -> Counter[int]:
    tokens = terms(text)
    grams = tokens + [f"{a} {b}" for a, b in pairwise(tokens)]
    return Counter(_bucket(g) for g in grams)


class LexicalEmbedding:
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

    def __call__(self, texts: list[str]) -> list[list[float]]:
        return [self.vector(text).tolist() for text in texts]

    def vector(self, text: str) -> np.ndarray:
        """Only the text's own features are weighed: a query costs its length, not DIMENSIONS."""
        features = _features(text)
        weights = [(1 + math.log(count)) * self.idf[index] for index, count in features.items()]
        norm = math.sqrt(sum(w * w for w in weights)) or 1.0
        vector = np.zeros(DIMENSIONS)
        vector[list(features)] = [w / norm for w in weights]
        return vector


OFFLINE = ("minilm", "lexical")
"""Encoders that run here with no network: their vectors can be cached and their queries encoded without Chroma."""
EMBEDDINGS = (*OFFLINE, "chroma-default", "openai", "ollama")


def query_encoder(name: str, corpus: list[str]) -> Encode:
    """One query's vector from an offline encoder (`corpus`: what lexical's IDF is fitted on)."""
    if name == "lexical":
        lexical = LexicalEmbedding.fit(corpus)
        return lambda text: lexical.vector(text).astype(np.float32)
    from deliberation.retrieval.minilm import encode_query, load_model

    load_model()  # a missing model package is named when the retriever opens, not at the first query
    return encode_query
