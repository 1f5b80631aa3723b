"""`deliberation eval score | transcripts | validate`: thin commands over the evals library.

Registered on every start of the CLI, so the libraries are imported inside the commands that use them.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from deliberation.errors import NotFound, UserError

if TYPE_CHECKING:
    from deliberation.evals.types import Scorer

    from deliberation.config import Settings

SCORERS = ["deterministic", "judge", "combined"]


def _judge(args: argparse.Namespace, settings: Settings, scenario_id: str) -> Scorer:
    """The judge live (through --model), recorded as it goes (--record), or replayed from a recording (--recorded)."""
    from deliberation.evals.recorded import RecordedScorer, RecordingScorer

    from deliberation.loader import scenario

    if getattr(args, "recorded", None):
        return RecordedScorer(Path(args.recorded))
    from deliberation.evals.judge import JudgeScorer

    from deliberation.llm.client import check_model, model_config

    model = args.model or settings.model
    check_model(model)
    judge: Scorer = JudgeScorer(scenario(settings, scenario_id), model_config(settings, model), settings=settings)
    return RecordingScorer(judge, Path(args.record)) if getattr(args, "record", None) else judge


def _scorer(args: argparse.Namespace, settings: Settings, name: str | None = None, scenario_id: str | None = None) -> Scorer:
    from deliberation.evals.deterministic import DeterministicScorer
    from deliberation.evals.recorded import CombinedScorer

    from deliberation.loader import scenario

    name, scenario_id = name or args.scorer, scenario_id or args.scenario
    if name == "deterministic":
        return DeterministicScorer(scenario(settings, scenario_id))
    if name == "combined":
        return CombinedScorer(DeterministicScorer(scenario(settings, scenario_id)), _judge(args, settings, scenario_id))
    return _judge(args, settings, scenario_id)


def cmd_score(args: argparse.Namespace, settings: Settings) -> int:
    import asyncio

    from deliberation.evals.batch import score_file

    from deliberation.loader import scenario

    source = Path(args.file)
    out = Path(args.out) if args.out else source.with_name(f"{source.stem}.scored.jsonl")
    summary = asyncio.run(score_file(source, scenario(settings, args.scenario), _scorer(args, settings), out))
    print(f"{summary.scored} scored, {summary.faithful} faithful, {summary.errors} invalid line(s), "
          f"mean score {summary.mean_score:.3f} -> {out}")  # fmt: skip
    return 2 if summary.errors else 0


def _transcript_files(path: Path) -> list[Path]:
    files = sorted(path.glob("*.jsonl")) if path.is_dir() else [path]
    if not files or not files[0].exists():
        raise NotFound(f"{path}: no transcript (.jsonl) found")
    return files


def cmd_transcripts(args: argparse.Namespace, settings: Settings) -> int:
    import asyncio

    from deliberation.evals.transcripts import evaluate_transcripts, gate_failures, load_gate, render_report

    from deliberation.loader import scenario
    from deliberation.transcript import RunStarted, read_events, turns_of

    runs: dict[str, list[Any]] = {}
    for file in _transcript_files(Path(args.path)):
        events = read_events(file)
        started = next((e for e in events if isinstance(e, RunStarted)), None)
        if started is None:
            raise UserError(f"{file}: no run_started event; is this a transcript?")
        runs.setdefault(started.scenario, []).append((started.run_id, turns_of(events)))
    if len(runs) > 1:
        raise UserError(f"{args.path}: transcripts of several scenarios ({', '.join(runs)}); score one scenario at a time")
    scenario_id, transcripts = next(iter(runs.items()))
    gate = load_gate(Path(args.gate_file)) if args.gate_file else load_gate()
    scorer = _scorer(args, settings, scenario_id=scenario_id)
    report = asyncio.run(evaluate_transcripts(transcripts, scenario(settings, scenario_id), scorer))
    report.failures = gate_failures(report.metrics, gate)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "eval-report.json").write_text(report.model_dump_json(indent=2), encoding="utf-8")
    (out / "eval-report.md").write_text(render_report(report), encoding="utf-8")
    m = report.metrics
    shown = ", ".join(f"{name.replace('_', ' ')} {m[name].shown} ({m[name].coverage})"
                      for name in ("faithful_rate", "barrier", "relay_fidelity", "mediator_neutrality"))  # fmt: skip
    print(f"{len(transcripts)} transcript(s), {len(report.turns)} turns ({int(m['failed_turns'].value or 0)} failed), "
          f"{scorer.name} scorer: {shown} -> {out / 'eval-report.md'}")  # fmt: skip
    for failure in report.failures:
        print(f"gate: {failure}", file=sys.stderr)
    return 1 if args.gate and report.failures else 0


def cmd_validate(args: argparse.Namespace, settings: Settings) -> int:
    import asyncio

    from deliberation.evals.dataset import load_cases, select
    from deliberation.evals.validation import render_comparison, render_validation, validate

    cases = select(load_cases(args.scenario, Path(args.cases) if args.cases else None).cases, args.split)
    if args.compare:
        results = {name: asyncio.run(validate(_scorer(args, settings, name), cases)) for name in SCORERS}
        print(render_comparison(results, f"scorers side by side on the {args.split} split ({len(cases)} cases)"))
        return 0
    result = asyncio.run(validate(_scorer(args, settings), cases))
    print(render_validation(result, f"{args.scorer} scorer on the {args.split} split ({len(cases)} cases)"))
    return 0


def add_parser(commands: Any) -> None:
    evals = commands.add_parser("eval", help="score faithfulness of utterances and transcripts")
    sub = evals.add_subparsers(dest="eval_command", required=True)

    def scorer_options(parser: argparse.ArgumentParser, scenario: bool = True) -> None:
        if scenario:
            parser.add_argument("--scenario", default="afghanistan")
        parser.add_argument("--scorer", choices=SCORERS, default="deterministic",
                            help="combined: deterministic first, the judge on turns it marks unsupported")  # fmt: skip
        parser.add_argument("--model", help="litellm model for the judge")
        parser.add_argument("--recorded", metavar="FILE", help="replay the judge's verdicts recorded in FILE (JSONL)")
        parser.add_argument("--record", metavar="FILE", help="append each live judge verdict to FILE, for --recorded")

    score = sub.add_parser("score", help="score a JSONL of {id, persona, text[, stage, context]}")
    score.add_argument("file")
    score.add_argument("--out")
    scorer_options(score)
    score.set_defaults(handler=cmd_score)

    transcripts = sub.add_parser("transcripts", help="score one transcript or a folder of them")
    transcripts.add_argument("path")
    transcripts.add_argument("--out", default="eval-report")
    transcripts.add_argument("--gate", action="store_true", help="exit 1 when a threshold in evals/gate.yaml fails")
    transcripts.add_argument("--gate-file")
    scorer_options(transcripts, scenario=False)
    transcripts.set_defaults(handler=cmd_transcripts)

    check = sub.add_parser("validate", help="measure a scorer on the labelled set")
    check.add_argument("--split", default="test", help="dev, test, blind, blind2, ... (a set's split name) or all")
    check.add_argument("--compare", action="store_true", help="every scorer on the same cases, side by side")
    check.add_argument("--cases", metavar="FILE", help="a labelled set file of your own instead of the scenario's sets")
    scorer_options(check)
    check.set_defaults(handler=cmd_validate)
