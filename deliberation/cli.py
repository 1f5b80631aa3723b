"""`deliberation` command line: a thin layer over the library; errors map to exit codes here, once.

This is the outermost layer: it registers the core's commands (summit, scenarios) and those of the layers
above the core (evals, api, authoring), each defined by the layer that owns it; nothing imports this module.
Commands import what they run when they run it: `--help`, `scenarios` and `eval score` start without
litellm, chromadb, langgraph or numpy (tests/core/test_cli_start.py checks this).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from deliberation.api import cli as api_cli
from deliberation.evals import cli as evals_cli

from deliberation.authoring import cli as authoring_cli
from deliberation.errors import DeliberationError, NotFound, StorageError, UserError

if TYPE_CHECKING:
    from deliberation.config import Settings
    from deliberation.summit import RunResult

Command = Callable[[argparse.Namespace, "Settings"], int]


def _persona_models(values: Sequence[str]) -> dict[str, str]:
    pairs = {}
    for value in values:
        persona, sep, model = value.partition("=")
        if not sep or not persona or not model:
            raise argparse.ArgumentTypeError(f"--persona-model expects PERSONA=MODEL, got {value!r}")
        pairs[persona] = model
    return pairs


def _topics(value: str | None) -> list[str] | None:
    topics = [t.strip() for t in (value or "").split(",") if t.strip()]
    return topics or None


def _report(result: RunResult) -> None:
    if result.repaired:
        print(f"{result.run_id}: {result.repaired}", file=sys.stderr)
    outcome = result.finished.outcome
    print(
        f"{result.run_id}: {result.finished.turns} turns ({result.finished.failed_turns} failed), "
        f"{len(outcome.agreed)} agreed / {len(outcome.open)} open points -> {result.jsonl} {result.markdown}"
    )


def cmd_summit(args: argparse.Namespace, settings: Settings) -> int:
    import asyncio

    from deliberation.runtime import SummitOptions, make_deps
    from deliberation.summit import new_run_id, resume_summit, run_batch, run_summit

    out = Path(args.out)
    if out.exists() and not out.is_dir():
        raise UserError(f"--out {out}: is a file; give a folder for the transcripts")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise StorageError(f"--out {out}: cannot create the folder ({error.strerror or error})") from None
    if args.resume:
        _report(asyncio.run(resume_summit(settings, args.resume, out)))
        return 0
    options = SummitOptions(
        scenario=args.scenario,
        model=args.model,
        persona_models=_persona_models(args.persona_model),
        rounds=args.rounds,
        topics=_topics(args.topics),
        seed=args.seed,
    )
    deps = make_deps(settings, options)  # fails on bad names before a run is announced or progress drawn
    if args.runs == 1:
        run_id = new_run_id(options.seed)
        print(f"{run_id}: started (if interrupted: deliberation summit --resume {run_id} --out {out})", file=sys.stderr)
        _report(asyncio.run(run_summit(settings, options, out, run_id=run_id, deps=deps)))
        return 0
    from rich.progress import Progress

    with Progress(transient=False) as progress:
        task = progress.add_task(f"{args.runs} summits", total=args.runs)
        batch = run_batch(settings, options, out, args.runs, args.concurrency, lambda _: progress.advance(task), deps)
        results = asyncio.run(batch)
    for result in results:
        _report(result)
    return 0


def _origin(directory: Path, settings: Settings) -> str:
    """Where a scenario comes from: the user's folder (noting a packaged one it hides) or the package."""
    from deliberation.loader import SCENARIO_FILE

    packaged_root = settings.scenario_roots[-1]
    if directory.parent == packaged_root:
        return f"packaged, {directory}"
    hides = " (hides the packaged one)" if (packaged_root / directory.name / SCENARIO_FILE).is_file() else ""
    return f"from {directory}{hides}"


def cmd_scenarios(args: argparse.Namespace, settings: Settings) -> int:
    from deliberation.loader import scenario, scenario_dirs

    found = scenario_dirs(settings.scenario_roots)
    if not found:
        where = ", ".join(str(root) for root in settings.scenario_roots)
        raise NotFound(f"no scenarios in {where}: give --scenarios-dir, a folder of <id>/scenario.yaml")
    broken = 0
    for scenario_id, directory in found.items():
        try:
            loaded = scenario(settings, scenario_id)
        except UserError as error:  # list the others; each broken one is one line naming its file
            print(f"deliberation: error: {error}", file=sys.stderr)
            broken += 1
            continue
        print(f"{loaded.id}: {loaded.title}  [{_origin(directory, settings)}]")
        for pid in loaded.participants:
            persona = loaded.personas[pid]
            role = "mediator" if pid == loaded.mediator else "party"
            print(f"  {pid:<10} {role:<8} {persona.name} ({len(persona.positions)} positions)")
    return 2 if broken else 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="deliberation", description="Indirect peace talks between AI personas.")
    parser.add_argument(
        "--scenarios-dir",
        metavar="DIR",
        help="a folder of your own scenarios (<id>/scenario.yaml), searched before the packaged ones "
        "(default: $DELIBERATION_SCENARIOS_DIR)",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    summit = commands.add_parser("summit", help="run simulated summits and write transcripts")
    summit.add_argument("--scenario", default="afghanistan")
    summit.add_argument("--model", help="litellm model for every persona (default: offline/extractive)")
    summit.add_argument("--persona-model", action="append", default=[], metavar="PERSONA=MODEL")
    summit.add_argument("--rounds", type=int, help="indirect rounds (default: the scenario's)")
    summit.add_argument("--topics", help="comma-separated agenda topics, in order")
    summit.add_argument("--runs", type=int, default=1)
    summit.add_argument("--concurrency", type=int, default=4)
    summit.add_argument("--seed", type=int, default=0)
    summit.add_argument("--out", default="runs")
    summit.add_argument("--resume", metavar="RUN_ID")
    summit.set_defaults(handler=cmd_summit)
    commands.add_parser("scenarios", help="list scenarios and personas").set_defaults(handler=cmd_scenarios)
    for layer in (evals_cli, api_cli, authoring_cli):
        layer.add_parser(commands)
    return parser


def _check(args: argparse.Namespace) -> None:
    for name in ("rounds", "runs", "concurrency"):
        value = getattr(args, name, None)
        if value is not None and value < (0 if name == "rounds" else 1):
            raise argparse.ArgumentTypeError(f"--{name} must be {'>= 0' if name == 'rounds' else '>= 1'}, got {value}")


def _settings(args: argparse.Namespace) -> Settings:
    from pydantic import ValidationError

    from deliberation.config import get_settings

    try:
        settings = get_settings()
    except ValidationError as error:
        first = error.errors()[0]
        name = "DELIBERATION_" + "_".join(str(part) for part in first["loc"]).upper()
        raise UserError(f"setting {name}: {first['msg']}") from None
    if args.scenarios_dir is not None:
        settings = settings.model_copy(update={"scenarios_dir": Path(args.scenarios_dir)})
    if settings.scenarios_dir is not None and not settings.scenarios_dir.is_dir():
        where = settings.scenarios_dir
        raise NotFound(f"scenarios dir {where}: not a folder (from --scenarios-dir or DELIBERATION_SCENARIOS_DIR)")
    return settings


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        _check(args)
        handler: Command = args.handler
        return handler(args, _settings(args))
    except argparse.ArgumentTypeError as error:
        parser.error(str(error))
    except DeliberationError as error:
        print(f"deliberation: error: {error}", file=sys.stderr)
        return error.exit_code
    except KeyboardInterrupt:
        print("deliberation: interrupted; finished turns are saved (resume with --resume RUN_ID)", file=sys.stderr)
        return 130
    except BrokenPipeError:  # the reader went away (`deliberation ... | head`): nothing of ours failed
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # Python flushes stdout again at exit
        return 141  # 128 + SIGPIPE, as a shell reports a command whose reader closed the pipe
    return 0


if __name__ == "__main__":
    sys.exit(main())
