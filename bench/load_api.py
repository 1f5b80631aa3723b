"""Load: N concurrent classroom debates against the offline engine, served by `deliberation serve` on loopback.

Each debate has one human seat (kabul) played by a bot that answers whenever the talks wait for it, a
teacher stream that drops and resumes with Last-Event-ID halfway, and checks that the teacher saw every
turn exactly once. The teacher and the seat each have an HTTP client of their own, as two browsers would:
through one shared client (one pool of 200 connections) the first posts measured 300-600 ms at p95 while
the server, timed from the request reaching the app to its response, took at most 51 ms over all of them;
the difference was the client's pool. Prints p50/p95 of post latency and of event delivery (post sent -> its turn event): over all
posts, over each debate's first post (the debates start together, so these all arrive in the same moment) and
over the later ones.

    python bench/load_api.py [--debates 50] [--rounds 1] [--embedding NAME]

Retrieval is the settings' default (DELIBERATION_EMBEDDING, else hybrid) unless --embedding names another;
the figures say which one ran. The server is its own process, as users run it (this script's client work
would otherwise share its interpreter); quotas are raised out of the way. The index is built before the clock
starts; query caches start cold, and each debate has its own seed, so the debates do not talk alike.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")

import httpx


@dataclass
class Result:
    post_s: list[tuple[bool, float]] = field(default_factory=list)
    """(the debate's first post, seconds): every debate's first post comes at the same moment, as they all start at once."""
    delivery_s: list[tuple[bool, float]] = field(default_factory=list)
    lost: int = 0
    duplicated: int = 0
    turns: int = 0


async def sse(response: httpx.Response) -> AsyncIterator[tuple[str, str | None, dict[str, Any]]]:
    event, ident, data = "message", None, ""
    async for line in response.aiter_lines():
        if line.startswith("event:"):
            event = line[6:].strip()
        elif line.startswith("id:"):
            ident = line[3:].strip()
        elif line.startswith("data:"):
            data += line[5:].strip()
        elif not line and data:
            yield event, ident, json.loads(data)
            event, ident, data = "message", None, ""


async def teacher_ids(client: httpx.AsyncClient, url: str, token: str) -> list[int]:
    """Every turn id the teacher receives, dropping the stream after 5 turns and resuming from the last id."""
    ids: list[int] = []
    headers = {"Authorization": f"Bearer {token}"}
    for resume in (False, True):
        if resume:
            headers["Last-Event-ID"] = str(ids[-1] if ids else 0)
        async with client.stream("GET", url, headers=headers) as response:
            async for event, ident, data in sse(response):
                if event == "turn" and ident is not None:
                    ids.append(int(ident))
                    if not resume and len(ids) == 5:
                        break
                if event == "status" and data["status"] == "ended":
                    return ids
    return ids


async def seat_bot(client: httpx.AsyncClient, debate: dict[str, Any], result: Result) -> None:
    url, token = f"/v1/debates/{debate['id']}", debate["seat_tokens"]["kabul"]
    headers = {"Authorization": f"Bearer {token}"}
    sent_at: float | None = None
    first = True
    async with client.stream("GET", f"{url}/events", headers=headers) as response:
        async for event, _, data in sse(response):
            if event == "status" and data["status"] == "ended":
                return
            if event == "status" and data["waiting_for"] == "kabul" and sent_at is None:
                sent_at = time.perf_counter()
                answer = {"content": "Kabul answers through the mediator."}
                posted = await client.post(f"{url}/messages", headers=headers, json=answer)
                result.post_s.append((first, time.perf_counter() - sent_at))
                if posted.status_code != 202:
                    sent_at = None  # a stale status; the next one will say whose turn it is
            if event == "turn" and data["speaker"] == "kabul" and data["human"] and sent_at is not None:
                result.delivery_s.append((first, time.perf_counter() - sent_at))
                sent_at, first = None, False


async def one(base: str, rounds: int, seed: int, result: Result) -> None:
    """One debate: the teacher and the seat each on a client of their own, as two browsers would be."""
    body = {"seats": {"kabul": "human"}, "rounds": rounds, "seed": seed}
    async with httpx.AsyncClient(base_url=base, timeout=120) as teacher, httpx.AsyncClient(base_url=base, timeout=120) as seat:
        created = (await teacher.post("/v1/debates", json=body)).json()
        auth = {"Authorization": f"Bearer {created['teacher_token']}"}
        stream = asyncio.create_task(teacher_ids(teacher, f"/v1/debates/{created['id']}/events", created["teacher_token"]))
        bot = asyncio.create_task(seat_bot(seat, created, result))
        await asyncio.sleep(0.05)  # let both streams subscribe before the talks start
        await teacher.post(f"/v1/debates/{created['id']}/start", headers=auth)
        ids, _ = await asyncio.gather(stream, bot)
        total = (await teacher.get(f"/v1/debates/{created['id']}", headers=auth)).json()["turns"]
    result.turns += total
    result.lost += len(set(range(1, total + 1)) - set(ids))
    result.duplicated += len(ids) - len(set(ids))


def serve(env: dict[str, str]) -> tuple[subprocess.Popen[bytes], str]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = [str(Path(sys.executable).parent / "deliberation"), "serve", "--port", str(port)]
    server = subprocess.Popen(command, env={**os.environ, **env}, stdout=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    while True:
        try:
            httpx.get(f"{base}/v1/scenarios", timeout=1)
            return server, base
        except httpx.HTTPError:
            if server.poll() is not None:
                raise SystemExit("deliberation serve exited before answering") from None
            time.sleep(0.1)


def pct(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100)[q - 1] * 1000 if len(values) > 1 else (values[0] * 1000 if values else 0.0)


async def main(args: argparse.Namespace) -> int:
    env = {  # quotas out of the way: this measures load, not limits
        "DELIBERATION_DATA_DIR": tempfile.mkdtemp(prefix="load-api-"),
        "DELIBERATION_RATE_LIMIT": "1000000/minute",
        "DELIBERATION_MAX_LIVE_DEBATES": "100000",
        "DELIBERATION_MAX_LIVE_DEBATES_PER_KEY": "100000",
    }
    if args.embedding:
        env["DELIBERATION_EMBEDDING"] = args.embedding
    embedding = env.get("DELIBERATION_EMBEDDING", os.environ.get("DELIBERATION_EMBEDDING", "hybrid"))
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"retrieval: {embedding}; load average {load} ({os.cpu_count()} cores)")
    server, base = serve(env)
    result = Result()
    try:
        async with httpx.AsyncClient(base_url=base, timeout=120) as client:
            await client.post("/v1/debates", json={"rounds": 0})  # build the retrieval index once, outside the timing
        began = time.perf_counter()
        first = time.time_ns() % 1_000_000  # a seed per debate: debates that talked alike would share query encodes
        await asyncio.gather(*(one(base, args.rounds, first + i, result) for i in range(args.debates)))
        elapsed = time.perf_counter() - began
    finally:
        server.terminate()
        server.wait(timeout=60)
    print(f"{args.debates} debates, {result.turns} turns in {elapsed:.1f} s ({result.turns / elapsed:.0f} turns/s)")
    for name, samples in (("post latency", result.post_s), ("event delivery", result.delivery_s)):
        for which, values in (
            ("all", [v for _, v in samples]),
            ("first posts", [v for first, v in samples if first]),
            ("later posts", [v for first, v in samples if not first]),
        ):
            print(f"{name:<15} {which:<12} p50 {pct(values, 50):7.1f} ms   p95 {pct(values, 95):7.1f} ms   (n={len(values)})")
    print(f"teacher streams   lost {result.lost}   duplicated {result.duplicated}")
    return 1 if result.lost or result.duplicated else 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--debates", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--embedding", default=None, help="retrieval embedding (default: the settings' default, hybrid)")
    sys.exit(asyncio.run(main(parser.parse_args())))
