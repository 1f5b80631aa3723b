"""GET /v1/debates/{id}/events: Server-Sent Events of turns, filtered per viewer; event id = turn number."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import TYPE_CHECKING, Annotated

from deliberation.api.deps import ServiceDep, TokenDep, ViewerDep, channel_of
from deliberation.api.routes.debates import Channel
from fastapi import APIRouter, Header, Query, Request
from sse_starlette import EventSourceResponse, ServerSentEvent
from starlette.background import BackgroundTask

from deliberation.debate_types import Viewer
from deliberation.quotas import StreamSlots
from deliberation.tokens import hash_token
from deliberation.turns import Turn

if TYPE_CHECKING:
    from deliberation.debates import DebateService

router = APIRouter(prefix="/v1/debates", tags=["events"])


async def _stream(
    service: DebateService, viewer: Viewer, after: int, release: Callable[[], None]
) -> AsyncIterator[ServerSentEvent]:
    try:
        async for item in service.events(viewer, after):
            if isinstance(item, Turn):
                yield ServerSentEvent(data=item.model_dump_json(), event="turn", id=str(item.turn))
            else:  # no id: a state change must not move the client's resume point
                yield ServerSentEvent(data=item.model_dump_json(), event="status")
    finally:
        release()


@router.get("/{debate_id}/events", response_class=EventSourceResponse)
async def events(
    request: Request,
    token: TokenDep,
    viewer: ViewerDep,
    service: ServiceDep,
    last_event_id: Annotated[int | None, Header(ge=0, le=1_000_000)] = None,
    after: Annotated[int, Query(ge=0, le=1_000_000, description="Resume after this turn (as Last-Event-ID).")] = 0,
    channel: str | None = Channel,
) -> EventSourceResponse:
    viewer = channel_of(viewer, channel)
    await service.view(viewer)  # fail before the stream starts (unknown debate, bad token)
    slots: StreamSlots = request.app.state.streams
    release = slots.take(hash_token(token))  # the stream gives it back when it ends; the background task if it never starts
    stream = _stream(service, viewer, max(after, last_event_id or 0), release)
    return EventSourceResponse(stream, ping=15, background=BackgroundTask(release))
