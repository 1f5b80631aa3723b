"""The composition root: from settings to what a run or a server needs, each built once.

`make_deps` resolves a scenario, its models and its retrieval index (cached per process, shared by every
run and debate); `checkpointer` opens the checkpoint store the settings name; `drive` runs a graph and
hands each new turn on. The summit, the classroom service, persona chat and the evals all start here.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager, closing
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.types import Command

from deliberation import heap, pacing
from deliberation.checkpoints import LoopSqliteSaver
from deliberation.config import Settings
from deliberation.errors import StorageError
from deliberation.llm.client import ModelConfig, check_model, model_config
from deliberation.loader import load_cached, scenario
from deliberation.protocol import Step, plan
from deliberation.retrieval.index import open_retriever
from deliberation.retrieval.ranking import Retriever
from deliberation.scenario import Scenario
from deliberation.state import serializer
from deliberation.storage import sqlite_problem
from deliberation.turns import Turn


@dataclass(frozen=True)
class SummitOptions:
    scenario: str = "afghanistan"
    model: str | None = None
    """litellm model for every persona; None means the settings' default."""
    persona_models: dict[str, str] = field(default_factory=dict)
    rounds: int | None = None
    topics: list[str] | None = None
    seed: int = 0


@dataclass(frozen=True)
class SummitDeps:
    scenario: Scenario
    steps: list[Step]
    retriever: Retriever
    models: dict[str, ModelConfig]
    prompts_dir: Path
    seed: int = 0
    top_k: int = 4
    recent_messages: int = 4
    human_seats: frozenset[str] = field(default_factory=frozenset)

    def model_for(self, persona: str) -> ModelConfig:
        return self.models[persona]

    def with_seed(self, seed: int) -> SummitDeps:
        """The same run with another seed (a batch builds its dependencies once)."""
        return replace(self, seed=seed, models={p: replace(m, seed=seed) for p, m in self.models.items()})


@lru_cache(maxsize=16)
def _retriever(scenario_id: str, roots: tuple[Path, ...], embedding: str, data_dir: Path, url: str | None) -> Retriever:
    return open_retriever(load_cached(scenario_id, roots), embedding, data_dir, url)


_opening = threading.Lock()
"""Requests in worker threads may ask for the same index at once: one opens (or builds) it, the others reuse it."""


def _shared_retriever(settings: Settings, scenario_id: str) -> Retriever:
    with _opening:
        opened = _retriever.cache_info().misses
        retriever = _retriever(scenario_id, settings.scenario_roots, settings.embedding, settings.data_dir, settings.chroma_url)
        if _retriever.cache_info().misses > opened:  # opened now, not reused
            heap.settle()
        return retriever


def models_for(scenario_: Scenario, settings: Settings, options: SummitOptions) -> dict[str, str]:
    for persona in options.persona_models:
        scenario_.persona(persona)
    default = options.model or settings.model
    models = {pid: options.persona_models.get(pid, default) for pid in scenario_.participants}
    for model in set(models.values()):
        check_model(model)
    return models


def make_deps(settings: Settings, options: SummitOptions, human_seats: frozenset[str] = frozenset()) -> SummitDeps:
    scenario_ = scenario(settings, options.scenario)
    models = models_for(scenario_, settings, options)
    return SummitDeps(
        scenario=scenario_,
        steps=plan(scenario_, scenario_.protocol.rounds if options.rounds is None else options.rounds, options.topics),
        retriever=_shared_retriever(settings, options.scenario),
        models={pid: model_config(settings, m, seed=options.seed) for pid, m in models.items()},
        prompts_dir=settings.prompts_dir,
        seed=options.seed,
        top_k=settings.top_k,
        recent_messages=settings.recent_messages,
        human_seats=human_seats,
    )


@asynccontextmanager
async def checkpointer(settings: Settings) -> AsyncIterator[BaseCheckpointSaver[Any]]:
    if settings.database_url:
        from deliberation.classroom.backends import postgres_saver

        async with postgres_saver(settings.database_url, serializer()) as shared:
            yield shared
        return
    path = settings.checkpoints_file
    try:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise StorageError(f"{settings.data_dir}: cannot create the data folder ({error.strerror or error})") from None
    problem = sqlite_problem(path)
    if problem is not None:
        raise StorageError(f"{path}: not a readable checkpoint database ({problem}); move it aside to start afresh")
    with closing(sqlite3.connect(path, check_same_thread=False)) as connection:
        # WAL with synchronous=NORMAL: a commit is not fsynced one by one, yet it survives the process being
        # killed (only a power loss or an OS crash can drop the latest ones) and the file is never corrupted.
        # With FULL, every checkpoint waited for the disk, and the event loop with it.
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA synchronous=NORMAL")
        yield LoopSqliteSaver(connection, serde=serializer())


TurnCallback = Callable[[Turn], None]
StateCallback = Callable[[dict[str, Any]], None]


async def drive(
    graph: Any,
    graph_input: Any,
    config: RunnableConfig,
    deps: SummitDeps,
    on_turn: TurnCallback,
    on_state: StateCallback | None = None,
) -> bool:
    """Stream the graph, handing each new turn to `on_turn` and, when given, the state after each step to
    `on_state`; False when a human seat interrupted it. The graph moves only while it holds a share of the CPU
    (`pacing`); a seat's answer takes its turn before the AI's."""
    modes = ["updates", "values"] if on_state else ["updates"]
    urgent = isinstance(graph_input, Command)
    held: list[Turn] = []  # a step's turns go out after its state: whoever hears of a turn reads the state it left
    # Left open when it returns early, as `async for` leaves it: closing it at an interrupt could cut short the
    # checkpoint writes a remote saver still has in flight.
    steps = graph.astream(graph_input, config, context=deps, stream_mode=modes, durability="sync")
    while True:
        async with pacing.advancing(urgent):
            chunk = await anext(steps, None)
        if chunk is None:
            return True
        mode, data = chunk
        if mode == "updates":
            if "__interrupt__" in data:
                return False
            held.extend(turn for value in data.values() for turn in (value or {}).get("history", []))
        elif on_state is not None:
            on_state(data)
        if held and (mode == "values" or on_state is None):
            urgent = False
            for turn in held:
                on_turn(turn)
            held.clear()
