"""OpenAI-compatible one-on-one chat: the model id picks a persona (`<scenario>/<party>`).

Streaming sends the persona's words as the model writes them; the role check runs on the whole reply at the
end, and a reply that fails it (or its schema) ends the stream with an error event instead of a finish."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

from deliberation.api.deps import SettingsDep
from deliberation.api.errors import public_message, status_of
from deliberation.api.operators import MeteredDep, OperatorDep
from deliberation.api.schemas import ChatAnswer, ChatChoice, ChatCompletion, ChatRequest, ChatUsage, ModelList, ModelOut
from fastapi import APIRouter
from sse_starlette import EventSourceResponse, ServerSentEvent

from deliberation.chat_types import ChatReply
from deliberation.errors import DeliberationError

if TYPE_CHECKING:
    from deliberation.chat import ChatCall

router = APIRouter(prefix="/v1", tags=["chat"])


@router.get("/models")
def list_models(settings: SettingsDep, _: OperatorDep) -> ModelList:
    from deliberation.chat import persona_models  # litellm and the retrieval stack load on the first chat request

    return ModelList(data=[ModelOut(id=m) for m in persona_models(settings)])


def _event(body: dict[str, Any]) -> ServerSentEvent:
    return ServerSentEvent(data=json.dumps(body, ensure_ascii=False))


def _chunk(reply_id: str, created: int, model: str, delta: dict[str, str], finish: str | None) -> ServerSentEvent:
    return _event({"id": reply_id, "object": "chat.completion.chunk", "created": created, "model": model,
                   "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]})  # fmt: skip


async def _chunks(call: ChatCall, reply_id: str, created: int) -> AsyncIterator[ServerSentEvent]:
    """Each delta as it arrives, as OpenAI streams it; then a finish and [DONE], or an error event."""
    from deliberation.chat import chat_stream

    yield _chunk(reply_id, created, call.model, {"role": "assistant", "content": ""}, None)
    try:
        async for item in chat_stream(call):
            if isinstance(item, str):
                yield _chunk(reply_id, created, call.model, {"content": item}, None)
    except DeliberationError as error:
        # OpenAI's form for an error after the response began; its clients raise it as an APIError.
        message = public_message(error, "POST /v1/chat/completions (stream)")
        yield _event({"error": {"message": message, "type": error.__class__.__name__, "code": status_of(error)}})
        return
    yield _chunk(reply_id, created, call.model, {}, "stop")
    yield ServerSentEvent(data="[DONE]")


def _completion(reply: ChatReply) -> ChatCompletion:
    usage = reply.usage
    return ChatCompletion(
        id=f"chatcmpl-{uuid.uuid4().hex}",
        created=int(time.time()),
        model=reply.model,
        choices=[ChatChoice(message=ChatAnswer(content=reply.content))],
        usage=ChatUsage(prompt_tokens=usage.prompt_tokens, completion_tokens=usage.completion_tokens,
                        total_tokens=usage.prompt_tokens + usage.completion_tokens),
    )  # fmt: skip


@router.post("/chat/completions", response_model=None)
async def chat_completions(request: ChatRequest, settings: SettingsDep, _: MeteredDep) -> ChatCompletion | EventSourceResponse:
    from deliberation.chat import chat, prepare

    if not request.stream:
        return _completion(await chat(settings, request.model, request.messages))
    call = await prepare(settings, request.model, request.messages)  # refusals are still plain 4xx responses
    return EventSourceResponse(_chunks(call, f"chatcmpl-{uuid.uuid4().hex}", int(time.time())), ping=None)
