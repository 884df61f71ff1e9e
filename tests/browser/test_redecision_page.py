"""A re-decision on the patient page in Chromium: medicine alone started 25 days ago (on the
wall clock the server runs on), and today's PHQ-9 shows no reliable change at "is it
helping?", so the options were decided again. The page shows the finding in words and
numbers, and the decision made again beside the first one on a laptop and below it on a
phone (390 px), with nothing wider than the screen, the rules in a <details> that opens by
keyboard, and zero axe violations (WCAG 2.2 A/AA)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page, expect

from bothand.catalog import Catalog
from tests.browser.conftest import WIDTHS, OpenPage, check_axe, new_clinician, run_cli, screenshot

PASSWORD = "browser tests password"
EMAIL = "redecide@browser.example.org"
PHQ9_12 = [2, 2, 2, 2, 1, 1, 1, 1, 0]
PHQ9_11 = [2, 2, 2, 1, 1, 1, 1, 1, 0]


@pytest.fixture(scope="module")
def patient_page(base_url: str, server_log: Path) -> str:
    """A clinician, and a patient whose medicine-alone plan started 25 days ago, with today's
    score recorded through the API; the patient page's path."""
    data_dir = server_log.parent / "data"
    new_clinician(data_dir, "Redecide Clinic", EMAIL, PASSWORD)
    token = run_cli(data_dir, "token", "create", EMAIL)
    with httpx.Client(base_url=base_url, headers={"Authorization": f"Bearer {token}"}) as api:
        made = api.post("/api/patients", json={"reference": "RD-1", "timezone": "UTC"})
        assert made.status_code == 201, made.text
        patient = made.json()["id"]
        today = dt.datetime.now(dt.UTC).date()
        body = {
            "case": {
                "concerns": [{"condition": "depression", "instrument": "phq9", "answers": PHQ9_12}],
                "preferences": {"medication": "prefer", "therapy": "open"},
            },
            "option": "medication",
            "start": (today - dt.timedelta(days=25)).isoformat(),
        }
        episode = api.post(f"/api/patients/{patient}/episodes", json=body)
        assert episode.status_code == 201, episode.text
        score = {"instrument": "phq9", "answers": PHQ9_11, "taken_on": today.isoformat()}
        recorded = api.post(f"/api/episodes/{episode.json()['id']}/measurements", json=score)
        assert recorded.status_code == 201, recorded.text
        assert "redecision" in recorded.json()
    return f"/clinic/patients/{patient}"


@pytest.mark.parametrize("width", WIDTHS)
def test_the_redecision_shows_beside_the_first_decision(
    open_page: OpenPage, patient_page: str, catalog: Catalog, width: int
) -> None:
    label = catalog.labels.__getitem__
    page: Page = open_page(width)
    page.goto(patient_page)
    page.get_by_label(label("clinic.field.email")).fill(EMAIL)
    page.get_by_label(label("clinic.field.password")).fill(PASSWORD)
    page.get_by_role("button", name=label("clinic.sign_in.submit")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("RD-1")
    expect(page.locator(".finding-words").first).to_contain_text(
        label("finding.no_reliable_change")
    )
    expect(page.locator(".finding-numbers").first).to_contain_text("PHQ-9 12 → 11")
    cards = page.locator(".decisions > .decision")
    expect(cards).to_have_count(2)
    expect(cards.nth(0).get_by_role("heading", level=5)).to_contain_text(label("redecide.first"))
    again = cards.nth(1)
    expect(again.get_by_role("heading", level=5)).to_contain_text(label("redecide.again"))
    expect(again.locator(".fit-moved")).to_contain_text(label("fit.reasonable"))
    first_box, again_box = cards.nth(0).bounding_box(), again.bounding_box()
    assert first_box is not None and again_box is not None
    if width < 600:  # stacked on a phone
        assert again_box["y"] >= first_box["y"] + first_box["height"] - 1
    else:  # side by side
        assert abs(again_box["y"] - first_box["y"]) < 2
        assert again_box["x"] > first_box["x"] + first_box["width"] - 1
    # The trace opens by keyboard.
    summary = again.locator("details.trace > summary")
    summary.focus()
    page.keyboard.press("Enter")
    expect(again.locator("details.trace")).to_have_attribute("open", "")
    expect(again.locator(".trace-list")).to_contain_text("redecide.learned.medicine")
    check_axe(page)
    wide = page.evaluate("() => document.documentElement.scrollWidth")
    assert wide <= width
    screenshot(page, "clinic-redecision")
