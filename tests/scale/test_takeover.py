"""A replica's sweep takes over only debates nobody drives: never one this replica itself started driving
after the sweep read the debates' statuses (its lease would let it in a second time)."""

from __future__ import annotations

from deliberation.config import Settings
from deliberation.debate_types import DebateSpec, Viewer
from deliberation.debates import open_service


async def test_a_sweep_does_not_launch_a_second_driver_of_a_debate_driven_here(scaled: Settings) -> None:
    async with open_service(scaled) as service:
        created = await service.create(DebateSpec(rounds=6))
        teacher = Viewer(debate_id=created.debate.id)
        await service.control(teacher, "start")
        live = service._live[created.debate.id]
        driver = live.task
        assert driver is not None and not driver.done()
        # what a sweep does after reading "running" while the lease was between two drivers of this replica
        await service._take_over(created.debate.id)
        assert live.task is driver, "a second driver was launched beside the first"
        await service.control(teacher, "end")
