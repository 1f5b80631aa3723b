"""Graph state and its reducers: typed values, each updated by appending or merging, never recomputed.

Checkpoints hold these models as they are (LangGraph's serializer revives them by class, validated);
`serializer()` lists the classes it may revive.
"""

from __future__ import annotations

import operator
from typing import Annotated, TypedDict

from langgraph.checkpoint.serde.jsonplus import JsonPlusSerializer
from pydantic import BaseModel, ConfigDict

from deliberation.turns import Citation, Kind, NegotiatingPoint, PointAnswer, Stage, Turn, Usage


class History(BaseModel):
    """The public record, append-only, with each persona's channel kept as turns arrive.

    A persona's channel is what it said and what was addressed to it (`turns.reaches`): the only turns
    its prompt may draw on. Kept here so a turn never rescans the whole record.
    """

    model_config = ConfigDict(frozen=True)

    turns: list[Turn] = []
    channels: dict[str, list[int]] = {}
    """Persona -> indexes into `turns`, in order."""

    def channel(self, persona: str) -> list[Turn]:
        return [self.turns[i] for i in self.channels.get(persona, [])]

    @property
    def next_number(self) -> int:
        return len(self.turns) + 1

    def by_number(self, number: int) -> Turn | None:
        return self.turns[number - 1] if 1 <= number <= len(self.turns) else None

    def extend(self, new: list[Turn]) -> History:
        """A new History with `new` appended; neither the old one nor its lists are changed."""
        turns = [*self.turns, *new]
        channels = {persona: list(indexes) for persona, indexes in self.channels.items()}
        for index, turn in enumerate(new, start=len(self.turns)):
            for persona in dict.fromkeys([turn.speaker, *turn.audience]):  # exactly the personas `reaches` admits
                channels.setdefault(persona, []).append(index)
        return History.model_construct(turns=turns, channels=channels)  # its turns are validated already


def append_turns(left: History, right: list[Turn]) -> History:
    return left.extend(right)


class Proposed(BaseModel):
    """The mediator put these points of common ground on the table."""

    points: list[NegotiatingPoint]


class Answered(BaseModel):
    """A party's answers to the points on the table."""

    party: str
    answers: list[PointAnswer]


class NegotiatingText(BaseModel):
    """The mediator's single negotiating text: each proposed point with every party's answer so far."""

    model_config = ConfigDict(frozen=True)

    points: dict[str, NegotiatingPoint] = {}

    def apply(self, update: Proposed | Answered) -> NegotiatingText:
        points = dict(self.points)
        if isinstance(update, Proposed):
            for point in update.points:  # a point proposed again keeps the answers it already has
                kept = points[point.id].answers if point.id in points else {}
                points[point.id] = point.model_copy(update={"answers": {**kept, **point.answers}})
        else:  # answers to points that are not on the table are ignored
            for answer in update.answers:
                if answer.point in points:
                    point = points[answer.point]
                    points[answer.point] = point.model_copy(update={"answers": {**point.answers, update.party: answer}})
        return NegotiatingText.model_construct(points=points)


def amend_text(left: NegotiatingText, right: Proposed | Answered) -> NegotiatingText:
    return left.apply(right)


def append_news(left: list[str], right: list[str] | None) -> list[str]:
    """A `None` update clears the queue (the mediator has briefed everyone)."""
    return [] if right is None else left + right


class SummitState(TypedDict, total=False):
    history: Annotated[History, append_turns]
    cursor: int
    """Index of the next step of the plan."""
    step_turns: Annotated[dict[int, int], operator.or_]
    """Plan step index -> turn number, so relays find the turn they carry."""
    text: Annotated[NegotiatingText, amend_text]
    news: Annotated[list[str], append_news]
    """News items a teacher injected that the mediator has not yet briefed."""


_REVIVED = (History, NegotiatingText, NegotiatingPoint, Proposed, Answered, Turn, Citation, Usage, PointAnswer, Stage, Kind)


def serializer() -> JsonPlusSerializer:
    """Checkpoint serde that revives exactly the state's own models (no warning, nothing else revived)."""
    return JsonPlusSerializer(allowed_msgpack_modules=[(cls.__module__, cls.__name__) for cls in _REVIVED])
