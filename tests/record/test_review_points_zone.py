"""Review points through the services: "today" is the injected clock's moment as a date in the
patient's IANA zone, so a window opens and closes at the patient's local midnight, also on the
days the clocks change. Each moment below is chosen so that the UTC date (or the offset before
the change) would give another status than the patient's local date. On both databases."""

from __future__ import annotations

import datetime as dt

import pytest

from bothand.catalog import Catalog
from bothand.domain.record import Episode, Patient
from bothand.domain.review import ReviewPoint
from bothand.storage import Database
from tests.conftest import MovingClock
from tests.record.helpers import PHQ9_MODERATE, Clinic, case, make_clinic

CHECK = "milestone.check_progress"  # medication for depression: days 24 to 28 of the plan


def _utc(year: int, month: int, day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=dt.UTC)


def _episode(
    north: Clinic, clock: MovingClock, zone: str, start: dt.date
) -> tuple[Episode, Patient]:
    """A depression episode on medication from ``start``, made (with its baseline scores) the
    week before."""
    clock.at = dt.datetime.combine(start, dt.time(12), dt.UTC) - dt.timedelta(days=7)
    patient = north.record.add_patient(north.me, f"P-{zone}-{start}", zone)
    episode = north.record.create_episode(north.me, patient.id, case(), "medication", start)
    return episode, patient


def _check(north: Clinic, episode: Episode, patient: Patient | None = None) -> ReviewPoint:
    if patient is None:  # read again, as a page or the API does
        episode, patient, _ = north.record.episode(north.me, episode.id)
    return next(p for p in north.record.review_points(episode, patient) if p.milestone == CHECK)


@pytest.fixture
def north(catalog: Catalog, database: Database, clock: MovingClock) -> Clinic:
    return make_clinic(catalog, database, clock)


def test_new_york_window_ending_on_the_spring_forward_day(
    north: Clinic, clock: MovingClock
) -> None:
    # 2027-03-14: New York moves from UTC-5 to UTC-4 at 07:00 UTC; the day ends at 04:00 UTC.
    episode, patient = _episode(north, clock, "America/New_York", dt.date(2027, 2, 14))
    assert _check(north, episode, patient).due_to == dt.date(2027, 3, 14)
    clock.at = _utc(2027, 3, 15, 3, 59)  # 23:59 on the 14th in New York; the 15th in UTC
    assert _check(north, episode).status == "due"
    clock.at = _utc(2027, 3, 15, 4, 30)  # 00:30 on the 15th (at the old UTC-5: 23:30 the 14th)
    assert _check(north, episode).status == "overdue"


def test_new_york_window_opening_on_the_fall_back_day(north: Clinic, clock: MovingClock) -> None:
    # 2027-11-07: New York moves from UTC-4 to UTC-5 at 06:00 UTC; the day starts at 04:00 UTC.
    episode, patient = _episode(north, clock, "America/New_York", dt.date(2027, 10, 14))
    assert _check(north, episode, patient).due_from == dt.date(2027, 11, 7)
    clock.at = _utc(2027, 11, 7, 3, 59)  # 23:59 on the 6th in New York; the 7th in UTC
    assert _check(north, episode).status == "upcoming"
    clock.at = _utc(2027, 11, 7, 4, 1)
    assert _check(north, episode).status == "due"
    clock.at = _utc(2027, 11, 12, 4, 30)  # 23:30 on the 11th, the last day (UTC-5 now)
    assert _check(north, episode).status == "due"
    clock.at = _utc(2027, 11, 12, 5, 1)  # 00:01 on the 12th: the window has closed
    assert _check(north, episode).status == "overdue"


def test_london_window_ending_on_the_spring_forward_day(north: Clinic, clock: MovingClock) -> None:
    # 2027-03-28: London moves from UTC to UTC+1 at 01:00 UTC; the day ends at 23:00 UTC.
    episode, patient = _episode(north, clock, "Europe/London", dt.date(2027, 2, 28))
    assert _check(north, episode, patient).due_to == dt.date(2027, 3, 28)
    clock.at = _utc(2027, 3, 28, 22, 59)
    assert _check(north, episode).status == "due"
    clock.at = _utc(2027, 3, 28, 23, 1)  # 00:01 on the 29th in London; still the 28th in UTC
    assert _check(north, episode).status == "overdue"


def test_a_check_in_late_on_the_last_local_day_completes_the_point(
    north: Clinic, clock: MovingClock
) -> None:
    episode, _ = _episode(north, clock, "America/New_York", dt.date(2027, 2, 14))
    clock.at = _utc(2027, 3, 15, 3, 30)  # 23:30 on the 14th in New York, the last day
    link = north.record.check_in_link(north.me, episode.id)
    assert link.token is not None and link.instruments == ("phq9",)
    north.record.submit_check_in(link.token, {"phq9": PHQ9_MODERATE})
    clock.at = _utc(2027, 3, 20, 12)
    point = _check(north, episode)
    assert (point.status, point.done_on) == ("done", dt.date(2027, 3, 14))


def test_a_corrected_measurement_counts_by_its_correction(
    north: Clinic, clock: MovingClock
) -> None:
    episode, _ = _episode(north, clock, "Europe/London", dt.date(2027, 2, 28))
    clock.at = _utc(2027, 3, 27, 10)
    first = north.record.record(
        north.me, episode.id, "phq9", PHQ9_MODERATE, dt.date(2027, 3, 26)
    ).measurement
    assert _check(north, episode).status == "done"
    north.record.record(  # wrongly dated: it was taken before the window opened
        north.me, episode.id, "phq9", PHQ9_MODERATE, dt.date(2027, 3, 20), supersedes=first.id
    )
    assert _check(north, episode).status == "due"


def test_no_option_chosen_no_review_points(north: Clinic, clock: MovingClock) -> None:
    patient = north.record.add_patient(north.me, "P-open", "Europe/London")
    episode = north.record.create_episode(north.me, patient.id, case(), None, None)
    assert north.record.review_points(episode) == ()
    assert north.record.review_points(episode, patient) == ()


def test_review_points_audit_nothing(north: Clinic, clock: MovingClock) -> None:
    episode, patient = _episode(north, clock, "Europe/London", dt.date(2027, 2, 28))
    before, _ = north.record.verify_audit()
    north.record.review_points(episode)
    north.record.review_points(episode, patient)
    assert north.record.verify_audit()[0] == before
