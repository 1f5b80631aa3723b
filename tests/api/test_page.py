"""The classroom page in a real headless Chromium: create, join, post, see the mediator relay it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]
WORDS = "Kabul will talk to anyone who renounces violence, through the mediator."

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed at /usr/bin/chromium")


def test_create_join_post_and_see_the_relay(server_factory: Callable[..., str]) -> None:
    from playwright.sync_api import expect, sync_playwright

    server = server_factory(api_keys=[])  # the page creates debates as a loopback client of a server without keys

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            teacher, seat = browser.new_page(), browser.new_page()
            teacher.goto(server)
            teacher.locator("input[name=seat][value=kabul]").check()
            teacher.fill("#rounds", "1")
            teacher.click("#create button[type=submit]")
            expect(teacher.locator("#debate-id")).not_to_be_empty()
            debate_id = teacher.inner_text("#debate-id")
            token = teacher.inner_text("li[data-seat=kabul] code")

            seat.goto(server)
            seat.fill("#join-id", debate_id)
            seat.fill("#join-token", token)
            seat.click("#join button[type=submit]")
            expect(seat.locator("#post")).to_be_visible()
            expect(seat.locator("#teacher")).to_be_hidden()

            teacher.click("button[data-control=start]")
            for words in ("Kabul opens in good faith.", WORDS):
                expect(seat.locator("#send")).to_be_enabled(timeout=20_000)
                seat.fill("#message", words)
                seat.click("#send")
                expect(seat.locator("#turns")).to_contain_text(words)

            relay = teacher.locator("#turns li", has_text="mediator → taliban").filter(has_text=WORDS)
            expect(relay).to_have_count(1, timeout=20_000)
            expect(seat.locator("#turns li", has_text="→ taliban")).to_have_count(0)  # the barrier, on the page
        finally:
            browser.close()
