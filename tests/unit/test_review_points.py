"""Review points from a dated plan, today and the measurement days (domain.review, pure)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from bothand.domain.review import ReviewPoint, review_points

START = dt.date(2026, 3, 2)


def _milestone(id_: str, day_from: int, day_to: int) -> dict[str, Any]:
    return {
        "id": id_,
        "kind": "check_progress",
        "day_from": day_from,
        "day_to": day_to,
        "title": id_.title(),
        "text": "",
        "sources": [],
        "date_from": (START + dt.timedelta(days=day_from)).isoformat(),
        "date_to": (START + dt.timedelta(days=day_to)).isoformat(),
    }


PLAN: dict[str, Any] = {
    "option": "medication",
    "milestones": [_milestone("begin", 0, 14), _milestone("helping", 28, 42)],
}
HELPING_FROM = START + dt.timedelta(days=28)
HELPING_TO = START + dt.timedelta(days=42)


def _helping(today: dt.date, days: list[dt.date] | None = None) -> ReviewPoint:
    points = review_points(PLAN, today, days or [])
    return next(p for p in points if p.milestone == "helping")


def test_one_point_per_milestone_in_plan_order_with_the_window() -> None:
    points = review_points(PLAN, START, [])
    assert [(p.milestone, p.due_from, p.due_to) for p in points] == [
        ("begin", START, START + dt.timedelta(days=14)),
        ("helping", HELPING_FROM, HELPING_TO),
    ]


@pytest.mark.parametrize("plan", [None, {}, {"option": "medication", "milestones": []}])
def test_no_plan_has_no_review_points(plan: dict[str, Any] | None) -> None:
    assert review_points(plan, START, [START]) == ()


def test_an_undated_milestone_has_no_point() -> None:
    undated = {k: v for k, v in _milestone("x", 3, 5).items() if not k.startswith("date_")}
    plan = {"option": "medication", "milestones": [undated, _milestone("helping", 28, 42)]}
    assert [p.milestone for p in review_points(plan, START, [])] == ["helping"]


def test_upcoming_until_the_day_before_the_window() -> None:
    assert _helping(HELPING_FROM - dt.timedelta(days=1)).status == "upcoming"


def test_due_from_the_first_to_the_last_day_inclusive() -> None:
    assert _helping(HELPING_FROM).status == "due"
    assert _helping(HELPING_FROM + dt.timedelta(days=7)).status == "due"
    assert _helping(HELPING_TO).status == "due"


def test_overdue_the_day_after_the_window() -> None:
    assert _helping(HELPING_TO + dt.timedelta(days=1)).status == "overdue"


@pytest.mark.parametrize("taken", [HELPING_FROM, HELPING_FROM + dt.timedelta(days=5), HELPING_TO])
def test_done_by_a_measurement_inside_the_window_ends_included(taken: dt.date) -> None:
    for today in (taken, HELPING_TO, HELPING_TO + dt.timedelta(days=30)):
        point = _helping(today, [taken])
        assert (point.status, point.done_on) == ("done", taken)


@pytest.mark.parametrize(
    "taken", [HELPING_FROM - dt.timedelta(days=1), HELPING_TO + dt.timedelta(days=1)]
)
def test_a_measurement_just_outside_the_window_does_not_count(taken: dt.date) -> None:
    point = _helping(HELPING_TO + dt.timedelta(days=2), [taken])
    assert (point.status, point.done_on) == ("overdue", None)


def test_a_measurement_dated_after_today_does_not_count_yet() -> None:
    today = HELPING_FROM + dt.timedelta(days=1)
    assert _helping(today, [today + dt.timedelta(days=1)]).status == "due"


def test_the_answers_of_the_start_day_complete_a_day_0_window() -> None:
    begin = review_points(PLAN, START + dt.timedelta(days=1), [START])[0]
    assert (begin.milestone, begin.status, begin.done_on) == ("begin", "done", START)


def test_statuses_are_each_of_the_four() -> None:
    today = START + dt.timedelta(days=20)
    assert [p.status for p in review_points(PLAN, today, [])] == ["overdue", "upcoming"]
    today = START + dt.timedelta(days=30)
    statuses = [p.status for p in review_points(PLAN, today, [START + dt.timedelta(days=3)])]
    assert statuses == ["done", "due"]


def test_today_must_be_a_date_not_a_moment() -> None:
    with pytest.raises(TypeError):
        review_points(PLAN, dt.datetime(2026, 3, 2, tzinfo=dt.UTC), [])


def test_the_next_review_point_is_the_earliest_not_done() -> None:
    from bothand.domain.review import next_review_point, windows

    found = windows(PLAN)
    assert next_review_point(found, START, []) == review_points(PLAN, START, [])[0]
    # begin is done by a score inside its window: next is "helping", upcoming then due
    done = [START + dt.timedelta(days=3)]
    upcoming = next_review_point(found, START + dt.timedelta(days=10), done)
    assert upcoming is not None and (upcoming.milestone, upcoming.status) == ("helping", "upcoming")
    due = next_review_point(found, HELPING_FROM, done)
    assert due is not None and due.status == "due"
    # begin never done stays next, overdue, even after "helping" is done
    late = next_review_point(found, HELPING_TO, [HELPING_FROM])
    assert late is not None and (late.milestone, late.status) == ("begin", "overdue")
    assert next_review_point(found, HELPING_TO, [*done, HELPING_FROM]) is None
    assert next_review_point((), START, []) is None
    # a score dated after today does not count
    ahead = next_review_point(found, START, [START + dt.timedelta(days=1)])
    assert ahead is not None and ahead.milestone == "begin"
    with pytest.raises(TypeError):
        next_review_point(found, dt.datetime(2026, 3, 2, tzinfo=dt.UTC), [])
