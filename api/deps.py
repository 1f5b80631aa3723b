"""Annotated dependencies: the settings, the debate service and the viewer a bearer token names."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from deliberation.classroom.records import Viewer
from deliberation.config import Settings
from deliberation.errors import Forbidden, Unauthorized

if TYPE_CHECKING:
    from deliberation.api.service import ServiceSlot

    from deliberation.classroom.service import DebateService

_bearer = HTTPBearer(auto_error=False, description="The teacher token or a seat token of this debate.")


# Dependencies are `async def` although none awaits: FastAPI runs a plain `def` in its thread pool, and under load
# each request then waited for a thread and for its way back onto the busy event loop, three times over.
async def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def _service(request: Request) -> DebateService:
    slot: ServiceSlot = request.app.state.services
    return await slot.get()


SettingsDep = Annotated[Settings, Depends(_settings)]
ServiceDep = Annotated["DebateService", Depends(_service)]  # a name only: deliberation.classroom.service is imported at first use


async def _token(credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]) -> str:
    if credentials is None:
        raise Unauthorized("send the debate's teacher or seat token as 'Authorization: Bearer <token>'")
    return credentials.credentials


TokenDep = Annotated[str, Depends(_token)]


async def _viewer(debate_id: str, service: ServiceDep, token: TokenDep) -> Viewer:
    return service.authenticate(debate_id, token)


ViewerDep = Annotated[Viewer, Depends(_viewer)]


def channel_of(viewer: Viewer, channel: str | None) -> Viewer:
    """The teacher may narrow a view to one seat's channel; a seat may only ask for its own."""
    if channel is None or channel == viewer.seat:
        return viewer
    if not viewer.is_teacher:
        raise Forbidden(f"the {viewer.name} token reads only its own view, not channel {channel!r}")
    return Viewer(debate_id=viewer.debate_id, seat=channel)
