"""Capture the prompts litellm sends, through litellm's own callback hook (no patching)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import litellm
from litellm.integrations.custom_logger import CustomLogger

CONTEXT = re.compile(r"(<context>\s*)(\{.*\})(\s*</context>)", re.DOTALL)


class Prompts(CustomLogger):
    """(persona, messages) of every call that carries a turn context, in order."""

    def __init__(self) -> None:
        super().__init__()
        self.calls: list[tuple[str, list[dict[str, str]]]] = []

    async def async_log_success_event(self, kwargs: Any, response_obj: Any, start_time: Any, end_time: Any) -> None:
        messages = kwargs["messages"]
        match = CONTEXT.search(str(messages[-1].get("content", "")))
        if match:
            self.calls.append((json.loads(match.group(2))["persona"], messages))


@contextmanager
def captured_prompts() -> Iterator[Prompts]:
    capture = Prompts()
    litellm.callbacks.append(capture)
    try:
        yield capture
    finally:  # litellm copies callbacks into its per-event lists on first use: remove it everywhere
        for registry in (litellm.callbacks, litellm.success_callback, litellm._async_success_callback):
            while capture in registry:
                registry.remove(capture)
