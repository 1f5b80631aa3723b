"""`runtime.drive`: what the classroom learns of a step, and in which order."""

from __future__ import annotations

from typing import Any

from deliberation.config import Settings
from deliberation.graph import build_graph
from deliberation.runtime import SummitOptions, checkpointer, drive, make_deps
from deliberation.turns import Turn


async def test_each_turn_is_handed_over_after_the_state_it_left(settings: Settings) -> None:
    """A viewer told of a turn reads the talks' state: that state must already hold the turn (and its plan position)."""
    settings = settings.model_copy(update={"embedding": "lexical"})
    deps = make_deps(settings, SummitOptions(rounds=1), {"kabul"})
    states: list[dict[str, Any]] = []
    seen: list[tuple[int, int, int]] = []  # (turn, turns in the latest state, cursor of the latest state)

    def on_turn(turn: Turn) -> None:
        seen.append((turn.turn, len(states[-1]["history"].turns), states[-1]["cursor"]))

    async with checkpointer(settings) as saver:
        graph = build_graph(saver)
        config: Any = {"configurable": {"thread_id": "drive-order"}}
        done = await drive(graph, {"cursor": 0}, config, deps, on_turn, on_state=states.append)

    assert not done  # the human seat interrupted the talks
    assert seen and all(turn <= held for turn, held, _ in seen)
    assert seen[-1][2] == states[-1]["cursor"] > 0
    assert states[-1]["history"].turns[-1].turn == seen[-1][0]
