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
from tests.web.record_api_helpers import Api, audit_events, counts, last_seq, make_api

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
    assert body["patients"][1]["open_alerts"] == 1
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
    points = body["review_points"]  # made the day before the start: every point is ahead
    assert points[0] == {
        "milestone": "milestone.remeasure_baseline",
        "due_from": "2026-12-02",
        "due_to": "2026-12-02",
        "status": "upcoming",
    }
    assert [(p["milestone"], p["due_from"], p["due_to"]) for p in points] == [
        (m["id"], m["date_from"], m["date_to"]) for m in body["plan"]["milestones"]
    ]
    assert {p["status"] for p in points} == {"upcoming"}
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
    assert made.json()["review_points"] == []
    assert api.get(f"/api/episodes/{made.json()['id']}").json()["review_points"] == []


def test_a_review_point_is_due_in_its_window_and_overdue_after_it(api: Api) -> None:
    episode = api.episode(api.patient())  # therapy from 2026-12-01, in Europe/London

    def check_progress() -> dict[str, Any]:
        shown = api.get(f"/api/episodes/{episode}").json()
        _valid(EpisodeRecord, shown)
        return next(
            p for p in shown["review_points"] if p["milestone"] == "milestone.check_progress"
        )

    assert check_progress() == {
        "milestone": "milestone.check_progress",
        "due_from": "2026-12-29",
        "due_to": "2027-01-12",
        "status": "upcoming",
    }
    api.clock.at = dt.datetime(2026, 12, 29, 0, 0, 1, tzinfo=dt.UTC)
    assert check_progress()["status"] == "due"
    api.clock.at = dt.datetime(2027, 1, 13, 0, 0, 1, tzinfo=dt.UTC)
    assert check_progress()["status"] == "overdue"
    made = api.post(
        f"/api/episodes/{episode}/measurements",
        {"instrument": "phq9", "answers": PHQ9_MODERATE, "taken_on": "2027-01-12"},
    )
    assert made.status_code == 201
    done = check_progress()
    assert done["status"] == "done"
    # The same moderate answers as at the start, six weeks on: no reliable change (a fall of
    # 6 PHQ-9 points is reliable), which is too little at "is it helping?".
    total = sum(PHQ9_MODERATE)
    assert done["finding"] == {
        "kind": "no_reliable_change",
        "too_little": True,
        "instrument": "phq9",
        "profile": "nhs_talking_therapies",
        "threshold": 6,
        "baseline": {"total": total, "on": "2026-12-01"},
        "latest": {"total": total, "on": "2027-01-12"},
        "change": 0,
        "weeks": 6,
    }


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
    # PHQ-9 10 -> 3: 7 points down (reliable: 6 or more), 70% down (response: half or
    # more), below 5 (remission) since this score.
    assert body["progress"] == [
        {
            "instrument": "phq9",
            "profile": "nhs_talking_therapies",
            "baseline": {"total": 10, "on": "2026-12-01"},
            "latest": {"total": 3, "on": "2026-12-14"},
            "change": -7,
            "percent_change": -70.0,
            "response": True,
            "remission": True,
            "reliable_improvement": True,
            "reliable_deterioration": False,
            "stable_since": "2026-12-14",
        }
    ]
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
    assert record["progress"] == body["progress"]
    assert record["redecisions"] == []
    statuses = {p["milestone"]: p["status"] for p in record["review_points"]}
    assert statuses == {  # therapy from 2026-12-01, read on 2026-12-15, scores of 1 and 14 Dec
        "milestone.remeasure_baseline": "done",
        "milestone.remeasure_each_session": "done",
        "milestone.therapy_start": "done",
        "milestone.check_progress": "upcoming",
        "milestone.relapse_prevention": "upcoming",
        "milestone.therapy_course": "upcoming",
        "milestone.remeasure_after_course": "upcoming",
    }
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


# --- bad input: a 422 naming the field, and nothing written ---------------------------------

GOOD_PATIENT = {"reference": "MRN-2", "timezone": "Europe/London"}
GOOD_MEASUREMENT = {"instrument": "phq9", "answers": [0] * 9, "taken_on": "2026-12-01"}


def test_progress_after_phq9_20_then_8(api: Api) -> None:
    # A fall from 20 to 8 is 12 points (reliable improvement at 6), to 40% of the baseline
    # (response: at most half), and 8 is not below 5 (no remission).
    patient = api.patient()
    episode = api.episode(
        patient,
        {"case": _phq9([3, 3, 3, 3, 2, 2, 2, 2, 0]), "option": "therapy", "start": "2026-12-01"},
    )
    first = api.get(f"/api/episodes/{episode}").json()["progress"]
    assert [(p["baseline"]["total"], p["change"], p["response"]) for p in first] == [
        (20, None, None)
    ]
    api.clock.advance(days=42)
    made = api.post(
        f"/api/episodes/{episode}/measurements",
        {"instrument": "phq9", "answers": [1, 1, 1, 1, 1, 1, 1, 1, 0], "taken_on": "2027-01-12"},
    )
    assert made.status_code == 201, made.text
    [entry] = made.json()["progress"]
    assert entry["profile"] == "nhs_talking_therapies"
    assert (entry["baseline"]["total"], entry["latest"]["total"]) == (20, 8)
    assert entry["latest"]["on"] == "2027-01-12"
    assert entry["change"] == -12
    assert entry["percent_change"] == -60.0
    assert entry["response"] is True
    assert entry["reliable_improvement"] is True
    assert entry["reliable_deterioration"] is False
    assert entry["remission"] is False
    assert entry["stable_since"] is None
    shown = api.get(f"/api/episodes/{episode}").json()
    assert shown["progress"] == [entry]


def test_progress_leaves_a_superseded_score_out_and_keeps_instruments_apart(api: Api) -> None:
    patient = api.patient()
    episode = api.episode(patient)  # PHQ-9 10 on 2026-12-01
    api.clock.advance(days=14)
    wrong = api.post(
        f"/api/episodes/{episode}/measurements",
        {"instrument": "phq9", "answers": [3, 3, 3, 3, 3, 3, 3, 3, 0], "taken_on": "2026-12-14"},
    ).json()
    fixed = api.post(
        f"/api/episodes/{episode}/measurements",
        {
            "instrument": "phq9",
            "answers": [1, 1, 1, 1, 1, 1, 0, 0, 0],
            "taken_on": "2026-12-14",
            "supersedes": wrong["id"],
        },
    )
    assert fixed.status_code == 201, fixed.text
    gad = api.post(
        f"/api/episodes/{episode}/measurements",
        {"instrument": "gad7", "answers": [2, 2, 2, 2, 1, 1, 0], "taken_on": "2026-12-14"},
    )
    assert gad.status_code == 201, gad.text
    entries = {p["instrument"]: p for p in gad.json()["progress"]}
    assert set(entries) == {"phq9", "gad7"}
    assert entries["phq9"]["latest"]["total"] == 6  # the correction, not the 24
    assert entries["phq9"]["reliable_deterioration"] is False
    assert entries["gad7"]["baseline"] == {"total": 10, "on": "2026-12-14"}
    assert entries["gad7"]["change"] is None  # one GAD-7 score so far


def _case(**changes: Any) -> dict[str, Any]:
    return {**case(), **changes}


def _phq9(answers: list[Any]) -> dict[str, Any]:
    return _case(concerns=[{"condition": "depression", "instrument": "phq9", "answers": answers}])


BAD_PATIENTS: list[tuple[dict[str, Any], str]] = [
    ({"timezone": "Europe/London"}, "reference"),
    ({**GOOD_PATIENT, "reference": "   "}, "reference"),
    ({**GOOD_PATIENT, "reference": "x" * 101}, "reference"),
    ({**GOOD_PATIENT, "reference": 42}, "reference"),
    ({**GOOD_PATIENT, "reference": "MRN-1"}, "reference"),  # the clinic already has it
    ({"reference": "MRN-2"}, "timezone"),
    ({**GOOD_PATIENT, "timezone": "Mars/Olympus_Mons"}, "timezone"),
    ({**GOOD_PATIENT, "timezone": "EST"}, "timezone"),  # not a place: not IANA's advice
    ({**GOOD_PATIENT, "timezone": "+02:00"}, "timezone"),
    ({**GOOD_PATIENT, "timezone": "../../etc/passwd"}, "timezone"),
    ({**GOOD_PATIENT, "locale": "xx"}, "locale"),
    ({**GOOD_PATIENT, "email": "not an email"}, "email"),
    ({**GOOD_PATIENT, "display_name": "x" * 201}, "display_name"),
    ({**GOOD_PATIENT, "nickname": "Sam"}, "nickname"),
    ({**GOOD_PATIENT, "reference": "MRN\u00002"}, "reference"),  # PostgreSQL refuses NUL
    ({**GOOD_PATIENT, "display_name": "Sam\u0000"}, "display_name"),
    ({**GOOD_PATIENT, "email": "a\u0000@example.org"}, "email"),
]
BAD_EPISODES: list[tuple[dict[str, Any], str]] = [
    ({"option": None}, "case"),
    ({"case": []}, "case"),
    ({"case": {"concerns": []}}, "case.concerns"),
    ({"case": _phq9([1, 1])}, "case.concerns[0].answers"),
    ({"case": _phq9([4, 0, 0, 0, 0, 0, 0, 0, 0])}, "case.concerns[0].answers[0]"),
    ({"case": _phq9([None] * 9)}, "case.concerns[0].answers[8]"),
    ({"case": _phq9(["1", 0, 0, 0, 0, 0, 0, 0, 0])}, "case.concerns[0].answers[0]"),
    (
        {"case": _case(concerns=[{"condition": "ptsd", "instrument": "zzz", "answers": [1]}])},
        "case.concerns[0].instrument",
    ),
    ({"case": _case(prefrences={})}, "case.prefrences"),
    ({"case": case(), "option": "pills"}, "option"),
    ({"case": case(), "option": "therapy"}, "start"),
    ({"case": case(), "option": "therapy", "start": "2026-13-01"}, "start"),
    ({"case": case(), "option": "therapy", "start": "01/12/2026"}, "start"),
    ({"case": case(), "option": "therapy", "start": "1999-12-31"}, "start"),
    ({"case": case(), "chosen": "therapy"}, "chosen"),
]
BAD_MEASUREMENTS: list[tuple[dict[str, Any], str]] = [
    ({**GOOD_MEASUREMENT, "instrument": "zzz"}, "instrument"),
    ({**GOOD_MEASUREMENT, "instrument": "gad7"}, "answers"),  # 9 answers for 7 items
    ({**GOOD_MEASUREMENT, "answers": [0] * 8}, "answers"),
    ({**GOOD_MEASUREMENT, "answers": [0] * 10}, "answers"),
    ({**GOOD_MEASUREMENT, "answers": [4] + [0] * 8}, "answers[0]"),
    ({**GOOD_MEASUREMENT, "answers": [0] * 8 + [-1]}, "answers[8]"),
    ({**GOOD_MEASUREMENT, "answers": ["1"] + [0] * 8}, "answers[0]"),
    ({**GOOD_MEASUREMENT, "answers": [True] + [0] * 8}, "answers[0]"),
    ({**GOOD_MEASUREMENT, "answers": [None] * 9}, "answers[8]"),
    ({**GOOD_MEASUREMENT, "answers": "000000000"}, "answers"),
    ({**GOOD_MEASUREMENT, "taken_on": "2026-12-02"}, "taken_on"),  # tomorrow in London
    ({**GOOD_MEASUREMENT, "taken_on": "2026-11-30"}, "taken_on"),  # before the episode
    ({**GOOD_MEASUREMENT, "taken_on": "yesterday"}, "taken_on"),
    ({**GOOD_MEASUREMENT, "taken_on": "2026-12-01T10:00:00Z"}, "taken_on"),
    ({**GOOD_MEASUREMENT, "taken_on": 20261201}, "taken_on"),
    ({"instrument": "phq9", "answers": [0] * 9}, "taken_on"),
    ({**GOOD_MEASUREMENT, "method": "check_in"}, "method"),  # only a link's own check-in
    ({**GOOD_MEASUREMENT, "total": 0}, "total"),
    ({**GOOD_MEASUREMENT, "instrument": "phq9\u0000"}, "instrument"),
    ({**GOOD_MEASUREMENT, "supersedes": "\u0000"}, "supersedes"),
    ({**GOOD_MEASUREMENT, "answers": [0] * 8 + [10**30]}, "answers[8]"),
]
BAD_CHECK_INS: list[tuple[Any, str]] = [
    ({"instruments": ["zzz"]}, "instruments[0]"),
    ({"instruments": ["phq9", 7]}, "instruments[1]"),
    ({"instruments": "phq9"}, "instruments"),
    ({"instruments": ["phq\u00009"]}, "instruments[0]"),
    ({"days": 30}, "days"),
    ([], "(body)"),
]


@pytest.fixture
def ids(api: Api) -> dict[str, str]:
    patient = api.patient()
    return {"patient": patient, "episode": api.episode(patient)}


def _check_bad_input(
    api: Api, path: str, cases: list[tuple[Any, str]]
) -> list[str]:  # the cases that went wrong, each with what happened
    failures = []
    for body, field in cases:
        before = counts(api.database)
        found = api.post(path, body)
        problem = found.json()
        if found.status_code != 422 or problem.get("field") != field:
            failures.append(f"{body!r}: {found.status_code} {problem.get('detail')}")
            continue
        assert found.headers["content-type"] == "application/problem+json"
        assert problem["detail"].startswith(f"{field}: ")
        if counts(api.database) != before:
            failures.append(f"{body!r}: wrote rows")
    return failures


def test_bad_patients_are_422_naming_the_field(api: Api, ids: dict[str, str]) -> None:
    assert _check_bad_input(api, "/api/patients", BAD_PATIENTS) == []


def test_bad_episodes_are_422_naming_the_field(api: Api, ids: dict[str, str]) -> None:
    path = f"/api/patients/{ids['patient']}/episodes"
    assert _check_bad_input(api, path, BAD_EPISODES) == []


def test_bad_measurements_are_422_naming_the_field(api: Api, ids: dict[str, str]) -> None:
    path = f"/api/episodes/{ids['episode']}/measurements"
    assert _check_bad_input(api, path, BAD_MEASUREMENTS) == []


def test_bad_check_ins_are_422_naming_the_field(api: Api, ids: dict[str, str]) -> None:
    path = f"/api/episodes/{ids['episode']}/check-ins"
    assert _check_bad_input(api, path, BAD_CHECK_INS) == []


def test_a_correction_must_keep_the_instrument(api: Api, ids: dict[str, str]) -> None:
    path = f"/api/episodes/{ids['episode']}/measurements"
    first = api.post(path, GOOD_MEASUREMENT).json()["id"]
    gad7 = {"instrument": "gad7", "answers": [0] * 7, "taken_on": "2026-12-01"}
    assert _check_bad_input(api, path, [({**gad7, "supersedes": first}, "instrument")]) == []


def test_a_future_date_is_judged_in_the_patients_zone(api: Api) -> None:
    # At 08:00 UTC on 2 December it is still 1 December in Honolulu.
    patient = api.post(
        "/api/patients", {"reference": "HI-1", "timezone": "Pacific/Honolulu"}
    ).json()["id"]
    api.clock.at = dt.datetime(2026, 12, 2, 8, 0, tzinfo=dt.UTC)
    episode = api.episode(patient, {"case": case(), "option": None})
    path = f"/api/episodes/{episode}/measurements"
    assert (
        _check_bad_input(api, path, [({**GOOD_MEASUREMENT, "taken_on": "2026-12-02"}, "taken_on")])
        == []
    )
    assert api.post(path, {**GOOD_MEASUREMENT, "taken_on": "2026-12-01"}).status_code == 201


@pytest.mark.parametrize(
    ("raw", "content_type", "status"),
    [
        (b"{", "application/json", 422),
        (b"", "application/json", 422),
        (b"NaN", "application/json", 422),
        (b"[1, 2]", "application/json", 422),
        (b'{"reference": "MRN-2", "timezone": "Europe/London"}', "text/plain", 415),
        (
            b'{"reference": "MRN-2", "timezone": "Europe/London"}',
            "application/json; charset=latin-1",
            415,
        ),
    ],
)
def test_a_body_that_is_not_a_json_object_writes_nothing(
    api: Api, ids: dict[str, str], raw: bytes, content_type: str, status: int
) -> None:
    paths = [
        "/api/patients",
        f"/api/patients/{ids['patient']}/episodes",
        f"/api/episodes/{ids['episode']}/measurements",
    ]
    for path in paths:
        before = counts(api.database)
        headers = {**api.headers(), "content-type": content_type}
        found = api.client.post(path, content=raw, headers=headers)
        assert found.status_code == status, (path, found.text)
        assert found.headers["content-type"] == "application/problem+json"
        if status == 422:
            assert found.json()["field"] == "(body)"
        assert counts(api.database) == before


def test_a_check_in_needs_no_body_but_a_body_must_be_json(api: Api, ids: dict[str, str]) -> None:
    path = f"/api/episodes/{ids['episode']}/check-ins"
    assert api.client.post(path, headers=api.headers()).status_code == 201
    before = counts(api.database)
    bad = api.client.post(
        path, content=b"{", headers={**api.headers(), "content-type": "application/json"}
    )
    assert bad.status_code == 422
    wrong = api.client.post(
        path, content=b"{}", headers={**api.headers(), "content-type": "text/plain"}
    )
    assert wrong.status_code == 415
    assert counts(api.database) == before


# --- the audit trail ------------------------------------------------------------------------

RECORD_KINDS = {"patient", "episode", "measurement", "alert", "link", "user"}


def _events(api: Api, after: int) -> list[tuple[str, str, str, str | None]]:
    """The events after ``after``, checked to be the token's and to hold nothing but ids and
    names of actions: no answers, scores or free text could fit in them."""
    [token] = api.clinic.accounts.tokens(api.clinic.clinician)
    found = []
    for event in audit_events(api.database, after):
        assert event["actor"] == f"token:{token.id}"
        assert event["role"] == "clinician"
        assert event["clinic_id"] == api.clinic.clinic_id
        assert event["record_kind"] in RECORD_KINDS
        assert HEX_ID.fullmatch(event["record_id"])
        assert event["patient_id"] is None or HEX_ID.fullmatch(event["patient_id"])
        assert re.fullmatch(r"[a-z_]+\.[a-z_]+", event["action"])
        found.append(
            (event["action"], event["record_kind"], event["record_id"], event["patient_id"])
        )
    return found


def test_each_route_writes_exactly_its_audit_events(api: Api) -> None:
    seq = last_seq(api.database)
    patient = api.patient()
    assert _events(api, seq) == [("patient.create", "patient", patient, patient)]

    seq = last_seq(api.database)
    assert api.get("/api/patients").status_code == 200
    user = api.clinic.clinician.id
    assert _events(api, seq) == [("caseload.read", "user", user, None)]

    seq = last_seq(api.database)
    made = api.post(
        f"/api/patients/{patient}/episodes", {"case": case(PHQ9_RISK), "option": None}
    ).json()
    episode, baseline = made["id"], made["measurements"][0]["id"]
    events = _events(api, seq)
    assert events[:2] == [
        ("episode.create", "episode", episode, patient),
        ("measurement.create", "measurement", baseline, patient),
    ]
    assert [e[:2] for e in events[2:]] == [("alert.create", "alert")]  # item 9 above 0

    path = f"/api/episodes/{episode}/measurements"
    seq = last_seq(api.database)
    # A minute later, so the baseline comes first in the series (scores of one day go in the
    # order recorded): recorded at the same moment, either could read as a rise of 11.
    api.clock.advance(minutes=1)
    quiet = api.post(path, GOOD_MEASUREMENT).json()
    assert _events(api, seq) == [("measurement.create", "measurement", quiet["id"], patient)]

    seq = last_seq(api.database)
    risky = api.post(path, {**GOOD_MEASUREMENT, "answers": PHQ9_RISK}).json()
    [alert] = risky["alerts"]
    assert _events(api, seq) == [
        ("measurement.create", "measurement", risky["id"], patient),
        ("alert.create", "alert", alert["id"], patient),
    ]

    seq = last_seq(api.database)
    fixed = api.post(path, {**GOOD_MEASUREMENT, "supersedes": quiet["id"]}).json()
    assert _events(api, seq) == [("measurement.correct", "measurement", fixed["id"], patient)]

    seq = last_seq(api.database)
    assert api.get(f"/api/episodes/{episode}").status_code == 200
    assert _events(api, seq) == [("episode.read", "episode", episode, patient)]

    seq = last_seq(api.database)
    assert api.post(f"/api/episodes/{episode}/check-ins").status_code == 201
    [(action, kind, _, whose)] = _events(api, seq)
    assert (action, kind, whose) == ("check_in.create", "link", patient)

    assert api.clinic.record.verify_audit()[1] is None  # the chain holds


def test_the_openapi_document_describes_every_record_route(api: Api) -> None:
    document = api.client.get("/openapi.json").json()
    expected = {
        ("/api/patients", "post"): "201",
        ("/api/patients", "get"): "200",
        ("/api/patients/{patient}/episodes", "post"): "201",
        ("/api/episodes/{episode}/measurements", "post"): "201",
        ("/api/episodes/{episode}", "get"): "200",
        ("/api/episodes/{episode}/check-ins", "post"): "201",
    }
    schemas = document["components"]["schemas"]
    for (path, method), ok in expected.items():
        operation = document["paths"][path][method]
        responses = operation["responses"]
        schema = responses[ok]["content"]["application/json"]["schema"]
        assert schema["$ref"].rsplit("/", 1)[1] in schemas
        assert {"401", "404"} <= set(responses), (path, method)
        assert operation["security"] == [{"bearer": []}], (path, method)
        if method == "post":
            assert {"413", "415", "422"} <= set(responses), (path, method)
            body = operation["requestBody"]["content"]["application/json"]["schema"]
            assert body["$ref"].rsplit("/", 1)[1] in schemas
    assert set(schemas["MeasurementBody"]["required"]) == {"instrument", "answers", "taken_on"}
    bearer = document["components"]["securitySchemes"]["bearer"]
    assert (bearer["type"], bearer["scheme"]) == ("http", "bearer")
