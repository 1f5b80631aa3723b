"""The classroom API: a thin FastAPI layer over deliberation's debate service and persona chat."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from deliberation.api import errors
from deliberation.api.limits import BodyLimit
from deliberation.api.routes import chat, debates, events, scenarios
from deliberation.api.service import ServiceSlot, has_debates_to_recover
from fastapi import FastAPI
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles

from deliberation.config import Settings, get_settings
from deliberation.resources import packaged

STATIC = packaged("deliberation.api") / "static"


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        slot = ServiceSlot(settings)
        app.state.services = slot
        try:
            if has_debates_to_recover(settings):
                await slot.get()
            yield
        finally:
            await slot.close()

    app = FastAPI(title="deliberation classroom", version="1", lifespan=lifespan)
    app.state.settings = settings
    errors.install(app)
    for module in (scenarios, debates, events, chat):
        app.include_router(module.router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    @app.get("/", include_in_schema=False)
    def index() -> FileResponse:
        return FileResponse(STATIC / "index.html")

    app.add_middleware(BodyLimit, max_bytes=settings.max_request_bytes)
    return app
