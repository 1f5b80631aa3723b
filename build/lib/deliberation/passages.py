"""Chunk a source text into passages with stable ids and character offsets."""

from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict

_PARAGRAPH = re.compile(r"\S(?:.*?\S)?(?=\s*\n\s*\n|\s*\Z)", re.DOTALL)
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"”’)]?\s+(?=[A-Z“\"‘(])")
MAX_PASSAGE_CHARS = 420


class Passage(BaseModel):
    """A span of the source: `source[start:end] == text`. Ids are `p<paragraph>.<chunk>`."""

    model_config = ConfigDict(frozen=True)

    id: str
    start: int
    end: int
    text: str


def _sentences(paragraph: str, offset: int) -> list[tuple[int, int]]:
    spans, begin = [], 0
    for match in _SENTENCE_END.finditer(paragraph):
        spans.append((offset + begin, offset + match.start() + len(match.group(0).rstrip())))
        begin = match.end()
    spans.append((offset + begin, offset + len(paragraph)))
    return spans


def _group(spans: list[tuple[int, int]], limit: int) -> list[tuple[int, int]]:
    """Pack whole sentences into chunks of at most `limit` characters (a longer sentence stands alone)."""
    groups: list[tuple[int, int]] = []
    for start, end in spans:
        if groups and end - groups[-1][0] <= limit:
            groups[-1] = (groups[-1][0], end)
        else:
            groups.append((start, end))
    return groups


def chunk(source: str, limit: int = MAX_PASSAGE_CHARS) -> list[Passage]:
    """Split on blank lines into paragraphs, then pack sentences; offsets index into `source`."""
    passages = []
    for number, match in enumerate(_PARAGRAPH.finditer(source), start=1):
        for index, (start, end) in enumerate(_group(_sentences(match.group(0), match.start()), limit), start=1):
            text = source[start:end].strip()
            start += len(source[start:end]) - len(source[start:end].lstrip())
            passages.append(Passage(id=f"p{number:02d}.{index}", start=start, end=start + len(text), text=text))
    return passages
