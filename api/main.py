"""The classroom API: a thin FastAPI layer over deliberation's debate service and persona chat."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from deliberation.api import errors
from deliberation.api.limits import BodyLimit
from deliberation.api.routes import authoring, chat, debates, events, reports, scenarios
from deliberation.api.security import LoopbackOnly, SecurityHeaders
from deliberation.api.service import ServiceSlot, has_debates_to_recover
from fastapi import FastAPI
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles

from deliberation.config import Settings, get_settings
from deliberation.quotas import StreamSlots, WindowRateLimiter
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

    docs = settings.docs
    app = FastAPI(
        title="deliberation classroom", version="1", lifespan=lifespan,
        docs_url="/docs" if docs else None, redoc_url="/redoc" if docs else None, openapi_url="/openapi.json" if docs else None,
    )
    app.state.settings = settings
    app.state.rate_limiter = WindowRateLimiter(settings.rate_limit)
    app.state.streams = StreamSlots(settings.max_streams_per_token)
    errors.install(app)
    for module in (scenarios, debates, reports, events, chat, authoring):
        app.include_router(module.router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    @app.get("/", include_in_schema=False)
    def index() -> FileResponse:
        # join links carry a seat's token in the fragment: SecurityHeaders sends Referrer-Policy: no-referrer
        return FileResponse(STATIC / "index.html")

    @app.get("/review", include_in_schema=False)
    def review_page() -> FileResponse:
        return FileResponse(STATIC / "review.html")

    app.add_middleware(BodyLimit, max_bytes=settings.max_request_bytes)
    if not settings.api_keys and not settings.allow_anonymous:
        app.add_middleware(LoopbackOnly)
    app.add_middleware(SecurityHeaders)  # outermost: every response carries the headers, refusals included
    return app
