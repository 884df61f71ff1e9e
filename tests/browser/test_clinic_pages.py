"""The clinician's pages in a real Chromium, at a phone's width and a laptop's: sign-in,
caseload, add a patient, the patient page, start an episode, enter a PHQ-9 with a positive
item 9 (the crisis box comes first), the invitation link with its QR code, and the account and
admin pages. Zero axe violations (WCAG 2.2 A/AA) on each; nothing from another origin.

The server's data directory is fresh: the clinic and its user are made with the command line
(``bothand clinic create`` / ``user add``), on the same ``BOTHAND_DATA_DIR`` as the server."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from bothand.catalog import Catalog
from tests.browser.conftest import WIDTHS, OpenPage, Seen, check_axe, new_clinician, screenshot

PASSWORD = "browser tests password"
EMAIL = "clinician@browser.example.org"


@pytest.fixture(scope="module")
def clinician(base_url: str, server_log: Path) -> str:
    """A clinic and a user who is both clinician and admin, in the server's own database."""
    data_dir = server_log.parent / "data"
    return new_clinician(data_dir, "Browser Clinic", EMAIL, PASSWORD, "admin")


def check(page: Page) -> None:
    """No axe violations, and the page reflows: nothing wider than the window (WCAG 1.4.10;
    a wide table scrolls inside its own region)."""
    check_axe(page)
    wide = page.evaluate("() => document.documentElement.scrollWidth")
    assert wide <= (page.viewport_size or {"width": 0})["width"], f"{page.url} is {wide} px wide"


@pytest.mark.parametrize("width", WIDTHS)
def test_clinic_pages_walk_through_with_no_axe_violations(
    open_page: OpenPage, seen: Seen, clinician: str, catalog: Catalog, width: int
) -> None:
    label = catalog.labels.__getitem__
    page: Page = open_page(width)
    page.goto("/clinic")
    expect(page).to_have_url(f"{page.url.split('/clinic')[0]}/clinic/sign-in?next=/clinic")
    check(page)
    screenshot(page, "clinic-sign-in")
    page.get_by_label(label("clinic.field.email")).fill(clinician)
    page.get_by_label(label("clinic.field.password")).fill(PASSWORD)
    page.get_by_role("button", name=label("clinic.sign_in.submit")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(label("clinic.caseload.title"))
    check(page)

    page.get_by_role("link", name=label("clinic.nav.add_patient")).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(label("clinic.new_patient.title"))
    check(page)
    page.get_by_label(label("clinic.patient.reference")).fill("   ")  # blank: the server says so
    page.get_by_role("button", name=label("clinic.new_patient.submit")).click()
    expect(page.locator("#f-reference-error")).to_be_visible()
    check(page)
    page.get_by_label(label("clinic.patient.reference")).fill(f"BR-{width}")
    page.get_by_label(label("clinic.patient.zone")).fill("Europe/London")
    page.get_by_role("button", name=label("clinic.new_patient.submit")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"BR-{width}")
    check(page)

    page.get_by_role("button", name=label("clinic.episode.new_submit")).click()
    page.get_by_role("link", name=label("clinic.measure.enter")).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(label("clinic.measure.title"))
    check(page)
    page.locator("#i-phq9").check()
    page.get_by_role("button", name=label("clinic.measure.next")).click()
    expect(page.locator("#phq9-item1-0")).to_be_attached()
    check(page)
    screenshot(page, "clinic-measure-phq9")
    for number in range(1, 9):
        page.locator(f"#phq9-item{number}-0").check()
    page.locator("#phq9-item9-1").check()
    page.get_by_role("button", name=label("clinic.measure.save")).click()
    banner = page.locator("section.urgent")
    expect(banner).to_contain_text(label("clinic.risk.review_today"))
    # the crisis box comes before the page's own heading
    top = page.evaluate(
        "() => [document.querySelector('section.urgent').getBoundingClientRect().top,"
        " document.querySelector('h1').getBoundingClientRect().top]"
    )
    assert top[0] < top[1]
    check(page)
    screenshot(page, "clinic-patient-risk")

    page.get_by_role("button", name=label("clinic.patient.invite")).click()
    expect(page.get_by_role("img", name=label("clinic.link.qr_invite"))).to_be_visible()
    check(page)
    screenshot(page, "clinic-invite")

    page.get_by_role("link", name=label("clinic.nav.caseload")).click()
    expect(page.locator("tr.is-critical").first).to_contain_text(label("clinic.flag.critical"))
    check(page)
    screenshot(page, "clinic-caseload")
    # Sorting is a link in the column's header: no script; the sorted header says so.
    page.get_by_role("link", name=label("clinic.caseload.column.score")).click()
    expect(page.locator('th[aria-sort="descending"]')).to_contain_text(
        label("clinic.caseload.column.score")
    )
    expect(page.locator("tr.is-critical").first).to_contain_text(label("clinic.flag.critical"))
    check(page)

    for url in ("/clinic/users", "/clinic/audit", "/clinic/account/totp", "/clinic/account/tokens"):
        page.goto(url)
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        check(page)
    screenshot(page, "clinic-tokens")

    page.get_by_role("button", name=label("clinic.nav.sign_out")).click()
    expect(page).to_have_url(f"{page.url.split('/clinic')[0]}/clinic/sign-in")
    assert seen.foreign == []
    # the form sent back with errors is a 422 on purpose; Chromium logs any 4xx
    assert [e for e in seen.console_errors if "status of 422" not in e[0]] == []
