"""One-on-one chat with a persona: the same context, prompts and model call as a turn in the talks.

The student's messages become turns addressed to the persona, so the persona's context is built from
its "channel" by the same code as in a summit: retrieval on what was just asked, its ledger, its memory.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass

from deliberation.evals.deterministic import (
    DeterministicScorer,
    Reading,
    rule_break_character,
    rule_injection,
    rule_persona_swap,
)
from deliberation.evals.types import Utterance
from pydantic_core import from_json

from deliberation.briefing import party_context
from deliberation.chat_types import ChatMessage, ChatReply
from deliberation.config import Settings
from deliberation.context import TurnContext
from deliberation.errors import NotFound, OutOfRole, TooLarge, UserError
from deliberation.llm.client import Completion, ModelConfig, complete, stream
from deliberation.llm.schema import Reply, turn_schema
from deliberation.loader import scenario, scenario_ids
from deliberation.protocol import Step
from deliberation.runtime import SummitDeps, SummitOptions, make_deps
from deliberation.scenario import Scenario
from deliberation.speak import messages_for
from deliberation.turns import Kind, Stage, Turn

STUDENT = "student"
CHAT = "chat"
"""The token budget a chat reply gets (DELIBERATION_MAX_TOKENS)."""


def persona_models(settings: Settings) -> list[str]:
    """`<scenario>/<party>` for every party of every scenario: the model ids of one-on-one chat."""
    return [f"{sid}/{pid}" for sid in scenario_ids(settings.scenario_roots) for pid in scenario(settings, sid).parties]


def _as_turns(persona: str, messages: list[ChatMessage]) -> list[Turn]:
    """The conversation as the persona's channel; system messages are not the student's to give."""
    spoken = [m for m in messages if m.role in ("user", "assistant")]
    return [_turn(n, persona, m) for n, m in enumerate(spoken, start=1)]


def _turn(number: int, persona: str, message: ChatMessage) -> Turn:
    mine = message.role == "assistant"
    return Turn(
        turn=number, stage=Stage.rounds, round=1, speaker=persona if mine else STUDENT, audience=[STUDENT] if mine else [persona],
        kind=Kind.answer if mine else Kind.question, content=message.text, model="chat", human=not mine,
    )


def _context(settings: Settings, scenario_id: str, persona: str, seen: list[Turn]) -> tuple[SummitDeps, TurnContext]:
    deps = make_deps(settings, SummitOptions(scenario=scenario_id, rounds=0))
    step = Step(index=-1, stage=Stage.rounds, round=1, speaker=persona, kind=Kind.answer, audience=[STUDENT])
    return deps, party_context(deps, step, seen, len(seen) + 1)


@dataclass(frozen=True)
class ChatCall:
    """A checked chat request, ready to send: everything that can be refused has been by now."""

    model: str
    persona: str
    scenario: Scenario
    config: ModelConfig
    messages: list[dict[str, str]]
    schema: type[Reply]


async def prepare(settings: Settings, model: str, messages: list[ChatMessage]) -> ChatCall:
    scenario_id, _, persona = model.partition("/")
    if model not in persona_models(settings):
        raise NotFound(f"unknown model {model!r}: GET /v1/models lists the personas (<scenario>/<party>)")
    seen = _as_turns(persona, messages)
    if not seen or seen[-1].speaker != STUDENT:
        raise UserError("the last message must be the student's (role 'user')")
    if len(seen[-1].content) > settings.max_message_chars:
        raise TooLarge(f"message is {len(seen[-1].content)} characters; the limit is {settings.max_message_chars}")
    deps, context = await asyncio.to_thread(_context, settings, scenario_id, persona, seen)  # retrieval is blocking work
    config = deps.model_for(persona)
    schema = turn_schema(context, config.budget(CHAT))
    return ChatCall(model, persona, deps.scenario, config, messages_for(deps, context, schema), schema)


def role_check(call: ChatCall, content: str) -> None:
    """The whole reply must stay in role: no speaking as another party, breaking character or obeying an injection.

    The scorer's role rules only: its semantic grounding of every clause (MiniLM over the whole ledger) is the evals'
    work, and its first use would hold a chat request for tens of seconds on a loaded machine."""
    scenario_ = call.scenario
    reading = Reading(Utterance(id="chat", persona=call.persona, text=content), scenario_.persona(call.persona), scenario_,
                      _scorer(scenario_).lexicon)  # fmt: skip
    broken = [*rule_break_character(reading), *rule_persona_swap(reading)]
    broken += rule_injection(reading, broken)
    if broken:
        rules = ", ".join(f"{v.kind} ({v.rule}: {v.evidence[:80]!r})" for v in broken)
        raise OutOfRole(f"{call.model}: the reply left its role: {rules}")


_SCORERS: dict[str, DeterministicScorer] = {}


def _scorer(scenario: Scenario) -> DeterministicScorer:
    scorer = _SCORERS.get(scenario.id)
    if scorer is None or scorer.scenario is not scenario:
        scorer = _SCORERS[scenario.id] = DeterministicScorer(scenario)
    return scorer


def _reply(call: ChatCall, done: Completion[Reply]) -> ChatReply:
    output = done.output.to_output()
    role_check(call, output.content)
    return ChatReply(model=call.model, content=output.content, citations=output.citations, usage=done.trace.usage)


async def chat(settings: Settings, model: str, messages: list[ChatMessage]) -> ChatReply:
    call = await prepare(settings, model, messages)
    return _reply(call, await complete(call.config, call.messages, call.schema, CHAT))


async def chat_stream(call: ChatCall) -> AsyncIterator[str | ChatReply]:
    """The reply's content as the model writes it (read out of the partial JSON), then the checked whole reply.

    Raises TurnFailed (or OutOfRole) at the end when the whole reply does not fit its schema or its role."""
    raw, sent = "", 0
    async for item in stream(call.config, call.messages, call.schema, CHAT):
        if isinstance(item, Completion):
            yield _reply(call, item)
            return
        raw += item
        content = partial_content(raw)
        if len(content) > sent:
            yield content[sent:]
            sent = len(content)


def partial_content(raw: str) -> str:
    """The "content" string of a JSON object still being written ("" until it starts)."""
    start = raw.find("{")
    if start < 0:
        return ""
    try:
        data = from_json(raw[start:], allow_partial="trailing-strings")
    except ValueError:
        return ""
    content = data.get("content") if isinstance(data, dict) else None
    return content if isinstance(content, str) else ""
