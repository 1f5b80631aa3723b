"""Wire the summit graph: one node per stage of the talks and one for briefing news; a router picks the next.

Every turn is one node run (one super-step, one checkpoint). A stage node takes the plan's next step:
a mediator step reads the record it carries; a party step is given only that party's channel.
"""

from __future__ import annotations

from typing import Any

from langgraph.graph import END, START, StateGraph
from langgraph.graph.state import CompiledStateGraph
from langgraph.runtime import Runtime, get_runtime
from langgraph.types import Checkpointer

from deliberation.nodes.mediator import brief_news, mediator_turn
from deliberation.nodes.party import party_turn
from deliberation.runtime import SummitDeps
from deliberation.state import SummitState
from deliberation.turns import Stage

BRIEFING = "briefing"
STAGES = [stage.value for stage in Stage]
"""Stage node names, in the order the talks pass through them."""


async def route(state: SummitState) -> str:
    """News first, then the node of the next step's stage; END when the plan is done. (`async` although it never
    waits: LangGraph runs a plain function in a worker thread, a thread hop on every step.)"""
    deps = get_runtime(SummitDeps).context
    cursor = state.get("cursor", 0)
    if state.get("news"):
        return BRIEFING
    if cursor >= len(deps.steps):
        return END
    return deps.steps[cursor].stage.value


async def take_turn(state: SummitState, runtime: Runtime[SummitDeps]) -> dict[str, Any]:
    deps = runtime.context
    step = deps.steps[state.get("cursor", 0)]
    if step.speaker == deps.scenario.mediator:
        return await mediator_turn(deps, step, state)
    history = state["history"]
    return await party_turn(deps, step, history.channel(step.speaker), history.next_number)


async def briefing(state: SummitState, runtime: Runtime[SummitDeps]) -> dict[str, Any]:
    return await brief_news(runtime.context, state["history"], state.get("cursor", 0), state["news"])


def build_graph(checkpointer: Checkpointer = None) -> CompiledStateGraph[Any, Any, Any, Any]:
    builder = StateGraph(SummitState, context_schema=SummitDeps)
    for stage in STAGES:
        builder.add_node(stage, take_turn)
    builder.add_node(BRIEFING, briefing)
    # News arrives only as graph input, so only START leads to the briefing; the talks only move forward
    # (a teacher's advance skips ahead, never back).
    builder.add_conditional_edges(START, route, [*STAGES, BRIEFING, END])
    builder.add_conditional_edges(BRIEFING, route, [*STAGES, END])
    for index, stage in enumerate(STAGES):
        builder.add_conditional_edges(stage, route, [*STAGES[index:], END])
    return builder.compile(checkpointer=checkpointer)
