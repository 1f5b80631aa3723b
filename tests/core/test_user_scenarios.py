"""A teacher's own scenarios folder (--scenarios-dir / DELIBERATION_SCENARIOS_DIR), searched before the packaged one,
and where runtime data goes by default."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import yaml

from deliberation.cli import main
from deliberation.config import Settings, get_settings
from deliberation.loader import load_scenario
from deliberation.resources import packaged
from tests.factories import copy_mini

Run = Callable[..., tuple[int, str, str]]
PACKAGED = packaged("deliberation.personas")


@pytest.fixture
def run(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Iterator[Run]:
    monkeypatch.delenv("DELIBERATION_SCENARIOS_DIR", raising=False)
    monkeypatch.setenv("DELIBERATION_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("DELIBERATION_EMBEDDING", "lexical")
    get_settings.cache_clear()

    def call(*argv: str) -> tuple[int, str, str]:
        try:
            code = main(list(argv))
        except SystemExit as stop:
            code = int(stop.code or 0)
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    yield call
    get_settings.cache_clear()


def _headings(out: str) -> dict[str, str]:
    """Scenario id -> its heading line in `deliberation scenarios`."""
    return {line.split(":", 1)[0]: line for line in out.splitlines() if not line.startswith(" ")}


def test_a_user_folder_is_listed_before_the_packaged_scenarios_with_its_origin(run: Run, tmp_path: Path) -> None:
    user = copy_mini(tmp_path / "mine")
    code, out, err = run("--scenarios-dir", str(user), "scenarios")
    assert code == 0, err
    headings = _headings(out)
    assert set(headings) == {"afghanistan", "mini"}
    assert f"[from {user.resolve() / 'mini'}]" in headings["mini"]
    assert f"[packaged, {PACKAGED.resolve() / 'afghanistan'}]" in headings["afghanistan"]


def test_the_setting_works_as_the_option_does(run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DELIBERATION_SCENARIOS_DIR", str(copy_mini(tmp_path / "mine")))
    code, out, _ = run("scenarios")
    assert code == 0 and "mini" in _headings(out)


def test_a_user_scenario_hides_the_packaged_one_of_the_same_id(run: Run, tmp_path: Path) -> None:
    user = tmp_path / "mine"
    shutil.copytree(PACKAGED / "afghanistan", user / "afghanistan")
    spec = user / "afghanistan" / "scenario.yaml"
    data = yaml.safe_load(spec.read_text(encoding="utf-8"))
    spec.write_text(yaml.safe_dump({**data, "title": "Our classroom's version"}, allow_unicode=True), encoding="utf-8")

    code, out, err = run("--scenarios-dir", str(user), "scenarios")
    assert code == 0, err
    heading = _headings(out)["afghanistan"]
    assert "Our classroom's version" in heading and "hides the packaged one" in heading
    settings = Settings(scenarios_dir=user)
    assert load_scenario("afghanistan", settings.scenario_roots).directory == (user / "afghanistan").resolve()


def test_a_summit_runs_a_user_scenario(run: Run, tmp_path: Path) -> None:
    user = copy_mini(tmp_path / "mine")
    code, _, err = run("--scenarios-dir", str(user), "summit", "--scenario", "mini", "--rounds", "1", "--out", str(tmp_path / "runs"))
    assert code == 0, err
    assert len(list((tmp_path / "runs").glob("*.jsonl"))) == 1


def _break_yaml(folder: Path) -> None:
    (folder / "council.yaml").write_text("id: [unclosed\n", encoding="utf-8")


def _break_field(folder: Path) -> None:
    data = yaml.safe_load((folder / "council.yaml").read_text(encoding="utf-8"))
    (folder / "council.yaml").write_text(yaml.safe_dump({**data, "positions": "not a list"}), encoding="utf-8")


def _break_encoding(folder: Path) -> None:
    (folder / "council.yaml").write_bytes(b"id: council\nname: \xff\xfe\n")


def _break_id(folder: Path) -> None:
    spec = folder / "scenario.yaml"
    spec.write_text(spec.read_text(encoding="utf-8").replace("id: mini", "id: other", 1), encoding="utf-8")


def _lose_persona(folder: Path) -> None:
    (folder / "council.yaml").unlink()


def _top_level_list(folder: Path) -> None:
    (folder / "scenario.yaml").write_text("- a\n- b\n", encoding="utf-8")


@pytest.mark.parametrize(
    ("breakage", "names"),
    [
        (_break_yaml, ["council.yaml", "not valid YAML at line"]),
        (_break_field, ["council.yaml", "positions"]),
        (_break_encoding, ["council.yaml", "UnicodeDecodeError"]),
        (_break_id, ["scenario.yaml", "'other'", "'mini'"]),
        (_lose_persona, ["council.yaml", "not found"]),
        (_top_level_list, ["scenario.yaml", "top level"]),
    ],
)
def test_a_malformed_user_scenario_is_one_line_naming_the_file(
    run: Run, tmp_path: Path, breakage: Callable[[Path], None], names: list[str]
) -> None:
    user = copy_mini(tmp_path / "mine")
    breakage(user / "mini")
    code, out, err = run("--scenarios-dir", str(user), "scenarios")
    assert code == 2
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("deliberation: error: ") and all(name in lines[0] for name in names), lines[0]
    assert "afghanistan" in _headings(out)  # the good ones are still listed

    code, _, err = run("--scenarios-dir", str(user), "summit", "--scenario", "mini", "--out", str(tmp_path / "runs"))
    assert code == 2 and len(err.strip().splitlines()) == 1 and names[0] in err


def test_a_missing_scenarios_dir_is_a_user_error(run: Run, tmp_path: Path) -> None:
    code, _, err = run("--scenarios-dir", str(tmp_path / "nowhere"), "scenarios")
    assert code == 2
    assert err.strip().splitlines() == [f"deliberation: error: scenarios dir {tmp_path / 'nowhere'}: not a folder "
                                        "(from --scenarios-dir or DELIBERATION_SCENARIOS_DIR)"]  # fmt: skip


def test_a_malformed_setting_is_a_user_error(run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DELIBERATION_TOP_K", "many")
    code, _, err = run("scenarios")
    assert code == 2
    assert len(err.strip().splitlines()) == 1 and "DELIBERATION_TOP_K" in err


def test_runtime_data_defaults_to_the_per_user_data_dir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("DELIBERATION_DATA_DIR", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert Settings().data_dir == tmp_path / "xdg" / "deliberation"


def test_the_data_dir_setting_wins(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("DELIBERATION_DATA_DIR", str(tmp_path / "here"))
    assert Settings().data_dir == tmp_path / "here"
