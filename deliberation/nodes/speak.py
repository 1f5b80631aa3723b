"""One persona turn: render the prompts, call the model, turn the output into a `Turn` record."""

from __future__ import annotations

import json
from functools import lru_cache

from deliberation.context import TurnContext, encode
from deliberation.errors import TurnFailed
from deliberation.llm import offline
from deliberation.llm.client import complete
from deliberation.llm.schema import TurnOutput
from deliberation.prompts import render
from deliberation.protocol import Step
from deliberation.runtime import SummitDeps
from deliberation.seat_words import quoted
from deliberation.turns import Citation, Turn, Usage


@lru_cache(maxsize=1)
def _schema() -> str:
    return json.dumps(TurnOutput.model_json_schema(), separators=(",", ":"))


def messages_for(deps: SummitDeps, context: TurnContext) -> list[dict[str, str]]:
    persona = deps.scenario.persona(context.persona)
    system = render(
        deps.prompts_dir,
        "system.j2",
        persona=persona,
        scenario_title=deps.scenario.title,
        is_mediator=context.is_mediator,
        schema=_schema(),
    )
    turn = render(deps.prompts_dir, "turn.j2", context=context, context_block=encode(context), quoted=quoted(context))
    return [{"role": "system", "content": system}, {"role": "user", "content": turn}]


async def call_model(deps: SummitDeps, context: TurnContext) -> tuple[TurnOutput, Usage]:
    """The persona's model on this turn's prompts. The offline engine is called in-process, skipping litellm's
    routing, cost and logging work (tests/llm runs the litellm path against a mocked OpenAI-compatible provider)."""
    config = deps.model_for(context.persona)
    messages = messages_for(deps, context)
    if offline.handles(config.model):
        try:
            return offline.answer(context, deps.prompts_dir, messages)
        except Exception as error:  # as litellm would report a failing provider: a failed turn, not a crash
            raise TurnFailed(f"{config.model}: {error.__class__.__name__}: {str(error).splitlines()[0][:200]}") from None
    output, usage = await complete(config, messages, TurnOutput)
    assert isinstance(output, TurnOutput)
    return output, usage


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


async def speak(deps: SummitDeps, step: Step, context: TurnContext, relayed_from: int | None) -> Turn:
    """A failed call becomes a failed turn with its reason; the talks go on."""
    config = deps.model_for(context.persona)
    try:
        output, usage = await call_model(deps, context)
    except TurnFailed as error:
        usage = getattr(error, "usage", Usage())
        return record(step, context.turn, config.model, content="", error=str(error), usage=usage, relayed_from=relayed_from)
    return record(
        step,
        context.turn,
        config.model,
        content=output.content,
        citations=_citations(deps, output.citations),
        positions=list(dict.fromkeys(output.positions)),
        answers=output.answers,
        usage=usage,
        relayed_from=relayed_from,
    )
