"""Load scenario folders into verified `Scenario` models."""

from __future__ import annotations

from pathlib import Path
from typing import TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from deliberation.errors import InvalidScenario, NotFound
from deliberation.ledger import ledger_errors
from deliberation.scenario import Persona, Scenario, ScenarioFile

M = TypeVar("M", bound=BaseModel)
SCENARIO_FILE = "scenario.yaml"


def _read_yaml(path: Path, model: type[M]) -> M:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise NotFound(f"{path}: file not found") from None
    except yaml.YAMLError as error:
        raise InvalidScenario(f"{path}: not valid YAML ({error.__class__.__name__})") from None
    try:
        return model.model_validate(data)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "(top level)"
        raise InvalidScenario(f"{path}: {where}: {first['msg']} ({error.error_count()} error(s) in all)") from None


def scenario_ids(root: Path) -> list[str]:
    return sorted(p.parent.name for p in root.glob(f"*/{SCENARIO_FILE}"))


def load_scenario(scenario_id: str, root: Path) -> Scenario:
    """Read `root/<id>/scenario.yaml`, its persona files and source; check the ledger against the source."""
    directory = root / scenario_id
    if not (directory / SCENARIO_FILE).is_file():
        known = ", ".join(scenario_ids(root)) or "none"
        raise NotFound(f"unknown scenario {scenario_id!r} (known: {known}; looked in {root})")
    scenario = read_scenario(directory)
    problems = ledger_errors(scenario)
    if problems:
        raise InvalidScenario(f"{directory}: {problems[0]} ({len(problems)} ledger error(s) in all)")
    return scenario


def read_scenario(directory: Path) -> Scenario:
    """A scenario folder's files as models, its protocol checked; the ledger is left to the caller."""
    spec = _read_yaml(directory / SCENARIO_FILE, ScenarioFile)
    source_path = directory / spec.source
    try:
        source_text = source_path.read_text(encoding="utf-8")
    except (FileNotFoundError, UnicodeDecodeError) as error:
        raise InvalidScenario(f"{source_path}: cannot read source ({error.__class__.__name__})") from None
    personas = {pid: _read_yaml(directory / f"{pid}.yaml", Persona) for pid in [spec.mediator, *spec.parties]}
    for pid, persona in personas.items():
        if persona.id != pid:
            raise InvalidScenario(f"{directory / (pid + '.yaml')}: id is {persona.id!r}, expected {pid!r}")
    scenario = Scenario(
        id=spec.id,
        title=spec.title,
        directory=directory,
        source_path=source_path,
        source_text=source_text,
        mediator=spec.mediator,
        parties=spec.parties,
        personas=personas,
        protocol=spec.protocol,
    )
    _check_protocol(scenario)
    return scenario


def _check_protocol(scenario: Scenario) -> None:
    for a, b in scenario.protocol.pairs:
        for pid in (a, b):
            if pid not in scenario.parties:
                raise InvalidScenario(f"{scenario.directory / SCENARIO_FILE}: pair names {pid!r}, not a party")
