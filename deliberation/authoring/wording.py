"""The editable wording a drafted scenario is filled in with (`prompts/authoring.yaml`)."""

from __future__ import annotations

from pathlib import Path

import yaml
from pydantic import BaseModel, ValidationError

from deliberation.errors import InvalidScenario


class MediatorWording(BaseModel):
    name: str
    role: str
    voice: str
    goals: list[str]
    red_lines: list[str]


class PartyWording(BaseModel):
    role: str
    voice: str
    goal: str
    red_line: str


class RelayWording(BaseModel):
    quoted: str
    reported: str


class AgendaWording(BaseModel):
    question: str


class Wording(BaseModel):
    mediator: MediatorWording
    party: PartyWording
    relay: RelayWording
    agenda: AgendaWording
    point: str


def load_wording(prompts_dir: Path) -> Wording:
    path = prompts_dir / "authoring.yaml"
    try:
        return Wording.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
    except (OSError, yaml.YAMLError, ValidationError) as error:
        raise InvalidScenario(f"{path}: cannot read the drafting wording ({str(error).splitlines()[0]})") from None
