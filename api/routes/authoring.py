"""Scenario authoring for the teacher: list your scenarios, draft one from a text, review its positions, save."""

from __future__ import annotations

from deliberation.api.deps import SettingsDep
from deliberation.api.operators import OperatorDep
from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from deliberation.authoring.review import Decision, Review, apply, draft_into, review, user_scenarios

router = APIRouter(prefix="/v1/authoring", tags=["authoring"])


class DraftIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=120, description="The scenario's title; its id is made from it.")
    source: str = Field(min_length=1, description="The plain-text source (bounded by the server's request size).")
    parties: list[str] | None = Field(default=None, max_length=12)


class DecisionsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    decisions: list[Decision] = Field(max_length=500)


class UserScenarioOut(BaseModel):
    id: str


@router.get("/scenarios")
def list_user_scenarios(settings: SettingsDep, _: OperatorDep) -> list[UserScenarioOut]:
    return [UserScenarioOut(id=sid) for sid in user_scenarios(settings)]


@router.get("/scenarios/{scenario_id}")
def get_review(scenario_id: str, settings: SettingsDep, _: OperatorDep) -> Review:
    return review(settings, scenario_id)


@router.put("/scenarios/{scenario_id}/positions")
def save_review(scenario_id: str, body: DecisionsIn, settings: SettingsDep, _: OperatorDep) -> Review:
    return apply(settings, scenario_id, body.decisions)


@router.post("/drafts", status_code=201)
def create_draft(body: DraftIn, settings: SettingsDep, _: OperatorDep) -> Review:
    return draft_into(settings, body.name, body.source, body.parties)
