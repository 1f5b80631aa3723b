"""`deliberation serve`: run the classroom API with uvicorn."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from deliberation.config import Settings


def cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    import uvicorn
    from deliberation.api.main import create_app

    uvicorn.run(create_app(settings), host=args.host, port=args.port)
    return 0


def add_parser(commands: Any) -> None:
    """Registered by deliberation.cli."""
    serve = commands.add_parser("serve", help="run the classroom API and web page")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.set_defaults(handler=cmd_serve)
