"""`pacing`: how many debates advance at once, who goes first, and that a wait on a provider gives the share up."""

from __future__ import annotations

import asyncio

from deliberation import pacing


async def test_at_most_share_turns_compute_at_once_in_arrival_order() -> None:
    running, most, order = 0, 0, []

    async def turn(name: int) -> None:
        nonlocal running, most
        async with pacing.advancing():
            running += 1
            most = max(most, running)
            order.append(name)
            await asyncio.sleep(0.01)
            running -= 1

    await asyncio.gather(*(turn(i) for i in range(7)))
    assert most == pacing.SHARE
    assert order == list(range(7))


async def test_a_seat_answer_goes_before_the_queued_ai_turns() -> None:
    order: list[str] = []
    release = asyncio.Event()

    async def step(name: str, urgent: bool = False) -> None:
        async with pacing.advancing(urgent):
            order.append(name)
            await release.wait()

    first = [asyncio.create_task(step(f"busy{i}")) for i in range(pacing.SHARE)]
    await asyncio.sleep(0.01)
    queued = [asyncio.create_task(step(f"ai{i}")) for i in range(3)]
    await asyncio.sleep(0.01)
    seat = asyncio.create_task(step("seat", urgent=True))
    await asyncio.sleep(0.01)
    release.set()
    await asyncio.gather(*first, *queued, seat)
    assert order[pacing.SHARE :] == ["seat", "ai0", "ai1", "ai2"]


async def test_a_turn_waiting_on_its_provider_lets_the_others_compute() -> None:
    replied = asyncio.Event()
    computed: list[int] = []

    async def remote() -> None:
        async with pacing.advancing(), pacing.waiting():
            await replied.wait()  # the provider answers only once the other turns have computed

    async def local(name: int) -> None:
        async with pacing.advancing():
            computed.append(name)
            await asyncio.sleep(0)

    waiting = [asyncio.create_task(remote()) for _ in range(pacing.SHARE)]
    await asyncio.wait_for(asyncio.gather(*(local(i) for i in range(3))), timeout=5)
    replied.set()
    await asyncio.gather(*waiting)
    assert computed == [0, 1, 2]


async def test_a_turn_cancelled_while_it_takes_its_share_back_releases_nothing() -> None:
    replied, inside = asyncio.Event(), []

    async def remote() -> None:
        async with pacing.advancing(), pacing.waiting():
            await replied.wait()

    async def hog() -> None:
        async with pacing.advancing():
            inside.append(1)
            await asyncio.sleep(3600)

    cut = asyncio.create_task(remote())
    await asyncio.sleep(0.01)  # `cut` took a share and gave it up to wait for its provider
    hogs = [asyncio.create_task(hog()) for _ in range(pacing.SHARE)]
    await asyncio.sleep(0.01)
    replied.set()
    await asyncio.sleep(0.01)  # `cut` is queued to take its share back, behind the hogs
    cut.cancel()
    await asyncio.gather(cut, return_exceptions=True)
    for task in hogs:
        task.cancel()
    await asyncio.gather(*hogs, return_exceptions=True)

    inside.clear()
    holders = [asyncio.create_task(hog()) for _ in range(pacing.SHARE + 1)]
    await asyncio.sleep(0.01)
    assert len(inside) == pacing.SHARE  # an over-released gate would let one more in
    for task in holders:
        task.cancel()
    await asyncio.gather(*holders, return_exceptions=True)
