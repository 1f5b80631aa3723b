"""Debates: create, view, teacher controls, a seat's message, transcripts."""

from __future__ import annotations

from typing import Literal

from deliberation.api.deps import ServiceDep, ViewerDep, channel_of
from deliberation.api.operators import MeteredDep
from deliberation.api.schemas import CreatedOut, InjectIn, MessageIn, TranscriptOut
from fastapi import APIRouter, Query
from fastapi.responses import PlainTextResponse

from deliberation.debate_types import DebateSpec, DebateView
from deliberation.transcript import TurnEvent, render_markdown

router = APIRouter(prefix="/v1/debates", tags=["debates"])

Control = Literal["start", "pause", "resume", "advance", "end"]
Channel = Query(default=None, max_length=64, description="Teacher only: narrow the view to one seat's channel.")


@router.post("", status_code=201)
async def create_debate(spec: DebateSpec, service: ServiceDep, operator: MeteredDep) -> CreatedOut:
    created = await service.create(spec, owner=operator.id)
    debate = created.debate
    return CreatedOut(
        id=debate.id, scenario=debate.spec.scenario, status=debate.status, seats=debate.spec.seats,
        silence=debate.spec.silence, teacher_token=created.teacher_token, seat_tokens=created.seat_tokens,
    )


@router.get("/{debate_id}")
async def get_debate(viewer: ViewerDep, service: ServiceDep) -> DebateView:
    return await service.view(viewer)


@router.post("/{debate_id}/messages", status_code=202)
async def post_message(message: MessageIn, viewer: ViewerDep, service: ServiceDep) -> DebateView:
    return await service.post(viewer, message.content, message.seat)


@router.post("/{debate_id}/inject")
async def inject(news: InjectIn, viewer: ViewerDep, service: ServiceDep) -> DebateView:
    return await service.control(viewer, "inject", news.text)


@router.post("/{debate_id}/{control}")
async def control(control: Control, viewer: ViewerDep, service: ServiceDep) -> DebateView:
    return await service.control(viewer, control)


@router.get("/{debate_id}/transcript", response_model=None)
async def transcript(
    viewer: ViewerDep, service: ServiceDep, format: Literal["json", "md"] = "json", channel: str | None = Channel
) -> TranscriptOut | PlainTextResponse:
    viewer = channel_of(viewer, channel)
    turns = await service.turns(viewer)
    if format == "md":
        source, names = await service.names(viewer)
        events = [TurnEvent.model_validate(t.model_dump()) for t in turns]
        return PlainTextResponse(render_markdown(events, source, names), media_type="text/markdown")
    return TranscriptOut(id=viewer.debate_id, viewer=viewer.seat or "teacher", turns=turns)
