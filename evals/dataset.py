"""The labelled faithfulness set: utterances with a label, a failure kind and a dev/test split."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import yaml
from deliberation.evals.types import Utterance
from pydantic import BaseModel, Field

from deliberation.resources import packaged

DATA = packaged("deliberation.evals") / "data" / "faithfulness"


class Case(Utterance):
    label: Literal["faithful", "unfaithful"]
    kind: str | None = None
    tags: list[str] = Field(default_factory=list)
    split: Literal["dev", "test"]


class CaseSet(BaseModel):
    scenario: str
    cases: list[Case]


def load_cases(scenario: str, path: Path | None = None) -> CaseSet:
    source = path or DATA / f"{scenario}.yaml"
    return CaseSet.model_validate(yaml.safe_load(source.read_text(encoding="utf-8")))
