"""The trajectory charts of the patient page in Chromium at a phone's width: a clinician opens
a patient with twelve weeks of PHQ-9 and GAD-7 scores, finds one chart per instrument, moves
by Tab alone to the control under the PHQ-9 chart, opens it with Enter (the GAD-7 one with
Space) and reads the rows of the table; zero axe violations with the tables open or shut, and
nothing wider than the screen.

The server runs on the wall clock, and a score cannot be dated before its episode began, so
the record is written in this process on the server's own SQLite file with a clock that
starts twelve weeks ago and moves forward (the episode's first PHQ-9 is its baseline)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from bothand.catalog import Catalog
from bothand.storage import Database
from tests.browser.conftest import NARROW, OpenPage, check_axe, screenshot
from tests.conftest import MovingClock
from tests.record.helpers import PASSWORD, case, make_clinic
from tests.web.test_trajectory_page import gad7, phq9

PHQ9_TOTALS = [19, 17, 16, 12, 10, 8, 6]  # every two weeks
GAD7_TOTALS = [15, 13, 9, 8, 7]


@pytest.fixture(scope="module")
def patient_page(base_url: str, server_log: Path, catalog: Catalog) -> tuple[str, str]:
    """(the patient page's path, the clinician's email)."""
    data_dir = server_log.parent / "data"
    database = Database(f"sqlite:///{(data_dir / 'bothand.sqlite3').as_posix()}")
    today = dt.datetime.now(dt.UTC).date()
    start = today - dt.timedelta(days=14 * (len(PHQ9_TOTALS) - 1))
    clock = MovingClock(dt.datetime.combine(start, dt.time(9), tzinfo=dt.UTC))
    clinic = make_clinic(catalog, database, clock, "Chart Clinic", "chart")
    patient = clinic.record.add_patient(clinic.me, "TR-7", "UTC", "en-GB")
    episode = clinic.record.create_episode(
        clinic.me, patient.id, case(phq9(PHQ9_TOTALS[0])), "therapy", start
    )
    clock.at = dt.datetime.combine(today, dt.time(0, 1), tzinfo=dt.UTC)
    for n, total in enumerate(PHQ9_TOTALS[1:], start=1):
        on = start + dt.timedelta(days=14 * n)
        clinic.record.record(clinic.me, episode.id, "phq9", phq9(total), on)
    for n, total in enumerate(GAD7_TOTALS):
        on = start + dt.timedelta(days=3 + 20 * n)
        clinic.record.record(clinic.me, episode.id, "gad7", gad7(total), on)
    database.dispose()
    return f"/clinic/patients/{patient.id}", clinic.clinician.email


def tab_to(page: Page, name: str, limit: int = 80) -> None:
    """Press Tab until the focused element's text is ``name``."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement?.textContent?.trim()") == name:
            return
    pytest.fail(f"Tab never reached {name!r}")


def test_charts_and_their_tables_by_keyboard_with_no_axe_violations(
    open_page: OpenPage, patient_page: tuple[str, str], catalog: Catalog
) -> None:
    path, email = patient_page
    label = catalog.labels.__getitem__
    page: Page = open_page(NARROW["width"], NARROW["height"])
    page.goto(path)
    page.get_by_label(label("clinic.field.email")).fill(email)
    page.get_by_label(label("clinic.field.password")).fill(PASSWORD)
    page.get_by_role("button", name=label("clinic.sign_in.submit")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("TR-7")

    after = label("clinic.chart.title_after")
    phq_chart = page.get_by_role("img", name=f"PHQ-9 {after}")
    expect(phq_chart).to_be_visible()
    expect(page.get_by_role("img", name=f"GAD-7 {after}")).to_be_visible()
    description = phq_chart.get_attribute("aria-describedby") or ""
    expect(page.locator(f"[id='{description}']")).to_contain_text("PHQ-9 from 19 on")
    box = phq_chart.bounding_box()
    assert box is not None and box["width"] <= NARROW["width"]
    check_axe(page)
    assert page.evaluate("() => document.documentElement.scrollWidth") <= NARROW["width"]

    show = label("clinic.chart.show_table")
    table = page.get_by_role("table", name=f"PHQ-9 {after}")
    expect(table).to_be_hidden()
    tab_to(page, f"{show} (PHQ-9)")
    page.keyboard.press("Enter")
    expect(table).to_be_visible()
    rows = table.locator("tbody tr")
    expect(rows).to_have_count(len(PHQ9_TOTALS))
    first = rows.nth(0).locator("th, td").all_inner_texts()
    last = rows.nth(len(PHQ9_TOTALS) - 1).locator("th, td").all_inner_texts()
    assert first[1:] == ["19", "Moderately severe", label("clinic.chart.first")]
    assert last[1:] == ["6", "Mild", "\u221213 (\u221268%)"]
    points = page.get_by_role("table", name=label("clinic.chart.points")).first
    expect(points).to_be_visible()
    expect(points.locator("tbody tr").first).to_contain_text(label("clinic.review.done"))

    gad_table = page.get_by_role("table", name=f"GAD-7 {after}")
    tab_to(page, f"{show} (GAD-7)")
    page.keyboard.press("Space")
    expect(gad_table).to_be_visible()
    expect(gad_table.locator("tbody tr")).to_have_count(len(GAD7_TOTALS))
    check_axe(page)
    assert page.evaluate("() => document.documentElement.scrollWidth") <= NARROW["width"]
    # The whole page, and the first chart and its open table close up, for a person to see.
    folder = screenshot(page, "clinic-trajectory").parent
    page.locator("figure.trajectory").first.screenshot(path=str(folder / "trajectory-chart.png"))
    page.locator("details.chart-table").first.screenshot(path=str(folder / "trajectory-table.png"))
