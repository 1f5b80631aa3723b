"""A copy of a collection's vectors beside the store, keyed by the collection's fingerprint.

Chroma stays the store of record: the copy is written from what Chroma holds, after it was built or checked.
It lets a new process open a built index without loading Chroma (about 1 s of CPU to import and open); a copy
that is missing, damaged or of other passages is ignored, and Chroma is read again.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import numpy as np


def path(data_dir: Path, name: str, fingerprint: str) -> Path:
    return data_dir / "vectors" / f"{name}.{fingerprint[:24]}.npz"


def load(file: Path, ids: list[str]) -> tuple[list[str], np.ndarray] | None:
    """The stored (ids, vectors) when they are those of exactly these passages."""
    try:
        with np.load(file, allow_pickle=False) as data:
            stored, vectors = [str(i) for i in data["ids"]], np.asarray(data["vectors"], dtype=np.float32)
    except Exception:  # missing, truncated or not ours: numpy raises OSError, ValueError, BadZipFile, KeyError...
        return None
    if sorted(stored) != sorted(ids) or vectors.ndim != 2 or vectors.shape[0] != len(stored):
        return None
    return stored, vectors


def save(file: Path, ids: list[str], vectors: np.ndarray) -> None:
    """Written whole or not at all (a temporary file renamed), replacing copies of older fingerprints."""
    file.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=file.parent, suffix=".npz", delete=False) as handle:
        np.savez(handle, ids=np.array(ids), vectors=vectors)
    os.replace(handle.name, file)
    collection = file.name.split(".", 1)[0]
    for old in file.parent.glob(f"{collection}.*.npz"):
        if old != file:
            old.unlink(missing_ok=True)
