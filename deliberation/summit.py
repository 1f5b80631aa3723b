"""Run simulated summits: the library calls the CLI, the API and the evals share."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.base import BaseCheckpointSaver

from deliberation.config import Settings
from deliberation.errors import Conflict, NotFound, StorageError
from deliberation.graph import build_graph
from deliberation.prompts import file_hashes
from deliberation.retrieval.index import sha256_text
from deliberation.runtime import SummitDeps, SummitOptions, TurnCallback, checkpointer, drive, make_deps
from deliberation.state import History, NegotiatingText
from deliberation.transcript import (
    Outcome,
    RunFinished,
    RunStarted,
    TranscriptWriter,
    TurnEvent,
    read_events,
    render_markdown,
    turns_of,
)
from deliberation.turns import Turn, Usage


@dataclass(frozen=True)
class RunResult:
    run_id: str
    jsonl: Path
    markdown: Path
    finished: RunFinished
    repaired: str | None = None
    """What `--resume` repaired in the transcript before it went on."""


def outcome_of(text: NegotiatingText, parties: list[str]) -> Outcome:
    points = list(text.points.values())
    return Outcome(agreed=[p for p in points if p.agreed(parties)], open=[p for p in points if not p.agreed(parties)])


def _started(settings: Settings, deps: SummitDeps, options: SummitOptions, run_id: str) -> RunStarted:
    return RunStarted(
        run_id=run_id,
        scenario=deps.scenario.id,
        scenario_sha256=sha256_text(deps.scenario.source_text),
        models={pid: m.model for pid, m in deps.models.items()},
        files=file_hashes(settings.prompts_dir, deps.scenario.directory),
        seed=options.seed,
        rounds=sum(1 for s in deps.steps if s.kind.value == "question"),
        topics=options.topics,
        started_at=datetime.now(UTC).isoformat(),
    )


class _Recorder:
    """Writes each turn once, in order, even when a resumed graph replays what was already written."""

    def __init__(self, writer: TranscriptWriter, written: int, on_turn: TurnCallback | None) -> None:
        self.writer, self.written, self.on_turn = writer, written, on_turn

    def __call__(self, turn: Turn) -> None:
        if turn.turn <= self.written:
            return
        self.writer.write(TurnEvent.model_construct(**dict(turn)))  # the turn is validated already
        self.written = turn.turn
        if self.on_turn:
            self.on_turn(turn)


async def _run(
    settings: Settings,
    deps: SummitDeps,
    options: SummitOptions,
    out_dir: Path,
    run_id: str,
    resume: bool,
    saver: BaseCheckpointSaver[Any],
    on_turn: TurnCallback | None,
) -> RunResult:
    writer = TranscriptWriter(out_dir / f"{run_id}.jsonl")
    config: RunnableConfig = {"configurable": {"thread_id": run_id}}
    graph = build_graph(saver)
    written, repaired, checkpointed = 0, None, list[Turn]()
    if resume:
        checkpointed = await _checked_resume(settings, graph, config, writer.path, run_id)
        written = max((t.turn for t in turns_of(read_events(writer.path, torn_tail_ok=True))), default=0)
        if writer.cut_torn_tail():
            repaired = f"{writer.path}: repaired a truncated last line from the checkpoint"
    else:
        writer.write(_started(settings, deps, options, run_id))
    recorder = _Recorder(writer, written, on_turn)
    for turn in checkpointed:  # turns checkpointed but not yet written when the run stopped
        recorder(turn)
    began = time.monotonic()
    await drive(graph, None if resume else {"cursor": 0}, config, deps, recorder)
    result = _finish(writer, deps, (await graph.aget_state(config)).values, run_id, time.monotonic() - began)
    return RunResult(result.run_id, result.jsonl, result.markdown, result.finished, repaired)


def _span(numbers: list[int]) -> str:
    """1, 2, 3, 7 -> "1-3, 7"."""
    runs: list[list[int]] = []
    for n in numbers:
        if runs and n == runs[-1][-1] + 1:
            runs[-1].append(n)
        else:
            runs.append([n])
    return ", ".join(f"{r[0]}-{r[-1]}" if len(r) > 1 else str(r[0]) for r in runs)


async def _checked_resume(settings: Settings, graph: Any, config: RunnableConfig, path: Path, run_id: str) -> list[Turn]:
    """The checkpoint's turns, once the transcript is shown to be a gap-free prefix of them."""
    written = turns_of(read_events(path, torn_tail_ok=True))
    numbers = [t.turn for t in written]
    if numbers != list(range(1, len(numbers) + 1)):
        missing = sorted(set(range(1, max(numbers) + 1)) - set(numbers))
        problem = f"turns {_span(missing)} are missing" if missing else "turns are repeated or out of order"
        raise StorageError(f"{path}: {problem} in the transcript of run {run_id}; it cannot be resumed without a gap")
    database = settings.checkpoints_file
    try:
        state = await graph.aget_state(config, subgraphs=False)
        checkpointed = (state.values or {}).get("history", History()).turns
    except Exception as error:  # a damaged row fails in the checkpointer's deserialiser: any exception type
        raise StorageError(f"{database}: the checkpoint of run {run_id} cannot be read ({type(error).__name__})") from None
    if state.created_at is None:
        raise NotFound(
            f"run {run_id}: no checkpoint in {settings.data_dir}; resume with the DELIBERATION_DATA_DIR it was started with"
        )
    if len(written) > len(checkpointed):
        raise StorageError(
            f"{path}: the transcript has turns up to {len(written)} but the checkpoint in {database} only up to "
            f"{len(checkpointed)}; they belong to different runs or data folders"
        )
    differing = [t.turn for t, c in zip(written, checkpointed, strict=False) if t.content != c.content or t.speaker != c.speaker]
    if differing:
        raise StorageError(f"{path}: turns {_span(differing)} differ from the checkpoint in {database}; not resuming")
    return checkpointed


def _finish(writer: TranscriptWriter, deps: SummitDeps, values: dict[str, Any], run_id: str, duration: float) -> RunResult:
    turns = values.get("history", History()).turns
    usage = sum((t.usage for t in turns), Usage())
    finished = RunFinished(
        run_id=run_id,
        outcome=outcome_of(values.get("text", NegotiatingText()), deps.scenario.parties),
        usage=usage,
        turns=len(turns),
        failed_turns=sum(1 for t in turns if t.error),
        duration_s=round(duration, 3),
    )
    writer.write(finished)
    names = {pid: p.name for pid, p in deps.scenario.personas.items()}
    markdown = writer.path.with_suffix(".md")
    try:
        markdown.write_text(render_markdown(read_events(writer.path), deps.scenario.source_text, names), encoding="utf-8")
    except OSError as error:
        raise StorageError(f"{markdown}: cannot write the Markdown transcript ({error.strerror or error})") from None
    return RunResult(run_id, writer.path, markdown, finished)


def new_run_id(seed: int) -> str:
    return f"{datetime.now(UTC):%Y%m%dT%H%M%S}-s{seed}-{uuid.uuid4().hex[:6]}"


async def run_summit(
    settings: Settings,
    options: SummitOptions,
    out_dir: Path,
    on_turn: TurnCallback | None = None,
    run_id: str | None = None,
    deps: SummitDeps | None = None,
) -> RunResult:
    """One summit; `deps` when the caller has built them already (the CLI does, to check names first)."""
    deps = deps or make_deps(settings, options)
    async with checkpointer(settings) as saver:
        return await _run(settings, deps, options, out_dir, run_id or new_run_id(options.seed), False, saver, on_turn)


def options_of(started: RunStarted) -> SummitOptions:
    models = set(started.models.values())
    model = models.pop() if len(models) == 1 else None
    return SummitOptions(
        scenario=started.scenario,
        model=model,
        persona_models={} if model else started.models,
        rounds=started.rounds,
        topics=started.topics,
        seed=started.seed,
    )


async def resume_summit(settings: Settings, run_id: str, out_dir: Path, on_turn: TurnCallback | None = None) -> RunResult:
    """Continue an interrupted run from its checkpoint; turns already written stay as they are."""
    events = read_events(out_dir / f"{run_id}.jsonl", torn_tail_ok=True)
    started = next((e for e in events if isinstance(e, RunStarted)), None)
    if started is None:
        raise NotFound(f"{out_dir / (run_id + '.jsonl')}: no run_started event; cannot resume")
    if any(isinstance(e, RunFinished) for e in events):
        raise Conflict(f"run {run_id} already finished; nothing to resume")
    options = options_of(started)
    deps = make_deps(settings, options)
    async with checkpointer(settings) as saver:
        return await _run(settings, deps, options, out_dir, run_id, True, saver, on_turn)


async def run_batch(
    settings: Settings,
    options: SummitOptions,
    out_dir: Path,
    runs: int,
    concurrency: int,
    on_done: Callable[[RunResult], None] | None = None,
    deps: SummitDeps | None = None,
) -> list[RunResult]:
    """`runs` summits with seeds seed..seed+runs-1, at most `concurrency` at a time, sharing one set of `deps`."""
    deps = deps or make_deps(settings, options)  # before anything starts: a bad name fails the batch, not each run
    gate = asyncio.Semaphore(concurrency)
    async with checkpointer(settings) as saver:

        async def one(seed: int) -> RunResult:
            async with gate:
                run_options = SummitOptions(**{**options.__dict__, "seed": seed})
                result = await _run(settings, deps.with_seed(seed), run_options, out_dir, new_run_id(seed), False, saver, None)
                if on_done:
                    on_done(result)
                return result

        return list(await asyncio.gather(*(one(options.seed + i) for i in range(runs))))
