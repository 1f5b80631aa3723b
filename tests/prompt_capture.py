"""A mocked OpenAI-compatible provider that answers with the offline engine and keeps every request.

Talks run on litellm's OpenAI path (model `openai/offline`), respx standing in for the provider, so a
test sees exactly the prompts a real model would get.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx

from deliberation.context import from_messages
from deliberation.llm.offline import chat_completion

API_BASE = "http://offline-llm.test/v1"
MODEL = "openai/offline"


class Prompts:
    """(persona, messages) of every request that carries a turn context, in order."""

    def __init__(self, prompts_dir: Path) -> None:
        self.prompts_dir = prompts_dir
        self.calls: list[tuple[str, list[dict[str, Any]]]] = []

    def answer(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        context = from_messages(body["messages"])
        if context is not None:
            self.calls.append((context.persona, body["messages"]))
        return httpx.Response(200, json=chat_completion(body, self.prompts_dir))


@contextmanager
def captured_prompts(monkeypatch: pytest.MonkeyPatch, prompts_dir: Path) -> Iterator[Prompts]:
    """Route `openai/...` models to the mock for the duration; run the talks with model=MODEL."""
    monkeypatch.setenv("OPENAI_API_BASE", API_BASE)
    monkeypatch.setenv("OPENAI_API_KEY", "test")
    capture = Prompts(prompts_dir)
    with respx.mock(assert_all_mocked=True, assert_all_called=False) as router:
        router.post(f"{API_BASE}/chat/completions").side_effect = capture.answer
        yield capture
