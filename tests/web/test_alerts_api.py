"""The alerts API: the caller's inbox, acknowledging and resolving, with their shapes, the
refusals (a 422 naming the field, nothing changed) and the audit events each leaves."""

from __future__ import annotations

from typing import Any

import pytest

from bothand.catalog import Catalog
from bothand.storage import Database
from tests.conftest import MovingClock
from tests.record.helpers import PHQ9_RISK
from tests.web.record_api_helpers import Api, audit_events, last_seq, make_api


@pytest.fixture
def api(catalog: Catalog, database: Database, clock: MovingClock) -> Api:
    return make_api(catalog, database, clock)


def _alert(api: Api, reference: str = "MRN-1") -> tuple[str, str]:
    patient = api.patient(reference)
    episode = api.episode(patient)
    found = api.post(
        f"/api/episodes/{episode}/measurements",
        {"instrument": "phq9", "answers": PHQ9_RISK, "taken_on": "2026-12-01"},
    )
    assert found.status_code == 201, found.text
    [alert] = found.json()["alerts"]
    assert alert["kind"] == "critical" and alert["status"] == "open"
    assert "acknowledged_by" not in alert
    return patient, alert["id"]


def _problem(found: Any, field: str) -> None:
    assert found.status_code == 422, found.text
    assert found.headers["content-type"] == "application/problem+json"
    assert found.json()["field"] == field


def test_the_inbox_acknowledge_and_resolve(api: Api) -> None:
    patient, alert = _alert(api)
    inbox = api.get("/api/alerts?status=open")
    assert inbox.status_code == 200
    [row] = inbox.json()["alerts"]
    assert row["id"] == alert and row["patient"]["id"] == patient
    assert row["patient"]["reference"] == "MRN-1"
    assert set(row) >= {"id", "kind", "status", "raised_at", "reason", "episode"}

    api.clock.advance(minutes=3)
    seen = api.post(f"/api/alerts/{alert}/acknowledge")  # no body: no note
    assert seen.status_code == 200, seen.text
    body = seen.json()
    assert body["status"] == "acknowledged"
    assert body["acknowledged_by"] == api.clinic.clinician.id
    assert body["acknowledged_at"] == "2026-12-01T14:03:00Z"
    assert "acknowledge_note" not in body and "resolved_at" not in body
    assert api.get("/api/alerts?status=open").json() == {"alerts": []}

    done = api.post(f"/api/alerts/{alert}/resolve", {"note": "Called; plan agreed"})
    assert done.status_code == 200, done.text
    assert done.json()["status"] == "resolved"
    assert done.json()["resolve_note"] == "Called; plan agreed"
    assert done.json()["resolved_by"] == api.clinic.clinician.id
    [row] = api.get("/api/alerts").json()["alerts"]
    assert row["status"] == "resolved" and row["acknowledged_at"] == "2026-12-01T14:03:00Z"
    episode_alerts = api.get(f"/api/episodes/{row['episode']}").json()["alerts"]
    assert episode_alerts[0]["resolved_at"] == row["resolved_at"]


def test_refusals_name_the_field_and_change_nothing(api: Api) -> None:
    _, alert = _alert(api)
    _problem(api.post(f"/api/alerts/{alert}/resolve", {"note": "Done"}), "status")
    _problem(api.get("/api/alerts?status=closed"), "status")
    _problem(api.post(f"/api/alerts/{alert}/acknowledge", {"note": "x" * 501}), "note")
    _problem(api.post(f"/api/alerts/{alert}/acknowledge", {"note": 5}), "note")
    _problem(api.post(f"/api/alerts/{alert}/acknowledge", {"nope": 1}), "nope")
    assert [a["status"] for a in api.get("/api/alerts").json()["alerts"]] == ["open"]
    assert api.post(f"/api/alerts/{alert}/acknowledge", {"note": "Seen"}).status_code == 200
    _problem(api.post(f"/api/alerts/{alert}/acknowledge"), "status")
    _problem(api.post(f"/api/alerts/{alert}/resolve", {}), "note")
    _problem(api.post(f"/api/alerts/{alert}/resolve", {"note": "  "}), "note")
    [row] = api.get("/api/alerts").json()["alerts"]
    assert row["status"] == "acknowledged" and row["acknowledge_note"] == "Seen"


def test_each_call_is_audited_without_the_note(api: Api) -> None:
    patient, alert = _alert(api)
    seq = last_seq(api.database)
    api.get("/api/alerts")
    api.post(f"/api/alerts/{alert}/acknowledge", {"note": "Private words"})
    api.post(f"/api/alerts/{alert}/resolve", {"note": "More private words"})
    events = audit_events(api.database, seq)
    assert [(e["action"], e["record_kind"], e["patient_id"]) for e in events] == [
        ("alerts.read", "user", None),
        ("alert.acknowledge", "alert", patient),
        ("alert.resolve", "alert", patient),
    ]
    assert all(e["actor"].startswith("token:") for e in events)
    assert "Private" not in repr(audit_events(api.database))


def test_follow_up_alerts_through_the_api(api: Api) -> None:
    """A score that rises reliably answers with a deterioration alert (kind, reason,
    subject); the inbox lists every kind, critical first; the episode shows them too."""
    patient = api.patient()
    episode = api.episode(patient)  # baseline PHQ-9 of 10 on 2026-12-01
    worse = [3, 3, 2, 2, 2, 2, 2, 2, 0]  # 18: 8 points up, item 9 answered 0
    api.clock.advance(minutes=1)  # recorded after the baseline, on the same day
    found = api.post(
        f"/api/episodes/{episode}/measurements",
        {"instrument": "phq9", "answers": worse, "taken_on": "2026-12-01"},
    )
    assert found.status_code == 201, found.text
    [alert] = found.json()["alerts"]
    assert (alert["kind"], alert["reason"], alert["subject"]) == (
        "deterioration",
        "reliable_deterioration",
        "phq9/1",
    )
    assert found.json()["progress"][0]["reliable_deterioration"] is True
    again = api.post(
        f"/api/episodes/{episode}/measurements",
        {"instrument": "phq9", "answers": worse, "taken_on": "2026-12-01"},
    )
    assert again.json()["alerts"] == []  # one open already
    api.clock.advance(minutes=1)
    risk = api.post(
        f"/api/episodes/{episode}/measurements",
        {"instrument": "phq9", "answers": PHQ9_RISK, "taken_on": "2026-12-01"},
    )
    assert [a["kind"] for a in risk.json()["alerts"]] == ["critical"]
    assert risk.json()["alerts"][0]["subject"] is None
    inbox = api.get("/api/alerts?status=open").json()["alerts"]
    assert [(a["kind"], a["subject"]) for a in inbox] == [
        ("critical", None),
        ("deterioration", "phq9/1"),
    ]  # critical first although raised later
    record = api.get(f"/api/episodes/{episode}").json()
    assert {a["subject"] for a in record["alerts"]} == {None, "phq9/1"}
