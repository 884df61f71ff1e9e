"""The record's use-cases on SQLite and PostgreSQL: patients, who may see them, episodes from a
decision, measurements (risk, corrections, dates in the patient's zone), invitations, check-ins,
and the audit events each leaves."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import text

from bothand.catalog import Catalog
from bothand.domain.errors import InputError, NotAllowedError, NotFoundError
from bothand.storage import Database
from tests.conftest import MovingClock
from tests.record.helpers import PASSWORD, PHQ9_MODERATE, PHQ9_RISK, Clinic, case, make_clinic


def _count(database: Database, table: str) -> int:
    with database.engine.connect() as connection:
        return int(connection.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())


def _actions(database: Database) -> list[str]:
    with database.engine.connect() as connection:
        return list(
            connection.execute(text("SELECT action FROM audit_events ORDER BY seq")).scalars()
        )


@pytest.fixture
def north(catalog: Catalog, database: Database, clock: MovingClock) -> Clinic:
    return make_clinic(catalog, database, clock)


def test_a_patient_is_seen_only_by_clinicians_it_is_shared_with(
    catalog: Catalog, database: Database, clock: MovingClock, north: Clinic
) -> None:
    south = make_clinic(catalog, database, clock, "South", "s")
    colleague = north.accounts.add_user("col@example.org", north.clinic_id, ["clinician"], PASSWORD)
    patient = north.record.add_patient(north.me, "MRN-1", "Europe/London", display_name="  Ann  B ")
    assert patient.display_name == "Ann B"
    assert north.record.patient(north.me, patient.id).patient.reference == "MRN-1"
    for outsider in (south.me, north.actor(colleague), north.actor(north.admin)):
        with pytest.raises(NotFoundError):
            north.record.patient(outsider, patient.id)
    assert [row.patient.id for row in north.record.caseload(north.actor(colleague))] == []
    north.record.share_patient(north.me, patient.id, colleague.id)
    assert north.record.patient(north.actor(colleague), patient.id).patient.id == patient.id
    with pytest.raises(InputError, match="user"):  # another clinic's clinician
        north.record.share_patient(north.me, patient.id, south.clinician.id)


def test_patient_input_is_checked_field_by_field(north: Clinic, database: Database) -> None:
    for kwargs, field in (
        ({"reference": "", "timezone": "Europe/London"}, "reference"),
        ({"reference": "A", "timezone": "Mars/Olympus"}, "timezone"),
        ({"reference": "A", "timezone": "EST"}, "timezone"),
        ({"reference": "A", "timezone": "Europe/London", "locale": "xx"}, "locale"),
        ({"reference": "A", "timezone": "Europe/London", "email": "nope"}, "email"),
    ):
        with pytest.raises(InputError) as error:
            north.record.add_patient(north.me, **kwargs)  # type: ignore[arg-type]
        assert error.value.field == field
    north.record.add_patient(north.me, "A", "Europe/London")
    with pytest.raises(InputError, match="reference"):
        north.record.add_patient(north.me, "A", "Asia/Tokyo")
    assert _count(database, "patients") == 1


def test_an_episode_keeps_the_decision_and_the_dated_plan(north: Clinic) -> None:
    patient = north.record.add_patient(north.me, "MRN-1", "America/New_York")
    episode = north.record.create_episode(
        north.me, patient.id, case(), "therapy", dt.date(2026, 12, 7)
    )
    assert episode.decision["case"]["concerns"][0]["answers"] == PHQ9_MODERATE
    options = {o["id"]: o["fit"] for o in episode.decision["recommendation"]["options"]}
    assert set(options) == {
        "therapy",
        "medication",
        "combined",
        "therapy_first",
        "medication_first",
        "monitor",
    }
    assert episode.option == "therapy" and episode.plan is not None
    assert episode.plan["option"] == "therapy"
    assert episode.plan["milestones"][0]["date_from"] >= "2026-12-07"
    # the PHQ-9 answered in the decision is the episode's first measurement
    assert [(m.instrument, m.total, m.method) for m in episode.measurements] == [
        ("phq9", 10, "in_session")
    ]
    undecided = north.record.create_episode(north.me, patient.id, case(), None, None)
    assert undecided.option is None and undecided.plan is None


def test_a_bad_case_or_option_writes_nothing(north: Clinic, database: Database) -> None:
    patient = north.record.add_patient(north.me, "MRN-1", "Europe/London")
    before = (_count(database, "episodes"), _count(database, "audit_events"))
    for data, option, start, field in (
        ({"concerns": []}, None, None, "concerns"),
        (case([1, 2]), None, None, "concerns[0].answers"),
        (case(), "pills", dt.date(2026, 12, 7), "option"),
        (case(), "therapy", None, "start"),
    ):
        with pytest.raises(InputError) as error:
            north.record.create_episode(north.me, patient.id, data, option, start)
        assert error.value.field.startswith(field)
    assert (_count(database, "episodes"), _count(database, "audit_events")) == before


def test_a_positive_risk_answer_raises_a_critical_alert(north: Clinic, clock: MovingClock) -> None:
    patient = north.record.add_patient(north.me, "MRN-1", "Europe/London")
    episode = north.record.create_episode(north.me, patient.id, case(), None, None)
    quiet = north.record.record(north.me, episode.id, "phq9", PHQ9_MODERATE, clock.today())
    assert not quiet.safety.urgent and quiet.alerts == []
    clock.advance(minutes=5)
    found = north.record.record(north.me, episode.id, "phq9", PHQ9_RISK, clock.today())
    assert found.safety.urgent and found.measurement.risk_positive
    assert [(a.kind, a.status) for a in found.alerts] == [("critical", "open")]
    rows = north.record.caseload(north.me)
    assert rows[0].open_critical == 1 and rows[0].latest is not None
    assert rows[0].latest.total == 11
    assert [a.kind for a in north.record.patient(north.me, patient.id).alerts] == ["critical"]


def test_a_correction_supersedes_and_keeps_the_original(north: Clinic, clock: MovingClock) -> None:
    patient = north.record.add_patient(north.me, "MRN-1", "Europe/London")
    episode = north.record.create_episode(north.me, patient.id, case(), None, None)
    first = north.record.record(north.me, episode.id, "gad7", [1] * 7, clock.today()).measurement
    clock.advance(minutes=5)
    fixed = north.record.record(
        north.me, episode.id, "gad7", [2] * 7, clock.today(), supersedes=first.id
    ).measurement
    stored = {m.id: m for m in north.record.episode(north.me, episode.id)[0].measurements}
    assert stored[first.id].superseded_by == fixed.id and stored[fixed.id].supersedes == first.id
    assert stored[first.id].total == 7 and stored[fixed.id].total == 14
    assert north.record.caseload(north.me)[0].latest.id == fixed.id  # type: ignore[union-attr]
    with pytest.raises(InputError, match="already corrected"):
        north.record.record(
            north.me, episode.id, "gad7", [0] * 7, clock.today(), supersedes=first.id
        )
    with pytest.raises(InputError, match="instrument"):
        north.record.record(
            north.me, episode.id, "phq9", PHQ9_MODERATE, clock.today(), supersedes=fixed.id
        )


def test_measurement_dates_are_checked_in_the_patients_zone(
    north: Clinic, clock: MovingClock, database: Database
) -> None:
    clock.at = dt.datetime(2026, 12, 1, 12, 0, tzinfo=dt.UTC)
    patient = north.record.add_patient(north.me, "MRN-1", "Pacific/Kiritimati")  # UTC+14
    episode = north.record.create_episode(north.me, patient.id, case(), None, None)
    clock.at = dt.datetime(2026, 12, 3, 11, 0, tzinfo=dt.UTC)  # already 4 December there
    assert north.record.record(north.me, episode.id, "phq9", PHQ9_MODERATE, dt.date(2026, 12, 4))
    before = _count(database, "measurements")
    for taken_on, problem in (
        (dt.date(2026, 12, 5), "future"),
        (dt.date(2026, 12, 1), "before the episode"),
    ):
        with pytest.raises(InputError, match=problem) as error:
            north.record.record(north.me, episode.id, "phq9", PHQ9_MODERATE, taken_on)
        assert error.value.field == "taken_on"
    for instrument, answers, field in (
        ("phq99", PHQ9_MODERATE, "instrument"),
        ("phq9", [1, 2], "answers"),
        ("phq9", [9] * 9, "answers"),
    ):
        with pytest.raises(InputError) as error:
            north.record.record(north.me, episode.id, instrument, answers, dt.date(2026, 12, 2))
        assert error.value.field.startswith(field)
    assert _count(database, "measurements") == before


def test_an_invitation_becomes_an_episode_once(
    north: Clinic, clock: MovingClock, database: Database
) -> None:
    patient = north.record.add_patient(north.me, "MRN-1", "Europe/London")
    link = north.record.invite(north.me, patient.id)
    assert link.token is not None and len(link.token) >= 43  # 256 random bits
    opened = north.record.invitation(link.token)
    assert opened is not None and opened[1].id == patient.id
    episode = north.record.share(link.token, case(), "combined", dt.date(2026, 12, 8))
    assert episode.source == "shared" and episode.option == "combined"
    assert [m.method for m in episode.measurements] == ["check_in"]
    assert north.record.invitation(link.token) is None
    with pytest.raises(InputError, match="link"):
        north.record.share(link.token, case(), None, None)
    assert _count(database, "episodes") == 1
    late = north.record.invite(north.me, patient.id)
    clock.advance(days=15)
    assert late.token is not None and north.record.invitation(late.token) is None


def test_a_check_in_asks_what_is_due_and_the_risk_screen(
    north: Clinic, catalog: Catalog, database: Database
) -> None:
    patient = north.record.add_patient(north.me, "MRN-1", "Europe/London")
    anxious = {
        "concerns": [{"condition": "generalized_anxiety", "instrument": "gad7", "answers": [1] * 7}]
    }
    episode = north.record.create_episode(north.me, patient.id, anxious, None, None)
    link = north.record.check_in_link(north.me, episode.id)
    assert link.instruments == ("gad7", "asq")  # GAD-7 asks nothing about risk
    assert link.token is not None
    with pytest.raises(InputError, match="asq"):
        north.record.submit_check_in(link.token, {"gad7": [1] * 7})
    assert _count(database, "measurements") == 1
    done = north.record.submit_check_in(link.token, {"gad7": [2] * 7, "asq": [0, 0, 0, 0, None]})
    assert [(r.measurement.instrument, r.measurement.method) for r in done] == [
        ("gad7", "check_in"),
        ("asq", "check_in"),
    ]
    assert north.record.check_in(link.token) is None
    with pytest.raises(InputError, match="link"):
        north.record.submit_check_in(link.token, {"gad7": [2] * 7, "asq": [0, 0, 0, 0, None]})


def test_a_check_in_risk_answer_raises_a_critical_alert(north: Clinic) -> None:
    patient = north.record.add_patient(north.me, "MRN-1", "Europe/London")
    episode = north.record.create_episode(north.me, patient.id, case(), None, None)
    link = north.record.check_in_link(north.me, episode.id)
    assert link.instruments == ("phq9",) and link.token is not None
    [done] = north.record.submit_check_in(link.token, {"phq9": PHQ9_RISK})
    assert done.safety.urgent and [a.kind for a in done.alerts] == ["critical"]


def test_each_use_case_leaves_its_audit_events(
    north: Clinic, clock: MovingClock, database: Database
) -> None:
    start = len(_actions(database))
    patient = north.record.add_patient(north.me, "MRN-1", "Europe/London")
    episode = north.record.create_episode(north.me, patient.id, case(PHQ9_RISK), None, None)
    north.record.patient(north.me, patient.id)
    north.record.episode(north.me, episode.id)
    north.record.caseload(north.me)
    north.record.record(north.me, episode.id, "gad7", [0] * 7, clock.today())
    assert _actions(database)[start:] == [
        "patient.create",
        "episode.create",
        "measurement.create",
        "alert.create",
        "patient.read",
        "episode.read",
        "caseload.read",
        "measurement.create",
    ]
    with database.engine.connect() as connection:
        rows = connection.execute(text("SELECT * FROM audit_events")).mappings().all()
    assert all(row["patient_id"] == patient.id for row in rows[start : start + 6])
    flat = " ".join(str(value) for row in rows for value in row.values())
    assert "[2, 2, 1" not in flat and "phq9" not in flat  # never answers or instruments
    assert north.record.verify_audit()[1] is None


def test_only_admins_read_the_trail(
    north: Clinic, catalog: Catalog, database: Database, clock: MovingClock
) -> None:
    patient = north.record.add_patient(north.me, "MRN-1", "Europe/London")
    with pytest.raises(NotAllowedError):
        north.record.trail(north.me)
    admin = north.actor(north.admin)
    events = north.record.trail(admin, patient.id)
    assert [e.action for e in events] == ["patient.create"]
    south = make_clinic(catalog, database, clock, "South", "s")
    with pytest.raises(NotFoundError):
        south.record.trail(south.actor(south.admin), patient.id)
    assert all(e.clinic_id == south.clinic_id for e in south.record.trail(south.actor(south.admin)))


def test_text_a_database_cannot_hold_is_refused_by_name(north: Clinic, database: Database) -> None:
    """PostgreSQL refuses NUL in text: without these checks each would be a 500."""
    for kwargs, field in (
        ({"reference": "A\x00B", "timezone": "Europe/London"}, "reference"),
        (
            {"reference": "A", "timezone": "Europe/London", "display_name": "Ann\x00"},
            "display_name",
        ),
        ({"reference": "A", "timezone": "Europe/Lon\x00don"}, "timezone"),
        ({"reference": "A", "timezone": "Europe/London", "email": "a\x00@b.org"}, "email"),
    ):
        with pytest.raises(InputError) as error:
            north.record.add_patient(north.me, **kwargs)  # type: ignore[arg-type]
        assert error.value.field == field
    for odd in ("a\x00b", "x" * 65, "\ud800"):
        with pytest.raises(NotFoundError):
            north.record.patient(north.me, odd)
        with pytest.raises(NotFoundError):
            north.record.episode(north.me, odd)
    assert _count(database, "patients") == 0


def test_progress_on_recording_matches_progress_of_the_episode(
    north: Clinic, clock: MovingClock, catalog: Catalog
) -> None:
    """The light series read when a score is recorded gives what the whole episode gives."""
    from bothand.services.record import progress_of

    patient = north.record.add_patient(north.me, "MRN-1", "Europe/London")
    episode = north.record.create_episode(north.me, patient.id, case([3] * 8 + [0]), None, None)
    first = north.record.record(north.me, episode.id, "gad7", [2] * 7, clock.today())
    clock.advance(days=20)
    north.record.record(north.me, episode.id, "phq9", [1] * 8 + [0], clock.today())
    clock.advance(minutes=5)
    north.record.record(
        north.me, episode.id, "gad7", [1] * 7, clock.today(), supersedes=first.measurement.id
    )
    clock.advance(days=20)
    last = north.record.record(north.me, episode.id, "phq9", [0] * 9, clock.today())
    whole = progress_of(catalog, north.record.episode(north.me, episode.id)[0].measurements)
    assert last.progress == whole
    assert [p.instrument for p in whole] == ["phq9", "gad7"]
    assert whole[0].response and whole[0].remission and whole[1].baseline.total == 7
    quiet = north.record.record(
        north.me, episode.id, "phq9", [0] * 9, clock.today(), follow_up=False
    )
    assert quiet.progress == []
