"""A replica's sweep takes over only debates nobody drives: never one this replica itself started driving
after the sweep read the debates' statuses (its lease would let it in a second time)."""

from __future__ import annotations

from deliberation.classroom.records import DebateSpec, Viewer
from deliberation.classroom.service import open_service
from deliberation.config import Settings


async def test_a_sweep_does_not_launch_a_second_driver_of_a_debate_driven_here(scaled: Settings) -> None:
    async with open_service(scaled) as service:
        created = await service.create(DebateSpec(rounds=6))
        teacher = Viewer(debate_id=created.debate.id)
        await service.control(teacher, "start")
        live = service._memory.live[created.debate.id]
        driver = live.task
        assert driver is not None and not driver.done()
        # what a sweep does after reading "running" while the lease was between two drivers of this replica
        await service._takeover.take_over(created.debate.id)
        assert live.task is driver, "a second driver was launched beside the first"
        await service.control(teacher, "end")
