"""The records of a classroom debate: what the teacher asks for, what is stored, what a viewer sees."""

from __future__ import annotations

from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from deliberation.briefing import channel
from deliberation.clean_text import CleanText
from deliberation.scenario import Slug
from deliberation.turns import NegotiatingPoint, Stage, Turn


class Status(StrEnum):
    created = "created"
    running = "running"
    paused = "paused"
    waiting = "waiting"
    """A human seat has the floor; the graph is interrupted until it posts or falls silent."""
    ended = "ended"
    damaged = "damaged"
    """Shown, never stored: the debate's checkpoint is missing or unreadable, so it cannot go on (`damage` says why)."""


SeatKind = Literal["human", "ai"]
SilenceAction = Literal["stand_in", "skip"]


class SilencePolicy(BaseModel):
    """What happens when a human seat has not posted `after_s` seconds into its turn."""

    model_config = ConfigDict(extra="forbid")

    action: SilenceAction = "stand_in"
    after_s: float = Field(default=300.0, gt=0, le=86_400)


class DebateSpec(BaseModel):
    """What the teacher asks for. Seats not named are AI; the mediator is always AI."""

    model_config = ConfigDict(extra="forbid")

    scenario: Slug = "afghanistan"
    seats: dict[Slug, SeatKind] = Field(default={}, max_length=16)
    model: CleanText | None = Field(default=None, max_length=200)
    rounds: int | None = Field(default=None, ge=0, le=12)
    topics: list[Slug] | None = Field(default=None, max_length=12)
    seed: int = Field(default=0, ge=0, le=2**31)
    silence: SilencePolicy = SilencePolicy()

    def human_seats(self) -> frozenset[str]:
        return frozenset(seat for seat, kind in self.seats.items() if kind == "human")


class Debate(BaseModel):
    """The stored record. Tokens are kept only as sha256 hashes."""

    id: str
    spec: DebateSpec
    status: Status = Status.created
    teacher_hash: str
    seat_hashes: dict[str, str]
    observer_hash: str | None = None
    """The observer link's token (None for debates created before observers existed)."""
    created_at: str
    pending: dict[str, Any] = {}
    """Graph input (a new cursor, news) the teacher gave while the talks were paused or not started."""
    silence_deadline: float | None = None
    """When the waiting seat's silence policy applies (Unix time); stored so that any replica can apply it."""
    owner: str = ""
    """Who created it: an id derived from the operator key (never the key), or the client address without keys."""


class Viewer(BaseModel):
    """Who is asking: the teacher sees every channel, a seat only its own, an observer what is said to all."""

    model_config = ConfigDict(frozen=True)

    debate_id: str
    seat: str | None = None
    observer_of: tuple[str, ...] | None = None
    """Set for an observer: the parties a turn must address, all of them, for the observer to see it."""

    @property
    def is_teacher(self) -> bool:
        return self.seat is None and self.observer_of is None

    @property
    def name(self) -> str:
        return self.seat or ("observer" if self.observer_of is not None else "teacher")

    def sees(self, turn: Turn) -> bool:
        if self.observer_of is not None:
            return set(self.observer_of) <= set(turn.audience)
        return self.seat is None or bool(channel([turn], self.seat))


class DebateView(BaseModel):
    """The state of the talks as one viewer may see it."""

    id: str
    viewer: str
    """"teacher", "observer" or the seat this view belongs to."""
    scenario: str
    status: Status
    stage: Stage | None
    """The stage of the next step; None when the plan is done."""
    round: int | None = None
    """The round of the next step (0 outside the indirect rounds); None when the plan is done."""
    next_speaker: str | None
    waiting_for: str | None
    """The human seat whose post the talks are waiting for."""
    prompt: str | None
    """What was last said to the waiting seat, shown only to that seat and the teacher."""
    turns: int
    """Turns this viewer may see (a seat: its own channel)."""
    seats: dict[str, SeatKind]
    silence: SilencePolicy
    silence_left_s: float | None = None
    """Seconds until the waiting seat's silence policy applies; None when no seat is waiting."""
    max_message_chars: int = 4000
    """The longest message a seat may post."""
    text: list[NegotiatingPoint]
    """The negotiating text; a seat sees only its own answers, an observer none."""
    damage: str | None = None
    """Why a damaged debate cannot go on."""


class Created(BaseModel):
    debate: Debate
    teacher_token: str
    seat_tokens: dict[str, str]
    observer_token: str
