"""The evals' boundary types: an utterance in, a verdict out, whatever the scorer."""

from __future__ import annotations

from typing import Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field

from deliberation.errors import DeliberationError

ViolationKind = Literal[
    "stance_flip",
    "direct_talks",
    "persona_swap",
    "break_character",
    "injection",
    "mediator_bias",
    "leak",
    "invented_fact",
    "addresses_party",
    "contradiction",
    "unsupported",
    "non_answer",
]


class Utterance(BaseModel):
    """One line of `deliberation eval score` input."""

    model_config = ConfigDict(extra="ignore")

    id: str = Field(min_length=1)
    persona: str = Field(min_length=1)
    text: str = Field(min_length=1)
    stage: str | None = None
    context: str | None = None
    """What the speaker had been told before it spoke."""


class Violation(BaseModel):
    kind: ViolationKind
    rule: str
    """The rule that fired, so a teacher can see why."""
    position: str | None = None
    """The ledger position (or turn) behind the verdict."""
    evidence: str
    """The words of the utterance (or source) that triggered the rule."""


class Verdict(BaseModel):
    id: str
    faithful: bool
    score: float = Field(ge=0.0, le=1.0)
    violations: list[Violation] = []


class Scorer(Protocol):
    """Both scorers (deterministic, judge) answer the same question the same way."""

    name: str

    async def score(self, utterance: Utterance) -> Verdict: ...


class JudgeFailed(DeliberationError):
    """The LLM judge could not score an utterance: its model call failed or never fit the schema, after retries."""

    def __init__(self, utterance_id: str, message: str) -> None:
        super().__init__(message)
        self.utterance_id = utterance_id
