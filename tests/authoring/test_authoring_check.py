"""`deliberation scenario check`: one line per problem, exit 2 if any."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from deliberation.authoring.check import check_scenario
from deliberation.cli import main
from tests.factories import REPO


def _copy(drafted_root: Path, tmp_path: Path, name: str = "corn-laws-1846") -> Path:
    return Path(shutil.copytree(drafted_root / name, tmp_path / name))


def _edit(path: Path, change: Any) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")


@pytest.mark.parametrize("name", ["corn-laws-1846", "colorado-river-1922"])
def test_drafts_pass(drafted_root: Path, name: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["scenario", "check", str(drafted_root / name)]) == 0
    assert capsys.readouterr().out.strip().endswith(": ok")


def test_the_packaged_scenario_passes_the_loader_checks() -> None:
    problems = check_scenario(REPO / "personas" / "afghanistan")
    assert not [p for p in problems if "does not match the source" in p or "position(s)" in p or "agenda topic" in p]


def test_every_problem_gets_its_line(drafted_root: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = _copy(drafted_root, tmp_path)

    def break_disraeli(data: dict[str, Any]) -> None:
        first, second = data["positions"][0], data["positions"][1]
        first["evidence"][0]["start"] += 1  # offsets off by one
        second["evidence"][0]["quote"] = second["evidence"][0]["quote"].replace("Minister", "Premier")  # not verbatim
        data["positions"] = data["positions"][:2]  # too few positions
        data["concessions"] = [{"topic": "chartism", "to": "support", "statement": "x", "relay": "y"}]

    _edit(folder / "disraeli.yaml", break_disraeli)
    peel = yaml.safe_load((folder / "peel.yaml").read_text(encoding="utf-8"))
    proposal = next(p for p in peel["positions"] if p["statement"].startswith("I propose"))

    def contradict(data: dict[str, Any]) -> None:
        position = next(p for p in data["positions"] if p["id"] == proposal["id"])
        position["statement"] = "I do not propose that the duties on foreign corn be reduced or abolished."

    _edit(folder / "peel.yaml", contradict)

    assert main(["scenario", "check", str(folder)]) == 2
    lines = capsys.readouterr().out.strip().splitlines()
    assert all(line.startswith(str(folder)) for line in lines)
    text = "\n".join(lines)
    assert text.count("does not match the source") == 2
    assert "disraeli.yaml: 2 position(s); a party needs at least 3" in text
    assert "concession on 'chartism'" in text
    assert f"{proposal['id']}: the statement reads as oppose" in text


def test_an_agenda_topic_held_by_one_party_is_named(drafted_root: Path, tmp_path: Path) -> None:
    folder = _copy(drafted_root, tmp_path, "colorado-river-1922")
    arizona = yaml.safe_load((folder / "arizona.yaml").read_text(encoding="utf-8"))
    lonely = next(p["topic"] for p in arizona["positions"] if "guarantee" in p["statement"])

    def add_item(data: dict[str, Any]) -> None:
        data["protocol"]["agenda"].append({"topic": lonely, "title": "Guarantees", "question": "Guarantees?"})

    _edit(folder / "scenario.yaml", add_item)
    problems = check_scenario(folder)
    assert f"scenario.yaml: agenda topic {lonely!r} has positions from 1 party (arizona); it needs at least 2" in problems


def test_a_malformed_file_is_one_line_and_a_missing_folder_an_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "broken"
    folder.mkdir()
    (folder / "scenario.yaml").write_text("id: broken\ntitle: [unclosed\n", encoding="utf-8")
    assert main(["scenario", "check", str(folder)]) == 2
    assert "not valid YAML" in capsys.readouterr().out
    assert main(["scenario", "check", str(tmp_path / "nowhere")]) == 2
    assert "no scenario.yaml here" in capsys.readouterr().err
