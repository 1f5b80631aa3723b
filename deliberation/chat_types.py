"""The messages and reply of one-on-one chat, apart from the chat service so the API can declare them cheaply."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from deliberation.clean_text import CleanText
from deliberation.turns import Usage


class TextPart(BaseModel):
    type: Literal["text"]
    text: CleanText = Field(max_length=100_000)


class ChatMessage(BaseModel):
    """An OpenAI chat message; content as a string or as text parts, as chat front ends send it."""

    role: Literal["system", "developer", "user", "assistant"]
    content: CleanText | list[TextPart] = Field(max_length=100_000)

    @property
    def text(self) -> str:
        return self.content if isinstance(self.content, str) else "".join(part.text for part in self.content)


class ChatReply(BaseModel):
    model: str
    content: str
    citations: list[str]
    usage: Usage
