"""Where the public-domain test sources live (described in tests/authoring/conftest.py)."""

from __future__ import annotations

from pathlib import Path

SOURCES = Path(__file__).parent / "sources"
NAMES = ("corn-laws-1846", "colorado-river-1922")
