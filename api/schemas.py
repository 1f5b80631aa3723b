"""Request and response bodies of the HTTP API (debate records themselves live in deliberation.debate_types)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from deliberation.chat_types import ChatMessage
from deliberation.clean_text import CleanText
from deliberation.debate_types import SeatKind, SilencePolicy, Status
from deliberation.turns import PointAnswer, Stage, Turn


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class PersonaOut(BaseModel):
    id: str
    name: str
    role: str
    mediator: bool


class AgendaOut(BaseModel):
    topic: str
    title: str


class ScenarioOut(BaseModel):
    id: str
    title: str
    mediator: str
    parties: list[str]
    personas: list[PersonaOut]
    stages: list[Stage]
    agenda: list[AgendaOut]
    rounds: int


class CreatedOut(BaseModel):
    id: str
    scenario: str
    status: Status
    seats: dict[str, SeatKind]
    silence: SilencePolicy
    teacher_token: str
    seat_tokens: dict[str, str]
    """One token per human seat: hand each to its student."""
    observer_token: str
    """For the projector or guests: reads only what the mediator says to every party."""


class MessageIn(Body):
    content: CleanText = Field(min_length=1, max_length=100_000)
    """Bounded again by the server's max_message_chars (413 beyond it)."""
    seat: CleanText | None = Field(default=None, max_length=64)
    """Optional; when given it must be the token's own seat."""
    answers: list[PointAnswer] = Field(default=[], max_length=32)
    """The seat's accept/reject/amend on points of the negotiating text; amendments count towards max_message_chars."""


class InjectIn(Body):
    text: CleanText = Field(min_length=1, max_length=2_000)


class TranscriptOut(BaseModel):
    id: str
    viewer: str
    """"teacher", "observer" or the seat whose channel this is."""
    turns: list[Turn]


class ChatRequest(BaseModel):
    """OpenAI's chat completion request; fields we do not use (temperature, ...) are accepted and ignored."""

    model_config = ConfigDict(extra="ignore")

    model: str = Field(max_length=200)
    messages: list[ChatMessage] = Field(min_length=1, max_length=100)
    stream: bool = False


class ChatAnswer(BaseModel):
    role: Literal["assistant"] = "assistant"
    content: str


class ChatChoice(BaseModel):
    index: int = 0
    message: ChatAnswer
    finish_reason: Literal["stop"] = "stop"


class ChatUsage(BaseModel):
    prompt_tokens: int
    completion_tokens: int
    total_tokens: int


class ChatCompletion(BaseModel):
    id: str
    object: Literal["chat.completion"] = "chat.completion"
    created: int
    model: str
    choices: list[ChatChoice]
    usage: ChatUsage


class ModelOut(BaseModel):
    id: str
    object: Literal["model"] = "model"
    created: int = 0
    owned_by: str = "deliberation"


class ModelList(BaseModel):
    object: Literal["list"] = "list"
    data: list[ModelOut]
