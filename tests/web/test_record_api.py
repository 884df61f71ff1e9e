"""The clinic record's JSON API (DESIGN.md, "Track contract"), through the real app on each
test database (SQLite and PostgreSQL): each endpoint's happy path and the shapes it returns,
bad input per field (a 422 naming it, nothing written), the audit rows each route writes,
and the token's user (revoked token, admin-only user)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from pydantic import TypeAdapter

from bothand.catalog import Catalog
from bothand.contract.record import (
    Caseload,
    CheckInLink,
    EpisodeCreated,
    EpisodeRecord,
    MeasurementRecorded,
    PatientSummary,
)
from bothand.settings import Settings
from bothand.storage import Database
from tests.conftest import MovingClock
from tests.record.helpers import PHQ9_MODERATE, PHQ9_RISK, case
from tests.web.record_api_helpers import Api, make_api

UTC_MOMENT = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z")
HEX_ID = re.compile(r"[0-9a-f]{32}")


@pytest.fixture
def api(catalog: Catalog, database: Database, clock: MovingClock) -> Api:
    return make_api(catalog, database, clock)


def _valid(model: Any, data: Any) -> None:
    """The body matches its documented contract shape exactly (no key missing or extra)."""
    TypeAdapter(model).validate_python(data, strict=True)


# --- happy paths --------------------------------------------------------------------------


def test_a_patient_is_created_and_shown_without_their_email(api: Api) -> None:
    made = api.post(
        "/api/patients",
        {
            "reference": "  MRN   42 ",
            "timezone": "America/New_York",
            "locale": "en",
            "email": "person@example.org",
            "display_name": "Sam",
        },
    )
    assert made.status_code == 201
    body = made.json()
    _valid(PatientSummary, body)
    assert HEX_ID.fullmatch(body["id"])
    assert body["reference"] == "MRN 42"
    assert body["timezone"] == "America/New_York"
    assert body["display_name"] == "Sam"
    assert body["created_at"] == "2026-12-01T14:00:00Z"
    assert "person@example.org" not in made.text


def test_the_caseload_lists_the_callers_patients_with_their_latest_score(api: Api) -> None:
    assert api.get("/api/patients").json() == {"patients": []}
    first = api.patient("MRN-B")
    second = api.patient("MRN-A")
    api.episode(first, {"case": case(PHQ9_RISK), "option": None})
    found = api.get("/api/patients")
    assert found.status_code == 200
    body = found.json()
    _valid(Caseload, body)
    assert [row["patient"]["id"] for row in body["patients"]] == [second, first]  # by reference
    latest = body["patients"][1]["latest"]
    assert latest["instrument"] == "phq9"
    assert latest["total"] == sum(PHQ9_RISK)
    assert latest["risk_positive"] is True
    assert latest["taken_on"] == "2026-12-01"
    assert body["patients"][1]["open_critical_alerts"] == 1
    assert body["patients"][0]["latest"] is None


def test_an_episode_holds_the_decision_its_dated_plan_and_the_baseline(api: Api) -> None:
    patient = api.patient()
    made = api.post(
        f"/api/patients/{patient}/episodes",
        {"case": case(), "option": "medication", "start": "2026-12-02"},
    )
    assert made.status_code == 201
    body = made.json()
    _valid(EpisodeCreated, body)
    assert body["patient_id"] == patient
    assert body["source"] == "api"
    assert body["option"] == "medication"
    assert body["start"] == "2026-12-02"
    assert body["review_points"] == []
    assert body["decision"]["case"]["concerns"][0]["answers"] == PHQ9_MODERATE
    options = {option["id"] for option in body["decision"]["recommendation"]["options"]}
    assert options == {
        "therapy",
        "medication",
        "combined",
        "therapy_first",
        "medication_first",
        "monitor",
    }
    assert body["plan"]["option"] == "medication"
    assert body["plan"]["milestones"][0]["date_from"] >= "2026-12-02"
    [baseline] = body["measurements"]
    assert baseline["instrument"] == "phq9"
    assert baseline["total"] == sum(PHQ9_MODERATE)
    assert baseline["taken_on"] == "2026-12-01"
    assert baseline["method"] == "in_session"
    assert baseline["entered_by"] == api.clinic.clinician.id


def test_an_episode_left_to_discuss_has_no_plan(api: Api) -> None:
    patient = api.patient()
    made = api.post(f"/api/patients/{patient}/episodes", {"case": case(), "option": None})
    assert made.status_code == 201
    assert made.json()["option"] is None
    assert made.json()["plan"] is None


def test_a_measurement_is_scored_stored_and_shown_in_the_episode(api: Api) -> None:
    patient = api.patient()
    episode = api.episode(patient)
    api.clock.advance(days=14)
    made = api.post(
        f"/api/episodes/{episode}/measurements",
        {"instrument": "phq9", "answers": [1, 1, 1, 0, 0, 0, 0, 0, 0], "taken_on": "2026-12-14"},
    )
    assert made.status_code == 201
    body = made.json()
    _valid(MeasurementRecorded, body)
    assert list(body)[:2] == ["id", "safety"]  # safety first
    assert body["safety"]["urgent"] is False
    assert body["score"]["instrument"] == "phq9"
    assert body["score"]["total"] == 3
    assert body["score"]["severity"] == "minimal"
    assert body["progress"] == []
    assert body["alerts"] == []
    assert body["measurement"]["id"] == body["id"]
    assert body["measurement"]["taken_on"] == "2026-12-14"
    assert UTC_MOMENT.fullmatch(body["measurement"]["recorded_at"])

    shown = api.get(f"/api/episodes/{episode}")
    assert shown.status_code == 200
    record = shown.json()
    _valid(EpisodeRecord, record)
    assert list(record)[:9] == [
        "id",
        "patient",
        "source",
        "created_at",
        "option",
        "start",
        "decision",
        "plan",
        "measurements",
    ]
    assert record["patient"] == {
        "id": patient,
        "reference": "MRN-1",
        "display_name": None,
        "timezone": "Europe/London",
        "locale": "en",
        "created_at": "2026-12-01T14:00:00Z",
    }
    assert [m["total"] for m in record["measurements"]] == [sum(PHQ9_MODERATE), 3]
    assert record["measurements"][1] == body["measurement"]
    assert (record["progress"], record["review_points"], record["redecisions"]) == ([], [], [])
    assert record["alerts"] == []


def test_a_positive_risk_answer_is_urgent_with_crisis_help_and_a_critical_alert(
    api: Api,
) -> None:
    episode = api.episode(api.patient())
    made = api.post(
        f"/api/episodes/{episode}/measurements",
        {"instrument": "phq9", "answers": PHQ9_RISK, "taken_on": "2026-12-01"},
    )
    assert made.status_code == 201
    body = made.json()
    assert body["safety"]["urgent"] is True
    assert body["safety"]["flags"] == ["phq9.item9"]
    assert body["safety"]["resources"], "crisis resources must be shown"
    assert body["score"]["risk_positive"] == ["phq9.item9"]
    assert body["measurement"]["risk_positive"] is True
    [alert] = body["alerts"]
    assert alert["kind"] == "critical"
    assert alert["status"] == "open"
    assert alert["measurement"] == body["id"]
    assert UTC_MOMENT.fullmatch(alert["raised_at"])
    shown = api.get(f"/api/episodes/{episode}").json()
    assert shown["alerts"] == [alert]


def test_a_risk_item_answered_zero_is_never_shown_as_no_risk(api: Api) -> None:
    episode = api.episode(api.patient())
    body = api.post(
        f"/api/episodes/{episode}/measurements",
        {"instrument": "phq9", "answers": PHQ9_MODERATE, "taken_on": "2026-12-01"},
    ).json()
    assert body["safety"]["urgent"] is False
    assert body["score"]["risk_zero"] == ["phq9.item9"]
    assert body["safety"]["notes"], "a 0 on the risk item carries its note"


def test_a_correction_supersedes_the_measurement_and_both_stay(api: Api) -> None:
    episode = api.episode(api.patient())
    first = api.post(
        f"/api/episodes/{episode}/measurements",
        {"instrument": "phq9", "answers": [3] * 8 + [0], "taken_on": "2026-12-01"},
    ).json()
    fixed = api.post(
        f"/api/episodes/{episode}/measurements",
        {
            "instrument": "phq9",
            "answers": [1] * 8 + [0],
            "taken_on": "2026-12-01",
            "supersedes": first["id"],
        },
    )
    assert fixed.status_code == 201
    assert fixed.json()["measurement"]["supersedes"] == first["id"]
    shown = {m["id"]: m for m in api.get(f"/api/episodes/{episode}").json()["measurements"]}
    assert shown[first["id"]]["superseded_by"] == fixed.json()["id"]
    assert shown[first["id"]]["total"] == 24
    assert shown[fixed.json()["id"]]["total"] == 8
    again = api.post(
        f"/api/episodes/{episode}/measurements",
        {
            "instrument": "phq9",
            "answers": [0] * 9,
            "taken_on": "2026-12-01",
            "supersedes": first["id"],
        },
    )
    assert again.status_code == 422
    assert again.json()["field"] == "supersedes"


def test_a_check_in_link_is_absolute_and_expires_in_a_week(api: Api) -> None:
    episode = api.episode(api.patient())
    made = api.post(f"/api/episodes/{episode}/check-ins")
    assert made.status_code == 201
    body = made.json()
    _valid(CheckInLink, body)
    assert re.fullmatch(r"http://testserver/check-in/[A-Za-z0-9_-]{20,}", body["url"])
    assert body["expires"] == "2026-12-08T14:00:00Z"
    assert body["instruments"] == ["phq9"]  # the PHQ-9 asks about risk: no extra screen
    chosen = api.post(f"/api/episodes/{episode}/check-ins", {"instruments": ["gad7"]}).json()
    assert chosen["instruments"] == ["gad7", "asq"]  # a risk screen is always asked
    assert chosen["url"] != body["url"]


def test_a_check_in_link_uses_the_public_url_when_set(
    catalog: Catalog, database: Database, clock: MovingClock
) -> None:
    settings = Settings(secret_key="t" * 40, public_url="https://bothand.example.org/")
    api = make_api(catalog, database, clock, settings)
    episode = api.episode(api.patient())
    body = api.post(f"/api/episodes/{episode}/check-ins", {}).json()
    assert body["url"].startswith("https://bothand.example.org/check-in/")


def test_dates_are_worked_out_in_the_patients_zone(api: Api) -> None:
    # 14:00 UTC on 1 December is already 2 December in Auckland.
    patient = api.post(
        "/api/patients", {"reference": "NZ-1", "timezone": "Pacific/Auckland"}
    ).json()["id"]
    api.clock.at = dt.datetime(2026, 12, 1, 14, 0, tzinfo=dt.UTC)
    episode = api.episode(patient, {"case": case(), "option": None})
    taken = api.post(
        f"/api/episodes/{episode}/measurements",
        {"instrument": "phq9", "answers": PHQ9_MODERATE, "taken_on": "2026-12-02"},
    )
    assert taken.status_code == 201
    assert api.get(f"/api/episodes/{episode}").json()["measurements"][0]["taken_on"] == (
        "2026-12-02"
    )
