"""The teacher's controls as a transition table: (stored status, action) -> the move to make, or why it is refused.

Pure data: no graph, no storage. The service looks a move up under the debate's lock and carries it out; the
refusals are `Conflict`s whose wording is what a teacher reads.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, get_args

from deliberation.classroom.records import Status
from deliberation.errors import Conflict

Action = Literal["start", "pause", "resume", "advance", "inject", "end"]
ACTIONS: tuple[Action, ...] = get_args(Action)

Stop = Literal["halt", "cancel"]
"""How the driver is stopped first. halt: after the turn in flight; cancel: now, the turn in flight is never recorded."""


@dataclass(frozen=True)
class Move:
    to: Status
    """The status the debate is left in."""
    stop: Stop | None = None
    launch: bool = False
    """Drive the graph on once the status is stored."""
    redirect: bool = False
    """The action is new graph input (a cursor, news): kept as pending input, applied now if the talks are live."""


_LIVE = (Status.running, Status.waiting)
_REDIRECT_LIVE = Move(Status.running, stop="halt", launch=True, redirect=True)


def _redirected(status: Status) -> Move:
    return _REDIRECT_LIVE if status in _LIVE else Move(status, redirect=True)


def _refusal(status: Status, action: Action) -> str | None:
    if status == Status.ended:
        return "has ended; create a new one"
    if status == Status.damaged:
        return "is damaged; it cannot go on; create a new one"
    if action == "start" and status != Status.created:
        return f"is already {status.value}; use resume after a pause"
    if action == "pause" and status not in _LIVE:
        return f"is {status.value}; only running talks can be paused"
    if action == "resume" and status != Status.paused:
        return f"is {status.value}, not paused"
    return None


def _move(status: Status, action: Action) -> Move | str:
    refusal = _refusal(status, action)
    if refusal is not None:
        return refusal
    moves: dict[Action, Move] = {
        "start": Move(Status.running, launch=True),
        "pause": Move(Status.paused, stop="halt"),
        "resume": Move(Status.running, launch=True),
        "advance": _redirected(status),
        "inject": _redirected(status),
        "end": Move(Status.ended, stop="cancel"),
    }
    return moves[action]


TABLE: dict[tuple[Status, Action], Move | str] = {(s, a): _move(s, a) for s in Status for a in ACTIONS}
"""Every (status, action): the move, or the refusal's wording after "debate <id> "."""


def move(debate_id: str, status: Status, action: Action) -> Move:
    """The move for `action` on a debate in `status`, or `Conflict` naming why the teacher cannot do it now."""
    entry = TABLE[(status, action)]
    if isinstance(entry, str):
        raise Conflict(f"debate {debate_id} {entry}")
    return entry
