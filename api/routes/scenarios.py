"""GET /v1/scenarios: what a teacher can stage, with its personas and stages."""

from __future__ import annotations

import logging

from deliberation.api.deps import SettingsDep
from deliberation.api.schemas import AgendaOut, PersonaOut, ScenarioOut
from fastapi import APIRouter

from deliberation.errors import UserError
from deliberation.loader import scenario, scenario_ids
from deliberation.scenario import Scenario
from deliberation.turns import Stage

router = APIRouter(prefix="/v1", tags=["scenarios"])
log = logging.getLogger(__name__)


def _persona(scenario_: Scenario, pid: str) -> PersonaOut:
    persona = scenario_.personas[pid]
    return PersonaOut(id=pid, name=persona.name, role=persona.role, mediator=pid == scenario_.mediator)


@router.get("/scenarios")
def list_scenarios(settings: SettingsDep) -> list[ScenarioOut]:
    found = []
    for sid in scenario_ids(settings.scenario_roots):
        try:
            found.append(scenario(settings, sid))
        except UserError as error:  # one teacher's broken scenario must not hide the others
            log.warning("scenario %s left out: %s", sid, error)
    return [
        ScenarioOut(
            id=s.id,
            title=s.title,
            mediator=s.mediator,
            parties=s.parties,
            personas=[_persona(s, pid) for pid in s.participants],
            stages=list(Stage),
            agenda=[AgendaOut(topic=a.topic, title=a.title) for a in s.protocol.agenda],
            rounds=s.protocol.rounds,
        )
        for s in found
    ]
