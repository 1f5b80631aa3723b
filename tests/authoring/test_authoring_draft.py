"""The offline drafter on a transcript with speaker labels and on a report about named parties."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from deliberation.authoring.draft import Draft
from deliberation.authoring.offline import draft_offline, stance_of
from deliberation.authoring.parties import attribute, find_parties
from deliberation.authoring.source import sentences
from deliberation.cli import main
from deliberation.errors import UserError
from deliberation.loader import load_scenario
from deliberation.scenario import Stance
from deliberation.text import terms
from tests.authoring.drafting import SOURCES
from tests.factories import REPO

PROMPTS = REPO / "prompts"


def test_transcript_parties_come_from_speaker_labels_and_the_chair_is_not_one(drafts: dict[str, Draft]) -> None:
    draft = drafts["corn-laws-1846"]
    names = {p.id: p.name for p in draft.personas}
    assert draft.spec.parties == ["peel", "cobden", "disraeli"]
    assert names["peel"] == "Sir Robert Peel" and names["disraeli"] == "Mr Disraeli"
    assert draft.spec.mediator == "mediator" and not draft.personas[0].positions


def test_report_parties_are_its_recurring_named_subjects(drafts: dict[str, Draft]) -> None:
    draft = drafts["colorado-river-1922"]
    assert set(draft.spec.parties) == {"arizona", "california", "upper-basin-states", "federal-government"}


@pytest.mark.parametrize("name", ["corn-laws-1846", "colorado-river-1922"])
def test_every_position_is_grounded_and_close_to_its_words(drafts: dict[str, Draft], name: str) -> None:
    draft = drafts[name]
    for persona in draft.personas[1:]:
        assert len(persona.positions) >= 3
        for position in persona.positions:
            for span in position.evidence:
                assert draft.source_text[span.start : span.end] == span.quote
            said, quoted = set(terms(position.statement)), set(terms(position.evidence[0].quote))
            assert len(said & quoted) / len(said | quoted) >= 0.6, position.statement  # extractive, not invented
            assert persona.name.split()[-1] in position.relay or "says" in position.relay


def test_first_person_in_a_transcript_and_third_person_relays(drafts: dict[str, Draft]) -> None:
    peel = next(p for p in drafts["corn-laws-1846"].personas if p.id == "peel")
    proposal = next(p for p in peel.positions if "propose" in p.statement)
    assert proposal.statement.startswith("I propose") and proposal.relay.startswith("Sir Robert Peel proposes")
    arizona = next(p for p in drafts["colorado-river-1922"].personas if p.id == "arizona")
    gila = next(p for p in arizona.positions if "Gila" in p.statement)
    assert gila.statement.startswith("We insist") and gila.relay.startswith("Arizona insists")


def test_agenda_topics_are_shared_and_points_join_parties_that_agree(drafts: dict[str, Draft]) -> None:
    for draft in drafts.values():
        by_party = {p.id: p for p in draft.personas}
        for item in draft.spec.protocol.agenda:
            assert sum(by_party[pid].stance_on(item.topic) is not None for pid in draft.spec.parties) >= 2
            assert draft.lexicon.topics[item.topic]
        for point in draft.spec.protocol.points:
            assert sum(by_party[pid].stance_on(point.topic) == Stance.support for pid in draft.spec.parties) >= 2
        assert set(draft.lexicon.aliases) == set(by_party)


def test_stance_reads_the_main_clause_and_conditions() -> None:
    assert stance_of("I do not believe that protection has served the farmer, for wages have not risen.") == Stance.oppose
    assert stance_of("We support the building of the dam, provided that storage gives no claim.") == Stance.conditional
    assert stance_of("The duties on corn should be repealed immediately.") == Stance.support


def test_given_parties_narrow_the_draft() -> None:
    text = (SOURCES / "colorado-river-1922.txt").read_text(encoding="utf-8")
    draft = draft_offline(text, "colorado.txt", PROMPTS, name="Colorado River", parties_given=["Arizona", "California"])
    assert draft.spec.parties == ["arizona", "california"] and draft.spec.id == "colorado-river"
    with pytest.raises(UserError, match="'Oregon' does not occur"):
        draft_offline(text, "colorado.txt", PROMPTS, parties_given=["Arizona", "Oregon"])


def test_a_source_without_parties_is_a_clear_error() -> None:
    with pytest.raises(UserError, match="--parties"):
        draft_offline("The weather was fine. It rained later. Nobody minded at all.", "w.txt", PROMPTS)


def test_cli_drafts_a_loadable_folder_and_never_overwrites(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "debate.txt"
    shutil.copy(SOURCES / "corn-laws-1846.txt", source)
    out = tmp_path / "scenarios" / "corn"
    assert main(["scenario", "draft", str(source), "--out", str(out), "--name", "Corn"]) == 0
    printed = capsys.readouterr().out
    assert "peel 11" in printed and "check: 0 problem(s)" in printed
    scenario = load_scenario("corn", tmp_path / "scenarios")
    assert scenario.title == "Corn" and scenario.source_text == source.read_text(encoding="utf-8")
    before = (out / "peel.yaml").read_text(encoding="utf-8")
    assert main(["scenario", "draft", str(source), "--out", str(out)]) == 2
    assert "already holds a scenario" in capsys.readouterr().err and (out / "peel.yaml").read_text() == before
    assert main(["scenario", "draft", str(tmp_path / "missing.txt"), "--out", str(tmp_path / "x")]) == 2
    assert "source file not found" in capsys.readouterr().err
    assert main(["scenario", "draft", str(source), "--out", str(tmp_path / "scenarios" / "Corn Laws")]) == 2
    assert "the folder's name is the scenario's id" in capsys.readouterr().err


def test_the_folder_name_is_the_id(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "colorado-river-1922.txt"
    shutil.copy(SOURCES / "colorado-river-1922.txt", source)
    assert main(["scenario", "draft", str(source), "--out", str(tmp_path / "rivers" / "colorado")]) == 0
    assert "check: 0 problem(s)" in capsys.readouterr().out
    assert load_scenario("colorado", tmp_path / "rivers").id == "colorado"


def test_named_parties_in_an_article_are_found_anywhere_and_acronyms_keep_their_case() -> None:
    text = (REPO / "personas" / "afghanistan" / "afghan-peace-process.txt").read_text(encoding="utf-8")
    found = sentences(text)
    with pytest.raises(UserError, match="--parties"):
        find_parties(text, found, None)  # an analyst's article: only Russia recurs as a subject
    parties = find_parties(text, found, ["Kabul", "Taliban", "US"])
    assert [(p.id, p.aliases) for p in parties] == [("kabul", ["kabul"]), ("taliban", ["taliban"]), ("us", ["US"])]
    owners = {s.text: p.id for p, s in attribute(found, parties, anywhere=True)}
    assert all("US" in text_ or "Kabul" in text_ or "Taliban" in text_ for text_ in owners)
    assert not any(p == "us" and "US" not in t.split("Kabul")[0].split("Taliban")[0] for t, p in owners.items())
