"""The patient page with a dated plan in Chromium: each milestone's review-point status shows
in words beside a shape, with zero axe violations (WCAG 2.2 A/AA) at both widths. The server
runs on the wall clock, so the plan starts 20 days before today: its day-0 baseline and the
therapy start are overdue, the each-session scores are done (the answers given today), the
later points are coming up."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page, expect

from bothand.catalog import Catalog
from tests.browser.conftest import WIDTHS, OpenPage, check_axe, new_clinician, run_cli, screenshot
from tests.record.helpers import case

PASSWORD = "browser tests password"
EMAIL = "reviews@browser.example.org"


@pytest.fixture(scope="module")
def patient_page(base_url: str, server_log: Path) -> str:
    """A clinician, and a patient with a therapy plan that started 20 days ago (made through
    the API); the patient page's path."""
    data_dir = server_log.parent / "data"
    new_clinician(data_dir, "Review Clinic", EMAIL, PASSWORD)
    token = run_cli(data_dir, "token", "create", EMAIL)
    with httpx.Client(base_url=base_url, headers={"Authorization": f"Bearer {token}"}) as api:
        made = api.post("/api/patients", json={"reference": "RV-1", "timezone": "UTC"})
        assert made.status_code == 201, made.text
        patient = made.json()["id"]
        start = (dt.datetime.now(dt.UTC).date() - dt.timedelta(days=20)).isoformat()
        body = {"case": case(), "option": "therapy", "start": start}
        episode = api.post(f"/api/patients/{patient}/episodes", json=body)
        assert episode.status_code == 201, episode.text
    return f"/clinic/patients/{patient}"


@pytest.mark.parametrize("width", WIDTHS)
def test_review_point_statuses_show_with_no_axe_violations(
    open_page: OpenPage, patient_page: str, catalog: Catalog, width: int
) -> None:
    label = catalog.labels.__getitem__
    page: Page = open_page(width)
    page.goto(patient_page)
    page.get_by_label(label("clinic.field.email")).fill(EMAIL)
    page.get_by_label(label("clinic.field.password")).fill(PASSWORD)
    page.get_by_role("button", name=label("clinic.sign_in.submit")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("RV-1")
    plan = page.locator("ol.milestones")
    for status in ("overdue", "done", "upcoming"):
        expect(plan.locator(f".review-{status}").first).to_contain_text(
            label(f"clinic.review.{status}")
        )
    check_axe(page)
    wide = page.evaluate("() => document.documentElement.scrollWidth")
    assert wide <= width
    screenshot(page, "clinic-review-points")
