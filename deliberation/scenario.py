"""Typed scenario data: the source text, the personas and their position ledger, the protocol."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_-]*$", max_length=64)]
PositionId = Annotated[str, StringConstraints(pattern=r"^[a-z0-9_-]+\.[a-z0-9_.-]+$")]


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Stance(StrEnum):
    support = "support"
    oppose = "oppose"
    conditional = "conditional"


class Evidence(Frozen):
    """A verbatim span of the scenario source: `source[start:end] == quote`."""

    quote: str = Field(min_length=1)
    start: int = Field(ge=0)
    end: int = Field(gt=0)


class Position(Frozen):
    """A position the party itself would state, tied to the source."""

    id: PositionId
    topic: Slug
    stance: Stance
    statement: str = Field(min_length=1, description="First person, as the persona says it.")
    relay: str = Field(min_length=1, description="Third person, as the mediator conveys it.")
    evidence: list[Evidence] = Field(min_length=1)


class Characterisation(Frozen):
    """The source author's judgement about a party: shapes behaviour, never voiced as self-description."""

    text: str
    evidence: list[Evidence] = Field(min_length=1)


class Concession(Frozen):
    """A stance change the persona may make during the talks."""

    topic: Slug
    to: Stance
    statement: str
    relay: str


class Persona(Frozen):
    id: Slug
    name: str
    role: str
    voice: str
    goals: list[str] = []
    red_lines: list[str] = []
    concessions: list[Concession] = []
    positions: list[Position] = []
    characterisations: list[Characterisation] = []

    @model_validator(mode="after")
    def _ids_are_namespaced(self) -> Persona:
        for position in self.positions:
            if not position.id.startswith(f"{self.id}."):
                raise ValueError(f"position {position.id!r} must start with {self.id + '.'!r}")
        return self

    def position(self, position_id: str) -> Position | None:
        return next((p for p in self.positions if p.id == position_id), None)

    def stance_on(self, topic: str) -> Stance | None:
        return next((p.stance for p in self.positions if p.topic == topic), None)


class AgendaItem(Frozen):
    topic: Slug
    title: str
    question: str


class Point(Frozen):
    """A point of common ground the mediator may propose at convergence."""

    id: Slug
    topic: Slug
    text: str


class Protocol(Frozen):
    rounds: int = Field(default=3, ge=0, le=50)
    agenda: list[AgendaItem] = Field(min_length=1)
    pairs: list[tuple[Slug, Slug]] = Field(min_length=1)
    points: list[Point] = []


class ScenarioFile(Frozen):
    """What `scenario.yaml` holds."""

    id: Slug
    title: str
    source: str
    mediator: Slug
    parties: list[Slug] = Field(min_length=2)
    protocol: Protocol


class Scenario(Frozen):
    """A loaded, verified scenario: source text, personas by id and protocol."""

    id: str
    title: str
    directory: Path
    source_path: Path
    source_text: str
    mediator: str
    parties: list[str]
    personas: dict[str, Persona]
    protocol: Protocol

    @property
    def participants(self) -> list[str]:
        return [self.mediator, *self.parties]

    def persona(self, persona_id: str) -> Persona:
        from deliberation.errors import NotFound

        try:
            return self.personas[persona_id]
        except KeyError:
            known = ", ".join(self.personas)
            raise NotFound(f"unknown persona {persona_id!r} in scenario {self.id!r} (known: {known})") from None
