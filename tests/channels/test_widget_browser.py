"""The chat widget in a real browser: Debian's Chromium driven by Playwright.

The demo page at ``/`` embeds the widget with one script tag; these tests use
it as a patient would (mouse, keyboard only, a phone-sized screen), check it
with axe-core, and save screenshots under ``.carebot/screenshots/``.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from playwright.async_api import Browser, Page, WebSocketRoute, async_playwright, expect

from bot.config import ROOT

pytestmark = pytest.mark.slow
CHROMIUM = Path("/usr/bin/chromium")
AXE = ROOT / ".carebot" / "axe.min.js"  # linked by `scripts/setup.py browser`
SCREENSHOTS = ROOT / ".carebot" / "screenshots"
ANSWER_MS = 60_000  # a knowledge answer from the test model, with room for a busy machine
# without the networking flags Chromium keeps dialling out of this offline machine
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.fixture(scope="session")
async def browser() -> AsyncIterator[Browser]:
    with tempfile.TemporaryDirectory(prefix="carebot-chromium-") as home:
        os.environ.setdefault("XDG_CONFIG_HOME", f"{home}/config")
        os.environ.setdefault("XDG_CACHE_HOME", f"{home}/cache")
        async with async_playwright() as playwright:
            launched = await playwright.chromium.launch(
                executable_path=str(CHROMIUM), args=CHROMIUM_ARGS
            )
            yield launched
            await launched.close()


@pytest.fixture
async def page(browser: Browser, gateway: str) -> AsyncIterator[Page]:
    context = await browser.new_context(viewport={"width": 1280, "height": 800})
    page = await context.new_page()
    await page.goto(gateway + "/")
    yield page
    await context.close()


async def open_chat(page: Page) -> None:
    await page.get_by_role("button", name="Chat with us").click()
    await expect(page.get_by_label("Your message")).to_be_focused()


async def send(page: Page, text: str) -> None:
    box = page.get_by_label("Your message")
    await box.fill(text)
    await box.press("Enter")


def bot_messages(page: Page):  # type: ignore[no-untyped-def]
    return page.locator(".cb-log .cb-bot, .cb-log .cb-urgent")


async def test_a_scripted_exchange_with_quick_replies(page: Page) -> None:
    await open_chat(page)
    await send(page, "what time does the OPD open?")
    await expect(bot_messages(page).last).to_contain_text("9:00 am")
    log = page.get_by_role("log")
    await expect(log).to_have_attribute("aria-live", "polite")
    # a quick reply sends its payload and is then disabled
    quick = page.locator(".cb-quick button").first
    await quick.click()
    await expect(quick).to_be_disabled()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(SCREENSHOTS / "widget-scripted.png"))


async def test_an_emergency_is_set_apart_with_a_tel_link(page: Page) -> None:
    await open_chat(page)
    await send(page, "my father has crushing chest pain and is sweating")
    urgent = page.locator(".cb-urgent").last
    await expect(urgent).to_contain_text("112")
    await expect(urgent.get_by_role("link", name="Call 112 now")).to_have_attribute(
        "href", "tel:112"
    )
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(SCREENSHOTS / "widget-emergency.png"))


async def test_a_knowledge_answer_streams_in_behind_a_typing_indicator(page: Page) -> None:
    frames: list[str] = []
    page.on("websocket", lambda ws: ws.on("framereceived", lambda f: frames.append(str(f))))
    await open_chat(page)
    await send(page, "what should I eat or drink when I have dengue?")
    answer = bot_messages(page).last
    await expect(answer).to_contain_text("Source:", timeout=ANSWER_MS)
    assert any('"type": "sentence"' in f for f in frames), "the answer was not streamed"
    await expect(page.locator(".cb-typing")).to_be_hidden()


async def test_a_reload_resumes_the_conversation_and_the_pending_answer(page: Page) -> None:
    await open_chat(page)
    await send(page, "what time does the OPD open?")
    await expect(bot_messages(page).last).to_contain_text("9:00 am")
    await send(page, "how should I give ORS to a child with diarrhoea?")
    await page.wait_for_function("localStorage.getItem('carebot-pending-job') !== null")
    await page.reload()  # mid-answer: the connection drops with the page
    await expect(page.get_by_role("log")).to_contain_text("what time does the OPD open?")
    await expect(bot_messages(page).last).to_contain_text("Source:", timeout=ANSWER_MS)
    await send(page, "visiting hours?")
    await expect(bot_messages(page).last).to_contain_text("visiting", ignore_case=True)


async def test_it_works_on_a_phone_sized_screen(browser: Browser, gateway: str) -> None:
    context = await browser.new_context(viewport={"width": 360, "height": 640}, is_mobile=True)
    page = await context.new_page()
    await page.goto(gateway + "/")
    await open_chat(page)
    box = await page.locator(".cb-panel").bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 360
    await send(page, "what time does the OPD open?")
    await expect(bot_messages(page).last).to_contain_text("9:00 am")
    await expect(page.get_by_role("button", name="Send")).to_be_in_viewport()
    scroll_width = await page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= 360, "the page scrolls sideways on a phone"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(SCREENSHOTS / "widget-phone.png"))
    await context.close()


async def test_keyboard_alone_opens_talks_and_closes(page: Page) -> None:
    launcher = page.get_by_role("button", name="Chat with us")
    for _ in range(10):  # Tab from the top of the page to the launcher
        await page.keyboard.press("Tab")
        if await launcher.evaluate("el => el === document.activeElement"):
            break
    await expect(launcher).to_be_focused()
    await page.keyboard.press("Enter")
    await expect(page.get_by_label("Your message")).to_be_focused()
    await page.keyboard.type("where is the hospital?")
    await page.keyboard.press("Enter")
    await expect(bot_messages(page).last).to_contain_text("Lakeview")
    await page.keyboard.press("Tab")  # the Send button, then "Talk to a person"
    await page.keyboard.press("Tab")
    await expect(page.get_by_role("button", name="Talk to a person")).to_be_focused()
    await page.keyboard.press("Escape")
    await expect(page.locator(".cb-panel")).to_be_hidden()
    await expect(launcher).to_be_focused()


async def test_the_widget_has_no_serious_accessibility_violations(page: Page) -> None:
    await open_chat(page)
    await send(page, "my father has crushing chest pain and is sweating")
    await expect(page.locator(".cb-urgent").last).to_contain_text("112")
    await send(page, "what time does the OPD open?")
    await expect(bot_messages(page).last).to_contain_text("9:00 am")
    await page.add_script_tag(path=str(AXE))
    result = await page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
        ".map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.length}))"
    )
    serious = [v for v in result if v["impact"] in ("serious", "critical")]
    assert serious == [], serious


async def test_a_dropped_connection_reconnects_by_itself(page: Page) -> None:
    # every widget socket passes through Playwright, which can drop it like a bad network
    routes: list[WebSocketRoute] = []

    def through(ws: WebSocketRoute) -> None:
        ws.connect_to_server()
        routes.append(ws)

    await page.route_web_socket("**/channels/web/ws*", through)
    await open_chat(page)
    await send(page, "what time does the OPD open?")
    await expect(bot_messages(page).last).to_contain_text("9:00 am")
    await routes[-1].close(code=1001, reason="network dropped")
    await expect(page.locator(".cb-status")).to_contain_text("Reconnecting")
    await expect(page.locator(".cb-status")).to_be_empty(timeout=20_000)
    assert len(routes) >= 2, "the widget did not open a new connection"
    await send(page, "visiting hours?")
    await expect(bot_messages(page).last).to_contain_text("visiting", ignore_case=True)
    # the conversation was resumed, not restarted
    await expect(page.get_by_role("log")).to_contain_text("what time does the OPD open?")
