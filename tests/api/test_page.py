"""The classroom page in a real headless Chromium: a teacher and two students, each in their own browser context.

Skipped when Debian's chromium is missing (.ci/run installs it). axe-core is vendored under tests/api/vendor.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
AXE = Path(__file__).parent / "vendor" / "axe.min.js"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]
PHONE = {"width": 390, "height": 844}
MARKUP = '<img src=x onerror="document.title=\'owned\'"><b>bold</b>'

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed at /usr/bin/chromium")


@pytest.fixture
def server(server_factory: Callable[..., str]) -> str:
    return server_factory(api_keys=[])  # the page creates debates as a loopback client of a server without keys


@pytest.fixture
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            yield launched
        finally:
            launched.close()


def serious_violations(page: Any) -> list[str]:
    """axe-core's serious and critical findings on the page as it is now."""
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => (await axe.run(document, {resultTypes: ['violations']})).violations")
    return [f"{v['id']}: {v['help']} ({v['nodes'][0]['target']})" for v in result if v["impact"] in ("serious", "critical")]


def thread_turns(page: Any, selector: str) -> list[int]:
    return [int(n) for n in page.eval_on_selector_all(f"{selector} > li", "items => items.map(i => i.dataset.turn)")]


def my_turn(page: Any) -> bool:
    return bool(page.locator("#turn-banner.mine").count())


def answer(page: Any, words: str, keyboard: bool) -> None:
    """Answer the mediator: tick 'accept' on every tabled point, then write and send (by keys or by clicks)."""
    from playwright.sync_api import expect

    expect(page.locator("#countdown")).to_have_text(re.compile(r"^\d+:\d\d left before"))
    if keyboard:
        assert page.evaluate("document.activeElement.id") == "message"  # the turn puts the cursor in the answer box
    for radio in page.locator("#point-answers input[value=accept]").all():
        radio.check()
    if keyboard:
        page.focus("#message")
        page.keyboard.type(words)
        expect(page.locator("#count")).to_have_text(f"{len(words)} / 4000 characters")
        page.keyboard.press("Control+Enter")
    else:
        page.fill("#message", words)
        page.click("#send")
    # the answer is recorded in the seat's own channel (the banner may already be back: the AI's turns are quick)
    said = re.search(r"\w+ answer \d+:", words)
    assert said is not None
    expect(page.locator("#my-turns > li", has_text=said.group(0))).to_have_count(1)


def test_a_whole_debate_with_two_students_and_a_teacher(server: str, browser: Any) -> None:
    from playwright.sync_api import expect

    contexts = {name: browser.new_context(bypass_csp=True, **extra)
                for name, extra in (("teacher", {"accept_downloads": True}), ("kabul", {}), ("us", {"viewport": PHONE}))}  # fmt: skip
    teacher = contexts["teacher"].new_page()
    teacher.on("dialog", lambda dialog: dialog.accept())  # "End the talks for everyone?"
    teacher.goto(server)
    assert not serious_violations(teacher)
    teacher.check("input[name=seat][value=kabul]")
    teacher.check("input[name=seat][value=us]")
    teacher.fill("#rounds", "1")
    teacher.fill("#after", "900")
    teacher.click("#create button[type=submit]")
    expect(teacher.locator("#dashboard")).to_be_visible()
    links = {key: teacher.input_value(f"li[data-link={key}] input") for key in ("seat-kabul", "seat-us", "observer")}
    assert all(re.fullmatch(re.escape(server) + r"/#d=[0-9a-f]{32}&t=[\w-]{43}", url) for url in links.values())
    assert "&t=" not in teacher.url  # the teacher's own token never sits in the address bar

    teacher.click("li[data-link=seat-kabul] button:has-text('Show QR')")
    expect(teacher.locator("#qr-dialog svg path")).to_have_attribute("d", re.compile(r"^M\d+ \d+h1v1h-1z"))
    teacher.keyboard.press("Escape")
    expect(teacher.locator("#qr-dialog")).to_be_hidden()

    students = {name: contexts[name].new_page() for name in ("kabul", "us")}
    for name, page in students.items():
        page.on("dialog", lambda dialog: pytest.fail(f"a message opened a dialog: {dialog.message}"))
        page.goto(links[f"seat-{name}"])
        expect(page.locator("#student")).to_be_visible()
        expect(page.locator("#dashboard")).to_be_hidden()
        expect(page.locator("#setup")).to_be_hidden()
        assert "&t=" not in page.url  # the link's token moves into the tab's storage at once
    expect(students["kabul"].locator("#student-title")).to_have_text("You are Government of Afghanistan (Kabul)")
    expect(students["kabul"].locator("#turn-state")).to_have_text("The talks have not started yet.")

    teacher.focus("button[data-control=start]")
    teacher.keyboard.press("Enter")
    said: dict[str, list[str]] = {"kabul": [], "us": []}
    reloaded = False
    deadline = time.monotonic() + 240
    while not teacher.locator("#status", has_text="Ended").count():
        assert time.monotonic() < deadline, f"the debate did not end; teacher sees {teacher.inner_text('#status')}"
        for name, page in students.items():
            if not my_turn(page):
                continue
            count = len(said[name]) + 1
            words = f"{name.capitalize()} answer {count}: we will talk only through the mediator and keep to our positions."
            if name == "us" and count == 1:
                words = f"{MARKUP} {words}"
            answer(page, words, keyboard=name == "kabul")
            said[name].append(words)
        if not reloaded and len(said["kabul"]) >= 2:
            reloaded = True
            resume_after_reload(students["kabul"], "#my-turns")
            resume_after_reload(teacher, ".column[data-party=kabul] ol")
            expect(teacher.locator("li[data-link=seat-us] input")).to_have_value(links["seat-us"])
        time.sleep(0.1)
    assert reloaded and len(said["kabul"]) >= 3 and said["us"]

    check_student_views(students, said)
    check_dashboard(teacher, said)
    check_observer(contexts["teacher"].new_page(), links["observer"])
    check_downloads_and_summary(teacher, said)
    assert not serious_violations(teacher)
    for page in students.values():
        assert not serious_violations(page)


def resume_after_reload(page: Any, thread: str) -> None:
    """A reload rebuilds the thread from the server's backlog and follows on: same turns, none twice, none lost."""
    from playwright.sync_api import expect

    before = thread_turns(page, thread)
    page.reload()
    page.wait_for_function(f"document.querySelectorAll('{thread} > li').length >= {len(before)}", timeout=15_000)
    after = thread_turns(page, thread)
    assert after[: len(before)] == before and len(set(after)) == len(after)
    expect(page.locator("#error")).to_be_hidden()


def check_student_views(students: dict[str, Any], said: dict[str, list[str]]) -> None:
    from playwright.sync_api import expect

    for name, page in students.items():
        turns = page.locator("#my-turns > li")
        assert page.locator("#my-turns > li.from-party").count() == 0  # the barrier, on the page: no other party's words
        expect(page.locator("#my-turns > li.from-self")).to_have_count(len(said[name]))
        for words in said[name]:
            expect(page.locator("#my-turns > li.from-self .content", has_text=words)).to_have_count(1)
        numbers = thread_turns(page, "#my-turns")
        assert numbers == sorted(set(numbers)) and turns.count() == len(numbers)
        expect(page.locator("#turn-state")).to_have_text("The talks have ended.")
    kabul, us = students["kabul"], students["us"]
    colours = [kabul.eval_on_selector(f"#my-turns > li.{kind}", "n => getComputedStyle(n).backgroundColor")
               for kind in ("from-mediator", "from-self")]  # fmt: skip
    assert colours[0] != colours[1]
    assert us.locator("#my-turns img, #my-turns b").count() == 0  # a message's markup is shown as text
    expect(us.locator("#my-turns > li.from-self .content").first).to_contain_text("<img src=x")
    assert us.title() != "owned"
    assert us.evaluate("document.documentElement.scrollWidth <= window.innerWidth")  # no sideways scrolling on a phone
    sources = kabul.locator("#my-turns button:has-text('Sources')").first
    sources.click()
    expect(sources).to_have_attribute("aria-expanded", "true")
    expect(kabul.locator("#my-turns .sources mark").first).to_be_visible()


def check_dashboard(teacher: Any, said: dict[str, list[str]]) -> None:
    from playwright.sync_api import expect

    expect(teacher.locator(".column")).to_have_count(3)
    relayed = teacher.locator(".column[data-party=taliban] li.from-mediator", has_text=said["kabul"][1][-50:])
    expect(relayed.first).to_be_visible()  # what Kabul said reached the Taliban's channel only as the mediator's relay
    numbers = thread_turns(teacher, ".column[data-party=kabul] ol")
    expect(teacher.locator(".column[data-party=kabul] .badge")).to_have_count(len(numbers), timeout=15_000)
    flagged = teacher.locator(".column .badge.bad")
    if flagged.count():
        assert re.search(r"rule \S+, on “", flagged.first.get_attribute("title") or "")
        flagged.first.click()
        expect(teacher.locator(".column .violations:visible").first).to_contain_text("rule")
    cells = teacher.locator("#points tbody tr")
    assert cells.count() > 0
    expect(cells.first.locator("td").first).to_have_text(re.compile("accepts"))  # Kabul's column: the student ticked it
    expect(teacher.locator("button[data-control=start]")).to_be_disabled()


def check_observer(page: Any, link: str) -> None:
    from playwright.sync_api import expect

    page.goto(link)
    expect(page.locator("#observer")).to_be_visible()
    page.wait_for_function("document.querySelectorAll('#public-turns > li').length > 0")
    items = page.locator("#public-turns > li")
    assert items.count() == page.locator("#public-turns > li.from-mediator", has_text="to all parties").count()
    assert not serious_violations(page)


def download_text(page: Any, button: str) -> str:
    with page.expect_download() as event:
        page.click(button)
    return Path(event.value.path()).read_text(encoding="utf-8")


def check_downloads_and_summary(teacher: Any, said: dict[str, list[str]]) -> None:
    from playwright.sync_api import expect

    markdown = download_text(teacher, "#transcript-md")
    assert said["kabul"][0] in markdown and "## Opening" in markdown
    events = [json.loads(line) for line in download_text(teacher, "#transcript-jsonl").splitlines()]
    assert [e["content"] for e in events if e["speaker"] == "kabul" and e["human"]] == said["kabul"]
    assert "| party |" in download_text(teacher, "#report-md")
    report = json.loads(download_text(teacher, "#report-json"))
    assert {p["party"]: p["seat"] for p in report["parties"]} == {"kabul": "human", "taliban": "ai", "us": "human"}
    teacher.click("#summary-buttons button:has-text('Kabul')")
    expect(teacher.locator("#summary")).to_be_visible()
    expect(teacher.locator("#summary-title")).to_be_focused()
    expect(teacher.locator("#summary-turns > li")).to_have_count(len(said["kabul"]))
    expect(teacher.locator("#summary-facts")).to_contain_text("Faithful turns")
    expect(teacher.locator("#summary-answers li").first).to_contain_text(re.compile(r"^\S.*: accept$"))  # the point's text, the answer
    teacher.emulate_media(media="print")
    expect(teacher.locator("#dashboard")).to_be_hidden()  # printing shows the summary alone
    expect(teacher.locator("#summary")).to_be_visible()
    teacher.emulate_media(media="screen")


STRICT_CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; connect-src 'self'; object-src 'none'"


def tab_to(page: Any, selector: str, limit: int = 40) -> None:
    """Press Tab until the element matching `selector` has the focus, as a keyboard user would."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement && document.activeElement.matches(s)", selector):
            return
    pytest.fail(f"Tab never reached {selector}")


def test_set_up_by_keyboard_alone_under_a_strict_csp(server: str, browser: Any) -> None:
    """No inline script or style: the page works with `script-src 'self'`; an operator key goes only to creation."""
    from playwright.sync_api import expect

    def with_csp(route: Any) -> None:
        response = route.fetch()
        route.fulfill(response=response, headers={**response.headers, "content-security-policy": STRICT_CSP})

    context = browser.new_context()
    context.route(re.compile(r".*/(#.*)?$"), with_csp)
    page = context.new_page()
    refused: list[str] = []
    page.on("console", lambda message: refused.append(message.text) if "Content Security Policy" in message.text else None)
    sent: dict[str, str | None] = {}
    page.on("request", lambda request: sent.update({request.url: request.headers.get("authorization")}))
    page.goto(server)
    expect(page.locator("#setup")).to_be_visible()
    page.evaluate("() => { const s = document.createElement('script'); s.textContent = 'window.inline = 1'; document.body.append(s); }")
    assert page.evaluate("window.inline") is None and refused  # the policy is in force: an inline script is refused
    refused.clear()
    tab_to(page, "input[name=seat][value=taliban]")
    page.keyboard.press("Space")
    tab_to(page, "#operator-details summary")
    page.keyboard.press("Enter")
    tab_to(page, "#operator-key")
    page.keyboard.type("operator-key-123")
    tab_to(page, "#create button[type=submit]")
    page.keyboard.press("Enter")
    expect(page.locator("#dashboard")).to_be_visible()
    assert sent[f"{server}/v1/debates"] == "Bearer operator-key-123"
    assert page.evaluate("sessionStorage.getItem('deliberation:operator-key')") == "operator-key-123"
    assert not any("operator-key-123" in url for url in sent)
    tab_to(page, "li[data-link=seat-taliban] button[aria-label^='Show QR']")
    page.keyboard.press("Enter")
    expect(page.locator("#qr-dialog svg path")).to_have_count(1)
    page.keyboard.press("Escape")
    tab_to(page, "button[data-control=start]")
    page.keyboard.press("Enter")
    expect(page.locator(".column[data-party=taliban] li").first).to_be_visible(timeout=20_000)
    assert not refused, refused
