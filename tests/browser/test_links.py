"""The pages of a clinic's links in Chromium at 390x844, against the real server: a check-in
sent with JavaScript off and a positive risk answer opens with crisis help for the patient's
country; the invitation's welcome page, the share box and the share confirmation. Axe (WCAG
2.2 AA) on each page.

The clinic, patient and links are made by running the services on the server's own SQLite
file (``BOTHAND_DATA_DIR``, see ``conftest.py``). They use the computer's clock, as the
server does: a link made on a test clock would be judged by the server on another one."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page

from bothand.catalog import Catalog
from bothand.domain.clock import SystemClock
from bothand.domain.record import Patient
from bothand.storage import Database
from tests.browser.conftest import NARROW, OpenPage, check_axe, screenshot
from tests.record.helpers import PHQ9_RISK, Clinic, case, make_clinic

MILD = [1, 1, 1, 1, 1, 1, 0, 0, 0]


@pytest.fixture
def clinic(base_url: str, server_log: Path, catalog: Catalog) -> Iterator[Clinic]:
    """A clinic in the server's database (``base_url`` first: the server migrates it)."""
    data_dir = server_log.parent / "data"
    database = Database(f"sqlite:///{data_dir / 'bothand.sqlite3'}")
    tag = secrets.token_hex(4)
    try:
        yield make_clinic(catalog, database, SystemClock(), name=f"Clinic {tag}", tag=tag)
    finally:
        database.dispose()


def patient_of(clinic: Clinic, locale: str) -> Patient:
    return clinic.record.add_patient(
        clinic.me, f"R-{secrets.token_hex(3)}", "Europe/London", locale
    )


def main_first_child(page: Page) -> str:
    found: str = page.evaluate(
        "() => { const e = document.querySelector('main').firstElementChild;"
        " return e.tagName + '.' + e.className; }"
    )
    return found


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_a_check_in_with_a_positive_risk_answer_shows_crisis_help_first(
    open_page: OpenPage, clinic: Clinic, catalog: Catalog, javascript: bool
) -> None:
    """With JavaScript off, as it must work; with it on, axe (which needs it) runs too."""
    patient = patient_of(clinic, "en-GB")
    today = dt.datetime.now(dt.UTC).date()
    episode = clinic.record.create_episode(clinic.me, patient.id, case(), "therapy", today)
    link = clinic.record.check_in_link(clinic.me, episode.id)
    page = open_page(NARROW["width"], NARROW["height"], javascript=javascript)
    js = "js" if javascript else "nojs"

    def axe() -> None:
        if javascript:
            check_axe(page)

    page.goto(f"/check-in/{link.token}")
    assert page.locator("h1").inner_text() == catalog.labels["links.check_in.title"]
    assert page.locator("main form fieldset").count() == 9
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= NARROW["width"], width  # no sideways scroll on a phone
    axe()
    screenshot(page, f"links-check-in-{js}")

    # One question left out: the form comes back with the message beside it.
    for number, value in enumerate(PHQ9_RISK[:-1], start=1):
        page.locator(f'main form input[name="phq9.item{number}"][value="{value}"]').check()
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state("load")
    assert page.locator("#phq9-item9-error").is_visible()
    assert page.locator('input[name="phq9.item1"][value="2"]').is_checked()  # answers kept
    axe()

    page.locator('main form input[name="phq9.item9"][value="1"]').check()
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state("load")
    assert main_first_child(page).startswith("SECTION.urgent"), main_first_child(page)
    urgent = page.locator("main section.urgent")
    uk = catalog.crisis.for_locale("en-GB")
    assert uk.urgent_message.split(".")[0] in urgent.inner_text()
    assert urgent.locator('a[href="tel:999"]').count() >= 1
    assert urgent.locator('a[href^="tel:988"]').count() == 0  # the patient's country only
    assert catalog.labels["links.check_in.told"] in page.locator("main").inner_text()
    axe()
    screenshot(page, f"links-check-in-risk-{js}")
    alerts = clinic.record.patient(clinic.me, patient.id).alerts
    assert [a.kind for a in alerts] == ["critical"]


def _submit(page: Page, form: str = "main form") -> None:
    page.locator(f"{form} button[type=submit]").last.click()
    page.wait_for_load_state("load")


def test_an_invitation_welcomes_and_the_share_is_confirmed(
    open_page: OpenPage, clinic: Clinic, catalog: Catalog
) -> None:
    labels = catalog.labels
    patient = patient_of(clinic, "en-US")
    link = clinic.record.invite(clinic.me, patient.id)
    page = open_page(NARROW["width"], NARROW["height"])

    page.goto(f"/invite/{link.token}")
    assert page.locator("h1").inner_text() == labels["links.invite.title"]
    assert labels["links.invite.private"] in page.locator("main").inner_text()
    check_axe(page)
    screenshot(page, "links-invite")

    page.get_by_role("link", name=labels["links.invite.start"], exact=True).click()
    page.wait_for_load_state("load")
    assert page.url.endswith("/concerns"), page.url
    page.check("#concern-depression")
    page.check("#locale-en-US")
    _submit(page)
    _submit(page)  # about you: skipped
    for number, value in enumerate(MILD, start=1):
        page.locator(f'main form input[name="phq9.item{number}"][value="{value}"]').check()
    _submit(page)
    assert page.url.endswith("/results"), page.url
    page.goto("/values")
    for name in ("medication", "therapy"):
        page.locator(f'main form input[name="{name}"][value="open"]').check()
    page.locator('main form input[name="engage"][value="yes"]').check()
    page.locator('main form input[name="matter_skills"][value="3"]').check()
    _submit(page)
    assert page.url.endswith("/options"), page.url
    _submit(page)
    assert page.url.endswith("/plan"), page.url
    page.locator('main form[action="/plan"] input[name="option"][value="therapy"]').check()
    _submit(page, 'main form[action="/plan"]')

    box = page.locator("section.share")
    assert box.is_visible()
    assert "Talking therapy" in box.inner_text() or "therapy" in box.inner_text().lower()
    check_axe(page)
    screenshot(page, "links-share-box")
    assert clinic.record.patient(clinic.me, patient.id).episodes == []  # not until asked

    box.get_by_role("button", name=labels["links.share.button"]).click()
    page.wait_for_load_state("load")
    assert page.locator("h1").inner_text() == labels["links.share.done_title"]
    check_axe(page)
    screenshot(page, "links-shared")
    (episode,) = clinic.record.patient(clinic.me, patient.id).episodes
    assert episode.option == "therapy" and episode.source == "shared"
