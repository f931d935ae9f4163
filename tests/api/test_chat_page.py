"""The chat page in a real headless Chromium (Debian's ``chromium``, driven by Playwright).

Ask a question, see the streamed answer and a citation chip, click the chip, see the letter with
the quoted span highlighted; also the key prompt, the "not found" state, feedback, filters, the
new-conversation button, and a narrow screen. Screenshots go to ``test-artifacts/``.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.api.conftest import (
    PORTSMOUTH_PRIORITY,
    PRIORITY_QUOTE_START,
    READ_KEY,
    ROOT,
    RunningServer,
)

pytestmark = pytest.mark.slow

CHROMIUM = Path(os.environ.get("REPORTQA_CHROMIUM", "/usr/bin/chromium"))
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 "--disable-dev-shm-usage"]

if not CHROMIUM.is_file():
    pytest.skip(f"{CHROMIUM} is missing: install Debian's chromium (`make browser`, as root) to "
                "run the browser tests", allow_module_level=True)

sync_api = pytest.importorskip("playwright.sync_api",
                               reason="the playwright package is missing (pip install -e .[test])")
sync_api.expect.set_options(timeout=60_000)  # answers take seconds on a slow CI machine


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def page(browser: object) -> Iterator[object]:
    context = browser.new_context(viewport={"width": 1280, "height": 800})  # type: ignore[attr-defined]
    page = context.new_page()
    page.set_default_timeout(60_000)
    try:
        yield page
    finally:
        context.close()


def enter_key(page: object) -> None:
    """The page asks for the key (the server has keys); type it in."""
    dialog = page.locator("#key-dialog")  # type: ignore[attr-defined]
    sync_api.expect(dialog).to_be_visible()
    page.fill("#key-input", READ_KEY)  # type: ignore[attr-defined]
    page.click("#key-save")  # type: ignore[attr-defined]
    sync_api.expect(page.locator("#filter-council option")).to_have_count(4)  # type: ignore[attr-defined]


def ask(page: object, question: str) -> object:
    """Type a question, press Enter, wait for the finished answer; returns its bubble."""
    answers = page.locator(".message.answer")  # type: ignore[attr-defined]
    before = answers.count()
    box = page.locator("#question")  # type: ignore[attr-defined]
    box.fill(question)
    box.press("Enter")
    bubble = answers.nth(before)
    sync_api.expect(bubble).to_have_attribute("data-state", "done")
    return bubble


def test_ask_click_chip_and_see_the_highlighted_quote(server: RunningServer,
                                                      page: object) -> None:
    page.goto(server.url + "/")  # type: ignore[attr-defined]
    enter_key(page)
    councils = page.locator("#filter-council option").all_inner_texts()  # type: ignore[attr-defined]
    assert "Portsmouth City Council" in councils and "Leeds City Council" in councils
    years = page.locator("#filter-year option").all_inner_texts()  # type: ignore[attr-defined]
    assert {"2009", "2010", "2011"} <= set(years)

    bubble = ask(page, PORTSMOUTH_PRIORITY)
    assert page.locator(".message.user").first.inner_text() == PORTSMOUTH_PRIORITY  # type: ignore[attr-defined]
    assert PRIORITY_QUOTE_START[:30] in bubble.inner_text()  # type: ignore[attr-defined]
    chip = bubble.locator(".answer-text .chip").first  # type: ignore[attr-defined]
    sync_api.expect(chip).to_be_visible()
    assert "Portsmouth" in (chip.get_attribute("aria-label") or "")
    assert page.evaluate("document.activeElement.id") == "question"  # type: ignore[attr-defined]

    chip.click()
    mark = page.locator("#letter-panel mark")  # type: ignore[attr-defined]
    sync_api.expect(mark).to_be_visible()
    assert mark.inner_text().startswith(PRIORITY_QUOTE_START)
    sync_api.expect(page.locator("#panel-title")).to_have_text("Portsmouth City Council")  # type: ignore[attr-defined]
    sync_api.expect(page.locator("#panel-title")).to_be_focused()  # type: ignore[attr-defined]
    assert mark.evaluate("m => { const r = m.getBoundingClientRect(); const p = "
                         "m.closest('.letter-text').getBoundingClientRect(); "
                         "return r.top >= p.top && r.bottom <= p.bottom; }")
    assert "Dear Mr Wooster" in page.locator("#panel-text").inner_text()  # type: ignore[attr-defined]
    assert page.locator("#panel-warning").is_hidden()  # type: ignore[attr-defined]

    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "chat-page.png"))  # type: ignore[attr-defined]

    page.keyboard.press("Escape")  # type: ignore[attr-defined]
    sync_api.expect(page.locator("#letter-panel")).to_be_hidden()  # type: ignore[attr-defined]
    sync_api.expect(chip).to_be_focused()

    # follow-up in the same conversation, then feedback
    follow = ask(page, "And what about its strengths?")
    assert "Strengths" in follow.inner_text() or "strength" in follow.inner_text().lower()  # type: ignore[attr-defined]
    assert follow.locator(".answer-text .chip").count() >= 1  # type: ignore[attr-defined]
    follow.locator("button[data-rating=up]").click()  # type: ignore[attr-defined]
    sync_api.expect(follow.locator(".feedback-note")).to_have_text("Thanks for the feedback.")  # type: ignore[attr-defined]
    sync_api.expect(follow.locator("button[data-rating=up]")).to_have_attribute(  # type: ignore[attr-defined]
        "aria-pressed", "true")


def test_not_found_state_filters_and_new_conversation(server: RunningServer,
                                                      page: object) -> None:
    page.goto(server.url + "/")  # type: ignore[attr-defined]
    enter_key(page)
    bubble = ask(page, "What did the letter to Barnsley say about supervision in 2010?")
    sync_api.expect(bubble.locator(".not-found")).to_have_text("Not found in the letters")  # type: ignore[attr-defined]
    assert "abstained" in (bubble.get_attribute("class") or "")  # type: ignore[attr-defined]
    assert bubble.locator(".chip").count() == 0  # type: ignore[attr-defined]

    page.select_option("#filter-council", "Leeds City Council")  # type: ignore[attr-defined]
    leeds = ask(page, "Who signed the letter?")
    assert "Peter Green" in leeds.inner_text()  # type: ignore[attr-defined]

    page.click("#new-conversation")  # type: ignore[attr-defined]
    sync_api.expect(page.locator(".message")).to_have_count(0)  # type: ignore[attr-defined]
    sync_api.expect(page.locator("#question")).to_be_focused()  # type: ignore[attr-defined]


def test_shift_enter_adds_a_line_and_narrow_screen_shows_the_letter_full_width(
        server: RunningServer, browser: object) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 780})  # type: ignore[attr-defined]
    page = context.new_page()
    page.set_default_timeout(60_000)
    try:
        page.goto(server.url + "/")
        enter_key(page)
        box = page.locator("#question")
        box.fill("first line")
        box.press("Shift+Enter")
        box.type("second line")
        assert box.input_value() == "first line\nsecond line"
        assert page.locator(".message").count() == 0
        box.fill("")
        bubble = ask(page, PORTSMOUTH_PRIORITY)
        bubble.locator(".chip").first.click()
        panel = page.locator("#letter-panel")
        sync_api.expect(page.locator("#letter-panel mark")).to_be_visible()
        width = panel.evaluate("p => p.getBoundingClientRect().width")
        assert width >= 380
        scroll_width = page.evaluate("document.documentElement.scrollWidth")
        assert scroll_width <= 390, "the page scrolls sideways on a narrow screen"
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "chat-page-narrow.png"))
        page.click("#panel-close")
        sync_api.expect(panel).to_be_hidden()
    finally:
        context.close()


def test_link_with_a_letter_and_span_opens_it_highlighted(server: RunningServer,
                                                          page: object) -> None:
    page.goto(server.url + "/")  # type: ignore[attr-defined]
    enter_key(page)
    letter = page.evaluate(  # type: ignore[attr-defined]
        "async (key) => (await (await fetch('/documents', {headers: {Authorization: "
        "'Bearer ' + key}})).json()).documents.find(d => d.authority.startsWith('Leeds'))",
        READ_KEY)
    page.goto(f"{server.url}/#letter={letter['document_id']}&start=0&end=6")  # type: ignore[attr-defined]
    mark = page.locator("#letter-panel mark")  # type: ignore[attr-defined]
    sync_api.expect(mark).to_have_text("Ofsted")
