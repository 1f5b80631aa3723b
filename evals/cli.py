"""`deliberation eval ...` sub-commands."""

from __future__ import annotations

from typing import Any


def add_parser(commands: Any) -> None:
    """Registered by deliberation.cli; the eval commands land with the evals."""
    del commands
