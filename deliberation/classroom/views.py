"""What each viewer may see of a debate: the teacher every channel, a seat its own, an observer what is said to all.

Pure rules over one moment of the talks (`Moment`); the service reads that moment from memory and the checkpoint.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from deliberation.classroom.records import Debate, DebateView, SeatKind, Status, Viewer
from deliberation.errors import TurnFailed
from deliberation.protocol import Step
from deliberation.turns import NegotiatingPoint, Turn


def public(turn: Turn) -> Turn:
    """A provider's error text stays in the checkpoint and the log, never reaches a viewer."""
    return turn.model_copy(update={"error": TurnFailed.public_message}) if turn.error and not turn.human else turn


def visible(turns: Sequence[Turn], viewer: Viewer, after: int = 0) -> list[Turn]:
    return [t for t in turns if t.turn > after and viewer.sees(t)]


@dataclass(frozen=True)
class Moment:
    """A debate's record, turns and checkpointed plan position, read together."""

    debate: Debate
    parties: Sequence[str]
    steps: Sequence[Step]
    turns: Sequence[Turn]
    cursor: int
    points: Sequence[NegotiatingPoint]
    silence_elapsed_s: float | None = None
    """How long the waiting seat has been silent; None when its clock is not running here."""
    max_message_chars: int = 4000
    damage: str | None = None


def _seats(moment: Moment) -> dict[str, SeatKind]:
    return {p: moment.debate.spec.seats.get(p, "ai") for p in moment.parties}


def _damaged(moment: Moment, viewer: Viewer) -> DebateView:
    debate = moment.debate
    return DebateView(
        id=debate.id,
        viewer=viewer.name,
        scenario=debate.spec.scenario,
        status=Status.damaged,
        stage=None,
        next_speaker=None,
        waiting_for=None,
        prompt=None,
        turns=0,
        seats=_seats(moment),
        silence=debate.spec.silence,
        text=[],
        damage=moment.damage,
    )


def _answers(points: Sequence[NegotiatingPoint], viewer: Viewer) -> list[NegotiatingPoint]:
    """A party's answers to the proposal are its own channel: the teacher sees all, a seat its own, an observer none."""
    if viewer.is_teacher:
        return list(points)
    return [p.model_copy(update={"answers": {k: v for k, v in p.answers.items() if k == viewer.seat}}) for p in points]


def view(moment: Moment, viewer: Viewer) -> DebateView:
    """A seat sees counts and names from its own channel only: not when the others speak, nor how often."""
    if moment.damage is not None:
        return _damaged(moment, viewer)
    debate, steps = moment.debate, moment.steps
    step = steps[moment.cursor] if moment.cursor < len(steps) and debate.status != Status.ended else None
    waiting = step.speaker if step and debate.status == Status.waiting else None
    shown = viewer.is_teacher or viewer.seat == waiting
    said = [t for t in moment.turns if waiting and waiting in t.audience]
    elapsed = moment.silence_elapsed_s if waiting else None
    left = debate.spec.silence.after_s - elapsed if elapsed is not None else None
    speaker = step.speaker if step else None
    return DebateView(
        id=debate.id,
        viewer=viewer.name,
        scenario=debate.spec.scenario,
        status=debate.status,
        stage=step.stage if step else None,
        round=step.round if step else None,
        next_speaker=speaker if shown or speaker == viewer.seat else None,
        waiting_for=waiting if shown else None,
        prompt=said[-1].content if said and shown else None,
        turns=len(visible(moment.turns, viewer)),
        seats=_seats(moment),
        silence=debate.spec.silence,
        silence_left_s=None if left is None or not shown else max(0.0, left),
        max_message_chars=moment.max_message_chars,
        text=_answers(moment.points, viewer),
    )
