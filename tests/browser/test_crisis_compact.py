"""The compact crisis box in Chromium at 390x844 (issue 10 item 10): for the urgent
depression person (benchmarks/phone.py person b: severe depression, PHQ-9 item 9 above 0, in
the UK) the results page keeps the full crisis box, and the options page opens with the
compact one (first, headed in words, Samaritans and 999 as links a phone can call, every
line one tap away on /help for the UK, a plain link that works without JavaScript), so the
one-screen comparison's last row ends inside the first two screens. Axe (WCAG 2.2 AA) on
the options, plan and summary pages."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from bothand.catalog import Catalog
from tests.browser.conftest import OpenPage, check_axe, screenshot

HEIGHT = 844
PHQ9 = [3, 3, 3, 3, 2, 2, 2, 2, 2]  # benchmarks/phone.py person b: item 9 = 2


def _submit(page: Page) -> None:
    page.locator("main form button[type=submit]").last.click()
    page.wait_for_load_state("load")


def _first_choice_for_the_rest(page: Page) -> None:
    """Any question left (optional or not) answered with its first choice, as the benchmark
    walker does."""
    page.evaluate(
        """() => {
      const names = new Set();
      for (const r of document.querySelectorAll('main form input[type=radio]'))
        if (r.getClientRects().length) names.add(r.name);
      for (const n of names)
        if (!document.querySelector(`main form input[name="${n}"]:checked`))
          document.querySelector(`main form input[name="${n}"]`).checked = true;
    }"""
    )


def _to_the_options(page: Page) -> None:
    page.goto("/concerns")
    page.check("#concern-depression")
    page.check("#locale-en-GB")
    _submit(page)
    assert page.url.endswith("/about"), page.url
    _submit(page)
    assert "/questions/depression" in page.url, page.url
    for number, value in enumerate(PHQ9, start=1):
        page.locator(f'main form input[name="phq9.item{number}"][value="{value}"]').check()
    _first_choice_for_the_rest(page)
    _submit(page)
    assert page.url.endswith("/results"), page.url
    assert page.locator("section.urgent").count() == 1
    assert page.locator("section.urgent-compact").count() == 0  # the full box here
    page.goto("/values")
    for name in ("medication", "therapy"):
        page.locator(f'main form input[name="{name}"][value="open"]').check()
    page.locator('main form input[name="engage"][value="yes"]').check()
    _first_choice_for_the_rest(page)
    _submit(page)
    assert page.url.endswith("/options"), page.url


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_the_urgent_person_sees_the_comparison_inside_two_screens(
    open_page: OpenPage, catalog: Catalog, javascript: bool
) -> None:
    page = open_page(390, HEIGHT, javascript=javascript)
    _to_the_options(page)

    first = page.evaluate("() => document.querySelector('main').firstElementChild.className")
    assert "urgent-compact" in first, first  # crisis help before anything else
    box = page.locator("section.urgent-compact")
    heading = box.get_by_role("heading", level=2)
    assert heading.inner_text() == catalog.labels["flow.urgent.compact_title"]
    assert box.locator('.urgent-top a[href="tel:116123"]').is_visible()
    assert box.locator('.urgent-top a[href="tel:999"]').is_visible()
    assert box.locator('a[href^="tel:988"]').count() == 0  # the UK lines only

    screenshot(page, f"crisis-compact-options-{'js' if javascript else 'nojs'}")
    rows = page.evaluate(
        "() => { const r = document.querySelector('.compare-rows').getBoundingClientRect();"
        " return r.bottom + window.scrollY; }"
    )
    assert rows <= 2 * HEIGHT, f"comparison ends at {rows / HEIGHT:.2f} screens"

    if javascript:
        check_axe(page)

    # Every line is one tap away, without JavaScript too.
    box.locator('a[href="/help?country=en-GB"]').click()
    page.wait_for_load_state("load")
    assert page.locator('main a[href="sms:85258?body=SHOUT"]').is_visible()
    assert page.locator('main a[href="tel:08001111"]').is_visible()

    for path in ("/plan", "/summary"):
        page.goto(path)
        first = page.evaluate("() => document.querySelector('main').firstElementChild.className")
        assert "urgent-compact" in first, (path, first)
        assert page.locator(
            'section.urgent-compact .urgent-top a[href="tel:116123"]'
        ).is_visible(), path
        if javascript:
            check_axe(page)
