"""A party node. Its only input is its own channel (sent by the router): the barrier is structural."""

from __future__ import annotations

import asyncio
from typing import Any, TypedDict

from langgraph.runtime import Runtime
from langgraph.types import interrupt

from deliberation.briefing import party_context
from deliberation.deps import SummitDeps
from deliberation.nodes.speak import record, speak
from deliberation.protocol import Step
from deliberation.turns import Turn


class PartyTask(TypedDict):
    step: dict[str, Any]
    seen: list[dict[str, Any]]
    """The party's channel: turns it spoke or that were addressed to it."""
    turn: int
    cursor: int
    points: list[str]
    """Ids of the points open in the negotiating text."""


class SeatReply(TypedDict, total=False):
    """What a human seat's interrupt is resumed with."""

    content: str
    action: str
    """"post" (default), "skip" or "stand_in"."""
    answers: list[dict[str, Any]]
    """The seat's answers to points of the negotiating text (PointAnswer fields), checked by the service."""


async def _human_turn(step: Step, task: PartyTask, seen: list[Turn]) -> Turn | None:
    incoming = next((t for t in reversed(seen) if t.speaker != step.speaker), None)
    reply: SeatReply = interrupt(
        {
            "seat": step.speaker,
            "turn": task["turn"],
            "stage": step.stage.value,
            "kind": step.kind.value,
            "prompt": incoming.content if incoming else "",
        }
    )
    action = reply.get("action", "post")
    if action == "stand_in":
        return None
    if action == "skip":
        return record(step, task["turn"], "human", content="", error="skipped: the seat did not answer in time", human=True)
    return record(step, task["turn"], "human", content=reply.get("content", ""), answers=reply.get("answers", []), human=True)


async def party_node(task: PartyTask, runtime: Runtime[SummitDeps]) -> dict[str, Any]:
    deps = runtime.context
    step = Step.model_validate(task["step"])
    seen = [Turn.model_validate(t) for t in task["seen"]]
    turn = await _human_turn(step, task, seen) if step.speaker in deps.human_seats else None
    if turn is None:
        context = await asyncio.to_thread(party_context, deps, step, seen, task["turn"])
        turn = await speak(deps, step, context, None)
    update: dict[str, Any] = {
        "turns": [turn.model_dump(mode="json")],
        "cursor": task["cursor"] + 1,
        "step_turns": {str(step.index): task["turn"]},
    }
    answers = {a.point: {"answers": {step.speaker: a.model_dump(mode="json")}} for a in turn.answers if a.point in task["points"]}
    if answers:
        update["text"] = answers
    return update
