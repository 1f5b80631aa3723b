"""Who may open a debate: one token for the teacher, one per human seat, one for observers; only their hashes are kept."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime

from deliberation.classroom.records import Created, Debate, DebateSpec, Viewer
from deliberation.tokens import hash_token, new_token, token_matches


def issue(debate_id: str, spec: DebateSpec, owner: str) -> Created:
    """A new debate record and the tokens that open it (shown once, to its creator)."""
    teacher, observer = new_token(), new_token()
    seats = {seat: new_token() for seat in sorted(spec.human_seats())}
    debate = Debate(
        id=debate_id,
        spec=spec,
        teacher_hash=hash_token(teacher),
        seat_hashes={seat: hash_token(token) for seat, token in seats.items()},
        observer_hash=hash_token(observer),
        created_at=datetime.now(UTC).isoformat(),
        owner=owner,
    )
    return Created(debate=debate, teacher_token=teacher, seat_tokens=seats, observer_token=observer)


def viewer_of(debate: Debate, token: str, parties: Callable[[], Sequence[str]]) -> Viewer | None:
    """The viewer `token` opens the debate as, or None; `parties` (read only for an observer) are who it must hear."""
    if token_matches(token, debate.teacher_hash):
        return Viewer(debate_id=debate.id)
    seats = [seat for seat, digest in debate.seat_hashes.items() if token_matches(token, digest)]
    if seats:
        return Viewer(debate_id=debate.id, seat=seats[0])
    if debate.observer_hash is not None and token_matches(token, debate.observer_hash):
        return Viewer(debate_id=debate.id, observer_of=tuple(parties()))
    return None
