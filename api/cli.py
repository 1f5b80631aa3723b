"""`deliberation serve`: run the classroom API with uvicorn."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any

from deliberation.errors import UserError

if TYPE_CHECKING:
    from deliberation.config import Settings


def cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    import uvicorn
    from deliberation.api.main import create_app
    from deliberation.api.security import is_loopback

    anonymous = args.allow_anonymous or settings.allow_anonymous
    if not settings.api_keys and not anonymous and not is_loopback(args.host):
        raise UserError(
            f"--host {args.host} would let anyone on the network spend the provider key: set DELIBERATION_API_KEYS, "
            "or pass --allow-anonymous if that is what you mean"
        )
    if not settings.api_keys:
        note = "serving this machine (loopback) only"
        if anonymous:
            note = "--allow-anonymous: anyone who reaches this port may create debates and chat"
        print(f"deliberation: no DELIBERATION_API_KEYS: {note}", file=sys.stderr)
    settings = settings.model_copy(update={"allow_anonymous": anonymous})
    uvicorn.run(create_app(settings), host=args.host, port=args.port)
    return 0


def add_parser(commands: Any) -> None:
    """Registered by deliberation.cli."""
    serve = commands.add_parser("serve", help="run the classroom API and web page")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument(
        "--allow-anonymous", action="store_true",
        help="serve clients beyond loopback without operator keys (anyone who reaches the port spends the provider key)",
    )
    serve.set_defaults(handler=cmd_serve)
