"""One persona turn: render the prompts, call the model, turn the output into a `Turn` record."""

from __future__ import annotations

from pydantic import BaseModel

from deliberation.context import TurnContext, encode
from deliberation.llm import offline
from deliberation.llm.client import CallFailed, Completion, Schema, Trace, complete, parse, resolve_mode
from deliberation.llm.schema import budget_key, prompt_schema, turn_schema
from deliberation.prompts import render
from deliberation.protocol import Step
from deliberation.runtime import SummitDeps
from deliberation.seat_words import quoted
from deliberation.turns import Citation, Turn


def messages_for(deps: SummitDeps, context: TurnContext, schema: type[BaseModel]) -> list[dict[str, str]]:
    persona = deps.scenario.persona(context.persona)
    system = render(
        deps.prompts_dir,
        "system.j2",
        persona=persona,
        scenario_title=deps.scenario.title,
        is_mediator=context.is_mediator,
        schema=prompt_schema(schema),
    )
    turn = render(deps.prompts_dir, "turn.j2", context=context, context_block=encode(context), quoted=quoted(context))
    return [{"role": "system", "content": system}, {"role": "user", "content": turn}]


async def call_model(deps: SummitDeps, context: TurnContext, schema: type[Schema], kind: str) -> Completion[Schema]:
    """The persona's model on this turn's prompts. The offline engine is called in-process, skipping litellm's
    routing, cost and logging work; its reply is parsed as a provider's is (tests/llm runs the litellm path
    against a mocked OpenAI-compatible provider)."""
    config = deps.model_for(context.persona)
    messages = messages_for(deps, context, schema)
    if not offline.handles(config.model):
        return await complete(config, messages, schema, kind)
    trace = Trace(mode=resolve_mode(config), attempts=1)
    try:
        content, trace.usage = offline.answer(context, deps.prompts_dir, messages)
        return Completion(parse(content, schema), trace)
    except Exception as error:  # as litellm would report a failing provider: a failed turn, not a crash
        message = f"{config.model}: {error.__class__.__name__}: {str(error).splitlines()[0][:200]}"
        raise CallFailed(message, trace, "malformed") from None


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
        done = await call_model(deps, context, schema, kind)
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
