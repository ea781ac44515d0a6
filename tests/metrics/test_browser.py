"""The dashboard page in headless Chromium: figures by data-testid, breached flags, live refresh.

The page's requests are routed by Playwright into the Sanic app's ASGI interface, so
no port is opened; the browser runs the page's real JS and the vendored Chart.js.
"""
from __future__ import annotations

import shutil
import time
import warnings

import pytest

from tests.metrics.conftest import bot, paused, save_conversations, save_ratings, user
from tests.metrics.test_web import LOGGED_IN, client

pytestmark = pytest.mark.anyio
CHROMIUM = shutil.which("chromium")


async def _open(c, path: str, headers: dict):
    from playwright.async_api import async_playwright
    pw = await async_playwright().start()
    browser = await pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
    context = await browser.new_context(extra_http_headers=headers, viewport={"width": 1280, "height": 1000})
    errors: list = []

    async def forward(route):
        request = route.request
        url = request.url.replace("http://shop.test", "")
        answer = await c.request(request.method, url, headers=await request.all_headers())
        await route.fulfill(status=answer.status_code, headers=dict(answer.headers), body=answer.content)

    await context.route("http://shop.test/**", forward)
    page = await context.new_page()
    page.on("pageerror", lambda e: errors.append(str(e)))
    first = await page.goto(f"http://shop.test{path}")
    return pw, browser, page, first, errors


@pytest.mark.skipif(CHROMIUM is None, reason="Debian chromium is installed by scripts/install_system.sh")
async def test_dashboard_shows_figures_flags_breaches_and_refreshes(tmp_path):
    from playwright.async_api import expect
    now = time.time()
    tracker_db = tmp_path / "tracker.db"
    tracker = save_conversations(tracker_db, {
        "miniprogram:o1": [user(now - 600, "快递到哪了", "track_logistics"), bot(now - 596)],          # bot 4 s
        "app:1": [user(now - 500, "转人工", "request_human"), bot(now - 499, "正在转接"), paused(now - 498),
                  bot(now - 448, "您好", agent="li")],                                                   # bot 1, human 50
    })
    shop = save_ratings(tmp_path / "shop.db", [("app:1", "app", 5, now - 400, "li")])
    async with client(tracker, shop, prefix="/wb", poll_seconds=1) as c:
        pw, browser, page, first, errors = await _open(c, "/wb/dashboard", LOGGED_IN)
        try:
            assert first.status == 200
            await page.wait_for_selector("body[data-loaded=true]", timeout=15000)
            bot_box, human_box = page.get_by_test_id("avg-response-bot"), page.get_by_test_id("avg-response-human")
            assert await page.get_by_test_id("avg-response-bot-value").text_content() == "2.5 s"
            assert await bot_box.get_attribute("data-state") == "ok"
            assert await page.get_by_test_id("avg-response-human-value").text_content() == "50.0 s"
            assert await human_box.get_attribute("data-state") == "breached"
            assert "breached" in (await human_box.get_attribute("class")).split()
            assert "breached" in await page.get_by_test_id("avg-response-human-status").text_content()
            assert await page.get_by_test_id("satisfaction-value").text_content() == "5.00 ★"
            assert await page.get_by_test_id("first-contact-resolution-value").text_content() == "100.0%"
            assert await page.locator("#channels-table tbody tr").count() == 2
            assert await page.evaluate("typeof window.Chart") == "function"
            assert await page.locator("canvas#chart-response").evaluate("c => c.width > 0")

            # a slow human reply arrives: the page picks it up on its own
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                save_conversations(tracker_db, {"social:9": [user(now - 300, "在吗", "greet"), paused(now - 299),
                                                            bot(now - 150, "来了", agent="wang")]})
            # (the page's CSP forbids eval, so no wait_for_function; expect polls from outside)
            await expect(page.get_by_test_id("avg-response-human-value")).to_have_text("100.0 s", timeout=10000)
            assert await page.get_by_test_id("avg-response-human-samples").text_content() == "样本 samples: 2"
            assert errors == []
        finally:
            await browser.close()
            await pw.stop()


@pytest.mark.skipif(CHROMIUM is None, reason="Debian chromium is installed by scripts/install_system.sh")
async def test_the_browser_is_refused_without_a_login(tmp_path):
    tracker = save_conversations(tmp_path / "tracker.db", {})
    async with client(tracker, tracker) as c:
        pw, browser, page, first, _ = await _open(c, "/workbench/dashboard", {})
        try:
            assert first.status == 401
            assert await page.locator("[data-testid=avg-response-bot]").count() == 0
        finally:
            await browser.close()
            await pw.stop()
