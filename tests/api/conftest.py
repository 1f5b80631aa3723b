"""Fixtures for the API: an app over a private data dir, an in-process client, and polling helpers."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
import uvicorn
from deliberation.api.main import create_app
from fastapi import FastAPI

from deliberation.config import Settings

# litellm imports a provider module lazily on its first call, and pydantic warns about that module's TypedDicts.
_LITELLM_IMPORT = "ignore:Items? .* using the `ReadOnly` qualifier:UserWarning"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/api/" in item.nodeid:
            item.add_marker(pytest.mark.filterwarnings(_LITELLM_IMPORT))


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The shared settings with lexical retrieval: each test has a fresh index, and this one builds in milliseconds."""
    return settings.model_copy(update={"embedding": "lexical"})


@pytest.fixture
async def app(settings: Settings) -> AsyncIterator[FastAPI]:
    application = create_app(settings)
    async with application.router.lifespan_context(application):
        yield application


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as http:
        yield http


@pytest.fixture
def server(settings: Settings) -> Iterator[str]:
    """A real uvicorn server on a free loopback port, in a thread; yields its base URL."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    running = uvicorn.Server(config)
    thread = threading.Thread(target=running.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not running.started:
        assert time.monotonic() < deadline and thread.is_alive(), "uvicorn did not start"
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}"
    running.should_exit = True
    thread.join(timeout=30)
