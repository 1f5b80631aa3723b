"""Sub-commands that live with their own feature (eval, serve); registered on the main parser."""

from __future__ import annotations

import argparse
from typing import Any


def add_commands(commands: Any) -> None:
    """Feature modules add their sub-parsers here as they land."""
    del commands
