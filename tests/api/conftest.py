"""Fixtures for the API: an app over a private data dir, an in-process client, and polling helpers."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import httpx
import pytest
import uvicorn
from deliberation.api.main import create_app
from fastapi import FastAPI

from deliberation.config import Settings
from tests.api.helpers import OPERATOR_KEY, bearer

# litellm imports a provider module lazily on its first call, and pydantic warns about that module's TypedDicts.
_LITELLM_IMPORT = "ignore:Items? .* using the `ReadOnly` qualifier:UserWarning"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/api/" in item.nodeid:
            item.add_marker(pytest.mark.filterwarnings(_LITELLM_IMPORT))


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The shared settings with lexical retrieval (each test has a fresh index, and this one builds in milliseconds),
    one operator key and a rate limit no test reaches unless it means to."""
    return settings.model_copy(update={"embedding": "lexical", "api_keys": [OPERATOR_KEY], "rate_limit": "10000/minute"})


@pytest.fixture
async def app(settings: Settings) -> AsyncIterator[FastAPI]:
    application = create_app(settings)
    async with application.router.lifespan_context(application):
        yield application


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """Sends the operator key unless a request names its own Authorization (a debate token)."""
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test", headers=bearer(OPERATOR_KEY)) as http:
        yield http


@pytest.fixture
def server_factory(settings: Settings) -> Iterator[Callable[..., str]]:
    """Starts real uvicorn servers (settings updated by keyword) on free loopback ports, in threads; returns base URLs."""
    running: list[tuple[uvicorn.Server, threading.Thread]] = []

    def start(**update: Any) -> str:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        app = create_app(settings.model_copy(update=update))
        config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
        server = uvicorn.Server(config)
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        running.append((server, thread))
        deadline = time.monotonic() + 30
        while not server.started:
            assert time.monotonic() < deadline and thread.is_alive(), "uvicorn did not start"
            time.sleep(0.02)
        return f"http://127.0.0.1:{port}"

    yield start
    for server, thread in running:
        server.should_exit = True
        thread.join(timeout=30)


@pytest.fixture
def server(server_factory: Callable[..., str]) -> str:
    """A real uvicorn server with the test settings; its base URL."""
    return server_factory()
