"""The structured output every persona turn must return (the LLM boundary's pydantic schema)."""

from __future__ import annotations

from pydantic import BaseModel, Field

from deliberation.turns import PointAnswer


class TurnOutput(BaseModel):
    content: str = Field(min_length=1, description="What the persona says, in character.")
    citations: list[str] = Field(default=[], description="Ids of the source passages the turn relies on.")
    positions: list[str] = Field(default=[], description="Ids of the ledger positions the turn relies on.")
    answers: list[PointAnswer] = Field(default=[], description="One answer per proposed point, when asked.")
