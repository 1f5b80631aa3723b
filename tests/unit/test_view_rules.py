"""What each viewer may see: the teacher every channel, a seat its own, an observer only what is said to all."""

from __future__ import annotations

from deliberation.classroom.records import Debate, DebateSpec, SilencePolicy, Status, Viewer
from deliberation.classroom.views import Moment, public, view, visible
from deliberation.errors import TurnFailed
from deliberation.protocol import Step
from deliberation.turns import Kind, NegotiatingPoint, PointAnswer, Stage, Turn

PARTIES = ("kabul", "taliban", "us")
ALL = ["kabul", "taliban", "us"]


def turn(number: int, speaker: str, audience: list[str], content: str = "", error: str | None = None) -> Turn:
    return Turn(
        turn=number,
        stage=Stage.rounds,
        round=1,
        speaker=speaker,
        audience=audience,
        kind=Kind.question,
        content=content or f"turn {number}",
        model="m",
        error=error,
    )


TALK = [
    turn(1, "mediator", ALL, "welcome, all"),
    turn(2, "mediator", ["kabul"], "to kabul: your terms?"),
    turn(3, "kabul", ["mediator"], "our terms"),
    turn(4, "mediator", ["taliban"], "to taliban: your terms?"),
]
STEPS = [
    Step(index=0, stage=Stage.opening, round=0, speaker="mediator", kind=Kind.statement, audience=ALL),
    Step(index=1, stage=Stage.rounds, round=1, speaker="taliban", kind=Kind.answer, audience=["mediator"]),
    Step(index=2, stage=Stage.rounds, round=1, speaker="kabul", kind=Kind.answer, audience=["mediator"]),
]
POINT = NegotiatingPoint(
    id="p1",
    topic="ceasefire",
    text="a ceasefire",
    proposed_in=1,
    answers={"kabul": PointAnswer(point="p1", answer="accept"), "taliban": PointAnswer(point="p1", answer="reject")},
)
TEACHER = Viewer(debate_id="d")
KABUL = Viewer(debate_id="d", seat="kabul")
TALIBAN = Viewer(debate_id="d", seat="taliban")
OBSERVER = Viewer(debate_id="d", observer_of=PARTIES)


def moment(status: Status = Status.waiting, cursor: int = 1, elapsed: float | None = 20.0, damage: str | None = None) -> Moment:
    spec = DebateSpec(seats={"taliban": "human", "kabul": "human"}, silence=SilencePolicy(after_s=60))
    debate = Debate(id="d", spec=spec, status=status, teacher_hash="", seat_hashes={}, created_at="")
    return Moment(
        debate=debate,
        parties=PARTIES,
        steps=STEPS,
        turns=TALK,
        cursor=cursor,
        points=[POINT],
        silence_elapsed_s=elapsed,
        max_message_chars=500,
        damage=damage,
    )


def test_each_viewer_counts_only_the_turns_it_may_see() -> None:
    assert view(moment(), TEACHER).turns == 4
    assert view(moment(), KABUL).turns == 3  # the opening, its question and its answer
    assert view(moment(), TALIBAN).turns == 2
    assert view(moment(), OBSERVER).turns == 1  # only what was said to every party
    assert [t.turn for t in visible(TALK, KABUL, after=1)] == [2, 3]


def test_the_waiting_seat_and_the_teacher_see_whose_turn_it_is_and_the_prompt() -> None:
    for viewer in (TEACHER, TALIBAN):
        shown = view(moment(), viewer)
        assert (shown.waiting_for, shown.next_speaker) == ("taliban", "taliban")
        assert shown.prompt == "to taliban: your terms?"
        assert shown.silence_left_s == 40.0
    for viewer in (KABUL, OBSERVER):  # others do not learn when another party speaks
        hidden = view(moment(), viewer)
        assert (hidden.waiting_for, hidden.next_speaker, hidden.prompt, hidden.silence_left_s) == (None, None, None, None)
        assert (hidden.status, hidden.stage, hidden.round) == (Status.waiting, Stage.rounds, 1)


def test_a_seat_learns_it_speaks_next_while_the_talks_run() -> None:
    running = moment(status=Status.running, cursor=2)
    assert view(running, KABUL).next_speaker == "kabul"
    assert view(running, KABUL).waiting_for is None
    assert view(running, TALIBAN).next_speaker is None
    assert view(running, TEACHER).next_speaker == "kabul"


def test_answers_to_the_negotiating_text_are_each_partys_own_channel() -> None:
    assert set(view(moment(), TEACHER).text[0].answers) == {"kabul", "taliban"}
    assert set(view(moment(), KABUL).text[0].answers) == {"kabul"}
    assert set(view(moment(), TALIBAN).text[0].answers) == {"taliban"}
    assert view(moment(), OBSERVER).text[0].answers == {}
    assert view(moment(), OBSERVER).text[0].text == "a ceasefire"


def test_silence_left_never_goes_below_zero_nor_shows_without_a_clock() -> None:
    assert view(moment(elapsed=90.0), TALIBAN).silence_left_s == 0.0
    assert view(moment(elapsed=None), TALIBAN).silence_left_s is None
    assert view(moment(status=Status.running), TEACHER).silence_left_s is None


def test_an_ended_debate_shows_no_next_step() -> None:
    ended = view(moment(status=Status.ended), TEACHER)
    assert (ended.stage, ended.round, ended.next_speaker, ended.waiting_for) == (None, None, None, None)
    done = view(moment(status=Status.running, cursor=len(STEPS)), TEACHER)
    assert (done.stage, done.next_speaker) == (None, None)


def test_a_damaged_debate_shows_why_and_nothing_else() -> None:
    damaged = view(moment(damage="its checkpoint is missing"), KABUL)
    assert damaged.status == Status.damaged and damaged.damage == "its checkpoint is missing"
    assert (damaged.turns, damaged.text, damaged.waiting_for) == (0, [], None)
    assert damaged.seats == {"kabul": "human", "taliban": "human", "us": "ai"}


def test_a_provider_error_never_reaches_a_viewer() -> None:
    failed = public(turn(5, "us", ["mediator"], error="openai: 500 upstream key sk-123"))
    assert failed.error == TurnFailed.public_message
    human = turn(6, "kabul", ["mediator"], error="stood in").model_copy(update={"human": True})
    assert public(human).error == "stood in"
