"""The labelled faithfulness set: utterances with a label, a failure kind and a named split.

`{scenario}.yaml` holds the dev and test splits; `{scenario}.<name>.yaml` files hold further sets (blind sets
written without looking at the scorer, scored only to report a figure, never to tune rules), each naming its split.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import yaml
from deliberation.evals.types import Utterance
from pydantic import BaseModel, Field, ValidationError

from deliberation.errors import UserError
from deliberation.resources import packaged

DATA = packaged("deliberation.evals") / "data" / "faithfulness"


class Case(Utterance):
    label: Literal["faithful", "unfaithful"]
    kind: str | None = None
    tags: list[str] = Field(default_factory=list)
    split: str = Field(pattern=r"^[a-z][a-z0-9_-]*$")
    """dev, test, blind, blind2, ...: a name `eval validate --split` selects."""


class CaseSet(BaseModel):
    scenario: str
    cases: list[Case]


def _read(source: Path) -> CaseSet:
    try:
        return CaseSet.model_validate(yaml.safe_load(source.read_text(encoding="utf-8")))
    except OSError as error:
        raise UserError(f"{source}: cannot read the labelled set ({error.strerror or error})") from None
    except yaml.YAMLError as error:
        raise UserError(f"{source}: not valid YAML ({str(error).splitlines()[0]})") from None
    except ValidationError as error:
        first = error.errors(include_url=False)[0]
        where = ".".join(str(part) for part in first["loc"])
        raise UserError(f"{source}: not a labelled set: {where}: {first['msg']} ({error.error_count()} error(s))") from None


def load_cases(scenario: str, path: Path | None = None) -> CaseSet:
    """One file when `path` is given, else the scenario's main file plus its extra sets (`{scenario}.*.yaml`)."""
    if path is not None:
        return _read(path)
    sets = [_read(DATA / f"{scenario}.yaml"), *(_read(extra) for extra in sorted(DATA.glob(f"{scenario}.*.yaml")))]
    return CaseSet(scenario=scenario, cases=[case for loaded in sets for case in loaded.cases])


def select(cases: list[Case], split: str) -> list[Case]:
    """The cases of one split ('all': every case); an unknown split name is an error naming the known ones."""
    if split == "all":
        return cases
    chosen = [case for case in cases if case.split == split]
    if not chosen:
        known = ", ".join(sorted({case.split for case in cases}))
        raise UserError(f"no labelled cases in split {split!r}; known splits: {known}, all")
    return chosen
