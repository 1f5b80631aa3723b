"""What the LLM judge must return at each step (the judge's pydantic schemas at the LLM boundary)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

Label = Literal["supported", "contradicted", "unverifiable"]


class Claims(BaseModel):
    """Step 1: the turn decomposed into atomic factual claims (none for a procedural turn)."""

    claims: list[str] = Field(default=[], description="Each claim the speaker makes, as one short self-contained sentence.")


class ClaimVerdict(BaseModel):
    claim: str = Field(description="The claim id, e.g. c1.")
    verdict: Label
    position: str | None = Field(default=None, description="Id of the ledger position the verdict rests on.")
    passage: str | None = Field(default=None, description="Id of the source passage the verdict rests on.")
    reason: str = Field(default="", description="One sentence: why.")


class Verdicts(BaseModel):
    """Step 2: one verdict per claim."""

    verdicts: list[ClaimVerdict] = []
