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
        observer_token=created.observer_token,
    )


@router.get("/{debate_id}")
async def get_debate(viewer: ViewerDep, service: ServiceDep) -> DebateView:
    return await service.view(viewer)


@router.post("/{debate_id}/messages", status_code=202)
async def post_message(message: MessageIn, viewer: ViewerDep, service: ServiceDep) -> DebateView:
    return await service.post(viewer, message.content, message.seat, message.answers)


@router.post("/{debate_id}/inject")
async def inject(news: InjectIn, viewer: ViewerDep, service: ServiceDep) -> DebateView:
    return await service.control(viewer, "inject", news.text)


@router.post("/{debate_id}/{control}")
async def control(control: Control, viewer: ViewerDep, service: ServiceDep) -> DebateView:
    return await service.control(viewer, control)


@router.get("/{debate_id}/transcript", response_model=None)
async def transcript(
    viewer: ViewerDep,
    service: ServiceDep,
    format: Literal["json", "md", "jsonl"] = "json",
    channel: str | None = Channel,
) -> TranscriptOut | PlainTextResponse:
    """JSON for programs; Markdown for people; JSONL (one turn event a line, as summit transcripts) for the evals."""
    viewer = channel_of(viewer, channel)
    turns = await service.turns(viewer)
    events = [TurnEvent.model_validate(t.model_dump()) for t in turns]
    name = f"debate-{viewer.debate_id}-{viewer.name}"
    if format == "md":
        source, names = await service.names(viewer)
        return download(render_markdown(events, source, names), "text/markdown", f"{name}.md")
    if format == "jsonl":
        return download("".join(e.model_dump_json() + "\n" for e in events), "application/x-ndjson", f"{name}.jsonl")
    return TranscriptOut(id=viewer.debate_id, viewer=viewer.name, turns=turns)


def download(text: str, media_type: str, filename: str) -> PlainTextResponse:
    headers = {"Content-Disposition": f'attachment; filename="{filename}"'}
    return PlainTextResponse(text, media_type=media_type, headers=headers)
