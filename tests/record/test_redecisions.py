"""Second decisions in the clinic record, on both databases: the score that makes "is it
helping?" too little stores exactly one re-decision, in the same transaction, audited; a later
score adds none; a reliable improvement makes none; the first decision stays as it was; a
check-in makes one too; the sweep's ``Record.redecide`` is idempotent; a foreign episode is
not found."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import text

from bothand.catalog import Catalog
from bothand.domain.errors import NotFoundError
from bothand.storage import Database, unit_of_work
from tests.conftest import MovingClock
from tests.record.helpers import Clinic, make_clinic

PHQ9_12 = [2, 2, 2, 2, 1, 1, 1, 1, 0]  # 12, moderate, item 9 answered 0
PHQ9_11 = [2, 2, 2, 1, 1, 1, 1, 1, 0]  # 11: a fall of 1, short of the 6 that is reliable
PHQ9_4 = [1, 1, 1, 1, 0, 0, 0, 0, 0]  # 4: a fall of 8, a reliable improvement
PHQ9_15 = [2, 2, 2, 2, 2, 2, 2, 1, 0]  # 15, moderately severe
START = dt.date(2026, 12, 1)
WEEK_4 = dt.datetime(2026, 12, 26, 12, 0, tzinfo=dt.UTC)  # inside days 24-28 of medicine


def medicine_case(answers: list[int] | None = None) -> dict[str, Any]:
    return {
        "concerns": [
            {"condition": "depression", "instrument": "phq9", "answers": answers or PHQ9_12}
        ],
        "preferences": {"medication": "prefer", "therapy": "open"},
    }


@pytest.fixture
def clinic(catalog: Catalog, database: Database, clock: MovingClock) -> Clinic:
    return make_clinic(catalog, database, clock)


def _episode(clinic: Clinic, option: str = "medication") -> tuple[str, str]:
    patient = clinic.record.add_patient(clinic.me, "RD-1", "UTC")
    episode = clinic.record.create_episode(clinic.me, patient.id, medicine_case(), option, START)
    return patient.id, episode.id


def _count(database: Database, table: str, where: str = "") -> int:
    with database.engine.connect() as connection:
        return int(connection.execute(text(f"SELECT count(*) FROM {table} {where}")).scalar_one())


def test_too_little_at_is_it_helping_stores_one_redecision(
    clinic: Clinic, database: Database, clock: MovingClock
) -> None:
    _, episode_id = _episode(clinic)
    first = clinic.record.episode(clinic.me, episode_id)[0]
    clock.at = WEEK_4
    recorded = clinic.record.record(clinic.me, episode_id, "phq9", PHQ9_11, WEEK_4.date())
    [made] = recorded.redecisions
    assert made.milestone == "milestone.check_progress"
    assert made.finding["kind"] == "no_reliable_change"
    assert made.finding["weeks"] == 3  # 25 days of medicine
    body = made.decision
    options = {o["id"]: o for o in body["options"]}
    # Moderate depression is "less severe" in NG222: therapy is the usual start and medicine
    # alone is there because the person wanted it. Medicine alone for about 4 weeks with no
    # reliable change: NG222 1.9.1 considers combining, and adding therapy to medicine helps
    # more than medicine alone (Cuijpers 2014), so both together becomes a usual start.
    assert (options["combined"]["was"], options["combined"]["fit"]) == ("reasonable", "usual_start")
    assert (options["therapy"]["was"], options["therapy"]["fit"]) == ("usual_start", "usual_start")
    combined_change = next(c for c in body["changes"] if c["id"] == "redecide.change.combined")
    assert combined_change["sources"]
    assert body["learned"]["history"]["after"]["medication"] == "did_not_help"
    assert "redecide.learned.medicine" in body["learned"]["rules"]
    assert "redecide.depression.after_medicine" in body["learned"]["rules"]
    assert body["case"]["history"]["medication"] == "did_not_help"
    assert [c["id"] for c in body["changes"]][:1] == ["reason.redecide.tried_medicine"]
    assert all(c["sources"] for c in body["changes"])
    # Stored, audited, and the first decision untouched.
    assert _count(database, "redecisions") == 1
    with unit_of_work(database, clock.now()) as store:
        actions = [e.action for e in store.trail(clinic.clinic_id)]
    assert actions.count("redecision.create") == 1
    again = clinic.record.episode(clinic.me, episode_id)[0]
    assert again.decision == first.decision
    assert again.option == "medication"
    assert again.plan == first.plan
    assert [r.id for r in clinic.record.redecisions(again)] == [made.id]


def test_a_second_score_in_the_window_adds_no_second_redecision(
    clinic: Clinic, database: Database, clock: MovingClock
) -> None:
    _, episode_id = _episode(clinic)
    clock.at = WEEK_4
    first = clinic.record.record(clinic.me, episode_id, "phq9", PHQ9_11, WEEK_4.date())
    assert len(first.redecisions) == 1
    clock.advance(days=1)
    later = clinic.record.record(clinic.me, episode_id, "phq9", PHQ9_12, clock.today())
    assert later.redecisions == []
    assert _count(database, "redecisions") == 1


def test_a_reliable_improvement_makes_no_redecision(
    clinic: Clinic, database: Database, clock: MovingClock
) -> None:
    _, episode_id = _episode(clinic)
    clock.at = WEEK_4
    recorded = clinic.record.record(clinic.me, episode_id, "phq9", PHQ9_4, WEEK_4.date())
    assert recorded.redecisions == []
    assert _count(database, "redecisions") == 0


def test_a_score_outside_any_review_window_makes_none(
    clinic: Clinic, database: Database, clock: MovingClock
) -> None:
    _, episode_id = _episode(clinic)
    clock.advance(days=3)  # before the first review window
    assert (
        clinic.record.record(clinic.me, episode_id, "phq9", PHQ9_12, clock.today()).redecisions
        == []
    )
    assert _count(database, "redecisions") == 0


def test_an_episode_left_to_discuss_is_never_decided_again(
    clinic: Clinic, database: Database, clock: MovingClock
) -> None:
    _, episode_id = _episode(clinic, option=None)  # type: ignore[arg-type]
    clock.at = WEEK_4
    assert (
        clinic.record.record(clinic.me, episode_id, "phq9", PHQ9_15, WEEK_4.date()).redecisions
        == []
    )


def test_the_sweep_is_idempotent_and_audited_as_the_system(
    clinic: Clinic, database: Database, clock: MovingClock
) -> None:
    _, episode_id = _episode(clinic)
    clock.at = WEEK_4
    # Recorded without follow-up (a bulk import): nothing is decided yet.
    clinic.record.record(clinic.me, episode_id, "phq9", PHQ9_15, WEEK_4.date(), follow_up=False)
    assert _count(database, "redecisions") == 0
    for expected in (1, 0):
        with unit_of_work(database, clock.now()) as store:
            episode = store.episode(episode_id)
            assert episode is not None
            patient = store.patient(episode.patient_id)
            assert patient is not None
            assert len(clinic.record.redecide(store, episode, patient)) == expected
    assert _count(database, "redecisions") == 1
    with unit_of_work(database, clock.now()) as store:
        events = [e for e in store.trail(clinic.clinic_id) if e.action == "redecision.create"]
    assert [(e.actor, e.record_kind) for e in events] == [("system", "redecision")]


def test_a_redecision_is_never_changed_or_deleted(
    clinic: Clinic, database: Database, clock: MovingClock
) -> None:
    _, episode_id = _episode(clinic)
    clock.at = WEEK_4
    clinic.record.record(clinic.me, episode_id, "phq9", PHQ9_15, WEEK_4.date())
    for statement in ("UPDATE redecisions SET milestone = 'x'", "DELETE FROM redecisions"):
        with pytest.raises(Exception), database.engine.begin() as connection:  # noqa: B017
            connection.execute(text(statement))
    assert _count(database, "redecisions", "WHERE milestone = 'milestone.check_progress'") == 1


def test_a_check_in_that_shows_too_little_makes_one(
    clinic: Clinic, database: Database, clock: MovingClock
) -> None:
    _, episode_id = _episode(clinic)
    clock.at = WEEK_4
    link = clinic.record.check_in_link(clinic.me, episode_id)
    assert link.token is not None
    answers = {"phq9": PHQ9_15, "asq": [0, 0, 0, 0, None]}
    clinic.record.submit_check_in(link.token, {i: answers[i] for i in link.instruments})
    with unit_of_work(database, clock.now()) as store:
        [made] = store.redecisions_of(episode_id)
        events = [e for e in store.trail(clinic.clinic_id) if e.action == "redecision.create"]
    assert made.finding["latest"]["total"] == sum(PHQ9_15)
    assert [e.actor for e in events] == [f"link:{link.id}"]


def test_a_foreign_episode_is_not_found(
    catalog: Catalog, database: Database, clock: MovingClock, clinic: Clinic
) -> None:
    _, episode_id = _episode(clinic)
    other = make_clinic(catalog, database, clock, "South", "s")
    clock.at = WEEK_4
    with pytest.raises(NotFoundError):
        other.record.record(other.me, episode_id, "phq9", PHQ9_15, WEEK_4.date())
    with pytest.raises(NotFoundError):
        other.record.episode(other.me, episode_id)
    assert _count(database, "redecisions") == 0


def test_the_latest_answers_rate_the_concern_again(
    clinic: Clinic, database: Database, clock: MovingClock
) -> None:
    """A score that stays high but moves into the next band is rated by its own answers."""
    patient = clinic.record.add_patient(clinic.me, "RD-2", "UTC")
    moderate = [2, 2, 1, 1, 1, 1, 1, 1, 2]  # 12, moderate; item 9 above 0 at the start
    made = clinic.record.create_episode(
        clinic.me, patient.id, medicine_case(moderate), "medication", START
    )
    clock.at = WEEK_4
    recorded = clinic.record.record(clinic.me, made.id, "phq9", PHQ9_15, WEEK_4.date())
    [again] = recorded.redecisions
    assert again.decision["learned"]["severity"] == {
        "before": "moderate",
        "after": "moderately_severe",
    }
    # The re-read case carries the latest answers, so item 9 is read again (now 0).
    assert again.decision["case"]["concerns"][0]["answers"] == PHQ9_15
    assert again.decision["recommendation"]["safety"]["urgent"] is False
