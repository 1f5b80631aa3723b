"""The graph state's reducers: append-only history with channels, the negotiating text, the news queue."""

from __future__ import annotations

from deliberation.state import Answered, History, NegotiatingText, Proposed, amend_text, append_news, append_turns, serializer
from deliberation.turns import Kind, NegotiatingPoint, PointAnswer, Stage, Turn, channel


def turn(number: int, speaker: str, audience: list[str], content: str = "") -> Turn:
    return Turn(
        turn=number, stage=Stage.rounds, round=1, speaker=speaker, audience=audience, kind=Kind.answer,
        content=content or f"turn {number}", model="m",
    )


TALK = [
    turn(1, "mediator", ["kabul", "taliban"]),
    turn(2, "kabul", ["mediator"]),
    turn(3, "mediator", ["taliban"]),
    turn(4, "taliban", ["mediator"]),
    turn(5, "mediator", ["kabul"]),
]


def test_history_appends_and_keeps_each_channel_as_turns_arrive() -> None:
    history = History()
    for t in TALK:  # one turn per step, as the graph adds them
        history = append_turns(history, [t])
    assert [t.turn for t in history.turns] == [1, 2, 3, 4, 5]
    assert [t.turn for t in history.channel("kabul")] == [1, 2, 5]
    assert [t.turn for t in history.channel("taliban")] == [1, 3, 4]
    assert [t.turn for t in history.channel("mediator")] == [1, 2, 3, 4, 5]
    assert history.channel("us") == []
    for persona in ("kabul", "taliban", "mediator", "us"):  # the same as filtering the whole record
        assert history.channel(persona) == channel(history.turns, persona)
    assert history.next_number == 6 and history.by_number(4) == TALK[3] and history.by_number(6) is None


def test_history_updates_never_change_the_value_they_extend() -> None:
    before = append_turns(History(), TALK[:2])
    kabul_before = before.channel("kabul")
    after = append_turns(before, TALK[2:])
    assert len(before.turns) == 2 and before.channel("kabul") == kabul_before
    assert [t.turn for t in after.channel("kabul")] == [1, 2, 5]
    assert append_turns(History(), TALK).channels == after.channels  # batching does not matter


def test_negotiating_text_collects_each_partys_answers_per_point() -> None:
    points = [NegotiatingPoint(id=i, topic="t", text=f"Point {i}.", proposed_in=9) for i in ("a", "b")]
    text = amend_text(NegotiatingText(), Proposed(points=points))
    text = amend_text(text, Answered(party="kabul", answers=[PointAnswer(point="a", answer="accept"),
                                                             PointAnswer(point="zzz", answer="reject")]))
    text = amend_text(text, Answered(party="taliban", answers=[PointAnswer(point="a", answer="amend", amendment="x")]))
    text = amend_text(text, Answered(party="kabul", answers=[PointAnswer(point="b", answer="reject")]))
    assert list(text.points) == ["a", "b"]  # an answer to a point not on the table is dropped
    assert {k: v.answer for k, v in text.points["a"].answers.items()} == {"kabul": "accept", "taliban": "amend"}
    assert {k: v.answer for k, v in text.points["b"].answers.items()} == {"kabul": "reject"}
    assert text.points["a"].agreed(["kabul"]) and not text.points["a"].agreed(["kabul", "taliban"])
    again = amend_text(text, Proposed(points=points))  # proposing again keeps the answers given
    assert again.points["a"].answers == text.points["a"].answers


def test_a_party_answering_before_a_proposal_changes_nothing() -> None:
    text = amend_text(NegotiatingText(), Answered(party="kabul", answers=[PointAnswer(point="a", answer="accept")]))
    assert text.points == {}


def test_news_queues_until_the_mediator_briefs() -> None:
    queue = append_news(append_news([], ["first"]), ["second"])
    assert queue == ["first", "second"]
    assert append_news(queue, None) == []


def test_checkpoints_revive_the_typed_state() -> None:
    text = amend_text(NegotiatingText(), Proposed(points=[NegotiatingPoint(id="a", topic="t", text="A.", proposed_in=1)]))
    state = {"history": append_turns(History(), TALK), "text": text, "step_turns": {0: 1, 3: 4}}
    serde = serializer()
    revived = serde.loads_typed(serde.dumps_typed(state))
    assert revived == state
    assert isinstance(revived["history"].turns[0], Turn) and revived["history"].turns[0].stage is Stage.rounds
