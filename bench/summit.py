"""Summit figures: index build, CLI end to end, per-turn cost by component (cold and warm) against floors
measured in the same process, prompt growth, batch throughput. Prints; asserts nothing.

Every cold figure comes from a new process with a new seed (cold query-embedding cache) and the retrieval
index already built, as a CLI run sees it; warm figures repeat the same seed in the same process. The
"mocked" model is litellm's OpenAI-compatible path answered in-process by respx with the offline engine's
turn (zero latency); `offline/extractive` is the default engine, called in-process. Floors: a bare litellm
call to the same mock with a real turn's messages, and a bare LangGraph step with the same SQLite
checkpointer and durability. Settings: the defaults (hybrid retrieval), scenario afghanistan.

    python bench/summit.py            # all sections, a few minutes on 2 cores
    python bench/summit.py --quick    # no batch section
"""

from __future__ import annotations

import os

os.environ["LITELLM_LOCAL_MODEL_COST_MAP"] = "True"  # before anything imports litellm: never fetch the price list

import asyncio
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypedDict

API_BASE = "http://bench-llm.test/v1"
MOCKED, OFFLINE = "openai/bench", "offline/extractive"
SCENARIO, WARM_REPEATS, LATENCY_S, BATCH_RUNS, STEPS = "afghanistan", 5, 0.2, 20, 200
ROOT = Path(__file__).resolve().parent.parent
COMPONENTS = ["retrieval", "context", "prompt", "model call", "of which provider", "checkpoint", "transcript", "graph + rest"]


class Timers:
    """Process CPU seconds per component, summed over a run (CPU, not wall: the machine is shared, and CPU time
    is what a turn costs us). Nested components are subtracted where they nest."""

    def __init__(self) -> None:
        self.spent: dict[str, float] = defaultdict(float)

    def wrap(self, owner: Any, name: str, label: str) -> None:
        original = getattr(owner, name)
        spent = self.spent
        if asyncio.iscoroutinefunction(original):

            async def timed_async(*args: Any, **kwargs: Any) -> Any:
                began = time.process_time()
                try:
                    return await original(*args, **kwargs)
                finally:
                    spent[label] += time.process_time() - began

            setattr(owner, name, timed_async)
        else:

            def timed(*args: Any, **kwargs: Any) -> Any:
                began = time.process_time()
                try:
                    return original(*args, **kwargs)
                finally:
                    spent[label] += time.process_time() - began

            setattr(owner, name, timed)

    def per_turn_ms(self, cpu_s: float, turns: int) -> dict[str, float]:
        spent = dict(self.spent)
        spent["context"] = spent.get("context", 0.0) - spent.get("retrieval", 0.0)  # context building calls retrieval
        mine = {k: spent.get(k, 0.0) for k in COMPONENTS if k not in ("graph + rest", "of which provider")}
        mine["of which provider"] = spent.get("of which provider", 0.0)
        mine["graph + rest"] = cpu_s - sum(v for k, v in mine.items() if k != "of which provider")
        return {k: v * 1000 / turns for k, v in mine.items()}


class MockProvider:
    """respx on litellm's OpenAI path, answering after `latency` seconds with the offline engine's turn."""

    def __init__(self, latency: float, prompts_dir: Path, timers: Timers | None = None) -> None:
        import httpx
        import respx

        from deliberation.llm.offline import chat_completion

        self.latency, self.calls, self.prompts_dir = latency, 0, prompts_dir
        self.last: list[dict[str, Any]] | None = None
        self.router = respx.mock(assert_all_mocked=True, assert_all_called=False)

        async def answer(request: httpx.Request) -> httpx.Response:
            self.calls += 1
            began = time.process_time()
            body = json.loads(request.content)
            self.last = body["messages"]
            response = httpx.Response(200, json=chat_completion(body, self.prompts_dir))
            if timers is not None:
                timers.spent["of which provider"] += time.process_time() - began
            if self.latency:
                await asyncio.sleep(self.latency)
            return response

        self.router.post(f"{API_BASE}/chat/completions").side_effect = answer


def settings_for(data_dir: Path) -> Any:
    from deliberation.config import Settings

    return Settings(data_dir=data_dir, scenarios_dir=ROOT / "personas", prompts_dir=ROOT / "prompts")


def instrument(timers: Timers) -> None:
    from deliberation import speak
    from deliberation.checkpoints import LoopSqliteSaver
    from deliberation.llm import offline
    from deliberation.nodes import mediator, party
    from deliberation.retrieval.ranking import Retriever
    from deliberation.transcript import TranscriptWriter

    timers.wrap(Retriever, "search", "retrieval")
    timers.wrap(mediator, "mediator_context", "context")
    timers.wrap(party, "party_context", "context")
    timers.wrap(speak, "messages_for", "prompt")
    timers.wrap(speak, "complete", "model call")
    timers.wrap(offline, "answer", "model call")
    timers.wrap(LoopSqliteSaver, "aput", "checkpoint")
    timers.wrap(LoopSqliteSaver, "aput_writes", "checkpoint")
    timers.wrap(TranscriptWriter, "write", "transcript")


async def bare_litellm_ms(messages: list[dict[str, Any]], calls: int = 50) -> tuple[float, float]:
    """(CPU ms, wall ms), medians of `calls` calls after one warm-up."""
    from deliberation.llm.client import lite

    litellm = lite()

    async def one() -> tuple[float, float]:
        cpu, wall = time.process_time(), time.perf_counter()
        await litellm.acompletion(model=MOCKED, messages=messages, response_format={"type": "json_object"}, drop_params=True)
        return (time.process_time() - cpu) * 1000, (time.perf_counter() - wall) * 1000

    await one()
    runs = [await one() for _ in range(calls)]
    return statistics.median(r[0] for r in runs), statistics.median(r[1] for r in runs)


class Count(TypedDict):
    n: int


async def bare_step_ms(data_dir: Path) -> tuple[float, float]:
    """Per step of a one-node graph looping STEPS times, checkpointed like the talks (same saver, durability sync)."""
    from langgraph.graph import END, START, StateGraph

    from deliberation.runtime import checkpointer

    def step(state: Count) -> Count:
        return {"n": state["n"] + 1}

    def again(state: Count) -> str:
        return "step" if state["n"] < STEPS else END

    builder = StateGraph(Count)
    builder.add_node("step", step)
    builder.add_edge(START, "step")
    builder.add_conditional_edges("step", again, ["step", END])
    async with checkpointer(settings_for(data_dir)) as saver:
        graph = builder.compile(checkpointer=saver)
        config: Any = {"configurable": {"thread_id": f"bare-{time.time_ns()}"}, "recursion_limit": STEPS + 10}
        cpu, wall = time.process_time(), time.perf_counter()
        await graph.ainvoke({"n": 0}, config, durability="sync")
        return (time.process_time() - cpu) * 1000 / STEPS, (time.perf_counter() - wall) * 1000 / STEPS


async def timed_summit(data_dir: Path, model: str, seed: int, out: Path, timers: Timers) -> dict[str, Any]:
    from deliberation.summit import SummitOptions, run_summit

    timers.spent.clear()
    cpu, wall = time.process_time(), time.perf_counter()
    result = await run_summit(settings_for(data_dir), SummitOptions(scenario=SCENARIO, model=model, rounds=3, seed=seed), out)
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    turns = result.finished.turns
    return {"cpu_ms": cpu * 1000 / turns, "wall_ms": wall * 1000 / turns, "turns": turns,
            "failed": result.finished.failed_turns, "components": timers.per_turn_ms(cpu, turns)}


async def child_overhead(data_dir: Path, model: str, seed: int) -> dict[str, Any]:
    """One cold run (this fresh process, a new seed), then WARM_REPEATS warm runs of the same seed, then the floors."""
    timers = Timers()
    instrument(timers)
    if model != OFFLINE:  # litellm loads at its first call: process start, as the talks' other imports, not a turn
        from deliberation.llm.client import lite

        lite()
    provider = MockProvider(0.0, ROOT / "prompts", timers)
    os.environ["OPENAI_API_BASE"], os.environ["OPENAI_API_KEY"] = API_BASE, "bench"
    out = Path(tempfile.mkdtemp(prefix="bench-runs-"))
    with provider.router:
        cold = await timed_summit(data_dir, model, seed, out, timers)
        warm = [await timed_summit(data_dir, model, seed, out, timers) for _ in range(WARM_REPEATS)]
        messages = provider.last or [{"role": "user", "content": "x"}]
        if model == OFFLINE:  # a real turn's messages for the floor: ask the mock once through the talks' path
            await timed_summit(data_dir, MOCKED, seed, out, Timers())
            messages = provider.last
        litellm_ms = await bare_litellm_ms(messages)
    step_ms = await bare_step_ms(data_dir)
    median = sorted(warm, key=lambda r: r["cpu_ms"])[len(warm) // 2]
    return {"cold": cold, "warm": median, "floor_litellm_ms": litellm_ms, "floor_step_ms": step_ms}


async def child_batch(data_dir: Path, seed: int, concurrency: int) -> dict[str, Any]:
    from deliberation.summit import SummitOptions, run_batch

    provider = MockProvider(LATENCY_S, ROOT / "prompts")
    os.environ["OPENAI_API_BASE"], os.environ["OPENAI_API_KEY"] = API_BASE, "bench"
    out = Path(tempfile.mkdtemp(prefix="bench-batch-"))
    with provider.router:
        began = time.perf_counter()
        options = SummitOptions(scenario=SCENARIO, model=MOCKED, rounds=1, seed=seed)
        results = await run_batch(settings_for(data_dir), options, out, BATCH_RUNS, concurrency)
        wall = time.perf_counter() - began
    return {"wall": wall, "calls": provider.calls, "turns": sum(r.finished.turns for r in results),
            "failed": sum(r.finished.failed_turns for r in results)}


def child_index(data_dir: Path) -> dict[str, Any]:
    from deliberation.loader import load_scenario
    from deliberation.retrieval.index import open_retriever

    settings = settings_for(data_dir)
    scenario = load_scenario(SCENARIO, settings.scenarios_dir)
    cpu, began = time.process_time(), time.perf_counter()
    open_retriever(scenario, settings.embedding, data_dir)
    built, built_cpu = time.perf_counter() - began, time.process_time() - cpu
    began = time.perf_counter()
    open_retriever(scenario, settings.embedding, data_dir)
    return {"build_s": built, "build_cpu_s": built_cpu, "reopen_s": time.perf_counter() - began}


def in_child(*args: str) -> Any:
    """Run this script's child mode in a new process; its last stdout line is JSON."""
    done = subprocess.run([sys.executable, __file__, "--child", *args], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"child {args} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def cli_seconds(data_dir: Path, seed: int) -> tuple[float, float]:
    """(wall s, CPU s of the process) of one CLI summit."""
    env = {**os.environ, "DELIBERATION_DATA_DIR": str(data_dir)}
    with tempfile.TemporaryDirectory() as out:
        cli = str(Path(sys.executable).parent / "deliberation")
        command = [cli, "summit", "--rounds", "3", "--seed", str(seed), "--out", out]
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        began = time.perf_counter()
        subprocess.run(command, env=env, check=True, capture_output=True)
        wall = time.perf_counter() - began
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def prompt_growth(data_dir: Path) -> None:
    from deliberation.summit import SummitOptions, run_summit
    from deliberation.transcript import read_events, turns_of

    with tempfile.TemporaryDirectory() as out:
        options = SummitOptions(scenario=SCENARIO, model=OFFLINE, rounds=10)
        result = asyncio.run(run_summit(settings_for(data_dir), options, Path(out)))
        turns = [t for t in turns_of(read_events(result.jsonl)) if t.stage.value == "rounds"]
    mediator = next(t.speaker for t in turns if t.kind.value == "question")
    print(f"\nprompt tokens per turn ({SCENARIO}, rounds=10, {OFFLINE}; indirect-round turns only)")
    print(f"  {'speaker':<10}{'r1 mean':>9}{'r1 max':>8}{'r10 mean':>10}{'r10 max':>9}{'mean x':>8}{'max x':>7}")
    for label, is_mediator in (("party", False), ("mediator", True)):
        chosen = [t for t in turns if (t.speaker == mediator) == is_mediator]
        by_round = [[t.usage.prompt_tokens for t in chosen if t.round == r] for r in (1, 10)]
        (m1, x1), (m10, x10) = ((statistics.mean(r), max(r)) for r in by_round)
        print(f"  {label:<10}{m1:>9.0f}{x1:>8}{m10:>10.0f}{x10:>9}{m10 / m1:>8.2f}{x10 / x1:>7.2f}")


def overhead_table(data_dir: Path, seed: int) -> None:
    print(f"\nper turn, CPU ms unless marked wall ({SCENARIO}, rounds=3, embedding=hybrid, zero-latency provider;"
          f" cold = new process + new seed, warm = median of {WARM_REPEATS} repeats of that seed in the same process)")
    columns: list[tuple[str, dict[str, float]]] = []
    floors: list[str] = []
    for offset, model in enumerate((MOCKED, OFFLINE)):
        result = in_child("overhead", str(data_dir), model, str(seed + offset))
        (call_cpu, call_wall), (step_cpu, step_wall) = result["floor_litellm_ms"], result["floor_step_ms"]
        for label in ("cold", "warm"):
            run = result[label]
            values = {"wall total": run["wall_ms"], "CPU total": run["cpu_ms"], **run["components"]}
            columns.append((f"{model.split('/')[0]} {label}", values))
        floors.append(
            f"  floors in the {model} process: bare litellm call to the mock {call_cpu:.2f} CPU ms ({call_wall:.2f} wall),"
            f" bare checkpointed LangGraph step {step_cpu:.2f} CPU ms ({step_wall:.2f} wall); sum {call_cpu + step_cpu:.2f}"
            f" CPU ms. Turns {result['cold']['turns']}, failed {result['cold']['failed']}."
        )
    print(f"  {'component':<20}" + "".join(f"{name:>16}" for name, _ in columns))
    for row in ["wall total", "CPU total", *COMPONENTS]:
        print(f"  {row:<20}" + "".join(f"{values.get(row, 0.0):>16.2f}" for _, values in columns))
    print("\n".join(floors))


def throughput(data_dir: Path, seed: int) -> None:
    print(f"\nbatch throughput ({BATCH_RUNS} runs of {SCENARIO}, rounds=1; mocked provider, {LATENCY_S * 1000:.0f} ms per call;"
          " each level in a new process with new seeds)")
    print(f"  {'concurrency':<13}{'wall s':>8}{'calls':>7}{'turns':>7}{'failed':>8}{'ideal s':>9}{'efficiency':>12}")
    for step, concurrency in enumerate((1, 5, 10)):
        r = in_child("batch", str(data_dir), str(seed + 1000 * (step + 1)), str(concurrency))
        ideal = r["calls"] * LATENCY_S / concurrency
        figures = f"{r['wall']:>8.1f}{r['calls']:>7}{r['turns']:>7}{r['failed']:>8}{ideal:>9.1f}{ideal / r['wall']:>12.0%}"
        print(f"  {concurrency:<13}{figures}")


def child(args: list[str]) -> None:
    mode, data_dir = args[0], Path(args[1])
    result: Any
    if mode == "index":
        result = child_index(data_dir)
    elif mode == "overhead":
        result = asyncio.run(child_overhead(data_dir, args[2], int(args[3])))
    else:
        result = asyncio.run(child_batch(data_dir, int(args[2]), int(args[3])))
    print(json.dumps(result))


@contextmanager
def scratch() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="bench-summit-") as tmp:
        yield Path(tmp)


def main(quick: bool) -> None:
    seed = time.time_ns() % 1_000_000  # new seeds every run of the benchmark: nothing is cached from a previous one
    print(f"load average at start: {', '.join(f'{x:.1f}' for x in os.getloadavg())} ({os.cpu_count()} cores)")
    with scratch() as tmp:
        data_dir = tmp / "data"
        index = in_child("index", str(data_dir))
        print(f"index build ({SCENARIO}, hybrid: 3 Chroma collections, 47 passages; new process, empty data dir):"
              f" {index['build_s']:.2f} s wall, {index['build_cpu_s']:.2f} s CPU; reopen {index['reopen_s'] * 1000:.0f} ms")
        runs = [cli_seconds(data_dir, seed + 500 + i) for i in range(3)]
        print(f"CLI `deliberation summit --rounds 3`, index built, new seed each, process start included: wall"
              f" {', '.join(f'{w:.2f}' for w, _ in runs)} s (median {statistics.median(w for w, _ in runs):.2f});"
              f" CPU {', '.join(f'{c:.2f}' for _, c in runs)} s (median {statistics.median(c for _, c in runs):.2f})")
        overhead_table(data_dir, seed)
        prompt_growth(data_dir)
        if not quick:
            throughput(data_dir, seed)
    print(f"load average at end: {', '.join(f'{x:.1f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(sys.argv[2:])
    else:
        main("--quick" in sys.argv)
