"""One-on-one chat with a persona: the same context, prompts and model call as a turn in the talks.

The student's messages become turns addressed to the persona, so the persona's context is built from
its "channel" by the same code as in a summit: retrieval on what was just asked, its ledger, its memory.
"""

from __future__ import annotations

import asyncio

from deliberation.briefing import party_context
from deliberation.chat_types import ChatMessage, ChatReply
from deliberation.config import Settings
from deliberation.context import TurnContext
from deliberation.errors import NotFound, TooLarge, UserError
from deliberation.loader import scenario, scenario_ids
from deliberation.nodes.speak import call_model
from deliberation.protocol import Step
from deliberation.runtime import SummitDeps, SummitOptions, make_deps
from deliberation.turns import Kind, Stage, Turn

STUDENT = "student"


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


async def chat(settings: Settings, model: str, messages: list[ChatMessage]) -> ChatReply:
    scenario_id, _, persona = model.partition("/")
    if model not in persona_models(settings):
        raise NotFound(f"unknown model {model!r}: GET /v1/models lists the personas (<scenario>/<party>)")
    seen = _as_turns(persona, messages)
    if not seen or seen[-1].speaker != STUDENT:
        raise UserError("the last message must be the student's (role 'user')")
    if len(seen[-1].content) > settings.max_message_chars:
        raise TooLarge(f"message is {len(seen[-1].content)} characters; the limit is {settings.max_message_chars}")
    deps, context = await asyncio.to_thread(_context, settings, scenario_id, persona, seen)  # retrieval is blocking work
    output, usage = await call_model(deps, context)
    return ChatReply(model=model, content=output.content, citations=output.citations, usage=usage)
