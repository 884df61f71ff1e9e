"""The clinic record end to end, in Chromium, against ``bothand serve`` itself on a fresh data
folder: the admin sets the clinic up from the link the server prints, adds a clinician; the
clinician signs in, adds and invites a patient; the patient goes through the decision flow on
a phone and shares it; the clinician sees the episode and enters a score; a check-in with a
positive risk answer shows the person crisis help first and puts the patient at the top of
the caseload with a critical flag. Axe (WCAG 2.2 AA) on every page along the way.

This server is started the way the README starts it (``bothand serve``, which migrates the
SQLite file and prints the setup link), not by the session's shared fixture; and again on a
fresh PostgreSQL database (``BOTHAND_DATABASE_URL``, migrated first with ``bothand db
upgrade``, as a clinic running PostgreSQL does).
"""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
import time
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page

from bothand.catalog import Catalog
from tests.browser.conftest import (
    NARROW,
    WIDE,
    _free_port,
    _healthy,
    _stop,
    check_axe,
    screenshot,
)

PASSWORD = "a long clinic password"
MILD = [1, 1, 1, 1, 1, 1, 0, 0, 0]
RISK = [1, 1, 1, 1, 1, 1, 0, 0, 1]
SETUP = re.compile(r"(http://127\.0\.0\.1:\d+/setup/[A-Za-z0-9_-]+)")


@pytest.fixture(params=["sqlite", "postgresql"])
def served(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, str]]:
    """``bothand serve`` on a free port and an empty database: (base URL, setup link)."""
    folder = tmp_path_factory.mktemp("walk")
    port = _free_port()
    log = folder / "serve.log"
    env = {
        **os.environ,
        "BOTHAND_DATA_DIR": str(folder / "data"),
        "BOTHAND_SECRET_KEY": "walk-" + "w" * 40,
    }
    env.pop("BOTHAND_DATABASE_URL", None)
    if request.param == "postgresql":
        database = request.getfixturevalue("database_url_for_walk")
        env["BOTHAND_DATABASE_URL"] = database
        subprocess.run(
            [sys.executable, "-m", "bothand.cli", "db", "upgrade"],
            env=env,
            check=True,
            capture_output=True,
        )
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "bothand.cli", "serve", "--port", str(port)],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not _healthy(base + "/api/health"):
        if process.poll() is not None:
            break
        time.sleep(0.1)
    text = log.read_text()
    found = SETUP.search(text)
    if found is None or process.poll() is not None:
        _stop(process)
        pytest.fail(f"bothand serve printed no setup link:\n{text[-3000:]}")
    try:
        yield base, found.group(1)
    finally:
        _stop(process)


@pytest.fixture
def database_url_for_walk(postgres_url: str) -> Iterator[str]:
    """A new, empty PostgreSQL database on the test server, dropped afterwards."""
    from sqlalchemy import create_engine, text

    name = f"bothand_walk_{secrets.token_hex(4)}"
    admin = create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f"CREATE DATABASE {name}"))
    try:
        yield postgres_url.rsplit("/", 1)[0] + "/" + name
    finally:
        with admin.connect() as connection:
            connection.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        admin.dispose()


def _page(browser: Browser, base: str, width: int, height: int) -> Page:
    context = browser.new_context(
        base_url=base, viewport={"width": width, "height": height}, locale="en-US"
    )
    context.set_default_timeout(15_000)
    return context.new_page()


def _submit(page: Page, form: str = "main form") -> None:
    page.locator(f"{form} button[type=submit]").last.click()
    page.wait_for_load_state("load")


def _button(page: Page, name: str) -> None:
    page.get_by_role("button", name=name, exact=True).click()
    page.wait_for_load_state("load")


def _answer(page: Page, instrument: str, answers: list[int]) -> None:
    for number, value in enumerate(answers, start=1):
        page.locator(f'main form input[name="{instrument}.item{number}"][value="{value}"]').check()


def _checked(page: Page, name: str) -> None:
    """axe, and a screenshot to look at."""
    check_axe(page)
    screenshot(page, f"walk-{name}")


def test_a_clinic_sets_up_invites_shares_and_measures(
    browser: Browser, served: tuple[str, str], catalog: Catalog
) -> None:
    base, setup_link = served
    t = catalog.labels

    # The admin opens the printed link and sets up the clinic.
    admin = _page(browser, base, WIDE["width"], WIDE["height"])
    admin.goto(setup_link)
    _checked(admin, "setup")
    admin.fill("#f-clinic", "Riverside Clinic")
    admin.fill("#f-email", "admin@riverside.example")
    admin.fill("#f-password", PASSWORD)
    _submit(admin)
    assert admin.url.endswith("/clinic"), admin.url
    admin.goto(setup_link)  # the link worked once
    assert admin.locator('main form[action^="/setup/"]').count() == 0

    # The admin adds a clinician, then signs out.
    admin.goto("/clinic/users")
    _checked(admin, "users")
    admin.fill("#f-email", "sam@riverside.example")
    admin.check("#role-clinician")
    admin.fill("#f-password", PASSWORD)
    _submit(admin, 'main form[action="/clinic/users"]')
    assert "sam@riverside.example" in admin.locator("main").inner_text()
    _button(admin, t["clinic.nav.sign_out"])
    admin.goto("/clinic")
    assert "/clinic/sign-in" in admin.url, admin.url  # the session ended on the server

    # The clinician signs in, adds a patient and makes an invitation link.
    clinician = _page(browser, base, WIDE["width"], WIDE["height"])
    clinician.goto("/clinic")
    assert "/clinic/sign-in" in clinician.url
    _checked(clinician, "sign-in")
    clinician.fill("#f-email", "sam@riverside.example")
    clinician.fill("#f-password", PASSWORD)
    _submit(clinician)
    assert clinician.url.endswith("/clinic"), clinician.url
    _checked(clinician, "caseload-empty")
    clinician.goto("/clinic/patients/new")
    clinician.fill("#f-reference", "RV-0042")
    clinician.fill("#f-timezone", "America/Chicago")
    clinician.select_option("#f-locale", "en-US")
    _submit(clinician)
    assert "/clinic/patients/" in clinician.url, clinician.url
    patient_url = clinician.url
    _checked(clinician, "patient-new")
    _button(clinician, t["clinic.patient.invite"])
    invitation = clinician.locator("#f-link").input_value()
    assert re.fullmatch(re.escape(base) + r"/invite/[A-Za-z0-9_-]{43,}", invitation), invitation
    assert clinician.locator("figure.qr-figure svg").count() == 1
    _checked(clinician, "invitation")

    # The patient, on a phone, goes through the flow and shares it.
    phone = _page(browser, base, NARROW["width"], NARROW["height"])
    phone.goto(invitation)
    _checked(phone, "invited")
    phone.get_by_role("link", name=t["links.invite.start"], exact=True).click()
    phone.wait_for_load_state("load")
    phone.check("#concern-depression")
    phone.check("#locale-en-US")
    _submit(phone)
    _submit(phone)  # about you: left blank
    _answer(phone, "phq9", MILD)
    _submit(phone)
    assert phone.url.endswith("/results"), phone.url
    phone.goto("/values")
    for name in ("medication", "therapy"):
        phone.locator(f'main form input[name="{name}"][value="open"]').check()
    phone.locator('main form input[name="engage"][value="yes"]').check()
    _submit(phone)
    _submit(phone)  # the options, as they are
    phone.locator('main form[action="/plan"] input[name="option"][value="therapy"]').check()
    _submit(phone, 'main form[action="/plan"]')
    share = phone.locator("section.share")
    assert share.is_visible()
    _checked(phone, "share")
    share.get_by_role("button", name=t["links.share.button"]).click()
    phone.wait_for_load_state("load")
    assert phone.locator("h1").inner_text() == t["links.share.done_title"]
    _checked(phone, "shared")

    # The clinician sees the shared episode and enters a score in session.
    clinician.goto(patient_url)
    main = clinician.locator("main").inner_text()
    assert "Talking therapy" in main or "therapy" in main.lower()
    assert clinician.locator("main").get_by_text("PHQ-9").count() >= 1  # the baseline
    _checked(clinician, "patient-episode")
    clinician.get_by_role("link", name=t["clinic.measure.enter"], exact=True).first.click()
    clinician.wait_for_load_state("load")
    clinician.check("#i-phq9")
    _submit(clinician)
    _checked(clinician, "measure")
    _answer(clinician, "phq9", MILD)
    _submit(clinician, "main form.questionnaire")
    assert clinician.url.startswith(patient_url), clinician.url
    scores = clinician.locator("main table").last.inner_text()
    assert scores.count("PHQ-9") >= 2, scores

    # A check-in link; the person answers with a positive risk answer on the phone.
    _button(clinician, t["clinic.check_in.make"])
    check_in = clinician.locator("#f-link").input_value()
    assert "/check-in/" in check_in
    phone.goto(check_in)
    _checked(phone, "check-in")
    _answer(phone, "phq9", RISK)
    _submit(phone)
    first = phone.evaluate("() => document.querySelector('main').firstElementChild.className")
    assert "urgent" in first, first
    assert phone.locator('main section.urgent a[href^="tel:988"]').count() >= 1
    _checked(phone, "check-in-risk")

    # The caseload puts the patient first, with the critical flag.
    clinician.goto("/clinic")
    first_row = clinician.locator("main table tbody tr").first.inner_text()
    assert "RV-0042" in first_row and t["clinic.flag.critical"] in first_row, first_row
    _checked(clinician, "caseload-critical")
