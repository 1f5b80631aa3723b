"""The labelled faithfulness set: utterances with a label, a failure kind and a dev/test/blind split.

`{scenario}.yaml` holds the dev and test splits; `{scenario}.blind.yaml` holds utterances written without
looking at the scorer, scored only to report a figure, never to tune rules.
"""

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
    split: Literal["dev", "test", "blind"]


class CaseSet(BaseModel):
    scenario: str
    cases: list[Case]


def _read(source: Path) -> CaseSet:
    return CaseSet.model_validate(yaml.safe_load(source.read_text(encoding="utf-8")))


def load_cases(scenario: str, path: Path | None = None) -> CaseSet:
    """One file when `path` is given, else the scenario's main file plus its extra sets (`{scenario}.*.yaml`)."""
    if path is not None:
        return _read(path)
    sets = [_read(DATA / f"{scenario}.yaml"), *(_read(extra) for extra in sorted(DATA.glob(f"{scenario}.*.yaml")))]
    return CaseSet(scenario=scenario, cases=[case for loaded in sets for case in loaded.cases])
