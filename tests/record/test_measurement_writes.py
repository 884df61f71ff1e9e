"""Recording a measurement, on SQLite and PostgreSQL: the paths the faster write (one query for
episode and patient, Core inserts for the measurement and its audit events) must keep: a plain
measurement, a risk answer with its critical alert, a correction, a second correction refused
with nothing half-written, and a foreign episode not found."""

from __future__ import annotations

import datetime as dt

import pytest

from bothand.catalog import Catalog
from bothand.domain.errors import InputError, NotFoundError
from bothand.storage import Database
from tests.conftest import MovingClock
from tests.record.helpers import PHQ9_MODERATE, PHQ9_RISK, case, make_clinic


def test_measurements_corrections_and_alerts_are_stored_whole(
    database: Database, catalog: Catalog, clock: MovingClock
) -> None:
    north = make_clinic(catalog, database, clock)
    record = north.record
    patient = record.add_patient(north.me, "W-1", "Europe/London")
    episode = record.create_episode(north.me, patient.id, case(), None, None)
    today = clock.today()
    events_before, _ = record.verify_audit()

    plain = record.record(north.me, episode.id, "phq9", PHQ9_MODERATE, today)
    assert (plain.measurement.total, plain.alerts) == (10, [])
    risk = record.record(north.me, episode.id, "phq9", PHQ9_RISK, today)
    assert [a.kind for a in risk.alerts] == ["critical"]
    assert risk.alerts[0].measurement_id == risk.measurement.id

    fixed = [1, 1, 1, 1, 1, 1, 1, 1, 0]
    correction = record.record(
        north.me, episode.id, "phq9", fixed, today, supersedes=plain.measurement.id
    )
    with pytest.raises(InputError) as refused:
        record.record(north.me, episode.id, "phq9", fixed, today, supersedes=plain.measurement.id)
    assert refused.value.field == "supersedes"

    stored, _, alerts = record.episode(north.me, episode.id)
    by_id = {m.id: m for m in stored.measurements}
    assert by_id[plain.measurement.id].answers == tuple(PHQ9_MODERATE)
    assert by_id[plain.measurement.id].superseded_by == correction.measurement.id
    assert by_id[correction.measurement.id].total == 8
    assert by_id[risk.measurement.id].risk_positive
    assert by_id[plain.measurement.id].entered_by == north.clinician.id
    assert [a.id for a in alerts] == [risk.alerts[0].id]
    assert len(by_id) == 1 + 3  # the baseline, plain, risk, correction: nothing of the refusal

    # create, create + alert, correct, and the episode read: 5 events; none for the refusal.
    events, broken = record.verify_audit()
    assert (events - events_before, broken) == (5, None)


def test_an_episode_of_another_clinic_is_not_found(
    database: Database, catalog: Catalog, clock: MovingClock
) -> None:
    north = make_clinic(catalog, database, clock)
    south = make_clinic(catalog, database, clock, "South", "s")
    patient = north.record.add_patient(north.me, "N-1", "UTC")
    episode = north.record.create_episode(north.me, patient.id, case(), None, None)
    with pytest.raises(NotFoundError):
        south.record.record(south.me, episode.id, "phq9", PHQ9_MODERATE, dt.date(2026, 12, 1))


def test_a_clinician_the_patient_is_not_shared_with_cannot_record(
    database: Database, catalog: Catalog, clock: MovingClock
) -> None:
    north = make_clinic(catalog, database, clock)
    patient = north.record.add_patient(north.me, "N-2", "UTC")
    episode = north.record.create_episode(north.me, patient.id, case(), None, None)
    other = north.accounts.add_user("other@example.org", north.clinic_id, ["clinician"], None)
    with pytest.raises(NotFoundError):
        north.record.record(north.actor(other), episode.id, "phq9", PHQ9_MODERATE, clock.today())
    north.record.share_patient(north.me, patient.id, other.id)
    shared = north.record.record(
        north.actor(other), episode.id, "phq9", PHQ9_MODERATE, clock.today()
    )
    assert shared.measurement.entered_by == other.id
