"""The one module that calls litellm: a persona turn in, a validated `TurnOutput` out."""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from typing import Any

os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")  # never fetch the price list at import

import litellm
from pydantic import BaseModel, ValidationError
from tenacity import AsyncRetrying, retry_if_exception_type, stop_after_attempt

from deliberation.errors import MalformedOutput, TurnFailed, UserError
from deliberation.llm import offline
from deliberation.turns import Usage

litellm.disable_aiohttp_transport = True  # httpx transport: one HTTP stack, visible to respx in tests
litellm.suppress_debug_info = True
offline.register()

_FENCE = re.compile(r"^```(?:json)?\s*|\s*```$")


@dataclass(frozen=True)
class ModelConfig:
    model: str
    timeout_s: float = 60.0
    retries: int = 2
    temperature: float | None = None
    seed: int | None = None
    api_base: str | None = None
    """OpenAI-compatible endpoint; None means litellm's default (or OPENAI_API_BASE)."""
    api_key: str | None = field(default=None, repr=False)
    """Provider key; None means litellm reads it from the environment."""


def check_model(model: str) -> None:
    """Fail early, naming the model, when litellm cannot route it."""
    try:
        litellm.get_llm_provider(model)
    except Exception:
        raise UserError(
            f"unknown model {model!r}: use offline/extractive or a litellm model string such as openai/gpt-4o-mini"
        ) from None


def _parse(raw: str | None, schema: type[BaseModel]) -> BaseModel:
    text = _FENCE.sub("", (raw or "").strip())
    try:
        return schema.model_validate(json.loads(text))
    except (json.JSONDecodeError, ValidationError) as error:
        raise MalformedOutput(f"model output does not match {schema.__name__}: {str(error).splitlines()[0]}") from None


def _usage(response: Any) -> Usage:
    usage = getattr(response, "usage", None)
    try:
        cost: float | None = float(litellm.completion_cost(completion_response=response))
    except Exception:  # litellm raises when it has no price for the model
        cost = None
    return Usage(
        prompt_tokens=getattr(usage, "prompt_tokens", 0) or 0,
        completion_tokens=getattr(usage, "completion_tokens", 0) or 0,
        cost_usd=cost,
    )


async def _call_once(config: ModelConfig, messages: list[dict[str, str]], schema: type[BaseModel]) -> tuple[BaseModel, Usage]:
    extra: dict[str, Any] = {}
    if config.temperature is not None:
        extra["temperature"] = config.temperature
    if config.seed is not None and not config.model.startswith(f"{offline.PROVIDER}/"):
        extra["seed"] = config.seed
    if config.api_base is not None:
        extra["api_base"] = config.api_base
    if config.api_key is not None:
        extra["api_key"] = config.api_key
    try:
        response = await litellm.acompletion(
            model=config.model,
            messages=messages,
            response_format={"type": "json_object"},
            timeout=config.timeout_s,
            num_retries=config.retries,
            drop_params=True,
            **extra,
        )
    except MalformedOutput:
        raise
    except Exception as error:  # litellm maps every provider failure onto its own exception types
        raise TurnFailed(f"{config.model}: {error.__class__.__name__}: {str(error).splitlines()[0][:200]}") from None
    usage = _usage(response)
    try:
        return _parse(response.choices[0].message.content, schema), usage
    except MalformedOutput as error:
        error.usage = usage  # type: ignore[attr-defined]
        raise


async def complete(config: ModelConfig, messages: list[dict[str, str]], schema: type[BaseModel]) -> tuple[BaseModel, Usage]:
    """Call the model; provider errors are retried by litellm, malformed output re-asked here."""
    async for attempt in AsyncRetrying(
        stop=stop_after_attempt(config.retries + 1),
        retry=retry_if_exception_type(MalformedOutput),
        reraise=True,
    ):
        with attempt:
            return await _call_once(config, messages, schema)
    raise AssertionError("unreachable: tenacity re-raises the last error")
