"""Scenario files, the position ledger and the source they cite."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from deliberation.config import Settings
from deliberation.errors import InvalidScenario, NotFound
from deliberation.ledger import evidence_of, ledger_errors, ledger_integrity
from deliberation.loader import load_scenario, scenario_ids
from tests.factories import REPO, copy_mini

SOURCE_SHA256 = "d620a7ec1b7d54871e616e22d28cd0f023beec586b3fa1879d3122ca3ad9c960"
TOPICS = {
    "direct-talks",
    "indirect-talks",
    "taliban-inclusion",
    "good-bad-taliban",
    "recognition",
    "daesh",
    "moscow-format",
    "us-presence",
    "ceasefire",
    "political-settlement",
    "russia-taliban-ties",
    "multilateral-talks",
}


def test_source_is_the_users_text_unchanged() -> None:
    data = (REPO / "personas" / "afghanistan" / "afghan-peace-process.txt").read_bytes()
    assert hashlib.sha256(data).hexdigest() == SOURCE_SHA256
    assert len(data.decode("utf-8")) == 13453


@pytest.mark.parametrize("scenario_id", ["afghanistan"])
def test_every_quote_is_the_source_text_at_its_offsets(settings: Settings, scenario_id: str) -> None:
    scenario = load_scenario(scenario_id, settings.scenarios_dir)
    spans = [(owner, e) for p in scenario.personas.values() for owner, e in evidence_of(p)]
    assert spans
    for owner, span in spans:
        assert scenario.source_text[span.start : span.end] == span.quote, owner
    assert ledger_integrity(scenario) == 1.0


def test_the_ledger_covers_each_party_in_depth(settings: Settings) -> None:
    scenario = load_scenario("afghanistan", settings.scenarios_dir)
    for pid in scenario.parties:
        persona = scenario.personas[pid]
        assert len(persona.positions) >= 8, pid
        assert {p.topic for p in persona.positions} <= TOPICS
        assert len({p.topic for p in persona.positions}) == len({(p.topic, p.stance) for p in persona.positions}), (
            f"{pid} holds two stances on one topic"
        )
        for concession in persona.concessions:
            assert concession.to != persona.stance_on(concession.topic), f"{pid}: concession changes nothing"


def test_characterisations_are_kept_apart_from_positions(settings: Settings) -> None:
    us = load_scenario("afghanistan", settings.scenarios_dir).personas["us"]
    voiced = " ".join(p.statement.lower() for p in us.positions)
    assert us.characterisations
    assert "fake news" not in voiced and "prolong" not in voiced


def test_agenda_and_points_name_known_topics(settings: Settings) -> None:
    scenario = load_scenario("afghanistan", settings.scenarios_dir)
    for topic in [a.topic for a in scenario.protocol.agenda] + [p.topic for p in scenario.protocol.points]:
        assert all(scenario.personas[pid].stance_on(topic) for pid in scenario.parties), topic


def test_a_second_scenario_needs_only_data(mini_settings: Settings) -> None:
    assert scenario_ids(mini_settings.scenarios_dir) == ["mini"]
    mini = load_scenario("mini", mini_settings.scenarios_dir)
    assert mini.parties == ["council", "guild"] and mini.mediator == "arbiter"
    assert ledger_errors(mini) == []


def test_unknown_scenario_names_what_exists(settings: Settings) -> None:
    with pytest.raises(NotFound, match=r"unknown scenario 'atlantis' \(known: afghanistan"):
        load_scenario("atlantis", settings.scenarios_dir)


def test_a_quote_that_drifts_from_the_source_is_refused(tmp_path: Path) -> None:
    root = copy_mini(tmp_path)
    path = root / "mini" / "guild.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("start: ", "start: 1", 1), encoding="utf-8")
    with pytest.raises(InvalidScenario, match=r"guild\..*does not match the source"):
        load_scenario("mini", root)


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        ({"positions": [{"id": "council.x", "topic": "Bad Topic!"}]}, r"council\.yaml: positions\.0"),
        ({"id": "someone-else", "positions": []}, r"council\.yaml: id is 'someone-else'"),
        (
            {
                "positions": [
                    {
                        "id": "guild.x",
                        "topic": "t",
                        "stance": "oppose",
                        "statement": "s",
                        "relay": "r",
                        "evidence": [{"quote": "q", "start": 0, "end": 1}],
                    }
                ]
            },
            r"must start with 'council\.'",
        ),
    ],
)
def test_malformed_persona_files_name_file_and_field(tmp_path: Path, edit: dict[str, object], message: str) -> None:
    root = copy_mini(tmp_path, edit)
    with pytest.raises(InvalidScenario, match=message):
        load_scenario("mini", root)


def test_yaml_that_does_not_parse_is_named(tmp_path: Path) -> None:
    root = copy_mini(tmp_path)
    (root / "mini" / "arbiter.yaml").write_text("id: [unclosed", encoding="utf-8")
    with pytest.raises(InvalidScenario, match=r"arbiter\.yaml: not valid YAML"):
        load_scenario("mini", root)
