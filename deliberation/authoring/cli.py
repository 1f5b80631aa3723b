"""`deliberation scenario draft | check`: thin commands over the authoring library."""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from deliberation.config import Settings
from deliberation.errors import NotFound, UserError

if TYPE_CHECKING:
    from deliberation.authoring.draft import Draft


def _read_source(path: Path) -> str:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise NotFound(f"{path}: source file not found") from None
    except UnicodeDecodeError:
        raise UserError(f"{path}: not UTF-8 text; save the source as plain UTF-8") from None
    if not text.strip():
        raise UserError(f"{path}: the source is empty")
    return text


def _parties(value: str | None) -> list[str] | None:
    names = [n.strip() for n in (value or "").split(",") if n.strip()]
    return names or None


def draft(args: argparse.Namespace, settings: Settings, text: str) -> Draft:
    source = Path(args.source)
    if args.model:
        import asyncio

        from deliberation.authoring.model import draft_with_model
        from deliberation.llm.client import check_model, model_config

        check_model(args.model)
        config = model_config(settings, args.model)
        return asyncio.run(draft_with_model(text, source.name, settings.prompts_dir, config, args.name, _parties(args.parties)))
    from deliberation.authoring.offline import draft_offline

    return draft_offline(text, source.name, settings.prompts_dir, args.name, _parties(args.parties))


def cmd_draft(args: argparse.Namespace, settings: Settings) -> int:
    from deliberation.authoring.draft import check_out, write_draft  # the scorer's lexicon: not for other commands

    out = Path(args.out)
    text = _read_source(Path(args.source))
    check_out(out)
    started = time.perf_counter()
    result = draft(args, settings, text)
    seconds = time.perf_counter() - started
    write_draft(result, out)
    for note in result.notes:
        print(f"note: {note}")
    counts = ", ".join(f"{p.id} {len(p.positions)}" for p in result.personas if p.id in result.spec.parties)
    protocol = result.spec.protocol
    print(f"{result.spec.id}: drafted in {seconds:.1f}s: {len(result.spec.parties)} parties (positions: {counts}), "
          f"{len(protocol.agenda)} agenda topics, {len(protocol.points)} points -> {out}")  # fmt: skip
    from deliberation.authoring.check import check_scenario  # the scorer's embeddings: numpy, MiniLM

    problems = check_scenario(out)
    for problem in problems:
        print(f"{out}/{problem}")
    print(f"check: {len(problems)} problem(s); review the draft, then: deliberation scenario check {out}")
    return 0


def cmd_check(args: argparse.Namespace, settings: Settings) -> int:
    from deliberation.authoring.check import check_scenario  # the scorer's embeddings: numpy, MiniLM

    directory = Path(args.directory)
    problems = check_scenario(directory)
    for problem in problems:
        print(f"{directory}/{problem}")
    if problems:
        return 2
    print(f"{directory}: ok")
    return 0


def add_parser(commands: Any) -> None:
    """Registered by deliberation.cli."""
    scenario = commands.add_parser("scenario", help="draft a scenario from a source text, or check one")
    actions = scenario.add_subparsers(dest="action", required=True)
    drafting = actions.add_parser("draft", help="draft a scenario folder from a plain-text source")
    drafting.add_argument("source", metavar="SOURCE.txt")
    drafting.add_argument("--out", required=True, metavar="DIR", help="the scenario folder to write (must not hold one)")
    drafting.add_argument("--name", help="the scenario's title (its id is made from it)")
    drafting.add_argument("--parties", metavar="A,B,...", help="the parties, by name (default: found in the source)")
    drafting.add_argument("--model", help="draft with this litellm model (default: offline, extractive)")
    drafting.set_defaults(handler=cmd_draft)
    checking = actions.add_parser("check", help="check a scenario folder: one line per problem, exit 2 if any")
    checking.add_argument("directory", metavar="DIR")
    checking.set_defaults(handler=cmd_check)
