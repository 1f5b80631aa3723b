"""The review page in a real headless Chromium: open a drafted scenario, see its evidence, edit and drop, save."""

from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
import yaml
from deliberation.api.main import create_app

from deliberation.config import Settings
from tests.factories import REPO

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]  # fmt: skip

pytestmark = [
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed at /usr/bin/chromium"),
    pytest.mark.filterwarnings("ignore:Items? .* using the `ReadOnly` qualifier:UserWarning"),
]


@pytest.fixture
def own(drafted_root: Path, tmp_path: Path) -> Path:
    shutil.copytree(drafted_root / "colorado-river-1922", tmp_path / "mine" / "colorado-river-1922")
    return tmp_path / "mine"


@pytest.fixture
def server(own: Path, tmp_path: Path) -> Iterator[str]:
    settings = Settings(data_dir=tmp_path / "data", scenarios_dir=own, prompts_dir=REPO / "prompts", embedding="lexical")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    running = uvicorn.Server(uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=running.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not running.started:
        assert time.monotonic() < deadline and thread.is_alive(), "uvicorn did not start"
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}"
    running.should_exit = True
    thread.join(10)


def test_review_edit_drop_and_save(server: str, own: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    folder = own / "colorado-river-1922"
    arizona = yaml.safe_load((folder / "arizona.yaml").read_text(encoding="utf-8"))
    first, second = arizona["positions"][0], arizona["positions"][1]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            page = browser.new_page()
            page.goto(f"{server}/review")
            expect(page.locator("#scenario option")).to_have_count(1)
            page.click("#open")
            expect(page.locator("#title")).to_contain_text("colorado-river-1922")
            quote = first["evidence"][0]["quote"]
            expect(page.locator("#source mark", has_text=quote)).to_have_count(1)  # the evidence, highlighted in the source
            card = page.locator(f".position[data-id='{first['id']}']")
            card.locator(".statement").fill("We insist on our own share first.")
            expect(card.locator("input[value=edit]")).to_be_checked()
            page.locator(f".position[data-id='{second['id']}'] input[value=drop]").check()
            page.click("#save")
            expect(page.locator("#problems li.ok")).to_have_count(1)
        finally:
            browser.close()
    saved = yaml.safe_load((folder / "arizona.yaml").read_text(encoding="utf-8"))
    ids = [p["id"] for p in saved["positions"]]
    assert second["id"] not in ids and saved["positions"][0]["statement"] == "We insist on our own share first."
