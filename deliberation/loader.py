"""Load scenario folders into verified `Scenario` models.

Scenarios are looked up in a list of roots, first match wins: a user's own folder, then the packaged ones.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from deliberation.errors import InvalidScenario, NotFound
from deliberation.ledger import ledger_errors
from deliberation.scenario import Persona, Scenario, ScenarioFile

if TYPE_CHECKING:
    from deliberation.config import Settings

M = TypeVar("M", bound=BaseModel)
SCENARIO_FILE = "scenario.yaml"
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when PyYAML has it: pure-Python parsing dominated loading
Roots = Path | Sequence[Path]
"""One folder of scenarios, or several searched in order."""


def _read_yaml(path: Path, model: type[M]) -> M:
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)
    except FileNotFoundError:
        raise NotFound(f"{path}: file not found") from None
    except (OSError, UnicodeDecodeError) as error:
        raise InvalidScenario(f"{path}: cannot read ({error.__class__.__name__})") from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        raise InvalidScenario(f"{path}: not valid YAML{where} ({error.__class__.__name__})") from None
    try:
        return model.model_validate(data)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "(top level)"
        raise InvalidScenario(f"{path}: {where}: {first['msg']} ({error.error_count()} error(s) in all)") from None


def _listed(roots: Roots) -> list[Path]:
    return [roots] if isinstance(roots, Path) else list(roots)


def scenario_dirs(roots: Roots) -> dict[str, Path]:
    """Scenario id -> its folder, sorted by id; an id in an earlier root hides the same id in a later one."""
    found: dict[str, Path] = {}
    for root in _listed(roots):
        for path in sorted(root.glob(f"*/{SCENARIO_FILE}")):
            found.setdefault(path.parent.name, path.parent)
    return dict(sorted(found.items()))


def scenario_ids(roots: Roots) -> list[str]:
    return list(scenario_dirs(roots))


def load_scenario(scenario_id: str, roots: Roots) -> Scenario:
    """Read `<root>/<id>/scenario.yaml`, its persona files and source; check the ledger against the source."""
    found = scenario_dirs(roots)
    if scenario_id not in found:
        looked = ", ".join(str(root) for root in _listed(roots))
        raise NotFound(f"unknown scenario {scenario_id!r} (known: {', '.join(found) or 'none'}; looked in {looked})")
    directory = found[scenario_id]
    scenario = read_scenario(directory)
    problems = ledger_errors(scenario)
    if problems:
        raise InvalidScenario(f"{directory}: {problems[0]} ({len(problems)} ledger error(s) in all)")
    return scenario


def read_scenario(directory: Path) -> Scenario:
    """A scenario folder's files as models, its protocol checked; the ledger is left to the caller."""
    spec = _read_yaml(directory / SCENARIO_FILE, ScenarioFile)
    if spec.id != directory.name:
        raise InvalidScenario(f"{directory / SCENARIO_FILE}: id is {spec.id!r}, expected the folder's name {directory.name!r}")
    source_path = directory / spec.source
    try:
        source_text = source_path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
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


@lru_cache(maxsize=16)
def load_cached(scenario_id: str, roots: tuple[Path, ...]) -> Scenario:
    """`load_scenario`, read once per process (scenario files are not expected to change under a running service)."""
    return load_scenario(scenario_id, roots)


def scenario(settings: Settings, scenario_id: str) -> Scenario:
    return load_cached(scenario_id, settings.scenario_roots)
