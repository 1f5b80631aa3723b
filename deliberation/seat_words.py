"""Words a person typed (a seat in a debate, a student in chat) travel to a model as quoted data, never as prompt text.

In the turn context such a message keeps only a pointer; its words go into a `<seat_words>` block after the context,
HTML-escaped so that nothing inside can close the block or open another, and the prompt says what the blocks are.
"""

from __future__ import annotations

import html
import re

from pydantic import BaseModel

from deliberation.context import Message, TurnContext

POINTER = "(a seat's own words: see the <seat_words turn=\"{turn}\"> block)"
_BLOCK = re.compile(r'<seat_words turn="(\d+)" from="[^"]*">\n(.*?)\n</seat_words>', re.DOTALL)


class SeatWords(BaseModel):
    turn: int
    speaker: str
    content: str


def _messages(context: TurnContext) -> list[Message]:
    return [m for m in (context.incoming, context.relay_source, *context.recent) if m is not None and m.human]


def set_apart(context: TurnContext) -> tuple[str, list[SeatWords]]:
    """The context as JSON with every seat's words replaced by a pointer, and those words."""
    if not _messages(context):
        return context.model_dump_json(exclude_defaults=True), []
    shown = context.model_copy(deep=True)
    words: dict[int, SeatWords] = {}
    for message in _messages(shown):
        words[message.turn] = SeatWords(turn=message.turn, speaker=message.speaker, content=message.content)
        message.content = POINTER.format(turn=message.turn)
    return shown.model_dump_json(exclude_defaults=True), list(words.values())


def escape(text: str) -> str:
    return html.escape(text, quote=True)


def put_back(context: TurnContext, prompt: str) -> TurnContext:
    """The reverse, for the offline engine, which reads the prompt as a model would."""
    words = {int(turn): html.unescape(text) for turn, text in _BLOCK.findall(prompt)}
    for message in _messages(context):
        message.content = words.get(message.turn, message.content)
    return context
