"""The mediator's turns: frames, asks, relays, proposes and summarises; briefs injected news first."""

from __future__ import annotations

from typing import Any

from deliberation.briefing import built, mediator_context, mediator_query
from deliberation.protocol import Step
from deliberation.runtime import SummitDeps
from deliberation.speak import speak
from deliberation.state import History, NegotiatingText, Proposed, SummitState
from deliberation.turns import Kind, NegotiatingPoint


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


async def brief_news(deps: SummitDeps, history: History, cursor: int, news: list[str]) -> dict[str, Any]:
    step = _briefing_step(deps, cursor)
    seen = history.channel(deps.scenario.mediator)
    query = mediator_query(deps, step, None)
    context = await built(deps, query, lambda: mediator_context(deps, step, seen, None, NegotiatingText(), history.next_number))
    context.news = " ".join(news)
    turn = await speak(deps, step, context, None)
    return {"history": [turn], "news": None}


async def mediator_turn(deps: SummitDeps, step: Step, state: SummitState) -> dict[str, Any]:
    history, number = state["history"], state["history"].next_number
    relayed = state["step_turns"].get(step.relay_of) if step.relay_of is not None else None
    source = history.by_number(relayed) if relayed is not None else None
    text = state["text"]
    seen = history.channel(deps.scenario.mediator)
    query = mediator_query(deps, step, source)
    context = await built(deps, query, lambda: mediator_context(deps, step, seen, source, text, number))
    turn = await speak(deps, step, context, relayed)
    update: dict[str, Any] = {"history": [turn], "cursor": step.index + 1, "step_turns": {step.index: number}}
    if step.kind == Kind.proposal:
        points = deps.scenario.protocol.points
        update["text"] = Proposed(points=[NegotiatingPoint(proposed_in=number, **p.model_dump()) for p in points])
    return update
