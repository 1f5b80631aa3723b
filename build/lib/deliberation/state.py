"""Graph state and its reducers. Turns are stored as JSON dicts so checkpoints hold plain data."""

from __future__ import annotations

import operator
from typing import Annotated, Any, TypedDict


def merge_dicts(left: dict[str, Any], right: dict[str, Any]) -> dict[str, Any]:
    """Right wins per key; nested answer dicts are merged so each party's answer accumulates."""
    merged = dict(left)
    for key, value in right.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict) and "answers" in value:
            merged[key] = {**merged[key], **value, "answers": {**merged[key].get("answers", {}), **value["answers"]}}
        else:
            merged[key] = value
    return merged


def append_news(left: list[str], right: list[str] | None) -> list[str]:
    """A `None` update clears the queue (the mediator has briefed everyone)."""
    return [] if right is None else left + right


class SummitState(TypedDict, total=False):
    turns: Annotated[list[dict[str, Any]], operator.add]
    """The public record: every turn, each carrying its audience."""
    cursor: int
    """Index of the next step of the plan."""
    step_turns: Annotated[dict[str, int], merge_dicts]
    """Plan step index (as str) -> turn number, so relays find the turn they carry."""
    text: Annotated[dict[str, Any], merge_dicts]
    """The mediator's single negotiating text: point id -> NegotiatingPoint as a dict."""
    news: Annotated[list[str], append_news]
    """News items a teacher injected that the mediator has not yet briefed."""
