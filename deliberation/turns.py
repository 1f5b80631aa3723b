"""The turn record: what the graph emits, the writer stores, the API streams and the evals read."""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class Stage(StrEnum):
    opening = "opening"
    rounds = "rounds"
    convergence = "convergence"
    closing = "closing"


class Kind(StrEnum):
    statement = "statement"
    relay = "relay"
    question = "question"
    proposal = "proposal"
    answer = "answer"
    summary = "summary"


Verdict = Literal["accept", "reject", "amend"]


class Citation(BaseModel):
    """A cited passage; offsets are None when the model cited an id that does not exist."""

    model_config = ConfigDict(frozen=True)

    passage: str
    start: int | None
    end: int | None


class Usage(BaseModel):
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_usd: float | None = None

    def __add__(self, other: Usage) -> Usage:
        cost = None if self.cost_usd is None and other.cost_usd is None else (self.cost_usd or 0) + (other.cost_usd or 0)
        return Usage(
            prompt_tokens=self.prompt_tokens + other.prompt_tokens,
            completion_tokens=self.completion_tokens + other.completion_tokens,
            cost_usd=cost,
        )


class PointAnswer(BaseModel):
    """A party's answer to one proposed point of common ground."""

    point: str
    answer: Verdict
    amendment: str | None = None


class Turn(BaseModel):
    turn: int = Field(ge=1)
    stage: Stage
    round: int = Field(ge=0)
    speaker: str
    audience: list[str]
    kind: Kind
    content: str
    topic: str | None = None
    citations: list[Citation] = []
    positions: list[str] = []
    answers: list[PointAnswer] = []
    relayed_from: int | None = None
    model: str
    usage: Usage = Usage()
    """Summed over every request of the turn, failed ones included."""
    error: str | None = None
    human: bool = False
    structured_output: str | None = None
    """How the turn's schema reached the model: json_schema, json_object_schema, json_object or off (prompt only)."""
    attempts: int = 0
    """Requests sent for the turn: transport retries and repairs included."""
    repairs: int = 0
    """Replies sent back to the model with their validation error."""


def reaches(turn: Turn, persona: str) -> bool:
    """The barrier: a persona may know a turn it spoke or that was addressed to it. Nothing else."""
    return turn.speaker == persona or persona in turn.audience


def channel(turns: list[Turn], persona: str) -> list[Turn]:
    """What `persona` may know of `turns`."""
    return [t for t in turns if reaches(t, persona)]


class NegotiatingPoint(BaseModel):
    """One entry of the mediator's single negotiating text."""

    id: str
    topic: str
    text: str
    proposed_in: int
    answers: dict[str, PointAnswer] = {}

    def agreed(self, parties: list[str]) -> bool:
        return all(p in self.answers and self.answers[p].answer == "accept" for p in parties)
