"""Scale-out: N concurrent classroom debates over two `deliberation serve` replicas on one Postgres and one Redis,
against the same N debates on one process with the embedded defaults (SQLite, in-process events), in the same run.

Each debate is created on one replica and watched (the teacher's event stream) on the other; its human seat (kabul)
answers whenever the talks wait for it, posting to the two replicas in turn. Checks that every stream saw each turn
of the transcript exactly once, in order. Prints p50/p95 post latency for both setups and their ratio.

Starts its own Postgres and Redis (Debian's packages, on loopback, in temporary directories; see tests/services.py).
Settings: offline engine, lexical retrieval (the index build is not what is measured), one fresh data dir per process.

    python bench/replicas.py [--debates 50] [--rounds 1]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

import httpx
from services import start_postgres, start_redis, start_replica


@dataclass
class Phase:
    post_s: list[float] = field(default_factory=list)
    lost: int = 0
    duplicated: int = 0
    turns: int = 0
    failed: list[str] = field(default_factory=list)


# idle connections are dropped before uvicorn's 5 s keep-alive closes them, or a post may reuse a closing one
LIMITS = httpx.Limits(keepalive_expiry=2)


async def _debate(urls: list[str], index: int, rounds: int, phase: Phase) -> None:
    """One debate; the teacher and the seat each on a client of their own, as two browsers would be (through one
    shared pool, the pool's own waits were most of a post's latency)."""
    async with httpx.AsyncClient(timeout=300, limits=LIMITS) as teacher, httpx.AsyncClient(timeout=300, limits=LIMITS) as seat:
        await _talks(teacher, seat, urls, index, rounds, phase)


async def _talks(client: httpx.AsyncClient, seat_client: httpx.AsyncClient, urls: list[str], index: int, rounds: int,
                 phase: Phase) -> None:  # fmt: skip
    home, other = urls[index % len(urls)], urls[(index + 1) % len(urls)]
    spec = {"scenario": "afghanistan", "rounds": rounds, "seats": {"kabul": "human"}}
    created = await client.post(f"{home}/v1/debates", json=spec)
    created.raise_for_status()
    debate = created.json()
    teacher = {"Authorization": f"Bearer {debate['teacher_token']}"}
    seat = {"Authorization": f"Bearer {debate['seat_tokens']['kabul']}"}
    seen: list[int] = []
    posts = 0
    async with client.stream("GET", f"{other}/v1/debates/{debate['id']}/events", headers=teacher) as stream:
        (await client.post(f"{home}/v1/debates/{debate['id']}/start", headers=teacher)).raise_for_status()
        data = ""
        async for line in stream.aiter_lines():
            if line.startswith("data:"):
                data += line.split(":", 1)[1].strip()
            elif not line and data:
                body: dict[str, Any] = json.loads(data)
                data = ""
                if "turn" in body and "speaker" in body:
                    seen.append(int(body["turn"]))
                elif body.get("status") == "waiting" and body.get("waiting_for") == "kabul":
                    target = urls[posts % len(urls)]
                    began = time.perf_counter()
                    answer = await seat_client.post(f"{target}/v1/debates/{debate['id']}/messages", headers=seat,
                                               json={"content": "Kabul asks for a ceasefire before any other step."})
                    if answer.status_code == 202:
                        phase.post_s.append(time.perf_counter() - began)
                        posts += 1
                    elif answer.status_code != 409:  # 409: a status event older than the post that answered it
                        phase.failed.append(f"post {answer.status_code}: {answer.text[:200]}")
                elif body.get("status") == "ended":
                    break
    transcript = (await client.get(f"{home}/v1/debates/{debate['id']}/transcript", headers=teacher)).json()["turns"]
    expected = [t["turn"] for t in transcript]
    phase.turns += len(expected)
    phase.lost += len(set(expected) - set(seen))
    phase.duplicated += len(seen) - len(set(seen))
    if expected != list(range(1, len(expected) + 1)):
        phase.failed.append(f"debate {debate['id']}: transcript turns not contiguous")


async def _phase(urls: list[str], debates: int, rounds: int) -> tuple[Phase, float]:
    phase = Phase()
    began = time.perf_counter()
    results = await asyncio.gather(*(_debate(urls, i, rounds, phase) for i in range(debates)), return_exceptions=True)
    elapsed = time.perf_counter() - began
    phase.failed += [f"{type(r).__name__}: {r}" for r in results if isinstance(r, BaseException)]
    return phase, elapsed


def _pct(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100)[q - 1] * 1000 if len(values) > 1 else float("nan")


def _report(name: str, phase: Phase, elapsed: float) -> None:
    print(f"{name}: {phase.turns} turns, {len(phase.post_s)} posts in {elapsed:.1f} s; "
          f"post p50 {_pct(phase.post_s, 50):.1f} ms p95 {_pct(phase.post_s, 95):.1f} ms; "
          f"lost events {phase.lost}, duplicated {phase.duplicated}, failures {len(phase.failed)}")
    for failure in phase.failed[:5]:
        print(f"  {failure}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--debates", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=1)
    args = parser.parse_args()
    base = {"DELIBERATION_EMBEDDING": "lexical", "LITELLM_LOCAL_MODEL_COST_MAP": "True"}
    work = Path(tempfile.mkdtemp(prefix="bench-replicas-"))
    postgres, redis = start_postgres(), start_redis()
    if isinstance(postgres, str) or isinstance(redis, str):
        print(f"cannot run: {postgres if isinstance(postgres, str) else redis}")
        return 2
    processes = []
    try:
        single, url = start_replica(base, work / "single", work / "single.log")
        processes.append(single)
        one, one_s = asyncio.run(_phase([url], args.debates, args.rounds))
        single.terminate()
        single.wait(timeout=60)
        shared = {**base, "DELIBERATION_DATABASE_URL": postgres.url, "DELIBERATION_REDIS_URL": redis.url}
        urls = []
        for name in ("a", "b"):
            process, replica_url = start_replica(shared, work / name, work / f"{name}.log")
            processes.append(process)
            urls.append(replica_url)
        two, two_s = asyncio.run(_phase(urls, args.debates, args.rounds))
    finally:
        for process in processes:
            if process.poll() is None:
                process.terminate()
                process.wait(timeout=60)
        postgres.stop()
        redis.stop()
    print(f"{args.debates} concurrent debates, rounds={args.rounds}, offline engine, lexical retrieval, fresh data dirs, "
          "default quotas (the replicas count rate limit and live-debate caps in Redis)")
    _report("one process (SQLite, in-process events)", one, one_s)
    _report("two replicas (Postgres, Redis Streams)", two, two_s)
    ratio = _pct(two.post_s, 95) / _pct(one.post_s, 95)
    print(f"p95 post latency, two replicas / one process: {ratio:.2f}x (target <= 1.5x)")
    ok = two.lost == two.duplicated == 0 and not two.failed and not one.failed
    if ok:
        shutil.rmtree(work, ignore_errors=True)
    else:
        print(f"the replicas' logs are in {work}")
    return 0 if ok else 1


if __name__ == "__main__":
    os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
    sys.exit(main())
