"""The mediator node: frames, asks, relays, proposes and summarises; briefs injected news first."""

from __future__ import annotations

import asyncio
from typing import Any

from langgraph.runtime import Runtime

from deliberation.briefing import mediator_context
from deliberation.deps import SummitDeps
from deliberation.nodes.speak import speak
from deliberation.protocol import Step
from deliberation.state import SummitState
from deliberation.turns import Kind, Turn


def _briefing_step(deps: SummitDeps, cursor: int) -> Step:
    """News is briefed within the current stage, to every party at once."""
    at = deps.steps[min(cursor, len(deps.steps) - 1)]
    return Step(
        index=-1,
        stage=at.stage,
        round=at.round,
        speaker=deps.scenario.mediator,
        kind=Kind.statement,
        audience=deps.scenario.parties,
    )


async def mediator_node(state: SummitState, runtime: Runtime[SummitDeps]) -> dict[str, Any]:
    deps = runtime.context
    turns = [Turn.model_validate(t) for t in state.get("turns", [])]
    cursor = state.get("cursor", 0)
    number = len(turns) + 1
    if state.get("news"):
        step = _briefing_step(deps, cursor)
        context = await asyncio.to_thread(mediator_context, deps, step, turns, {}, {}, number)
        context.news = " ".join(state["news"])
        turn = await speak(deps, step, context, None)
        return {"turns": [turn.model_dump(mode="json")], "news": None}
    step = deps.steps[cursor]
    step_turns = state.get("step_turns", {})
    # Retrieval is CPU-bound (embedding the query): off the event loop so concurrent talks keep streaming.
    context = await asyncio.to_thread(mediator_context, deps, step, turns, step_turns, state.get("text", {}), number)
    relayed = step_turns.get(str(step.relay_of)) if step.relay_of is not None else None
    turn = await speak(deps, step, context, relayed)
    update: dict[str, Any] = {
        "turns": [turn.model_dump(mode="json")],
        "cursor": cursor + 1,
        "step_turns": {str(step.index): number},
    }
    if step.kind == Kind.proposal:
        update["text"] = {
            p.id: {"id": p.id, "topic": p.topic, "text": p.text, "proposed_in": number, "answers": {}}
            for p in deps.scenario.protocol.points
        }
    return update
