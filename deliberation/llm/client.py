"""The one module that calls litellm: messages and a schema in, a validated reply and an honest trace out.

How the schema reaches the model (`structured_output`), from strongest to weakest: `json_schema` (OpenAI's
form, strict), `json_object_schema` (`{"type": "json_object", "schema": ...}`, llama-cpp-python's server),
`json_object` (any JSON) and `off` (the schema is only in the prompt). A server that rejects a form is asked
again with the next one, and the model remembered at that form. Every reply is read tolerantly (the first
JSON object in it) and validated; one that fails is sent back once with the whole validation error and a
different seed (a repair), never re-sent as it was. Transport errors a retry can fix are retried here, with
backoff; a timeout is not (a single-slot server is still busy with the request that timed out).
"""

from __future__ import annotations

import json
import os
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import Any, Generic, Literal, TypeVar

from pydantic import BaseModel, ValidationError
from tenacity import AsyncRetrying, retry_if_exception, stop_after_attempt, wait_exponential

from deliberation import heap, pacing
from deliberation.config import MAX_TOKENS, Settings
from deliberation.errors import MalformedOutput, TurnFailed, UserError
from deliberation.llm import offline
from deliberation.llm.schema import json_schema
from deliberation.prompts import render
from deliberation.resources import packaged
from deliberation.turns import Usage

Mode = Literal["json_schema", "json_object_schema", "json_object", "off"]
FALLBACK: dict[str, Mode | None] = {"json_schema": "json_object", "json_object_schema": "json_object",
                                    "json_object": "off", "off": None}  # fmt: skip
RETRYABLE_STATUS = frozenset({429, 500, 502, 503})
REJECTS_FORM = ("response_format", "json_schema", "schema", "grammar")
"""Words of a 4xx/5xx that says the server cannot take the structured-output form it was sent."""
Schema = TypeVar("Schema", bound=BaseModel)
GRAMMAR_MAX_LENGTH = 1000
"""Longest string llama.cpp's grammar parser takes as a repetition: over about 1,000 characters it refuses the
grammar ("exceeds sane defaults") and llama-cpp-python's server then decodes with no constraint at all."""


@dataclass(frozen=True)
class ModelConfig:
    model: str
    timeout_s: float = 60.0
    retries: int = 2
    """Retries of a transport error a retry can fix."""
    temperature: float | None = None
    seed: int | None = None
    api_base: str | None = None
    """OpenAI-compatible endpoint; None means litellm's default (or OPENAI_API_BASE)."""
    api_key: str | None = field(default=None, repr=False)
    """Provider key; None means litellm reads it from the environment."""
    repairs: int = 1
    structured_output: str = "auto"
    max_tokens: Mapping[str, int] = field(default_factory=lambda: dict(MAX_TOKENS))
    prompts_dir: Path = field(default_factory=lambda: packaged("deliberation.templates"))

    def budget(self, kind: str) -> int:
        return self.max_tokens.get(kind, MAX_TOKENS.get(kind, 500))


def model_config(settings: Settings, model: str, seed: int | None = None, temperature: float | None = None) -> ModelConfig:
    return ModelConfig(
        model=model,
        timeout_s=settings.timeout_s,
        retries=settings.retries,
        temperature=temperature,
        seed=seed,
        repairs=settings.repairs,
        structured_output=settings.structured_output,
        max_tokens=settings.max_tokens,
        prompts_dir=settings.prompts_dir,
    )


@dataclass
class Trace:
    """What a call cost and how it went, over every attempt (failed ones included)."""

    mode: Mode
    usage: Usage = field(default_factory=Usage)
    attempts: int = 0
    repairs: int = 0
    completion_tokens: list[int] = field(default_factory=list)
    """Per answered attempt: lets a benchmark compare replies with their max_tokens."""


@dataclass
class Completion(Generic[Schema]):
    output: Schema
    trace: Trace


Failure = Literal["timeout", "transport", "malformed"]


class CallFailed(TurnFailed):
    """A model call that ended without a valid reply; its trace says what it cost, `failure` what went wrong."""

    def __init__(self, message: str, trace: Trace, failure: Failure) -> None:
        super().__init__(message)
        self.trace, self.failure = trace, failure


class _FormRejected(Exception):
    """The server refused the structured-output form (not the request): ask again with the next one."""


@cache
def lite() -> ModuleType:
    """litellm, configured, imported on first use: the import alone costs 1.5-2 s of CPU, which a run on the
    in-process offline engine never needs."""
    os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")  # never fetch the price list at import
    import litellm

    from deliberation.llm import offline_provider

    litellm.disable_aiohttp_transport = True  # httpx transport: one HTTP stack, visible to respx in tests
    litellm.suppress_debug_info = True
    offline_provider.register()
    heap.settle()
    return litellm


def check_model(model: str) -> None:
    """Fail early, naming the model, when litellm cannot route it."""
    if offline.handles(model):
        return
    try:
        lite().get_llm_provider(model)
    except Exception:
        raise UserError(
            f"unknown model {model!r}: use offline/extractive or a litellm model string such as openai/gpt-4o-mini"
        ) from None


_settled: dict[tuple[str, str | None], Mode] = {}
"""(model, api_base) -> the form its server accepted after rejecting a stronger one."""


def resolve_mode(config: ModelConfig) -> Mode:
    settled = _settled.get((config.model, config.api_base))
    if settled is not None:
        return settled
    if config.structured_output != "auto":
        return config.structured_output  # type: ignore[return-value]  # validated by Settings
    if offline.handles(config.model):
        return "off"  # the offline engine reads the prompt's context, not a response_format
    if lite().supports_response_schema(config.model):
        return "json_schema"
    try:
        model, provider, _, _ = lite().get_llm_provider(config.model)
        params = lite().get_supported_openai_params(model=model, custom_llm_provider=provider) or []
    except Exception:  # litellm raises for providers it cannot describe
        params = []
    return "json_object" if "response_format" in params else "off"


def response_format(mode: Mode, schema: type[BaseModel], config: ModelConfig) -> dict[str, Any] | None:
    if mode == "json_schema":
        # Where the form was chosen because litellm knows the model (OpenAI and the like), strict mode rejects
        # string length keywords: leave them to max_tokens and to validation here.
        lengths = config.structured_output == "json_schema"
        form = {"name": schema.__name__, "schema": json_schema(schema, lengths=lengths), "strict": True}
        return {"type": "json_schema", "json_schema": form}
    if mode == "json_object_schema":
        return {"type": "json_object", "schema": _capped(json_schema(schema), GRAMMAR_MAX_LENGTH)}
    if mode == "json_object":
        return {"type": "json_object"}
    return None


def _capped(node: Any, longest: int) -> Any:
    """The schema with every maxLength at most `longest` (the reply is still validated against the full schema)."""
    if isinstance(node, dict):
        return {k: min(v, longest) if k == "maxLength" else _capped(v, longest) for k, v in node.items()}
    if isinstance(node, list):
        return [_capped(item, longest) for item in node]
    return node


def _validation_errors(error: ValidationError) -> str:
    parts = []
    for item in error.errors(include_url=False):
        where = ".".join(str(p) for p in item["loc"]) or "reply"
        got = json.dumps(item.get("input"), ensure_ascii=False, default=str)
        parts.append(f"{where}: {item['msg']} (got {got[:120]})")
    return "; ".join(parts)


def parse(raw: str | None, schema: type[Schema]) -> Schema:
    """The first JSON object in the reply (fences and prose around it are ignored), validated."""
    text = raw or ""
    start = text.find("{")
    if start < 0:
        raise MalformedOutput(f"reply is not a JSON object matching {schema.__name__}: no '{{' in {text[:120]!r}")
    try:
        # strict=False: a raw newline or tab inside a string (which llama.cpp's JSON grammar lets through) is read
        data, _ = json.JSONDecoder(strict=False).raw_decode(text, start)
    except json.JSONDecodeError as error:
        raise MalformedOutput(f"reply is not valid JSON: {error.msg} at character {error.pos}") from None
    try:
        return schema.model_validate(data)
    except ValidationError as error:
        raise MalformedOutput(
            f"reply does not match {schema.__name__} ({error.error_count()} error(s)): {_validation_errors(error)}"
        ) from None


def _usage(response: Any) -> Usage:
    usage = getattr(response, "usage", None)
    # litellm prices every response as it returns it (None when it has no price for the model); pricing it
    # again here cost a millisecond a turn
    cost = (getattr(response, "_hidden_params", None) or {}).get("response_cost")
    return Usage(
        prompt_tokens=getattr(usage, "prompt_tokens", 0) or 0,
        completion_tokens=getattr(usage, "completion_tokens", 0) or 0,
        cost_usd=None if cost is None else float(cost),
    )


def _prompt_tokens(config: ModelConfig, messages: list[dict[str, str]]) -> int:
    """An estimate for a request the server never answered (a timeout): it did read the prompt."""
    try:
        return int(lite().token_counter(model=config.model, messages=messages))
    except Exception:  # no tokenizer for this model: about four characters a token
        return sum(len(m.get("content") or "") for m in messages) // 4


def _retryable(error: BaseException) -> bool:
    if isinstance(error, lite().Timeout):
        return False
    if isinstance(error, lite().APIConnectionError):
        return True
    return getattr(error, "status_code", None) in RETRYABLE_STATUS


def _rejects_form(error: BaseException, mode: Mode) -> bool:
    if mode == "off" or isinstance(error, lite().Timeout):
        return False
    status = getattr(error, "status_code", None)
    text = str(error).lower()
    return status in (400, 422, 500, 501) and any(word in text for word in REJECTS_FORM)


def _failure(error: Exception) -> Failure:
    return "timeout" if isinstance(error, lite().Timeout) else "transport"


def _describe(config: ModelConfig, error: Exception) -> str:
    if isinstance(error, lite().Timeout):
        return (
            f"{config.model}: timed out after {config.timeout_s:g} s (not retried: the server may still be busy with it; "
            "raise DELIBERATION_TIMEOUT_S or lower DELIBERATION_MAX_TOKENS)"
        )
    first = (str(error).strip().splitlines() or [""])[0]
    return f"{config.model}: {error.__class__.__name__}: {first[:300]}"


def _params(config: ModelConfig, mode: Mode, schema: type[BaseModel], kind: str, seed: int | None) -> dict[str, Any]:
    params: dict[str, Any] = {
        "model": config.model,
        "timeout": config.timeout_s,
        "max_tokens": config.budget(kind),
        "num_retries": 0,  # retries are decided here, not by litellm or the OpenAI SDK
        "max_retries": 0,
        "drop_params": True,
    }
    form = response_format(mode, schema, config)
    if form is not None:
        params["response_format"] = form
    if config.temperature is not None:
        params["temperature"] = config.temperature
    if seed is not None and not offline.handles(config.model):
        params["seed"] = seed
    if config.api_base is not None:
        params["api_base"] = config.api_base
    if config.api_key is not None:
        params["api_key"] = config.api_key
    return params


async def _send(config: ModelConfig, messages: list[dict[str, str]], params: dict[str, Any], trace: Trace, **extra: Any) -> Any:
    """One request with transport retries; a rejected form raises _FormRejected, anything else CallFailed."""
    try:
        async with pacing.waiting():
            async for attempt in AsyncRetrying(
                stop=stop_after_attempt(config.retries + 1),
                retry=retry_if_exception(lambda error: _retryable(error) and not _rejects_form(error, trace.mode)),
                wait=wait_exponential(multiplier=0.5, max=8),
                reraise=True,
            ):
                with attempt:
                    trace.attempts += 1
                    return await lite().acompletion(messages=messages, **params, **extra)
    except Exception as error:  # litellm maps every provider failure onto its own exception types
        if _rejects_form(error, trace.mode):
            raise _FormRejected(str(error)) from None
        if isinstance(error, lite().Timeout):
            trace.usage += Usage(prompt_tokens=_prompt_tokens(config, messages))
        raise CallFailed(_describe(config, error), trace, _failure(error)) from None
    raise AssertionError("unreachable: tenacity re-raises the last error")


async def _answer(config: ModelConfig, messages: list[dict[str, str]], schema: type[BaseModel], kind: str,
                  seed: int | None, trace: Trace, **extra: Any) -> Any:  # fmt: skip
    """A response, falling back to weaker structured-output forms while the server rejects them."""
    while True:
        params = _params(config, trace.mode, schema, kind, seed)
        try:
            return await _send(config, messages, params, trace, **extra)
        except _FormRejected:
            weaker = FALLBACK[trace.mode]
            assert weaker is not None  # `off` sends no form, so it is never rejected
            _settled[(config.model, config.api_base)] = weaker
            trace.mode = weaker


def _repair_messages(config: ModelConfig, messages: list[dict[str, str]], raw: str, error: MalformedOutput,
                     truncated: bool, kind: str) -> list[dict[str, str]]:  # fmt: skip
    note = render(config.prompts_dir, "repair.j2", error=str(error), truncated=truncated, max_tokens=config.budget(kind))
    return [*messages, {"role": "assistant", "content": raw}, {"role": "user", "content": note}]


async def complete(config: ModelConfig, messages: list[dict[str, str]], schema: type[Schema], kind: str) -> Completion[Schema]:
    """Ask for a reply of `schema` within the `kind`'s token budget; repair it when it does not fit."""
    trace = Trace(mode=resolve_mode(config))
    conversation, seed = messages, config.seed
    for repair in range(config.repairs + 1):
        response = await _answer(config, conversation, schema, kind, seed, trace)
        usage = _usage(response)
        trace.usage += usage
        trace.completion_tokens.append(usage.completion_tokens)
        choice = response.choices[0]
        raw = choice.message.content or ""
        try:
            return Completion(parse(raw, schema), trace)
        except MalformedOutput as error:
            if repair == config.repairs:
                cut = " (cut off at max_tokens)" if choice.finish_reason == "length" else ""
                raise CallFailed(f"{config.model}: {error}{cut}; {trace.repairs} repair(s) tried", trace, "malformed") from None
            trace.repairs += 1
            conversation = _repair_messages(config, messages, raw, error, choice.finish_reason == "length", kind)
            seed = None if seed is None else seed + 7919 * trace.repairs
    raise AssertionError("unreachable: the last attempt returns or raises")


async def stream(
    config: ModelConfig, messages: list[dict[str, str]], schema: type[Schema], kind: str
) -> AsyncIterator[str | Completion[Schema]]:
    """The reply's text as the model writes it, then its validated `Completion` (no repair: the words are out).

    Raises CallFailed before the first delta for a failed request, and at the end for a reply that does not fit."""
    trace = Trace(mode=resolve_mode(config))
    response = await _answer(config, messages, schema, kind, config.seed, trace, stream=True)
    chunks: list[Any] = []
    try:
        async for chunk in response:
            chunks.append(chunk)
            delta = chunk.choices[0].delta.content if chunk.choices else None
            if delta:
                yield delta
    except Exception as error:  # the connection dropped or timed out mid-reply
        raise CallFailed(_describe(config, error), trace, _failure(error)) from None
    built = lite().stream_chunk_builder(chunks, messages=messages)
    trace.usage += _usage(built)
    trace.completion_tokens.append(trace.usage.completion_tokens)
    raw = built.choices[0].message.content if built is not None else ""  # type: ignore[union-attr]
    try:
        yield Completion(parse(raw, schema), trace)
    except MalformedOutput as error:
        raise CallFailed(f"{config.model}: {error}", trace, "malformed") from None
