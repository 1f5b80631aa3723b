"""What the LLM judge must return at each step (the judge's pydantic schemas at the LLM boundary).

Every field is required and no other key is allowed: a reply that is some other JSON object is not a verdict.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Label = Literal["supported", "contradicted", "unverifiable"]
MAX_CLAIMS = 8
TEXT_CHARS = 300


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Claims(Strict):
    """Step 1: the turn decomposed into atomic factual claims (none for a procedural turn)."""

    claims: list[str] = Field(
        max_length=MAX_CLAIMS, description="Each claim the speaker makes, as one short self-contained sentence; [] if none."
    )


class ClaimVerdict(Strict):
    claim: str = Field(max_length=16, description="The claim id, e.g. c1.")
    verdict: Label
    position: str | None = Field(max_length=80, description="Id of the ledger position the verdict rests on, or null.")
    passage: str | None = Field(max_length=16, description="Id of the source passage the verdict rests on, or null.")
    reason: str = Field(max_length=TEXT_CHARS, description="One sentence: why.")


class Verdicts(Strict):
    """Step 2: one verdict per claim."""

    verdicts: list[ClaimVerdict] = Field(max_length=MAX_CLAIMS)
