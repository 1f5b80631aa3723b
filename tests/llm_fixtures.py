"""Record/replay for the LLM HTTP boundary.

respx answers litellm's OpenAI-compatible chat completions (`openai/<model>` at API_BASE) from
`tests/fixtures/llm/<sha256>.json`, keyed by the normalised request body (model, messages,
response_format, temperature, max_tokens). A test may script replies (an error status, a malformed body, a raised
httpx exception) for the next matching requests; everything else is replayed. A request with no
fixture fails the test, naming its hash.

`pytest --record` fills in missing fixtures from an upstream: the real provider when OPENAI_API_KEY
and DELIBERATION_RECORD_MODEL are set (DELIBERATION_RECORD_API_BASE, default https://api.openai.com/v1),
or the upstream installed with `use_upstream` (tests/fixtures/llm/generate.py installs an offline
stand-in). Existing fixtures are kept: delete them to refresh.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx

from deliberation.config import Settings
from deliberation.context import from_messages
from tests.factories import REPO

API_BASE = "http://mock-llm.test/v1"
COMPLETIONS = f"{API_BASE}/chat/completions"
FIXTURES = Path(__file__).parent / "fixtures" / "llm"
KEYED = ("model", "messages", "response_format", "temperature", "max_tokens")
_CONTEXT_TURN = re.compile(r'<context>\s*\{.*?"turn":\s*(\d+)', re.DOTALL)

Body = dict[str, Any]
Upstream = Callable[[Body], Body]
"""A request body in, an OpenAI chat.completion JSON out."""
Predicate = Callable[[Body], bool]
Reply = httpx.Response | Exception

_installed_upstream: Upstream | None = None


def use_upstream(upstream: Upstream | None) -> None:
    """Where `--record` gets missing responses from, instead of the real provider."""
    global _installed_upstream
    _installed_upstream = upstream


def normalised(body: Body) -> Body:
    return {key: body.get(key) for key in KEYED}


def request_key(body: Body) -> str:
    text = json.dumps(normalised(body), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def completion(content: str, model: str = "gpt-4o-mini", prompt_tokens: int = 0) -> Body:
    """An OpenAI-shaped chat.completion whose message content is `content`."""
    completion_tokens = max(1, len(content) // 4)
    return {
        "id": "chatcmpl-fixture",
        "object": "chat.completion",
        "created": 0,
        "model": model,
        "choices": [{"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": content}}],
        "usage": {"prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens,
                  "total_tokens": prompt_tokens + completion_tokens},
    }


def reply(content: str) -> httpx.Response:
    return httpx.Response(200, json=completion(content))


def streamed(content: str, size: int = 7) -> httpx.Response:
    """An OpenAI chat.completion stream (SSE) of `content`, `size` characters a chunk, then a finish."""

    def chunk(delta: dict[str, str], finish: str | None) -> str:
        body = {"id": "chatcmpl-fixture", "object": "chat.completion.chunk", "created": 0, "model": "gpt-4o-mini",
                "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}  # fmt: skip
        return f"data: {json.dumps(body)}\n\n"

    pieces = [chunk({"content": content[i : i + size]}, None) for i in range(0, len(content), size)]
    text = "".join(pieces) + chunk({}, "stop") + "data: [DONE]\n\n"
    return httpx.Response(200, content=text.encode(), headers={"content-type": "text/event-stream"})


def prompt_of(body: Body) -> str:
    return "\n".join(str(m.get("content") or "") for m in body.get("messages", []))


def turn_of(body: Body) -> int | None:
    """The summit turn number a persona request is for (from its <context> block)."""
    context = from_messages(body.get("messages", []))
    return context.turn if context else None


def for_turn(number: int) -> Predicate:
    return lambda body: turn_of(body) == number


def mentions(text: str) -> Predicate:
    return lambda body: text in prompt_of(body)


def provider_upstream(model: str, api_key: str, api_base: str) -> Upstream:
    """The real provider, asked with `model` in place of the test's model name."""

    def call(body: Body) -> Body:
        with httpx.Client(timeout=float(os.environ.get("DELIBERATION_RECORD_TIMEOUT_S", "120"))) as client:
            response = client.post(
                f"{api_base.rstrip('/')}/chat/completions",
                json={**body, "model": model},
                headers={"Authorization": f"Bearer {api_key}"},
            )
        response.raise_for_status()
        return dict(response.json())

    return call


class MockLLM:
    """The respx router for one test: scripted replies first, then recorded fixtures (or the upstream)."""

    def __init__(self, fixtures: Path = FIXTURES, upstream: Upstream | None = None) -> None:
        self.fixtures, self.upstream = fixtures, upstream
        self.router = respx.mock(assert_all_mocked=True, assert_all_called=False)
        self.route = self.router.post(COMPLETIONS)
        self.route.side_effect = self._answer
        self.requests: list[Body] = []
        self.missing: list[str] = []
        self._scripted: list[tuple[Predicate, list[Reply]]] = []

    def script(self, *replies: Reply, when: Predicate = lambda body: True) -> None:
        """The next requests matching `when` get these replies in order (a response, or an exception to raise)."""
        self._scripted.append((when, list(replies)))

    def pass_through(self, api_base: str) -> None:
        self.router.route(host=httpx.URL(api_base).host).pass_through()

    @property
    def unused(self) -> int:
        return sum(len(replies) for _, replies in self._scripted)

    def _answer(self, request: httpx.Request) -> httpx.Response:
        body: Body = json.loads(request.content)
        self.requests.append(body)
        for when, replies in self._scripted:
            if replies and when(body):
                scripted = replies.pop(0)
                if isinstance(scripted, Exception):
                    raise scripted
                return scripted
        return httpx.Response(200, json=self._recorded(body))

    def _recorded(self, body: Body) -> Body:
        key = request_key(body)
        path = self.fixtures / f"{key}.json"
        if path.exists():
            return dict(json.loads(path.read_text(encoding="utf-8"))["response"])
        if self.upstream is None:
            self.missing.append(key)
            raise LookupError(f"no recorded LLM response {key}")
        began = time.monotonic()
        response = self.upstream(body)
        elapsed = round(time.monotonic() - began, 3)  # what the upstream took: the benchmark of a real model reads it
        record = {"request": normalised(body), "response": response, "elapsed_s": elapsed}
        path.write_text(json.dumps(record, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        return response


def recording_upstream(config: pytest.Config) -> Upstream | None:
    if not config.getoption("--record"):
        return None
    if _installed_upstream is not None:
        return _installed_upstream
    model, key = os.environ.get("DELIBERATION_RECORD_MODEL"), os.environ.get("OPENAI_API_KEY")
    if not (model and key):
        pytest.fail("--record needs OPENAI_API_KEY and DELIBERATION_RECORD_MODEL (e.g. gpt-4o-mini)", pytrace=False)
    return provider_upstream(model, key, os.environ.get("DELIBERATION_RECORD_API_BASE", "https://api.openai.com/v1"))


@pytest.fixture(scope="session")
def recorded_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """Settings the fixtures were recorded with: lexical retrieval (prompts carry what it finds), one retry, a
    short timeout, one index for the session (building it is the slow part)."""
    return Settings(
        data_dir=tmp_path_factory.mktemp("recorded"),
        scenarios_dir=REPO / "personas",
        prompts_dir=REPO / "prompts",
        embedding="lexical",
        retries=1,
        timeout_s=5.0,
    )


def _serve(mock: MockLLM, monkeypatch: pytest.MonkeyPatch, how: str) -> Iterator[MockLLM]:
    monkeypatch.setenv("OPENAI_API_BASE", API_BASE)
    monkeypatch.setenv("OPENAI_API_KEY", "test")
    with mock.router:
        yield mock
    if mock.missing:
        hashes = ", ".join(dict.fromkeys(mock.missing))
        pytest.fail(
            f"no recorded LLM response for request(s) {hashes} in {mock.fixtures}: a prompt, persona or test changed. {how}",
            pytrace=False,
        )
    assert mock.unused == 0, f"{mock.unused} scripted LLM replies were never requested"


@pytest.fixture
def mock_llm(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[MockLLM]:
    """litellm's OpenAI path pointed at the mock; no request leaves the process unless --record says so."""
    upstream = recording_upstream(request.config)
    mock = MockLLM(upstream=upstream)
    if upstream is not None and _installed_upstream is None:
        mock.pass_through(os.environ.get("DELIBERATION_RECORD_API_BASE", "https://api.openai.com/v1"))
    how = "Regenerate with `python tests/fixtures/llm/generate.py` (offline) or record with `pytest --record`."
    yield from _serve(mock, monkeypatch, how)


REAL_MODEL = "gemma-3-270m"
REAL_FIXTURES = FIXTURES / REAL_MODEL
"""What a real small model answered; how they were made is in the README.md beside them."""


def real_settings(data_dir: Path) -> Settings:
    """The settings the real model's replies were recorded with."""
    return Settings(
        data_dir=data_dir, scenarios_dir=REPO / "personas", prompts_dir=REPO / "prompts",
        embedding="lexical", retries=1, timeout_s=900.0, structured_output="json_object_schema",
    )  # fmt: skip


@pytest.fixture
def real_llm(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[MockLLM]:
    """Replays the real model's recorded answers. `pytest --record` with DELIBERATION_RECORD_API_BASE at the
    model's OpenAI-compatible server records the missing ones (never from the offline stand-in)."""
    base = os.environ.get("DELIBERATION_RECORD_API_BASE")
    upstream = None
    if request.config.getoption("--record") and base and _installed_upstream is None:
        upstream = provider_upstream(os.environ.get("DELIBERATION_RECORD_MODEL", REAL_MODEL),
                                     os.environ.get("OPENAI_API_KEY", "local"), base)  # fmt: skip
    mock = MockLLM(fixtures=REAL_FIXTURES, upstream=upstream)
    if upstream is not None and base:
        mock.pass_through(base)
    yield from _serve(mock, monkeypatch, f"Record them again against the real model: see {REAL_FIXTURES / 'README.md'}.")
