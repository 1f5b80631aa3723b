"""The teacher's controls as a transition table: each (status, action) moves the talks or is refused with a reason."""

from __future__ import annotations

import pytest

from deliberation.classroom.controls import ACTIONS, TABLE, Action, Move, move
from deliberation.classroom.records import Status
from deliberation.errors import Conflict

LIVE = (Status.running, Status.waiting)


def test_every_status_and_action_has_an_entry() -> None:
    assert set(TABLE) == {(s, a) for s in Status for a in ACTIONS}
    assert set(ACTIONS) == {"start", "pause", "resume", "advance", "inject", "end"}


def test_start_only_a_created_debate_and_drive_it() -> None:
    assert move("d", Status.created, "start") == Move(Status.running, launch=True)
    for status in (Status.running, Status.waiting, Status.paused):
        with pytest.raises(Conflict, match=f"debate d is already {status.value}; use resume after a pause"):
            move("d", status, "start")


def test_pause_stops_live_talks_after_the_turn_in_flight() -> None:
    for status in LIVE:
        assert move("d", status, "pause") == Move(Status.paused, stop="halt")
    for status in (Status.created, Status.paused):
        with pytest.raises(Conflict, match=f"is {status.value}; only running talks can be paused"):
            move("d", status, "pause")


def test_resume_only_paused_talks() -> None:
    assert move("d", Status.paused, "resume") == Move(Status.running, launch=True)
    for status in (Status.created, *LIVE):
        with pytest.raises(Conflict, match=f"is {status.value}, not paused"):
            move("d", status, "resume")


@pytest.mark.parametrize("action", ["advance", "inject"])
def test_redirects_restart_live_talks_and_wait_in_quiet_ones(action: Action) -> None:
    for status in LIVE:  # a new cursor or news goes in at once: stop after the turn in flight, drive on
        assert move("d", status, action) == Move(Status.running, stop="halt", launch=True, redirect=True)
    for status in (Status.created, Status.paused):  # kept for start or resume; the status does not change
        assert move("d", status, action) == Move(status, redirect=True)


def test_end_cuts_any_talks_short() -> None:
    for status in (Status.created, Status.paused, *LIVE):
        assert move("d", status, "end") == Move(Status.ended, stop="cancel")


@pytest.mark.parametrize("action", ACTIONS)
def test_nothing_moves_an_ended_or_damaged_debate(action: Action) -> None:
    with pytest.raises(Conflict, match="debate d has ended; create a new one"):
        move("d", Status.ended, action)
    with pytest.raises(Conflict, match="debate d is damaged"):
        move("d", Status.damaged, action)


def test_only_start_and_resume_launch_from_a_standstill() -> None:
    launching = {(s, a) for (s, a), m in TABLE.items() if isinstance(m, Move) and m.launch and s not in LIVE}
    assert launching == {(Status.created, "start"), (Status.paused, "resume")}
