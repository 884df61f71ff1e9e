"""The risk screen (the NIMH ASQ at /safety), the risk status and /help in a real Chromium:
axe (WCAG 2.2 AA) at phone and laptop widths (axe needs JavaScript; the same pages are also
walked with it off); question 5 shown
after a "yes" (CSS only); crisis help first after a "yes"; /help's country from the
browser's language, both countries when unknown, and the switch as plain links."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page

from bothand.catalog import Catalog
from tests.browser.conftest import WIDTHS, OpenPage, check_axe

ACUITY = "#asq-item5-0"


def _submit(page: Page) -> None:
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_load_state("load")


def _to_the_asq(page: Page, condition: str = "panic", country: str = "en-GB") -> None:
    """Through the flow as a person would: concerns and country, about you (skipped), the
    rating of a concern with no questionnaire here; then the ASQ page."""
    page.goto("/concerns")
    page.check(f"#concern-{condition}")
    page.check(f"#locale-{country}")
    _submit(page)
    assert page.url.endswith("/about")
    _submit(page)
    page.check("#severity-moderate")
    _submit(page)
    assert page.url.endswith("/safety"), page.url


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
@pytest.mark.parametrize("width", WIDTHS)
def test_the_asq_page_and_the_results_pass_axe(
    open_page: OpenPage, catalog: Catalog, width: int, javascript: bool
) -> None:
    page = open_page(width, javascript=javascript)
    _to_the_asq(page)
    assert page.locator("h1").count() == 1
    if javascript:  # axe runs as a script in the page
        check_axe(page)
    for number in range(1, 5):
        page.check(f"#asq-item{number}-0")
    _submit(page)
    assert page.url.endswith("/results")
    status = page.locator("#risk-status")
    assert catalog.labels["flow.risk.asked"] in " ".join(status.inner_text().split())
    assert "no risk" not in status.inner_text().lower()
    if javascript:
        check_axe(page)


def test_question_5_appears_after_a_yes_and_crisis_help_comes_first(
    open_page: OpenPage, catalog: Catalog
) -> None:
    page = open_page(390)
    _to_the_asq(page)
    assert not page.locator(ACUITY).is_visible()  # asked only after a "yes"
    page.check("#asq-item1-0")
    assert not page.locator(ACUITY).is_visible()
    page.check("#asq-item2-1")
    assert page.locator(ACUITY).is_visible()
    page.check("#asq-item3-0")
    page.check("#asq-item4-0")
    _submit(page)  # question 5 left out: asked again, with crisis help first
    assert page.url.endswith("/safety")
    urgent = page.locator("section.urgent")
    assert urgent.is_visible() and "Samaritans" in urgent.inner_text()
    first = page.evaluate(
        "() => document.querySelector('main').querySelector('section.urgent, h1').tagName"
    )
    assert first == "SECTION"
    check_axe(page)
    page.check("#asq-item5-0")
    _submit(page)
    assert page.url.endswith("/results")
    assert page.locator("section.urgent").is_visible()
    check_axe(page)


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize(
    ("language", "shown", "hidden"),
    [
        ("en-GB", ["Samaritans"], ["988"]),
        ("en-US", ["988"], ["Samaritans"]),
        ("de-DE", ["988", "Samaritans"], []),
    ],
)
def test_help_picks_the_country_from_the_language_and_passes_axe(
    browser: Browser,
    base_url: str,
    width: int,
    language: str,
    shown: list[str],
    hidden: list[str],
) -> None:
    context = browser.new_context(
        base_url=base_url,
        viewport={"width": width, "height": 844 if width < 600 else 800},
        locale=language.split(",")[0],  # the browser's own language: its Accept-Language
    )
    page = context.new_page()
    page.goto("/help")
    lines = " ".join(page.locator("main section").all_inner_texts())  # the lines, not the switch
    assert all(word in lines for word in shown)
    assert not [word for word in hidden if word in lines]
    check_axe(page)
    context.close()


def test_help_switch_works_without_javascript(open_page: OpenPage) -> None:
    page = open_page(390, javascript=False)  # its browser language is en-US
    page.goto("/help")
    assert "Samaritans" not in " ".join(page.locator("main section").all_inner_texts())
    page.locator(".country-switch a[href='/help?country=en-GB']").click()
    page.wait_for_url("**/help?country=en-GB")
    assert "Samaritans" in page.locator("main").inner_text()
    page.locator(".country-switch a[href='/help?country=en-US']").click()
    page.wait_for_url("**/help?country=en-US")
    lines = " ".join(page.locator("main section").all_inner_texts())
    assert "988" in lines and "Samaritans" not in lines
    assert page.locator(".country-switch a[aria-current=page]").inner_text() == "United States"
