"""One settings object, read once from the environment (prefix DELIBERATION_)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from platformdirs import user_data_path
from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from deliberation.resources import packaged


def user_data_dir() -> Path:
    """The platform's per-user data folder: $XDG_DATA_HOME/deliberation (~/.local/share/deliberation) on Linux,
    ~/Library/Application Support/deliberation on macOS, %LOCALAPPDATA%/deliberation on Windows."""
    return user_data_path("deliberation", appauthor=False)

StructuredOutput = Literal["auto", "json_schema", "json_object_schema", "json_object", "off"]

MAX_TOKENS: dict[str, int] = {
    "statement": 450,
    "question": 300,
    "relay": 450,
    "proposal": 500,
    "answer": 600,
    "answer_points": 1200,
    "summary": 900,
    "chat": 450,
    "judge_claims": 500,
    "judge_verdicts": 900,
    "draft": 8000,
}


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="DELIBERATION_", extra="ignore")

    data_dir: Path = Field(default_factory=user_data_dir)
    """Where the Chroma index, checkpoints and debates live; never inside the installed package."""

    scenarios_dir: Path | None = None
    """A folder of the user's own scenarios (<id>/scenario.yaml, persona files, source text), searched before
    the packaged ones: a scenario here hides a packaged one of the same id."""

    prompts_dir: Path = Field(default_factory=lambda: packaged("deliberation.templates"))
    """Jinja templates of every prompt."""

    model: str = "offline/extractive"
    """Default litellm model string for every persona."""

    embedding: str = "hybrid"
    """Retrieval: hybrid (offline default: MiniLM + lexical, fused), minilm, lexical, chroma-default, openai, ollama."""

    chroma_url: str | None = None
    """Use a Chroma server (chromadb.HttpClient) instead of the embedded index."""

    database_url: str | None = None
    """postgresql://... : graph checkpoints and debate records in Postgres instead of SQLite files under data_dir."""

    redis_url: str | None = None
    """redis://... : debate events, driver leases and silence deadlines shared by every replica of the API."""

    timeout_s: float = 60.0
    """Per model call, passed to litellm."""

    retries: int = 2
    """Retries per model call for transport errors a retry can fix (429, 500, 502, 503, a dropped connection).
    A timeout is never retried: a single-slot server is still busy with the request that timed out."""

    repairs: int = 1
    """Times a reply that fails its schema is sent back with the validation error, asking for a corrected one."""

    structured_output: StructuredOutput = "auto"
    """How the turn's JSON Schema reaches the model: auto (json_schema when litellm knows the model supports it,
    else JSON mode, else the prompt only), json_schema (OpenAI form; vLLM, llama.cpp's server), json_object_schema
    (llama-cpp-python's server), json_object, off."""

    max_tokens: dict[str, int] = Field(default_factory=lambda: dict(MAX_TOKENS))
    """Reply budget per kind of turn (answer_points: an answer to proposed points), per judge step and for chat;
    JSON, e.g. {"summary": 900}. Keys left out keep their defaults. The schema's length limits are derived from it,
    so no reply can hold a server for minutes."""

    top_k: int = 4
    """Passages retrieved per turn."""

    recent_messages: int = 4
    """How many of the latest messages a persona sees verbatim; older ones are condensed."""

    max_message_chars: int = 4000
    """Longest message a human may post."""

    max_request_bytes: int = 65_536
    """Largest request body the API reads; larger ones are refused with 413."""

    api_keys: Annotated[list[str], NoDecode] = Field(default=[], repr=False)
    """Operator keys (comma-separated): they may create debates, list models, chat, author scenarios. None: loopback only."""

    allow_anonymous: bool = False
    """Serve without keys beyond loopback (`serve --allow-anonymous`): anyone who reaches the port spends the provider key."""

    allowed_models: Annotated[list[str], NoDecode] = []
    """Models a client may ask for (comma-separated); empty means only the default `model`."""

    rate_limit: str = "60/minute"
    """Per operator key (or per client address without keys): debates created plus chat completions."""

    max_live_debates: int = Field(default=200, ge=1)
    """Debates held live (created, not ended, not idle) in all."""

    max_live_debates_per_key: int = Field(default=50, ge=1)
    """Live debates one operator key may hold."""

    max_streams_per_token: int = Field(default=8, ge=1)
    """Concurrent event streams (SSE) one teacher or seat token may hold open."""

    idle_s: float = Field(default=1800.0, gt=0)
    """A debate nobody has touched for this long (and that is not running) leaves memory; it stays readable from storage."""

    docs: bool = True
    """Serve the interactive API docs (/docs, /redoc, /openapi.json)."""

    @field_validator("api_keys", "allowed_models", mode="before")
    @classmethod
    def _comma_separated(cls, value: object) -> object:
        if isinstance(value, str):
            return [item.strip() for item in value.split(",") if item.strip()]
        return value

    @property
    def checkpoints_file(self) -> Path:
        """The SQLite checkpoint database (used when no database_url is set)."""
        return self.data_dir / "checkpoints.sqlite"

    @property
    def scenario_roots(self) -> tuple[Path, ...]:
        """Where scenarios are looked up, in order: the user's folder, then the packaged scenarios."""
        roots = [packaged("deliberation.personas").resolve()]
        if self.scenarios_dir is not None:
            roots.insert(0, self.scenarios_dir.expanduser().resolve())
        return tuple(dict.fromkeys(roots))

    @field_validator("max_tokens")
    @classmethod
    def _complete_budgets(cls, value: dict[str, int]) -> dict[str, int]:
        unknown = sorted(set(value) - set(MAX_TOKENS))
        if unknown:
            raise ValueError(f"unknown kind(s) {', '.join(unknown)}; known: {', '.join(MAX_TOKENS)}")
        if any(v < 64 for v in value.values()):
            raise ValueError("every budget must be at least 64 tokens")
        return {**MAX_TOKENS, **value}


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
