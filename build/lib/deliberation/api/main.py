"""The classroom API: a thin FastAPI layer over deliberation's debate service and persona chat."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from deliberation.api import errors
from deliberation.api.limits import BodyLimit
from deliberation.api.routes import authoring, chat, debates, events, scenarios
from fastapi import FastAPI
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles

from deliberation.config import Settings, get_settings
from deliberation.debates import open_service

STATIC = Path(__file__).parent / "static"


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with open_service(settings) as service:
            app.state.service = service
            yield

    app = FastAPI(title="deliberation classroom", version="1", lifespan=lifespan)
    app.state.settings = settings
    errors.install(app)
    for module in (scenarios, debates, events, chat, authoring):
        app.include_router(module.router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    @app.get("/", include_in_schema=False)
    def index() -> FileResponse:
        return FileResponse(STATIC / "index.html")

    @app.get("/review", include_in_schema=False)
    def review_page() -> FileResponse:
        return FileResponse(STATIC / "review.html")

    app.add_middleware(BodyLimit, max_bytes=settings.max_request_bytes)
    return app
