"""The offline engine as a litellm provider, `offline/<anything>`: for any litellm caller (the judge, the
classroom chat, tests of litellm's path). It reads the turn's context back from the prompt."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import litellm
from litellm import CustomLLM
from litellm.types.utils import GenericStreamingChunk, ModelResponse

from deliberation.context import from_messages
from deliberation.errors import MalformedOutput
from deliberation.llm.offline import PROVIDER, answer
from deliberation.resources import packaged

_PIECE = re.compile(r"\s*\S+")


class OfflineEngine(CustomLLM):
    """`offline/extractive`: deterministic for a given seed, no network, no generation."""

    def completion(self, *args: Any, **kwargs: Any) -> ModelResponse:
        """A litellm call: the prompts directory comes from the call's metadata, else the packaged templates."""
        messages: list[dict[str, Any]] = kwargs["messages"]
        context = from_messages(messages)
        if context is None:
            raise MalformedOutput("the offline engine needs a <context> block in the prompt (use deliberation's prompts)")
        metadata = (kwargs.get("litellm_params") or {}).get("metadata") or {}
        prompts_dir = Path(metadata.get("prompts_dir") or packaged("deliberation.templates"))
        content, usage = answer(context, prompts_dir, messages)
        response = ModelResponse(model=kwargs.get("model", "extractive"))
        response.choices[0].message.content = content  # type: ignore[union-attr]
        response.usage = litellm.Usage(  # type: ignore[attr-defined]
            prompt_tokens=usage.prompt_tokens,
            completion_tokens=usage.completion_tokens,
            total_tokens=usage.prompt_tokens + usage.completion_tokens,
        )
        return response

    async def acompletion(self, *args: Any, **kwargs: Any) -> ModelResponse:
        return self.completion(*args, **kwargs)

    # litellm iterates what this returns; its base class declares a coroutine, an async generator is what it reads
    async def astreaming(self, *args: Any, **kwargs: Any) -> AsyncIterator[GenericStreamingChunk]:  # type: ignore[override]
        """The composed reply word by word, as a provider streams its tokens (it is composed at once)."""
        response = self.completion(*args, **kwargs)
        content = response.choices[0].message.content or ""  # type: ignore[union-attr]
        for piece in _PIECE.findall(content):
            yield GenericStreamingChunk(text=piece, is_finished=False, finish_reason="", usage=None, index=0)
        usage = response.usage  # type: ignore[attr-defined]
        yield GenericStreamingChunk(
            text="", is_finished=True, finish_reason="stop", index=0,
            usage={"prompt_tokens": usage.prompt_tokens, "completion_tokens": usage.completion_tokens,
                   "total_tokens": usage.total_tokens},
        )  # fmt: skip


def register() -> None:
    """Make `offline/<anything>` a litellm model (idempotent)."""
    if not any(item["provider"] == PROVIDER for item in litellm.custom_provider_map):
        litellm.custom_provider_map.append({"provider": PROVIDER, "custom_handler": OfflineEngine()})
