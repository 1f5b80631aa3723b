"""Memory of the classroom server after creating, starting and ending many debates: ended debates leave memory.

In process (the app over httpx's ASGI transport, as a loopback client), a fresh data dir, the offline engine.
Prints the resident set size after the first debate and after the last; the target is growth within 40 MB.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import sys
import tempfile
import time
from pathlib import Path

import httpx
from deliberation.api.main import create_app

from deliberation.config import Settings


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS in /proc/self/status")


async def one(client: httpx.AsyncClient, rounds: int, run: bool) -> None:
    created = (await client.post("/v1/debates", json={"rounds": rounds})).json()
    teacher = {"Authorization": f"Bearer {created['teacher_token']}"}
    url = f"/v1/debates/{created['id']}"
    await client.post(f"{url}/start", headers=teacher)
    if run:
        while (await client.get(url, headers=teacher)).json()["status"] != "ended":
            await asyncio.sleep(0.01)
    else:
        await client.post(f"{url}/end", headers=teacher)


async def main(args: argparse.Namespace) -> int:
    data = Path(tempfile.mkdtemp(prefix="evict-memory-"))
    settings = Settings(data_dir=data, embedding=args.embedding, rate_limit="1000000/minute")
    app = create_app(settings)
    async with app.router.lifespan_context(app), httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://bench", timeout=120
    ) as client:
        await one(client, args.rounds, args.run)
        gc.collect()
        first = rss_mb()
        began = time.perf_counter()
        for _ in range(args.debates - 1):
            await one(client, args.rounds, args.run)
        gc.collect()
        last = rss_mb()
        held = len((await app.state.services.get()).live_ids())
    mode = "run to the end" if args.run else "started, then ended by the teacher"
    print(f"{args.debates} debates ({mode}, rounds={args.rounds}, embedding={args.embedding}, fresh data dir, offline engine)")
    print(f"RSS after the first {first:7.1f} MB   after the last {last:7.1f} MB   growth {last - first:6.1f} MB (target <= 40)")
    print(f"debates held in memory at the end: {held}   {time.perf_counter() - began:.1f} s")
    return 0 if last - first <= 40 and held == 0 else 1


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--debates", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--run", action="store_true", help="let each debate run to its end instead of ending it at once")
    parser.add_argument("--embedding", default="lexical", help="retrieval embedding (the settings default is slower to build)")
    sys.exit(asyncio.run(main(parser.parse_args())))
