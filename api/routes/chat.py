"""OpenAI-compatible one-on-one chat: the model id picks a persona (`<scenario>/<party>`)."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import AsyncIterator

from deliberation.api.deps import SettingsDep
from deliberation.api.operators import MeteredDep, OperatorDep
from deliberation.api.schemas import ChatAnswer, ChatChoice, ChatCompletion, ChatRequest, ChatUsage, ModelList, ModelOut
from fastapi import APIRouter
from sse_starlette import EventSourceResponse, ServerSentEvent

from deliberation.chat_types import ChatReply

router = APIRouter(prefix="/v1", tags=["chat"])

CHUNK_WORDS = 8


@router.get("/models")
def list_models(settings: SettingsDep, _: OperatorDep) -> ModelList:
    from deliberation.chat import persona_models  # litellm and the retrieval stack load on the first chat request

    return ModelList(data=[ModelOut(id=m) for m in persona_models(settings)])


def _chunk(reply_id: str, created: int, model: str, delta: dict[str, str], finish: str | None) -> ServerSentEvent:
    body = {"id": reply_id, "object": "chat.completion.chunk", "created": created, "model": model,
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}
    return ServerSentEvent(data=json.dumps(body))


async def _chunks(reply: ChatReply, reply_id: str, created: int) -> AsyncIterator[ServerSentEvent]:
    """The finished reply, a few words per chunk, as OpenAI streams it; then [DONE]."""
    words = reply.content.split(" ")
    yield _chunk(reply_id, created, reply.model, {"role": "assistant", "content": ""}, None)
    for start in range(0, len(words), CHUNK_WORDS):
        text = " ".join(words[start : start + CHUNK_WORDS])
        yield _chunk(reply_id, created, reply.model, {"content": text if start == 0 else f" {text}"}, None)
    yield _chunk(reply_id, created, reply.model, {}, "stop")
    yield ServerSentEvent(data="[DONE]")


@router.post("/chat/completions", response_model=None)
async def chat_completions(request: ChatRequest, settings: SettingsDep, _: MeteredDep) -> ChatCompletion | EventSourceResponse:
    from deliberation.chat import chat

    reply = await chat(settings, request.model, request.messages)
    reply_id, created = f"chatcmpl-{uuid.uuid4().hex}", int(time.time())
    if request.stream:
        return EventSourceResponse(_chunks(reply, reply_id, created), ping=None)
    usage = reply.usage
    return ChatCompletion(
        id=reply_id,
        created=created,
        model=reply.model,
        choices=[ChatChoice(message=ChatAnswer(content=reply.content))],
        usage=ChatUsage(prompt_tokens=usage.prompt_tokens, completion_tokens=usage.completion_tokens,
                        total_tokens=usage.prompt_tokens + usage.completion_tokens),
    )
