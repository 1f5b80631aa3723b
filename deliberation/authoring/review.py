"""The teacher's review of a drafted scenario: its positions beside their evidence; accept, edit or drop each."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from deliberation.authoring.draft import write_draft, write_persona
from deliberation.config import Settings
from deliberation.errors import NotFound, UserError
from deliberation.loader import SCENARIO_FILE, load_cached, read_scenario, scenario_ids
from deliberation.resources import packaged
from deliberation.scenario import Persona, Position, Scenario, Stance

_SLUG = re.compile(r"[a-z0-9][a-z0-9_-]*")


class Decision(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str = Field(max_length=200)
    """The position's id."""
    action: Literal["accept", "edit", "drop"]
    stance: Stance | None = None
    statement: str | None = Field(default=None, min_length=1, max_length=2000)
    relay: str | None = Field(default=None, min_length=1, max_length=2000)


class Review(BaseModel):
    id: str
    title: str
    source: str
    mediator: str
    parties: list[Persona]
    agenda: list[str]
    problems: list[str]


def user_root(settings: Settings) -> Path:
    """The folder of the user's own scenarios, the one the review may write to; never the packaged scenarios."""
    root = settings.scenarios_dir
    if root is None or root.resolve() == packaged("deliberation.personas").resolve():
        raise UserError("no folder for your own scenarios: set DELIBERATION_SCENARIOS_DIR to a writable folder")
    return root


def user_scenarios(settings: Settings) -> list[str]:
    root = user_root(settings)
    return scenario_ids(root) if root.is_dir() else []


def _folder(settings: Settings, scenario_id: str) -> Path:
    directory = user_root(settings) / scenario_id
    if not _SLUG.fullmatch(scenario_id) or not (directory / SCENARIO_FILE).is_file():
        known = ", ".join(user_scenarios(settings)) or "none"
        raise NotFound(f"no scenario {scenario_id!r} among your scenarios (known: {known})")
    return directory


def review(settings: Settings, scenario_id: str) -> Review:
    directory = _folder(settings, scenario_id)
    scenario = read_scenario(directory)
    from deliberation.authoring.check import check_scenario  # the scorer's embeddings: not at server start

    return _review(scenario, check_scenario(directory))


def _review(scenario: Scenario, problems: list[str]) -> Review:
    return Review(
        id=scenario.id, title=scenario.title, source=scenario.source_text, mediator=scenario.mediator,
        parties=[scenario.personas[pid] for pid in scenario.parties], agenda=[a.topic for a in scenario.protocol.agenda],
        problems=problems,
    )  # fmt: skip


def _decide(position: Position, decision: Decision) -> Position | None:
    if decision.action == "drop":
        return None
    if decision.action == "accept":
        return position
    changes = {k: v for k, v in decision.model_dump(include={"stance", "statement", "relay"}).items() if v is not None}
    return Position.model_validate({**position.model_dump(), **changes})


def apply(settings: Settings, scenario_id: str, decisions: list[Decision]) -> Review:
    """Write the teacher's decisions into the persona files; positions not named stay as they are."""
    directory = _folder(settings, scenario_id)
    scenario = read_scenario(directory)
    by_id = {d.id: d for d in decisions}
    known = {p.id for pid in scenario.parties for p in scenario.personas[pid].positions}
    unknown = [d for d in by_id if d not in known]
    if unknown:
        raise NotFound(f"no position {unknown[0]!r} in scenario {scenario_id!r}")
    for pid in scenario.parties:
        persona = scenario.personas[pid]
        if not any(p.id in by_id for p in persona.positions):
            continue
        kept = [q for p in persona.positions if (q := _decide(p, by_id[p.id]) if p.id in by_id else p) is not None]
        write_persona(directory, persona.model_copy(update={"positions": kept}))
    forget(settings)
    return review(settings, scenario_id)


def draft_into(settings: Settings, name: str, source: str, parties: list[str] | None) -> Review:
    """Draft offline from pasted text into the user's folder, under an id made from `name`."""
    from deliberation.authoring.offline import draft_offline  # numpy and MiniLM: only when a draft is asked for

    root = user_root(settings)
    result = draft_offline(source, "source.txt", settings.prompts_dir, name, parties)
    write_draft(result, root / result.spec.id)
    forget(settings)
    return review(settings, result.spec.id)


def forget(settings: Settings) -> None:
    """A running service caches loaded scenarios: an edited one must be read again."""
    load_cached.cache_clear()
