"""Wire the summit graph: a mediator node and a party node; a router picks who speaks next."""

from __future__ import annotations

from typing import Any

from langgraph.graph import END, START, StateGraph
from langgraph.graph.state import CompiledStateGraph
from langgraph.runtime import get_runtime
from langgraph.types import Checkpointer, Send

from deliberation.briefing import channel
from deliberation.deps import SummitDeps
from deliberation.nodes.mediator import mediator_node
from deliberation.nodes.party import PartyTask, party_node
from deliberation.state import SummitState
from deliberation.turns import Turn

MEDIATOR, PARTY = "mediator", "party"


def route(state: SummitState) -> str | Send:
    """Mediator steps run on the whole state; a party step gets only its own channel."""
    deps = get_runtime(SummitDeps).context
    cursor = state.get("cursor", 0)
    if state.get("news"):
        return MEDIATOR
    if cursor >= len(deps.steps):
        return END
    step = deps.steps[cursor]
    if step.speaker == deps.scenario.mediator:
        return MEDIATOR
    turns = [Turn.model_validate(t) for t in state.get("turns", [])]
    task = PartyTask(
        step=step.model_dump(mode="json"),
        seen=[t.model_dump(mode="json") for t in channel(turns, step.speaker)],
        turn=len(turns) + 1,
        cursor=cursor,
        points=list(state.get("text", {})),
    )
    return Send(PARTY, task)


def build_graph(checkpointer: Checkpointer = None) -> CompiledStateGraph[Any, Any, Any, Any]:
    builder = StateGraph(SummitState, context_schema=SummitDeps)
    builder.add_node(MEDIATOR, mediator_node)
    builder.add_node(PARTY, party_node)  # type: ignore[call-overload]  # input is the Send payload, not the state
    for origin in (START, MEDIATOR, PARTY):
        builder.add_conditional_edges(origin, route, [MEDIATOR, PARTY, END])
    return builder.compile(checkpointer=checkpointer)
