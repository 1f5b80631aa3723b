"""One persona turn: render the prompts, call the model, turn the output into a `Turn` record."""

from __future__ import annotations

import json

from pydantic import BaseModel

from deliberation.context import TurnContext
from deliberation.deps import SummitDeps
from deliberation.llm.client import CallFailed, Trace, complete
from deliberation.llm.schema import budget_key, json_schema, turn_schema
from deliberation.prompts import render
from deliberation.protocol import Step
from deliberation.seat_words import escape, set_apart
from deliberation.turns import Citation, Turn


def messages_for(deps: SummitDeps, context: TurnContext, schema: type[BaseModel]) -> list[dict[str, str]]:
    persona = deps.scenario.persona(context.persona)
    system = render(
        deps.prompts_dir,
        "system.j2",
        persona=persona,
        scenario_title=deps.scenario.title,
        is_mediator=context.is_mediator,
        schema=json.dumps(json_schema(schema), separators=(",", ":"), ensure_ascii=False),
    )
    context_json, seat_words = set_apart(context)
    turn = render(deps.prompts_dir, "turn.j2", context=context, context_json=context_json, seat_words=seat_words, escape=escape)
    return [{"role": "system", "content": system}, {"role": "user", "content": turn}]


def _citations(deps: SummitDeps, ids: list[str]) -> list[Citation]:
    known = deps.retriever.passages
    return [
        Citation(passage=i, start=known[i].start, end=known[i].end) if i in known else Citation(passage=i, start=None, end=None)
        for i in dict.fromkeys(ids)
    ]


def record(step: Step, number: int, model: str, **fields: object) -> Turn:
    return Turn(
        turn=number,
        stage=step.stage,
        round=step.round,
        speaker=step.speaker,
        audience=step.audience,
        kind=step.kind,
        topic=step.topic,
        model=model,
        **fields,  # type: ignore[arg-type]
    )


def _traced(trace: Trace) -> dict[str, object]:
    return {"usage": trace.usage, "structured_output": trace.mode, "attempts": trace.attempts, "repairs": trace.repairs}


async def speak(deps: SummitDeps, step: Step, context: TurnContext, relayed_from: int | None) -> Turn:
    """A failed call becomes a failed turn with its reason and its cost; the talks go on."""
    config = deps.model_for(context.persona)
    kind = budget_key(context)
    schema = turn_schema(context, config.budget(kind))
    try:
        done = await complete(config, messages_for(deps, context, schema), schema, kind)
    except CallFailed as error:
        return record(step, context.turn, config.model, content="", error=str(error), relayed_from=relayed_from,
                      **_traced(error.trace))  # fmt: skip
    output = done.output.to_output()
    return record(
        step,
        context.turn,
        config.model,
        content=output.content,
        citations=_citations(deps, output.citations),
        positions=list(dict.fromkeys(output.positions)),
        answers=output.answers,
        relayed_from=relayed_from,
        **_traced(done.trace),
    )
