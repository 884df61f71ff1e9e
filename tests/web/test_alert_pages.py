"""The alert pages (routes/clinic.py) on the real app and each test database: an open critical
alert heads every clinician page until it is acknowledged; the inbox lists open alerts first;
acknowledge and resolve forms (CSRF, a note) on the inbox and the patient page; errors beside
the note; another clinic's alert is a 404."""

from __future__ import annotations

import datetime as dt

import pytest
from fastapi.testclient import TestClient

from bothand.catalog import Catalog
from bothand.storage import Database
from tests.conftest import MovingClock
from tests.record.helpers import PHQ9_RISK, case, make_clinic
from tests.web.test_clinic_pages import MAX_PAGE_BYTES, World, _app, _patient_with_episode

PAGES = ("/clinic", "/clinic/alerts", "/clinic/patients/new", "/clinic/account/totp")


@pytest.fixture(name="world")
def _world(catalog: Catalog, database: Database, clock: MovingClock) -> World:
    """As test_clinic_pages' ``world``: North and South, a client of the real app."""
    north = make_clinic(catalog, database, clock, "North", "n")
    south = make_clinic(catalog, database, clock, "South", "s")
    app = _app(catalog, clock, database)
    return World(app, TestClient(app), north, south, clock)


def _alert_id(world: World, clinic: str = "north", status: str = "open") -> str:
    owner = getattr(world, clinic)
    [(alert, _)] = owner.record.alerts(owner.me, status)
    return alert.id


def test_an_open_critical_alert_heads_every_page_until_acknowledged(
    world: World, catalog: Catalog
) -> None:
    north = world.north
    patient_id, _ = _patient_with_episode(north, "MRN-RISK", PHQ9_RISK)
    _patient_with_episode(north, "MRN-CALM")
    csrf = world.signed_in(north.clinician.email)
    banner = catalog.labels["clinic.alerts.banner_one"]
    for path in (*PAGES, f"/clinic/patients/{patient_id}"):
        page = world.client.get(path)
        assert page.status_code == 200, path
        assert len(page.content) < MAX_PAGE_BYTES
        text = page.text
        assert f"1 {banner}" in text, path
        assert (
            text.index("critical-banner") < text.index('class="clinic-nav"') < text.index("<main")
        )
        assert f"{catalog.labels['clinic.nav.alerts']} (1)" in text
    inbox = world.client.get("/clinic/alerts").text
    assert "MRN-RISK" in inbox and "MRN-CALM" not in inbox
    assert catalog.labels["clinic.alerts.reason.risk_answer"] in inbox
    assert f'href="/clinic/patients/{patient_id}"' in inbox

    alert_id = _alert_id(world)
    done = world.client.post(
        f"/clinic/alerts/{alert_id}/acknowledge",
        data={"csrf": csrf, "note": "Calling now", "back": "/clinic/alerts"},
        follow_redirects=False,
    )
    assert done.status_code == 303 and done.headers["location"].startswith("/clinic/alerts")
    for path in PAGES:
        assert banner not in world.client.get(path).text, path
    inbox = world.client.get("/clinic/alerts").text
    assert catalog.labels["clinic.alerts.status.acknowledged"] in inbox
    assert north.clinician.email in inbox and "Calling now" in inbox
    assert f"{catalog.labels['clinic.nav.alerts']} (0)" in inbox
    # The crisis lines stay on the patient's page until the alert is resolved.
    assert (
        catalog.labels["clinic.risk.title"]
        in world.client.get(f"/clinic/patients/{patient_id}").text
    )


def test_the_inbox_lists_open_before_acknowledged(world: World, catalog: Catalog) -> None:
    north = world.north
    _patient_with_episode(north, "MRN-FIRST", PHQ9_RISK)
    first = _alert_id(world)
    north.record.acknowledge(north.me, first)
    world.clock.advance(minutes=1)
    _patient_with_episode(north, "MRN-SECOND", PHQ9_RISK)
    world.signed_in(north.clinician.email)
    inbox = world.client.get("/clinic/alerts").text
    assert inbox.index("MRN-SECOND") < inbox.index("MRN-FIRST")
    assert inbox.index('id="group-open"') < inbox.index('id="group-acknowledged"')
    north.record.resolve(north.me, first, "Done")
    assert "MRN-FIRST" not in world.client.get("/clinic/alerts").text
    assert "MRN-FIRST" in world.client.get("/clinic/alerts?status=resolved").text


def test_resolve_from_the_patient_page_needs_a_note(world: World, catalog: Catalog) -> None:
    north = world.north
    patient_id, _ = _patient_with_episode(north, "MRN-RISK", PHQ9_RISK)
    csrf = world.signed_in(north.clinician.email)
    page = world.client.get(f"/clinic/patients/{patient_id}").text
    alert_id = _alert_id(world)
    assert f'action="/clinic/alerts/{alert_id}/acknowledge"' in page
    back = f"/clinic/patients/{patient_id}"
    early = world.client.post(
        f"/clinic/alerts/{alert_id}/resolve", data={"csrf": csrf, "note": "x", "back": back}
    )
    assert early.status_code == 422
    assert f'id="note-{alert_id}-error"' in early.text  # beside the note of that alert's form
    seen = world.client.post(
        f"/clinic/alerts/{alert_id}/acknowledge",
        data={"csrf": csrf, "back": back},
        follow_redirects=False,
    )
    assert seen.status_code == 303 and seen.headers["location"] == back
    page = world.client.get(back).text
    assert f'action="/clinic/alerts/{alert_id}/resolve"' in page
    bare = world.client.post(
        f"/clinic/alerts/{alert_id}/resolve", data={"csrf": csrf, "note": " ", "back": back}
    )
    assert bare.status_code == 422 and 'aria-invalid="true"' in bare.text
    resolved = world.client.post(
        f"/clinic/alerts/{alert_id}/resolve",
        data={"csrf": csrf, "note": "Safety plan agreed", "back": back},
        follow_redirects=False,
    )
    assert resolved.status_code == 303
    page = world.client.get(back).text
    assert f"/clinic/alerts/{alert_id}/" not in page  # no form left
    assert catalog.labels["clinic.risk.title"] not in page
    [(alert, _)] = north.record.alerts(north.me, "resolved")
    assert alert.resolve_note == "Safety plan agreed"


def test_forms_need_csrf_and_foreign_alerts_are_404(world: World) -> None:
    north, south = world.north, world.south
    _patient_with_episode(north, "MRN-N", PHQ9_RISK)
    _patient_with_episode(south, "MRN-S", PHQ9_RISK)
    mine, theirs = _alert_id(world), _alert_id(world, "south")
    csrf = world.signed_in(north.clinician.email)
    refused = world.client.post(f"/clinic/alerts/{mine}/acknowledge", data={"note": "x"})
    assert refused.status_code == 403
    for alert_id in (theirs, "0" * 32, "x" * 300):
        for action in ("acknowledge", "resolve"):
            found = world.client.post(
                f"/clinic/alerts/{alert_id}/{action}", data={"csrf": csrf, "note": "x"}
            )
            assert found.status_code == 404, (alert_id, action)
    assert "MRN-S" not in world.client.get("/clinic/alerts").text
    assert south.record.alerts(south.me, "open") and north.record.alerts(north.me, "open")


def test_an_admin_sees_no_banner_and_a_note_on_the_inbox(world: World, catalog: Catalog) -> None:
    north = world.north
    _patient_with_episode(north, "MRN-RISK", PHQ9_RISK)
    world.signed_in(north.admin.email)
    page = world.client.get("/clinic/alerts")
    assert page.status_code == 200
    assert catalog.labels["clinic.alerts.not_clinician"] in page.text
    assert "critical-banner" not in page.text and "MRN-RISK" not in page.text


def test_a_long_inbox_shows_the_first_fifty_and_says_so(world: World, catalog: Catalog) -> None:
    north = world.north
    for number in range(53):
        _patient_with_episode(north, f"MRN-{number:03d}", PHQ9_RISK)
    world.signed_in(north.clinician.email)
    page = world.client.get("/clinic/alerts")
    assert len(page.content) < MAX_PAGE_BYTES
    assert page.text.count('class="card alert-card') == 50
    assert f"{catalog.labels['clinic.alerts.more_after']} 3" in page.text
    assert "53 " + catalog.labels["clinic.alerts.banner_many"] in page.text


def test_follow_up_alerts_in_words_below_critical_ones(
    world: World, catalog: Catalog, clock: MovingClock
) -> None:
    """A deterioration alert is counted in the navigation but not in the red banner; the
    inbox gives its reason in words and what it is about, below any critical alert."""
    north = world.north
    patient = north.record.add_patient(north.me, "MRN-WORSE", "Europe/London")
    episode = north.record.create_episode(
        north.me, patient.id, case([1, 1, 1, 1, 1, 1, 1, 1, 0]), "medication", clock.today()
    )
    clock.advance(minutes=1)  # recorded after the baseline, on the same day
    north.record.record(north.me, episode.id, "phq9", [3, 3, 2, 2, 2, 2, 2, 0, 0], clock.today())
    world.signed_in(north.clinician.email)
    page = world.client.get("/clinic/alerts").text
    assert "critical-banner" not in page
    assert f"{catalog.labels['clinic.nav.alerts']} (1)" in page
    assert catalog.labels["clinic.alerts.reason.reliable_deterioration"] in page
    assert catalog.labels["clinic.alerts.kind.deterioration"] in page
    assert f"<dt>{catalog.labels['clinic.alerts.about']}</dt><dd>PHQ-9</dd>" in page
    _patient_with_episode(north, "MRN-RISK", PHQ9_RISK)
    page = world.client.get("/clinic/alerts").text
    assert "critical-banner" in page
    assert page.index("MRN-RISK") < page.index("MRN-WORSE")
    patient_page = world.client.get(f"/clinic/patients/{patient.id}").text
    assert catalog.labels["clinic.alerts.reason.reliable_deterioration"] in patient_page
    # Time-based alerts come from the sweep: the latest missed questionnaire, by its title.
    clock.advance(days=40)
    raised = north.record.sweep()
    assert [a.reason for a in raised] == ["review_point_missed"]
    world.signed_in(north.clinician.email)  # the session ended while the days went by
    page = world.client.get("/clinic/alerts").text
    assert catalog.labels["clinic.alerts.reason.review_point_missed"] in page
    title = catalog.timeline.short_titles[raised[0].subject or ""]
    assert f"<dt>{catalog.labels['clinic.alerts.about']}</dt><dd>{title}</dd>" in page
    assert len(page.encode()) < MAX_PAGE_BYTES


def test_a_due_taper_talk_shows_the_plans_words_on_the_patient_page(
    world: World, catalog: Catalog, clock: MovingClock
) -> None:
    """Six months into remission, once the plan's window has come, the sweep raises the
    continue / taper / stop talk and the patient page shows the plan's words for it: lower
    slowly, with the prescriber, and keep the skills from therapy."""
    north = world.north
    begun = clock.today()
    patient = north.record.add_patient(north.me, "MRN-WELL", "Europe/London")
    episode = north.record.create_episode(
        north.me, patient.id, case([2, 2, 2, 2, 2, 2, 2, 0, 0]), "medication", begun
    )
    for day in (30, 60, 200):
        clock.advance(days=day - (clock.today() - begun).days)
        north.record.record(
            north.me, episode.id, "phq9", [1, 1, 0, 0, 0, 0, 0, 0, 0], clock.today()
        )
    [talk] = [m for m in episode.plan["milestones"] if m["kind"] == "continue_taper_stop"]  # type: ignore[index]
    words = talk["text"]
    assert "bit by bit" in words and "Skills from therapy" in words
    world.signed_in(north.clinician.email)
    assert words not in world.client.get(f"/clinic/patients/{patient.id}").text
    clock.advance(days=(dt.date.fromisoformat(talk["date_from"]) - clock.today()).days)
    assert [a.subject for a in north.record.sweep() if a.kind == "review_due"] == [
        "milestone.continue_taper_stop/talk"
    ]
    world.signed_in(north.clinician.email)
    page = world.client.get(f"/clinic/patients/{patient.id}").text
    assert words in page
    assert catalog.labels["clinic.alerts.reason.talk_continue_taper_stop"] in page
