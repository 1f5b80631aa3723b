"""What a persona is given for one turn: rendered into the prompt and read back by the offline engine."""

from __future__ import annotations

from pydantic import BaseModel

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
