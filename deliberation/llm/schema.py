"""The structured output a persona turn must return: one pydantic schema per kind of turn, built for that turn.

A statement, a question or a summary carries content, citations and positions; a relay carries the relayed
party's positions; an answer to proposed points also carries one answer per point, keyed by the point ids
offered (so every point is answered once, whatever engine decodes it). Ids are enums of the ones offered in
the turn's context, arrays are bounded and the content's length is derived from the turn's token budget, so a
reply that fits the schema also fits its `max_tokens`.
"""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, create_model

from deliberation.context import TurnContext
from deliberation.turns import PointAnswer

MAX_IDS = 6
"""Citations or positions one turn may list."""
AMENDMENT_CHARS = 300
CHARS_PER_TOKEN = 3
"""Conservative (English runs about 4 characters a token), so the limit holds for plainer tokenisers too."""
OVERHEAD_TOKENS = 120
"""Keys, ids and punctuation of a reply around its content."""
POINT_TOKENS = 80
"""One answer to a proposed point: its key, verdict and an amendment of at most AMENDMENT_CHARS."""
MIN_CONTENT_CHARS = 200


class TurnOutput(BaseModel):
    """What every turn comes to once validated, whatever schema it was asked for."""

    content: str = Field(min_length=1, description="What the persona says, in character.")
    citations: list[str] = Field(default=[], description="Ids of the source passages the turn relies on.")
    positions: list[str] = Field(default=[], description="Ids of the ledger positions the turn relies on.")
    answers: list[PointAnswer] = Field(default=[], description="One answer per proposed point, when asked.")


class Reply(BaseModel):
    """Base of the per-turn schemas: no key beyond the ones asked for."""

    model_config = ConfigDict(extra="forbid")

    def to_output(self) -> TurnOutput:
        data = self.model_dump()
        answers = data.pop("answers", None) or {}
        return TurnOutput(**data, answers=[PointAnswer(point=k, **v) for k, v in answers.items()])


class Answer(BaseModel):
    model_config = ConfigDict(extra="forbid")

    answer: Literal["accept", "reject", "amend"]
    amendment: str | None = Field(description="The change asked for, when the answer is amend; else null.",
                                  max_length=AMENDMENT_CHARS)  # fmt: skip


def content_chars(max_tokens: int, points: int = 0) -> int:
    """The longest content a reply of `max_tokens` can carry next to its ids (and answers)."""
    return max(MIN_CONTENT_CHARS, (max_tokens - OVERHEAD_TOKENS - POINT_TOKENS * points) * CHARS_PER_TOKEN)


def _ids(name: str, offered: list[str], description: str) -> tuple[Any, Any]:
    unique = list(dict.fromkeys(offered))
    if not unique:
        return list[str], Field(max_length=0, description=f"{description} None are offered in this turn: [].")
    item: Any = Literal[tuple(unique)]
    return list[item], Field(max_length=min(MAX_IDS, len(unique)), description=description)


def _offered_passages(context: TurnContext) -> list[str]:
    briefs = [*context.positions, *context.relayed_positions]
    return [p.id for p in context.passages] + [pid for b in briefs for pid in b.passages]


def answers_points(context: TurnContext) -> bool:
    """A party turn that was offered points to answer."""
    return not context.is_mediator and bool(context.points)


def budget_key(context: TurnContext) -> str:
    """Which token budget (DELIBERATION_MAX_TOKENS) the turn gets: its kind, or answer_points."""
    return "answer_points" if answers_points(context) else context.kind.value


def as_reply(output: TurnOutput, context: TurnContext) -> dict[str, Any]:
    """A `TurnOutput` in the form this turn's schema asks for (what a model returns)."""
    data: dict[str, Any] = {"content": output.content, "citations": output.citations, "positions": output.positions}
    if answers_points(context):
        data["answers"] = {a.point: {"answer": a.answer, "amendment": a.amendment} for a in output.answers}
    return data


def turn_schema(context: TurnContext, max_tokens: int) -> type[Reply]:
    """The schema of this one turn: its kind decides the fields, its context the ids it may name."""
    relay = context.is_mediator and context.kind.value == "relay"
    answering = answers_points(context)
    return _schema(
        name=f"{context.kind.value.capitalize()}{'Answers' if answering else ''}Turn",
        relay=relay,
        passages=tuple(_offered_passages(context)),
        positions=tuple(p.id for p in (context.relayed_positions if relay else context.positions)),
        points=tuple((p.id, p.text) for p in context.points) if answering else (),
        longest=content_chars(max_tokens, len(context.points) if answering else 0),
    )


@lru_cache(maxsize=1024)
def _schema(
    name: str,
    relay: bool,
    passages: tuple[str, ...],
    positions: tuple[str, ...],
    points: tuple[tuple[str, str], ...],
    longest: int,
) -> type[Reply]:
    """Built once per distinct turn shape: building a pydantic model costs a millisecond or two, a fifth of a turn."""
    fields: dict[str, Any] = {
        "content": (str, Field(min_length=1, max_length=longest, description="What you say in this turn, in character.")),
        "citations": _ids("citations", list(passages), "Ids of the passages your words rest on."),
        "positions": _ids(
            "positions",
            list(positions),
            "Ids of the relayed party's positions you carry." if relay else "Ids of your positions you state.",
        ),
    }
    if points:
        answers = create_model(
            "Answers",
            __base__=Reply,
            **{point: (Answer, Field(description=text)) for point, text in points},  # type: ignore[call-overload]
        )
        fields["answers"] = (answers, Field(description="Your answer to each proposed point, by its id."))
    return create_model(name, __base__=Reply, **fields)  # type: ignore[no-any-return, call-overload]


@lru_cache(maxsize=1024)
def prompt_schema(model: type[BaseModel]) -> str:
    """The schema as the system prompt shows it (compact JSON), built once per schema."""
    return json.dumps(json_schema(model), separators=(",", ":"), ensure_ascii=False)


def json_schema(model: type[BaseModel], *, lengths: bool = True) -> dict[str, Any]:
    """The model's JSON Schema with every $ref inlined and titles dropped: the form constrained decoders read best.

    `lengths=False` leaves out string length keywords, which OpenAI's strict mode rejects."""
    raw = model.model_json_schema()
    defs = raw.pop("$defs", {})

    dropped = {"title", "default"} | (set() if lengths else {"minLength", "maxLength"})

    def inline(node: Any, names: bool = False) -> Any:
        """`names`: the keys of this dict are property names, kept whatever they are."""
        if isinstance(node, dict):
            if "$ref" in node and not names:
                return inline(defs[node["$ref"].rsplit("/", 1)[-1]])
            if "const" in node and not names:  # a one-id enum: not every decoder reads const
                node = {**{k: v for k, v in node.items() if k != "const"}, "enum": [node["const"]]}
            return {k: inline(v, k == "properties" and not names) for k, v in node.items() if names or k not in dropped}
        if isinstance(node, list):
            return [inline(v) for v in node]
        return node

    schema: dict[str, Any] = inline(raw)
    return schema
