"""`deliberation serve`: run the classroom API with uvicorn."""

from __future__ import annotations

from typing import Any


def add_parser(commands: Any) -> None:
    """Registered by deliberation.cli; the serve command lands with the API."""
    del commands
