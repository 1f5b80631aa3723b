"""Shared fixtures. No test reaches the network: outbound connections other than loopback are refused."""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")

from llm_fixtures import mock_llm, real_llm, recorded_settings  # noqa: F401  (record/replay of LLM HTTP)

from deliberation.config import Settings
from tests.factories import REPO

TESTS = Path(__file__).parent
_real_connect = socket.socket.connect


def _guarded_connect(self: socket.socket, address: Any) -> Any:
    host = address[0] if isinstance(address, tuple) else address
    if isinstance(host, str) and (host.startswith("127.") or host in ("localhost", "::1") or host.startswith("/")):
        return _real_connect(self, address)
    raise ConnectionRefusedError(f"tests may not reach the network (tried {address!r})")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--record",
        action="store_true",
        default=False,
        help="record missing LLM fixtures from a real provider (needs OPENAI_API_KEY and DELIBERATION_RECORD_MODEL)",
    )


@pytest.fixture(autouse=True)
def no_network(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    if not request.config.getoption("--record"):  # recording is the one run allowed to reach a provider
        monkeypatch.setattr(socket.socket, "connect", _guarded_connect)
    yield


@pytest.fixture(scope="session", autouse=True)
def no_user_data(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Settings left at their default data dir write under a temporary XDG_DATA_HOME, never the developer's own."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("XDG_DATA_HOME", str(tmp_path_factory.mktemp("xdg-data")))
        yield


@pytest.fixture(scope="session")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One data dir per session: the Chroma index is built once; every run has its own checkpoint thread."""
    return tmp_path_factory.mktemp("data")


@pytest.fixture
def settings(data_dir: Path) -> Settings:
    """The real scenarios and prompts."""
    return Settings(data_dir=data_dir, scenarios_dir=REPO / "personas", prompts_dir=REPO / "prompts")


@pytest.fixture
def mini_settings(data_dir: Path) -> Settings:
    """The tiny test scenario under tests/scenarios."""
    return Settings(data_dir=data_dir, scenarios_dir=TESTS / "scenarios", prompts_dir=REPO / "prompts")
