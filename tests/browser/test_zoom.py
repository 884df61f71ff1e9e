"""WCAG 1.4.4 / 1.4.10: readable at 200% zoom. A 1280 px window at 200% zoom lays pages out in
640 CSS px (at twice the pixel density), so each page is opened that way — the stateless
pages, and every step of the flow with a filled state — and must not scroll sideways, must
keep the help link visible, and must keep body text at least the browser's default size."""

from __future__ import annotations

import pytest
from itsdangerous import URLSafeTimedSerializer
from playwright.sync_api import Browser

from tests.browser.test_pages import PAGES

ZOOMED = {"width": 640, "height": 400}
SECRET = "browser-tests-" + "k" * 40  # the key tests/browser/conftest.py starts the app with
STATE = {
    "csrf": "zoom-test",
    "locale": "en-GB",
    "concerns": ["depression", "bipolar"],
    "answers": {"depression": [2, 2, 1, 2, 1, 1, 1, 1, 1]},
    "instruments": {"depression": "phq9"},
    "severity": {"bipolar": "moderate"},
    "results_seen": True,
    "values": {"speed": 3, "daily_pill": 2},
    "leaning": "unsure",
    "preferences": {"medication": "prefer_to_avoid", "therapy": "open"},
    "engage": True,
    "sure_before": {"sure": "no", "understand": "yes", "risks": "no", "support": "yes"},
}
FLOW = [
    "/about",
    "/questions/depression",
    "/questions/bipolar",
    "/results",
    "/values",
    "/options",
    "/plan",
    "/summary",
]


def _check(browser: Browser, base_url: str, path: str, with_state: bool) -> None:
    context = browser.new_context(base_url=base_url, viewport=ZOOMED, device_scale_factor=2)
    try:
        if with_state:
            cookie = URLSafeTimedSerializer(SECRET, salt="bothand.flow").dumps(STATE)
            context.add_cookies([{"name": "bothand_flow", "value": cookie, "url": base_url}])
        page = context.new_page()
        page.goto(path)
        assert page.url.endswith(path), f"{path} redirected to {page.url}"
        width = page.evaluate("document.scrollingElement.scrollWidth")
        assert width <= ZOOMED["width"], f"{path}: {width} px wide at 200% zoom"
        assert page.locator("a.help-now").is_visible()
        size = page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
        assert size >= 16, f"{path}: body text {size} px"
    finally:
        context.close()


@pytest.mark.parametrize("path", [p for p, status in PAGES if status == 200])
def test_stateless_pages_read_at_200_percent_zoom(
    browser: Browser, base_url: str, path: str
) -> None:
    _check(browser, base_url, path, with_state=False)


@pytest.mark.parametrize("path", FLOW)
def test_flow_pages_read_at_200_percent_zoom(browser: Browser, base_url: str, path: str) -> None:
    _check(browser, base_url, path, with_state=True)
