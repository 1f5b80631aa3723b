"""The installed artefact, as a new user gets it: build the wheel, install it into a fresh virtual environment,
and use the `deliberation` command from an empty folder with default settings (no checkout on any path).

Slow (a full dependency install from the pip cache / the registry); CI runs it with the rest of the suite.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import tomllib
import zipfile
from pathlib import Path

import pytest

from tests.factories import REPO
from tests.services import free_port, http_get

pytestmark = pytest.mark.slow

LEFT_BEHIND = shutil.ignore_patterns(".git", ".venv", "build", "dist", "*.egg-info", "__pycache__", ".*_cache", ".data", "runs", "ci-out")


def _sh(*argv: str | Path, cwd: Path, env: dict[str, str] | None = None, timeout: float = 600) -> str:
    done = subprocess.run([str(a) for a in argv], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 0, f"{argv} exited {done.returncode}\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done.stdout


def _expected_files() -> set[str]:
    """Every file of the checkout's package folders, at the path the wheel must hold it."""
    mapping = {"deliberation": "deliberation"} | {
        folder: package for package, folder in tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"]["package-dir"].items()
    }
    return {
        f"{package.replace('.', '/')}/{path.relative_to(REPO / folder).as_posix()}"
        for folder, package in mapping.items()
        for path in (REPO / folder).rglob("*")
        if path.is_file() and "__pycache__" not in path.parts
    }


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    source = tmp_path_factory.mktemp("source") / "deliberation"
    shutil.copytree(REPO, source, ignore=LEFT_BEHIND)
    dist = source.parent / "dist"
    _sh(sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", dist, source, cwd=source.parent, timeout=900)
    (built,) = dist.glob("deliberation-*.whl")
    return built


@pytest.fixture(scope="module")
def venv(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("venv")
    _sh(sys.executable, "-m", "venv", root, cwd=root)
    _sh(root / "bin" / "python", "-m", "pip", "install", "-q", "--no-compile", wheel, cwd=root, timeout=2400)
    return root


@pytest.fixture
def user(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """An empty working folder and the environment of a user who set nothing of ours."""
    home = tmp_path / "home"
    home.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DELIBERATION_", "PYTHON", "VIRTUAL_ENV"))}
    env |= {"HOME": str(home), "XDG_DATA_HOME": str(home / "data"), "LITELLM_LOCAL_MODEL_COST_MAP": "True"}
    work = tmp_path / "work"
    work.mkdir()
    return work, env


def test_the_wheel_holds_every_package_file_under_one_namespace(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    assert _expected_files() - names == set()
    assert {name.split("/")[0] for name in names} == {"deliberation", wheel.name.split("-py3")[0] + ".dist-info"}


def test_the_installed_command_works_from_an_empty_folder(venv: Path, user: tuple[Path, dict[str, str]]) -> None:
    work, env = user
    command = venv / "bin" / "deliberation"
    site = Path(_sh(venv / "bin" / "python", "-c", "import deliberation.config as c; print(c.__file__)", cwd=work, env=env)).parent

    listed = _sh(command, "scenarios", cwd=work, env=env)
    assert f"[packaged, {site / 'personas' / 'afghanistan'}]" in listed

    _sh(command, "summit", "--rounds", "1", "--out", "runs", cwd=work, env=env, timeout=1800)
    assert len(list((work / "runs").glob("*.jsonl"))) == 1
    assert (Path(env["XDG_DATA_HOME"]) / "deliberation" / "checkpoints.sqlite").is_file()  # the per-user data dir
    assert not list(site.rglob("*.sqlite")) and not (site / "chroma").exists()  # nothing written into the package

    report = _sh(command, "eval", "transcripts", "runs", "--out", "report", cwd=work, env=env)
    assert "1 transcript(s)" in report and (work / "report" / "eval-report.md").is_file()
    assert "balanced accuracy" in _sh(command, "eval", "validate", cwd=work, env=env)
    (work / "said.jsonl").write_text('{"id": "u1", "persona": "us", "text": "We back Kabul."}\n', encoding="utf-8")
    assert "1 scored" in _sh(command, "eval", "score", "said.jsonl", cwd=work, env=env)


def test_the_installed_server_serves_the_page_and_the_scenarios(venv: Path, user: tuple[Path, dict[str, str]]) -> None:
    work, env = user
    port = free_port()
    server = subprocess.Popen(
        [venv / "bin" / "deliberation", "serve", "--port", str(port)],
        cwd=work, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                page = http_get(f"http://127.0.0.1:{port}/")
                break
            except OSError:
                assert server.poll() is None and time.monotonic() < deadline, "server did not start"
                time.sleep(0.2)
        assert "<html" in page
        assert http_get(f"http://127.0.0.1:{port}/static/app.js") == (REPO / "api" / "static" / "app.js").read_text(encoding="utf-8")
        assert '"id":"afghanistan"' in http_get(f"http://127.0.0.1:{port}/v1/scenarios")
    finally:
        server.terminate()
        _, stderr = server.communicate(timeout=60)
    assert "Traceback" not in stderr
