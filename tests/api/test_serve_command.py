"""`deliberation serve` hands the app to uvicorn with the host and port asked for."""

from __future__ import annotations

from typing import Any

import pytest
import uvicorn

from deliberation.cli import main


def test_serve_runs_uvicorn(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[dict[str, Any]] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **kwargs: calls.append({"app": app, **kwargs}))
    assert main(["serve", "--port", "8123"]) == 0
    assert calls[0]["host"] == "127.0.0.1" and calls[0]["port"] == 8123
    assert calls[0]["app"].title == "deliberation classroom"
