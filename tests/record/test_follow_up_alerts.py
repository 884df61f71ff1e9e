"""The follow-up alerts through the record service, on SQLite and PostgreSQL (issue 12,
section 3): deterioration when a score is recorded (once while one is open or acknowledged,
again after it was resolved, never for an improving series); a review point that found too
little change, once; the continue / taper / stop talk only after its window AND six months of
remission, and for bipolar disorder the continue-and-review talk in its own words, never the
taper's; a review point overdue only once its window has closed in the patient's zone; a
check-in link that expired unused. The sweep is idempotent and audited as the system."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import text

from bothand.catalog import Catalog
from bothand.domain.record import Alert, Episode, Patient
from bothand.storage import Database
from tests.conftest import MovingClock
from tests.record.helpers import Clinic, make_clinic

START = dt.date(2027, 1, 11)  # a Monday in winter: New York is at UTC-5 all through


def answers(total: int) -> list[int]:
    """PHQ-9 answers adding up to ``total`` (at most 24), item 9 (risk) always 0."""
    items = [0] * 9
    for i in range(total):
        items[i % 8] += 1
    return items


def depression(total: int = 15) -> dict[str, Any]:
    return {
        "concerns": [{"condition": "depression", "instrument": "phq9", "answers": answers(total)}],
        "preferences": {"medication": "open", "therapy": "open"},
    }


def at(day: int, hour: int = 12) -> dt.datetime:
    """Noon UTC on the plan's ``day``."""
    return dt.datetime.combine(START + dt.timedelta(days=day), dt.time(hour), dt.UTC)


@pytest.fixture
def north(catalog: Catalog, database: Database, clock: MovingClock) -> Clinic:
    return make_clinic(catalog, database, clock)


def start(
    north: Clinic,
    clock: MovingClock,
    case: dict[str, Any] | None = None,
    option: str = "medication",
    zone: str = "Europe/London",
    reference: str = "MRN-1",
) -> tuple[Episode, Patient]:
    clock.at = at(0)
    patient = north.record.add_patient(north.me, reference, zone)
    episode = north.record.create_episode(north.me, patient.id, case or depression(), option, START)
    return episode, patient


def score(north: Clinic, clock: MovingClock, episode: Episode, day: int, total: int) -> list[Alert]:
    clock.at = at(day)
    taken = START + dt.timedelta(days=day)
    return north.record.record(north.me, episode.id, "phq9", answers(total), taken).alerts


def kinds(alerts: list[Alert]) -> list[tuple[str, str | None, str]]:
    return [(a.kind, a.subject, a.reason) for a in alerts]


def alerts_of(north: Clinic, patient: Patient) -> list[Alert]:
    return north.record.patient(north.me, patient.id).alerts


def events(database: Database, action: str) -> list[tuple[str, str]]:
    with database.engine.connect() as c:
        rows = c.execute(
            text("SELECT actor, role FROM audit_events WHERE action = :a ORDER BY seq"),
            {"a": action},
        ).all()
    return [(row[0], row[1]) for row in rows]


# --- deterioration ----------------------------------------------------------------------


def test_deterioration_once_then_again_after_it_was_resolved(
    north: Clinic, clock: MovingClock, database: Database
) -> None:
    episode, _patient = start(north, clock, depression(10))
    assert score(north, clock, episode, 3, 15) == []  # +5: short of PHQ-9's 6
    raised = score(north, clock, episode, 5, 16)  # +6: reliable deterioration
    assert kinds(raised) == [("deterioration", "phq9/1", "reliable_deterioration")]
    assert raised[0].measurement_id is not None
    assert score(north, clock, episode, 6, 20) == []  # the first is still open
    north.record.acknowledge(north.me, raised[0].id)
    assert score(north, clock, episode, 7, 20) == []  # ... or acknowledged
    north.record.resolve(north.me, raised[0].id, "Seen today; plan changed")
    again = score(north, clock, episode, 8, 19)
    assert kinds(again) == [("deterioration", "phq9/2", "reliable_deterioration")]
    user = f"user:{north.clinician.id}"
    assert events(database, "alert.create") == [(user, "clinician")] * 2


def test_an_improving_series_never_raises_deterioration(north: Clinic, clock: MovingClock) -> None:
    episode, patient = start(north, clock, depression(18))
    for day, total in ((3, 18), (5, 15), (7, 12), (9, 7), (11, 3)):
        assert [a for a in score(north, clock, episode, day, total) if a.kind != "overdue"] == []
    assert [a.kind for a in alerts_of(north, patient)] == []


def test_a_check_in_raises_deterioration_too(north: Clinic, clock: MovingClock) -> None:
    episode, _patient = start(north, clock, depression(8))
    clock.at = at(3)
    link = north.record.check_in_link(north.me, episode.id, ["phq9"])
    assert link.token is not None
    [recorded] = north.record.submit_check_in(link.token, {"phq9": answers(20)})
    assert kinds(recorded.alerts) == [("deterioration", "phq9/1", "reliable_deterioration")]


# --- review due -------------------------------------------------------------------------

CHECK = "milestone.check_progress"  # medication for depression: days 24 to 28


def test_too_little_change_at_a_review_point_is_raised_once(
    north: Clinic, clock: MovingClock
) -> None:
    episode, _patient = start(north, clock, depression(15))
    assert score(north, clock, episode, 20, 13) == []  # before the window: no finding yet
    raised = score(north, clock, episode, 25, 14)  # -1 in the window: no reliable change
    assert kinds(raised) == [("review_due", CHECK, "review_no_reliable_change")]
    assert score(north, clock, episode, 26, 13) == []  # the point has its alert


def test_a_reliable_improvement_at_a_review_point_raises_nothing(
    north: Clinic, clock: MovingClock
) -> None:
    episode, _patient = start(north, clock, depression(15))
    assert score(north, clock, episode, 25, 8) == []  # -7: reliable improvement


def sweep(north: Clinic, clock: MovingClock, moment: dt.datetime) -> list[Alert]:
    clock.at = moment
    return north.record.sweep()


def talks(alerts: list[Alert]) -> list[tuple[str | None, str]]:
    return [(a.subject, a.reason) for a in alerts if (a.subject or "").endswith("/talk")]


TAPER = ("milestone.continue_taper_stop/talk", "talk_continue_taper_stop")


def test_the_taper_talk_is_due_after_its_window_and_six_months_of_remission(
    north: Clinic, clock: MovingClock, database: Database
) -> None:
    episode, patient = start(north, clock, depression(15))
    [talk] = [
        p for p in north.record.review_points(episode, patient) if p.kind == "continue_taper_stop"
    ]
    assert (talk.due_from - START).days == 224  # full effect (day 42) + 182 days
    for day, total in ((30, 4), (60, 3), (200, 2)):
        score(north, clock, episode, day, total)  # remission from day 30
    assert talks(sweep(north, clock, at(223))) == []  # 193 days of remission; window not open
    assert talks(sweep(north, clock, at(224))) == [TAPER]
    assert talks(sweep(north, clock, at(225))) == []  # once
    assert ("system", "system") in events(database, "alert.create")


def test_the_taper_talk_waits_for_the_stable_period(north: Clinic, clock: MovingClock) -> None:
    episode, _patient = start(north, clock, depression(15))
    for day, total in ((30, 9), (100, 4), (150, 3)):
        score(north, clock, episode, day, total)  # remission from day 100
    assert talks(sweep(north, clock, at(250))) == []  # window open, 150 days of remission
    assert talks(sweep(north, clock, at(281))) == []  # 181 days
    assert talks(sweep(north, clock, at(282))) == [TAPER]  # 182 days: six months


def test_no_taper_talk_without_remission(north: Clinic, clock: MovingClock) -> None:
    episode, _patient = start(north, clock, depression(15))
    for day, total in ((30, 4), (200, 12)):
        score(north, clock, episode, day, total)  # remission broken on day 200
    assert talks(sweep(north, clock, at(400))) == []


def test_bipolar_stays_continue_and_review_and_never_taper(
    north: Clinic, clock: MovingClock, catalog: Catalog
) -> None:
    bipolar = {
        "concerns": [{"condition": "bipolar", "severity": "moderate"}],
        "preferences": {"medication": "open", "therapy": "open"},
    }
    episode, patient = start(north, clock, bipolar, "combined")
    points = north.record.review_points(episode, patient)
    assert "continue_taper_stop" not in {p.kind for p in points}
    [review] = [p for p in points if p.kind == "continue_and_review"]
    score(north, clock, episode, 1, 12)
    score(north, clock, episode, 30, 14)  # not in remission: the review comes all the same
    day = (review.due_from - START).days
    assert talks(sweep(north, clock, at(day - 1))) == []
    raised = talks(sweep(north, clock, at(day)))
    assert raised == [(f"{review.milestone}/talk", "talk_continue_and_review")]
    later = sweep(north, clock, at(day + 400))
    assert all(a.reason != "talk_continue_taper_stop" for a in alerts_of(north, patient))
    assert talks(later) == []
    words = catalog.labels.text["clinic.alerts.reason.talk_continue_and_review"]
    assert "not to taper" in words and "lower" not in words
    # The plan's words for that point speak of the long term, not of tapering.
    [milestone] = [m for m in episode.plan["milestones"] if m["kind"] == "continue_and_review"]  # type: ignore[index]
    assert "long term" in milestone["text"] and "taper" not in milestone["text"]


# --- overdue ----------------------------------------------------------------------------

WEEK4 = "milestone.remeasure_week4"  # medication: day 28, one day


def overdue(alerts: list[Alert]) -> list[str | None]:
    return [a.subject for a in alerts if a.kind == "overdue"]


def test_overdue_only_once_the_window_has_closed_in_the_patients_zone(
    north: Clinic, clock: MovingClock
) -> None:
    episode, _patient = start(north, clock, zone="America/New_York")
    score(north, clock, episode, 20, 12)
    last_day = START + dt.timedelta(days=28)
    # 23:30 on day 28 in New York (UTC-5) is already day 29 in UTC.
    late_evening = dt.datetime.combine(last_day + dt.timedelta(days=1), dt.time(4, 30), dt.UTC)
    assert WEEK4 not in overdue(sweep(north, clock, late_evening))
    raised = sweep(north, clock, late_evening + dt.timedelta(minutes=31))  # 00:01 on day 29
    assert overdue(raised) == [WEEK4]
    assert raised[0].reason == "review_point_missed"
    assert overdue(sweep(north, clock, at(30))) == []  # once


def test_a_late_score_answers_an_overdue_point(north: Clinic, clock: MovingClock) -> None:
    episode, _patient = start(north, clock)
    score(north, clock, episode, 20, 12)
    score(north, clock, episode, 30, 12)  # two days after week 4's one-day window
    assert WEEK4 not in overdue(sweep(north, clock, at(31)))


def test_a_check_in_link_that_expired_unused_is_overdue(north: Clinic, clock: MovingClock) -> None:
    episode, _patient = start(north, clock)
    clock.at = at(1)
    link = north.record.check_in_link(north.me, episode.id)
    subject = f"link/{link.id}"
    assert subject not in overdue(sweep(north, clock, at(7)))  # it works for 7 days
    raised = sweep(north, clock, at(8, 13))
    assert subject in overdue(raised)
    assert [a.reason for a in raised if a.subject == subject] == ["check_in_expired"]
    assert subject not in overdue(sweep(north, clock, at(9)))  # once


def test_a_link_is_not_overdue_when_a_score_came_another_way(
    north: Clinic, clock: MovingClock
) -> None:
    episode, _patient = start(north, clock)
    clock.at = at(1)
    used = north.record.check_in_link(north.me, episode.id, ["phq9"])
    assert used.token is not None
    north.record.submit_check_in(used.token, {"phq9": answers(12)})
    clock.at = at(2)
    unused = north.record.check_in_link(north.me, episode.id, ["phq9"])
    score(north, clock, episode, 4, 11)  # measured in session after the link was made
    assert not [s for s in overdue(sweep(north, clock, at(12))) if s and s.startswith("link/")]
    assert unused.id != used.id


def test_the_sweep_is_idempotent_and_follows_the_newest_episode(
    north: Clinic, clock: MovingClock
) -> None:
    _old, patient = start(north, clock)
    clock.at = at(2)
    new = north.record.create_episode(north.me, patient.id, depression(15), "medication", START)
    first = sweep(north, clock, at(60))
    assert first and {a.episode_id for a in first} == {new.id}
    assert sweep(north, clock, at(60)) == []
    assert sweep(north, clock, at(60, 18)) == []


def test_an_episode_left_to_discuss_has_no_time_based_alerts(
    north: Clinic, clock: MovingClock
) -> None:
    clock.at = at(0)
    patient = north.record.add_patient(north.me, "MRN-9", "Europe/London")
    north.record.create_episode(north.me, patient.id, depression(15), None, None)
    assert sweep(north, clock, at(400)) == []


def test_the_inbox_lists_critical_first_then_by_kind(north: Clinic, clock: MovingClock) -> None:
    episode, _patient = start(north, clock, depression(10))
    score(north, clock, episode, 5, 18)  # deterioration
    sweep(north, clock, at(40))  # overdue
    clock.at = at(41)
    risky = answers(10)
    risky[8] = 1
    north.record.record(north.me, episode.id, "phq9", risky, START + dt.timedelta(days=41))
    found = [a.kind for a, _ in north.record.alerts(north.me, "open")]
    assert found[0] == "critical"
    order = ["critical", "deterioration", "review_due", "overdue"]
    assert found == sorted(found, key=order.index)
    assert {"deterioration", "overdue"} <= set(found)


# --- one alert per episode, kind and subject ----------------------------------------------


def test_a_raise_that_loses_a_race_is_a_no_op(
    north: Clinic, clock: MovingClock, database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bothand.storage import Store, unit_of_work

    episode, patient = start(north, clock)
    with unit_of_work(database, clock.now()) as store:
        first = store.add_alert_once(patient, "overdue", "review_point_missed", episode.id, WEEK4)
        assert first is not None
        # Asked again: found by the check.
        assert store.add_alert_once(patient, "overdue", "x", episode.id, WEEK4) is None
        # Another process raised it between the check and the insert: the unique index
        # refuses it inside a savepoint, and the transaction goes on.
        monkeypatch.setattr(Store, "alert_subjects", lambda self, *args: {})
        assert store.add_alert_once(patient, "overdue", "x", episode.id, WEEK4) is None
        other = store.add_alert_once(patient, "overdue", "x", episode.id, "link/abc")
        assert other is not None
    assert sorted(overdue(alerts_of(north, patient))) == ["link/abc", WEEK4]  # type: ignore[type-var]


def test_the_follow_up_reads_the_plan_start_and_concerns_alone(
    north: Clinic, clock: MovingClock, database: Database
) -> None:
    """What recording a score reads for its review points: the plan, the start and the
    decision's concerns (a JSON path on both databases), not the whole decision."""
    from bothand.storage import unit_of_work

    episode, _ = start(north, clock, depression(12))
    with unit_of_work(database, clock.now()) as store:
        plan, begun, concerns = store.plan_of(episode.id)
    assert plan == episode.plan and begun == START
    assert concerns == episode.decision["case"]["concerns"]
    assert concerns[0]["instrument"] == "phq9"
