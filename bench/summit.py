"""Summit figures: orchestration overhead per turn, prompt growth over rounds, batch throughput. Prints; asserts nothing.

The "provider" is respx answering litellm's OpenAI-compatible path in-process: each reply is the offline
engine's turn for the request's <context> block, so the talks run as they would with a real model.
No network. Run: `python bench/summit.py` (a few minutes on 2 cores; the batch at concurrency 1 is ~75 s).
"""

from __future__ import annotations

import os

os.environ["LITELLM_LOCAL_MODEL_COST_MAP"] = "True"  # before anything imports litellm: never fetch the price list

import asyncio
import json
import re
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
import respx

from deliberation.config import Settings
from deliberation.context import TurnContext
from deliberation.llm.offline import reply
from deliberation.summit import RunResult, SummitOptions, run_batch, run_summit
from deliberation.transcript import read_events, turns_of
from deliberation.turns import Turn

API_BASE = "http://bench-llm.test/v1"
MOCKED, OFFLINE = "openai/bench", "offline/extractive"
SCENARIO, REPEATS, LATENCY_S, BATCH_RUNS = "afghanistan", 5, 0.2, 20
_CONTEXT = re.compile(r"<context>\s*(\{.*\})\s*</context>", re.DOTALL)


def canned(body: dict[str, Any]) -> dict[str, Any]:
    """An OpenAI chat.completion carrying the offline engine's TurnOutput for the request's <context>."""
    prompt = "\n".join(str(m.get("content") or "") for m in body["messages"] if m.get("role") == "user")
    match = _CONTEXT.search(prompt)
    assert match, "a persona request without a <context> block"
    content = reply(TurnContext.model_validate_json(match.group(1)))
    prompt_tokens, completion_tokens = len(json.dumps(body["messages"])) // 4, len(content) // 4
    return {
        "id": "chatcmpl-bench",
        "object": "chat.completion",
        "created": 0,
        "model": body["model"],
        "choices": [{"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": content}}],
        "usage": {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens,
            "total_tokens": prompt_tokens + completion_tokens,
        },
    }


class MockProvider:
    """respx on litellm's OpenAI path, answering after `latency` seconds; counts the calls it gets."""

    def __init__(self, latency: float = 0.0) -> None:
        self.latency, self.calls = latency, 0
        self.router = respx.mock(assert_all_mocked=True, assert_all_called=False)
        self.router.post(f"{API_BASE}/chat/completions").side_effect = self._answer

    async def _answer(self, request: httpx.Request) -> httpx.Response:
        self.calls += 1
        if self.latency:
            await asyncio.sleep(self.latency)
        return httpx.Response(200, json=canned(json.loads(request.content)))


async def _timed_run(settings: Settings, model: str, out: Path) -> tuple[float, int, int]:
    """Wall ms per turn of one summit (setup, checkpoints and transcript included), turns, failed turns."""
    began = time.perf_counter()
    result = await run_summit(settings, SummitOptions(scenario=SCENARIO, model=model, rounds=3), out)
    return (time.perf_counter() - began) * 1000 / result.finished.turns, result.finished.turns, result.finished.failed_turns


async def overhead(settings: Settings, model: str, out: Path) -> list[float]:
    await _timed_run(settings, model, out)  # warm-up: builds the index, imports litellm's provider modules
    runs = [await _timed_run(settings, model, out) for _ in range(REPEATS)]
    failed = sum(f for _, _, f in runs)
    print(
        f"  {model:<20}{statistics.median(r[0] for r in runs):>9.1f}{min(r[0] for r in runs):>8.1f}"
        f"{max(r[0] for r in runs):>8.1f}{runs[0][1]:>7}{failed:>8}"
    )
    return [r[0] for r in runs]


def _stats(turns: list[Turn]) -> tuple[float, int]:
    tokens = [t.usage.prompt_tokens for t in turns]
    return statistics.mean(tokens), max(tokens)


def prompt_growth(settings: Settings, out: Path) -> None:
    result = asyncio.run(run_summit(settings, SummitOptions(scenario=SCENARIO, model=OFFLINE, rounds=10), out))
    turns = [t for t in turns_of(read_events(result.jsonl)) if t.stage.value == "rounds"]
    mediator = next(t.speaker for t in turns if t.kind.value == "question")
    print(f"\nprompt tokens per turn ({SCENARIO}, rounds=10, {OFFLINE}; indirect-round turns only)")
    print(f"  {'speaker':<10}{'r1 mean':>9}{'r1 max':>8}{'r10 mean':>10}{'r10 max':>9}{'mean x':>8}{'max x':>7}")
    for label, is_mediator in (("party", False), ("mediator", True)):
        chosen = [t for t in turns if (t.speaker == mediator) == is_mediator]
        (m1, x1), (m10, x10) = (_stats([t for t in chosen if t.round == r]) for r in (1, 10))
        print(f"  {label:<10}{m1:>9.0f}{x1:>8}{m10:>10.0f}{x10:>9}{m10 / m1:>8.2f}{x10 / x1:>7.2f}")


async def _batch(settings: Settings, provider: MockProvider, out: Path, concurrency: int) -> tuple[float, list[RunResult]]:
    options = SummitOptions(scenario=SCENARIO, model=MOCKED, rounds=1)
    began = time.perf_counter()
    results = await run_batch(settings, options, out, BATCH_RUNS, concurrency)
    return time.perf_counter() - began, results


def throughput(settings: Settings, out: Path) -> None:
    print(f"\nbatch throughput ({BATCH_RUNS} runs of {SCENARIO}, rounds=1; mocked provider, {LATENCY_S * 1000:.0f} ms per call)")
    print(f"  {'concurrency':<13}{'wall s':>8}{'calls':>7}{'turns':>7}{'failed':>8}{'ideal s':>9}{'efficiency':>12}")
    for concurrency in (1, 5, 10):
        provider = MockProvider(LATENCY_S)
        with provider.router:
            wall, results = asyncio.run(_batch(settings, provider, out / f"c{concurrency}", concurrency))
        turns, failed = sum(r.finished.turns for r in results), sum(r.finished.failed_turns for r in results)
        ideal = provider.calls * LATENCY_S / concurrency
        print(f"  {concurrency:<13}{wall:>8.1f}{provider.calls:>7}{turns:>7}{failed:>8}{ideal:>9.1f}{ideal / wall:>12.0%}")


def main() -> None:
    os.environ["OPENAI_API_BASE"], os.environ["OPENAI_API_KEY"] = API_BASE, "bench"  # litellm's OpenAI path -> respx
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=Path(tmp) / "data")
        out = Path(tmp) / "runs"
        print(
            f"orchestration per turn ({SCENARIO}, rounds=3, embedding={settings.embedding}; median of {REPEATS} after 1 warm-up)"
        )
        print(f"  {'model':<20}{'ms/turn':>9}{'min':>8}{'max':>8}{'turns':>7}{'failed':>8}")
        with MockProvider().router:
            asyncio.run(overhead(settings, MOCKED, out))
        asyncio.run(overhead(settings, OFFLINE, out))
        prompt_growth(settings, out)
        throughput(settings, out)


if __name__ == "__main__":
    main()
