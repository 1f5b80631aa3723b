"""What a debate's turns cite and how faithful they were: sources per turn, per-turn scores and the eval report."""

from __future__ import annotations

import asyncio
from typing import Annotated, Literal

from deliberation.api.deps import ServiceDep, ViewerDep
from deliberation.api.routes.debates import download
from deliberation.evals.debate_report import DebateReport, debate_report, render_debate_report, turn_scores
from deliberation.evals.transcripts import TurnScore
from fastapi import APIRouter, Path, Query
from fastapi.responses import PlainTextResponse

from deliberation.citations import CitedSource, cited_sources
from deliberation.debate_types import Viewer
from deliberation.errors import Forbidden, NotFound

router = APIRouter(prefix="/v1/debates", tags=["reports"])


def _teacher(viewer: Viewer, what: str) -> None:
    if not viewer.is_teacher:
        raise Forbidden(f"only the teacher may read the {what}: it scores every channel")


@router.get("/{debate_id}/turns/{turn}/sources")
async def sources(
    turn: Annotated[int, Path(ge=1, le=1_000_000)], viewer: ViewerDep, service: ServiceDep
) -> list[CitedSource]:
    """The passages a turn cites, each in its paragraph with the quoted span; only for a turn this viewer sees."""
    found = [t for t in await service.turns(viewer) if t.turn == turn]
    if not found:
        raise NotFound(f"turn {turn} of debate {viewer.debate_id} is not one this token can read")
    scenario, passages = await service.sources(viewer)
    return cited_sources(found[0], scenario, passages)


@router.get("/{debate_id}/scores")
async def scores(
    viewer: ViewerDep,
    service: ServiceDep,
    after: Annotated[int, Query(ge=0, le=1_000_000, description="Only turns after this one.")] = 0,
) -> list[TurnScore]:
    """The deterministic scorer's verdict on each turn, with the rule and evidence of every violation."""
    _teacher(viewer, "faithfulness scores")
    turns = await service.turns(viewer)
    scenario, _ = await service.sources(viewer)
    return await asyncio.to_thread(turn_scores, turns, scenario, viewer.debate_id, after)


@router.get("/{debate_id}/report", response_model=None)
async def report(
    viewer: ViewerDep, service: ServiceDep, format: Literal["json", "md"] = "json"
) -> DebateReport | PlainTextResponse:
    """Per party: faithfulness, airtime, concessions made and answers to the negotiating text; plus the talk metrics."""
    _teacher(viewer, "eval report")
    turns = await service.turns(viewer)
    scenario, _ = await service.sources(viewer)
    seats = (await service.view(viewer)).seats
    result = await asyncio.to_thread(debate_report, viewer.debate_id, turns, scenario, dict(seats))
    if format == "md":
        return download(render_debate_report(result), "text/markdown", f"debate-{viewer.debate_id}-report.md")
    return result
