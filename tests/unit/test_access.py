"""Debate tokens: each opens the debate as one viewer, only hashes are stored, anything else opens nothing."""

from __future__ import annotations

from deliberation.classroom.access import issue, viewer_of
from deliberation.classroom.records import DebateSpec, Viewer

PARTIES = ("kabul", "taliban", "us")


def test_each_token_opens_the_debate_as_its_viewer() -> None:
    created = issue("d", DebateSpec(seats={"kabul": "human", "us": "ai"}), owner="key-1")
    debate = created.debate
    assert set(created.seat_tokens) == {"kabul"}  # an AI seat has no token
    assert viewer_of(debate, created.teacher_token, lambda: PARTIES) == Viewer(debate_id="d")
    assert viewer_of(debate, created.seat_tokens["kabul"], lambda: PARTIES) == Viewer(debate_id="d", seat="kabul")
    assert viewer_of(debate, created.observer_token, lambda: PARTIES) == Viewer(debate_id="d", observer_of=PARTIES)
    assert viewer_of(debate, "not a token", lambda: PARTIES) is None
    assert viewer_of(debate, debate.teacher_hash, lambda: PARTIES) is None  # the stored hash is not a token


def test_only_hashes_are_stored() -> None:
    created = issue("d", DebateSpec(seats={"kabul": "human"}), owner="key-1")
    record = created.debate.model_dump_json()
    for token in (created.teacher_token, created.observer_token, *created.seat_tokens.values()):
        assert token not in record
    assert created.debate.owner == "key-1" and len({created.teacher_token, created.observer_token}) == 2
