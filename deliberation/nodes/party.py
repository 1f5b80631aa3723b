"""A party's turn. It is given its own channel and nothing else of the state: the barrier is structural."""

from __future__ import annotations

from typing import Any, TypedDict

from langgraph.types import interrupt

from deliberation.briefing import built, party_context, party_query
from deliberation.protocol import Step
from deliberation.runtime import SummitDeps
from deliberation.speak import record, speak
from deliberation.state import Answered
from deliberation.turns import Turn


class SeatReply(TypedDict, total=False):
    """What a human seat's interrupt is resumed with."""

    content: str
    action: str
    """"post" (default), "skip" or "stand_in"."""
    answers: list[dict[str, Any]]
    """The seat's answers to points of the negotiating text (PointAnswer fields), checked by the service."""


def _human_turn(step: Step, number: int, seen: list[Turn]) -> Turn | None:
    incoming = next((t for t in reversed(seen) if t.speaker != step.speaker), None)
    reply: SeatReply = interrupt(
        {
            "seat": step.speaker,
            "turn": number,
            "stage": step.stage.value,
            "kind": step.kind.value,
            "prompt": incoming.content if incoming else "",
        }
    )
    action = reply.get("action", "post")
    if action == "stand_in":
        return None
    if action == "skip":
        return record(step, number, "human", content="", error="skipped: the seat did not answer in time", human=True)
    return record(step, number, "human", content=reply.get("content", ""), answers=reply.get("answers", []), human=True)


async def party_turn(deps: SummitDeps, step: Step, seen: list[Turn], number: int) -> dict[str, Any]:
    """`seen` is the party's channel: the turns it spoke or that were addressed to it."""
    turn = _human_turn(step, number, seen) if step.speaker in deps.human_seats else None
    if turn is None:
        context = await built(deps, party_query(deps, step, seen), lambda: party_context(deps, step, seen, number))
        turn = await speak(deps, step, context, None)
    update: dict[str, Any] = {"history": [turn], "cursor": step.index + 1, "step_turns": {step.index: number}}
    if turn.answers:
        update["text"] = Answered(party=step.speaker, answers=turn.answers)
    return update
