"""What a persona is given for one turn, and its codec: the `<context>` block of the prompt.

The same `encode`/`decode` render the block into the prompt (prompts/turn.j2), let the offline engine
read it back when it is reached through litellm, and let tests and benchmarks find it in a request.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from pydantic import BaseModel

from deliberation import seat_words
from deliberation.turns import Kind, PointAnswer, Stage


class Message(BaseModel):
    """A message as the receiving persona sees it."""

    turn: int
    speaker: str
    kind: Kind
    content: str
    positions: list[str] = []
    human: bool = False
    """A person's words (or the mediator's relay of them): quoted to the model apart from the prompt, as data."""


class PositionBrief(BaseModel):
    id: str
    topic: str
    stance: str
    statement: str
    relay: str
    passages: list[str] = []


class ConcessionBrief(BaseModel):
    topic: str
    to: str
    statement: str
    relay: str


class PassageBrief(BaseModel):
    id: str
    text: str


class TopicBrief(BaseModel):
    topic: str
    title: str
    question: str


class PointBrief(BaseModel):
    id: str
    topic: str
    text: str
    answers: dict[str, PointAnswer] = {}


class TurnContext(BaseModel):
    """Everything one turn may draw on; bounded in size whatever the length of the talks."""

    persona: str
    persona_name: str
    is_mediator: bool
    stage: Stage
    round: int
    turn: int
    kind: Kind
    seed: int
    names: dict[str, str]
    addressee: str | None = None
    topic: TopicBrief | None = None
    agenda: list[str] = []
    incoming: Message | None = None
    relay_source: Message | None = None
    relayed_positions: list[PositionBrief] = []
    recent: list[Message] = []
    memory: list[str] = []
    positions: list[PositionBrief] = []
    concessions: list[ConcessionBrief] = []
    passages: list[PassageBrief] = []
    points: list[PointBrief] = []
    news: str | None = None


BLOCK = re.compile(r"(<context>\s*)(\{.*\})(\s*</context>)", re.DOTALL)
"""A rendered block: opening tag, the context's JSON, closing tag (three groups, so it can be re-formatted in place)."""


def encode(context: TurnContext) -> str:
    """The block as it goes into the prompt: compact JSON, defaults left out; a seat's words follow it as quoted data."""
    shown, words = seat_words.set_apart(context)
    return f"<context>\n{shown.model_dump_json(exclude_defaults=True)}\n</context>" + seat_words.render(words)


def decode(text: str) -> TurnContext | None:
    """The context of the block in `text` (with the seats' own words put back), or None when there is none."""
    match = BLOCK.search(text)
    if not match:
        return None
    return seat_words.put_back(TurnContext.model_validate_json(match.group(2)), text)


def from_messages(messages: Iterable[Mapping[str, Any]]) -> TurnContext | None:
    """The context carried by a chat request's user messages, or None."""
    return decode("\n".join(str(m.get("content") or "") for m in messages if m.get("role") == "user"))
