"""The classroom report's per-party figures, and a turn's cited sources with the quoted span in its paragraph."""

from __future__ import annotations

import pytest
from deliberation.evals.debate_report import concessions_in, debate_report, render_debate_report

from deliberation.citations import cited_sources
from deliberation.loader import load_scenario
from deliberation.passages import chunk
from deliberation.scenario import Scenario
from deliberation.turns import Citation, PointAnswer, Stage, Turn
from tests.factories import REPO


@pytest.fixture(scope="module")
def afghanistan() -> Scenario:
    return load_scenario("afghanistan", REPO / "personas")


def turn(number: int, speaker: str, content: str, audience: list[str] | None = None, **fields: object) -> Turn:
    return Turn(turn=number, stage=Stage.rounds, round=1, speaker=speaker, audience=audience or ["mediator"], kind="statement",
                content=content, model="offline/extractive", **fields)  # type: ignore[arg-type]  # fmt: skip


def test_a_listed_concession_counts_in_the_partys_words_or_an_amendment(afghanistan: Scenario) -> None:
    concession = afghanistan.personas["kabul"].concessions[0]
    said = turn(3, "kabul", f"After reflection: {concession.statement}")
    amended = turn(5, "kabul", "Our answer.", answers=[PointAnswer(point="x", answer="amend", amendment=concession.statement)])
    refused = turn(7, "kabul", "We do not negotiate with the Taliban, by any channel.")
    assert [c.topic for c in concessions_in(said, afghanistan)] == [concession.topic]
    assert [c.turn for c in concessions_in(amended, afghanistan)] == [5]
    assert concessions_in(refused, afghanistan) == []


def test_the_report_sums_each_partys_words_answers_and_flags(afghanistan: Scenario) -> None:
    turns = [
        turn(1, "mediator", "Kabul, what is your position on talks?", audience=["kabul"]),
        turn(2, "kabul", "We will not sit down face to face with the Taliban."),
        turn(3, "kabul", "We will gladly sit down face to face with the Taliban tomorrow.",
             answers=[PointAnswer(point="p1", answer="reject"), PointAnswer(point="p1", answer="accept")]),
    ]  # fmt: skip
    report = debate_report("d1", turns, afghanistan, {"kabul": "human"})
    kabul = next(p for p in report.parties if p.party == "kabul")
    assert (kabul.seat, kabul.turns, kabul.words) == ("human", 2, len(turns[1].content.split()) + len(turns[2].content.split()))
    assert kabul.addressed_words == len(turns[0].content.split())
    assert [a.answer for a in kabul.answers] == ["accept"]  # the latest answer to a point stands
    assert kabul.faithful_rate == 0.5 and {f.turn for f in kabul.flags} == {3}  # the stance flip is flagged, with its rule
    assert all(f.rule and f.evidence for f in kabul.flags)
    assert next(p for p in report.parties if p.party == "us").turns == 0
    assert "| Government of Afghanistan (Kabul) | human | 2 |" in render_debate_report(report)


def test_sources_mark_the_positions_evidence_inside_the_cited_passage(afghanistan: Scenario) -> None:
    passages = {p.id: p for p in chunk(afghanistan.source_text)}
    position = afghanistan.personas["kabul"].position("kabul.no-direct-talks")
    evidence = position.evidence[0]
    cited = next(p for p in passages.values() if p.start <= evidence.start and evidence.end <= p.end)
    said = turn(2, "kabul", position.statement, positions=[position.id],
                citations=[Citation(passage=cited.id, start=cited.start, end=cited.end), Citation(passage="p99.9", start=None, end=None)])  # fmt: skip
    found, missing = cited_sources(said, afghanistan, passages)
    assert not missing.found and missing.passage == "p99.9"
    assert found.found and found.positions == [position.id]
    assert afghanistan.source_text[found.context_start : found.context_start + len(found.context)] == found.context
    assert [found.context[q.start : q.end] for q in found.quoted] == [evidence.quote]
    assert found.passage_span is not None and found.context[found.passage_span.start : found.passage_span.end] == cited.text


def test_a_citation_without_evidence_inside_marks_the_whole_passage(afghanistan: Scenario) -> None:
    passages = {p.id: p for p in chunk(afghanistan.source_text)}
    cited = passages["p01.1"]
    (found,) = cited_sources(turn(2, "mediator", "Welcome.", citations=[Citation(passage=cited.id, start=cited.start, end=cited.end)]),
                             afghanistan, passages)  # fmt: skip
    assert [found.context[q.start : q.end] for q in found.quoted] == [cited.text]
