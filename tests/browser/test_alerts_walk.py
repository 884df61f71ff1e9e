"""Alerts in a real Chromium, at a phone's width and a laptop's: a clinician signs in after a
positive risk answer and finds the critical alert first on the page, above the navigation;
follows it to the inbox, acknowledges it (the banner is gone), then resolves it with a note
from the patient's page; a later score far above the first raises a deterioration alert,
listed in words without the red banner. Zero axe violations (WCAG 2.2 A/AA) at every step."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from bothand.catalog import Catalog
from tests.browser.conftest import WIDTHS, OpenPage, Seen, new_clinician, screenshot
from tests.browser.test_clinic_pages import PASSWORD, check

EMAIL = "alerts@browser.example.org"


@pytest.fixture(scope="module")
def clinician(base_url: str, server_log: Path) -> str:
    """A clinic of its own and a clinician, in the server's own database."""
    return new_clinician(server_log.parent / "data", "Alerts Clinic", EMAIL, PASSWORD)


def _risk_answer(page: Page, say: Callable[[str], str], reference: str) -> None:
    """A new patient, an episode, and a PHQ-9 with item 9 above 0, through the pages."""
    page.get_by_role("link", name=say("clinic.nav.add_patient")).first.click()
    page.get_by_label(say("clinic.patient.reference")).fill(reference)
    page.get_by_label(say("clinic.patient.zone")).fill("Europe/London")
    page.get_by_role("button", name=say("clinic.new_patient.submit")).click()
    page.get_by_role("button", name=say("clinic.episode.new_submit")).click()
    page.get_by_role("link", name=say("clinic.measure.enter")).first.click()
    page.locator("#i-phq9").check()
    page.get_by_role("button", name=say("clinic.measure.next")).click()
    for number in range(1, 9):
        page.locator(f"#phq9-item{number}-0").check()
    page.locator("#phq9-item9-1").check()
    page.get_by_role("button", name=say("clinic.measure.save")).click()
    expect(page.locator("section.urgent")).to_be_visible()


@pytest.mark.parametrize("width", WIDTHS)
def test_the_critical_alert_comes_first_until_acknowledged(
    open_page: OpenPage, seen: Seen, clinician: str, catalog: Catalog, width: int
) -> None:
    label = catalog.labels.__getitem__
    page: Page = open_page(width)
    page.goto("/clinic")
    page.get_by_label(label("clinic.field.email")).fill(clinician)
    page.get_by_label(label("clinic.field.password")).fill(PASSWORD)
    page.get_by_role("button", name=label("clinic.sign_in.submit")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(label("clinic.caseload.title"))
    expect(page.locator(".critical-banner")).to_have_count(0)
    reference = f"AL-{width}"
    _risk_answer(page, label, reference)

    # Signed in again later: the alert is the first thing on every page.
    page.goto("/clinic")
    banner = page.locator(".critical-banner")
    expect(banner).to_contain_text(f"1 {label('clinic.alerts.banner_one')}")
    order = page.evaluate(
        "() => ['.critical-banner', '.clinic-nav', 'main'].map("
        "s => document.querySelector(s).getBoundingClientRect().top)"
    )
    assert order == sorted(order) and order[0] < order[1]
    first_link = page.evaluate(
        "() => [...document.querySelectorAll('body a')]"
        ".filter(a => !a.matches('.skip, header.site a'))[0].getAttribute('href')"
    )
    assert first_link == "/clinic/alerts"  # the first link after the site's own header
    check(page)
    screenshot(page, "clinic-critical-banner")

    banner.get_by_role("link", name=label("clinic.alerts.review_now")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(label("clinic.alerts.title"))
    card = page.locator("article.alert-card", has_text=reference)
    expect(card).to_contain_text(label("clinic.alerts.reason.risk_answer"))
    check(page)
    screenshot(page, "clinic-alerts-inbox")
    card.get_by_label(label("clinic.alerts.ack_note")).fill("Calling them now")
    card.get_by_role("button", name=label("clinic.alerts.acknowledge")).click()
    expect(page.get_by_role("status")).to_have_text(label("clinic.alerts.saved"))
    expect(page.locator(".critical-banner")).to_have_count(0)
    card = page.locator("article.alert-card", has_text=reference)
    expect(card).to_contain_text(clinician)
    check(page)

    card.get_by_role("link", name=reference).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(reference)
    expect(page.locator(".critical-banner")).to_have_count(0)
    note = page.get_by_label(label("clinic.alerts.resolve_note"))
    note.fill("Safety plan agreed by phone")
    page.get_by_role("button", name=label("clinic.alerts.resolve")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(reference)
    expect(page.get_by_role("button", name=label("clinic.alerts.resolve"))).to_have_count(0)
    check(page)
    page.goto("/clinic/alerts?status=resolved")
    expect(page.locator("article.alert-card", has_text=reference)).to_contain_text(
        "Safety plan agreed by phone"
    )
    check(page)

    # A later PHQ-9 far above the first (1, then 16): a deterioration alert, counted in the
    # navigation and listed in the inbox in words, with no red banner.
    page.goto("/clinic")
    page.get_by_role("link", name=reference).first.click()
    page.get_by_role("link", name=label("clinic.measure.enter")).first.click()
    page.locator("#i-phq9").check()
    page.get_by_role("button", name=label("clinic.measure.next")).click()
    for number in range(1, 9):
        page.locator(f"#phq9-item{number}-2").check()
    page.locator("#phq9-item9-0").check()
    page.get_by_role("button", name=label("clinic.measure.save")).click()
    page.goto("/clinic/alerts")
    expect(page.locator(".critical-banner")).to_have_count(0)
    card = page.locator("article.alert-card", has_text=reference)
    expect(card).to_contain_text(label("clinic.alerts.kind.deterioration"))
    expect(card).to_contain_text(label("clinic.alerts.reason.reliable_deterioration"))
    expect(card).to_contain_text(label("clinic.alerts.about"))
    check(page)
    screenshot(page, "clinic-alerts-deterioration")

    page.get_by_role("button", name=label("clinic.nav.sign_out")).click()
    assert seen.foreign == []
    assert seen.console_errors == []
