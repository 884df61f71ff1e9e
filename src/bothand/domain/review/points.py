"""Review points: each milestone of an episode's dated plan becomes one review point, due in a
window of the patient's calendar days, with a status worked out from "today" and the days the
episode's measurements were taken. Pure: no clock, no zone, no I/O.

Decisions (DESIGN.md, "Track contract": ``review_points``):

- **One point per milestone**, in the plan's order (by ``day_from``, then ``id``), keyed by
  the milestone's ``id``. Its window is the milestone's ``date_from`` to ``date_to``, both days
  included (a ``date_to`` before ``date_from`` is read as the one day ``date_from``; the
  planner never makes one). A milestone without both dates (an undated plan; the stored
  plan of an episode is always dated) has no point, and neither has an episode without a
  plan (the option was left to discuss): no plan, no review points.
- **"Today" is the caller's**: a calendar date already worked out in the patient's IANA zone
  (``services.record.patient_today``), so a window ends at the patient's local midnight, not
  at UTC's. Measurement days are the patient's too (``taken_on`` is stored as their date).
- **Status**, first match wins:
  1. ``done``: a measurement in force (the caller leaves out superseded ones), of any
     instrument, was taken on a day inside the window and on or before today. Scores taken
     inside the window are what the review looks at, so they complete it; the answers given
     with the decision on the start day complete the plan's day-0 baseline milestone, as they
     should. A measurement dated after today does not count (it cannot have been taken yet).
     A measurement taken after the window has closed does not make it done either: it is
     late for this point, which stays ``overdue`` (a later point may use it). The rule does
     not look at a milestone's kind: a long window (such as "each session") is done by its
     first score. A clinician marking a point done by hand comes later.
  2. ``upcoming``: today is before ``due_from``.
  3. ``due``: today is inside the window (both ends included) and it is not done.
  4. ``overdue``: today is after ``due_to`` and it is not done.
- What the scores show at a point (its ``finding``) is not worked out here yet; it will come
  from the episode's progress.
- **The next review point** (the caseload's column) is the earliest point, by ``due_from``
  then plan order, that is not ``done``: an overdue one stays next until it is done.
  ``windows`` parses a plan's windows once, so a caller showing many episodes can keep them
  (a stored plan never changes) and ask ``next_review_point`` without parsing again.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

ReviewStatus = Literal["upcoming", "due", "done", "overdue"]
STATUSES: tuple[ReviewStatus, ...] = ("upcoming", "due", "done", "overdue")
# A milestone's review window: (milestone id, kind, title, due from, due to).
Window = tuple[str, str, str, dt.date, dt.date]


@dataclass(frozen=True, slots=True)
class ReviewPoint:
    """One milestone as a review point. ``done_on``: the first day inside the window a
    measurement was taken (set only when ``status`` is ``done``)."""

    milestone: str
    kind: str
    title: str
    due_from: dt.date
    due_to: dt.date
    status: ReviewStatus
    done_on: dt.date | None = None


def review_points(
    plan: Mapping[str, Any] | None, today: dt.date, taken_on: Iterable[dt.date]
) -> tuple[ReviewPoint, ...]:
    """The review points of a plan (the stored contract plan: ``{"option", "milestones":
    [{"id", "kind", "title", "day_from", "date_from", "date_to", ...}]}``), for ``today`` in the
    patient's zone and the days the episode's measurements in force were taken."""
    _check_today(today)
    found = windows(plan)
    if not found:
        return ()
    days = sorted({d for d in taken_on if d <= today})
    return tuple(_point(window, today, days) for window in found)


def next_review_point(
    plan_windows: Sequence[Window], today: dt.date, taken_on: Iterable[dt.date]
) -> ReviewPoint | None:
    """The earliest review point not done (by ``due_from``, then plan order), from a plan's
    ``windows``, or None when every point is done or there are none. Its status is as in
    ``review_points``: ``upcoming``, ``due`` or ``overdue``."""
    _check_today(today)
    if not plan_windows:
        return None
    days = sorted({d for d in taken_on if d <= today})
    for window in sorted(plan_windows, key=lambda w: w[3]):  # stable: plan order within a day
        point = _point(window, today, days)
        if point.status != "done":
            return point
    return None


def _check_today(today: dt.date) -> None:
    if isinstance(today, dt.datetime) or not isinstance(today, dt.date):
        raise TypeError("today must be a calendar date in the patient's zone")


def windows(plan: Mapping[str, Any] | None) -> tuple[Window, ...]:
    """The review windows of a stored plan, in its order: milestones without both dates have
    none, and neither has no plan."""
    if not plan:
        return ()
    return tuple(w for w in (_window(m) for m in plan.get("milestones") or ()) if w is not None)


def _window(milestone: Any) -> Window | None:
    if not isinstance(milestone, Mapping):
        return None
    begins, ends = _date(milestone.get("date_from")), _date(milestone.get("date_to"))
    if begins is None or ends is None:
        return None
    return (
        str(milestone.get("id", "")),
        str(milestone.get("kind", "")),
        str(milestone.get("title", "")),
        begins,
        max(begins, ends),
    )


def _date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return None
    return None


def _point(window: Window, today: dt.date, days: list[dt.date]) -> ReviewPoint:
    milestone, kind, title, begins, ends = window
    inside = next((d for d in days if begins <= d <= ends), None)
    status: ReviewStatus
    if inside is not None:
        status = "done"
    elif today < begins:
        status = "upcoming"
    elif today <= ends:
        status = "due"
    else:
        status = "overdue"
    return ReviewPoint(milestone, kind, title, begins, ends, status, inside)
