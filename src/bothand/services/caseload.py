"""Use-case: the clinician's caseload. Each patient the clinician may see, with their latest
score, its trend since the baseline, the next review point of their current episode and their
open alerts; and the caseload's order.

The store reads everything in one query (``Store.caseload``); this module only reads it:

- **Trend** is ``domain.track.progress`` on the latest score and its baseline (the first
  score in force of the same instrument in the same episode), by the content's default
  outcome profile: ``better`` is a reliable improvement, ``worse`` a reliable deterioration,
  ``no_change`` neither; ``no_threshold`` when the profile has no reliable-change value for
  the instrument (the change is still given); ``first`` when the latest score is the baseline.
- **Next review point** is ``domain.review.next_review_point`` over the current episode's
  plan, for today in the patient's zone. A stored plan never changes, so its windows are
  parsed once per episode and kept (``CaseloadMemo``): a caseload view reads only the plans
  not seen before.
- **Order** (``sort_caseload``): patients with an open critical alert first, then those with
  any other open alert, then everyone else; within each group the chosen key and direction,
  the reference breaking ties. A patient without the value sorted on (no score, no review
  point) comes last in the group, whichever the direction.

Nothing here writes or audits: ``Record.caseload`` does, once per view.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal
from zoneinfo import ZoneInfo

from bothand.domain.knowledge.outcomes import OutcomeProfile
from bothand.domain.record import CaseloadName, CaseloadRow, LatestScore, Patient
from bothand.domain.review import ReviewPoint, Window, next_review_point, windows
from bothand.domain.track.progress import progress

SortKey = Literal["name", "score", "trend", "review", "alerts"]
SORT_KEYS: tuple[SortKey, ...] = ("name", "score", "trend", "review", "alerts")
Direction = Literal["asc", "desc"]
DIRECTIONS: tuple[Direction, ...] = ("asc", "desc")
# The direction a column sorts in first: the most alerts and the highest scores on top.
FIRST_DIRECTION: dict[SortKey, Direction] = {
    "name": "asc",
    "score": "desc",
    "trend": "desc",
    "review": "asc",
    "alerts": "desc",
}
TrendWord = Literal["better", "worse", "no_change", "no_threshold", "first"]


@dataclass(frozen=True, slots=True)
class Trend:
    """The latest score against its baseline: ``change`` is latest minus baseline (a fall is
    an improvement on every instrument the caseload shows)."""

    change: int
    word: TrendWord
    since: dt.date  # the baseline's day


@dataclass(frozen=True, slots=True)
class CaseloadEntry:
    patient: Patient
    latest: LatestScore | None
    trend: Trend | None
    next_review: ReviewPoint | None
    open_critical: int
    open_alerts: int


# The keys the patients and their alerts alone can order by: for them only the rows of the
# page shown need their scores and review points read and worked out.
LIGHT_KEYS: frozenset[SortKey] = frozenset({"name", "alerts"})


@dataclass(frozen=True, slots=True)
class CaseloadPage:
    """One page of the caseload in its order: ``page`` of ``pages`` (the page asked for, kept
    within them), ``total`` patients in all, and their open alerts."""

    entries: list[CaseloadEntry]
    page: int
    pages: int
    total: int
    open_critical: int  # open alerts of all the caseload's patients: critical, and all
    open_alerts: int


def pages_of(total: int, size: int, page: int) -> tuple[int, int]:
    """The number of pages of ``size`` rows, and ``page`` kept within them."""
    pages = max(1, -(-total // size))
    return min(max(page, 1), pages), pages


class CaseloadMemo:
    """What a caseload view works out, kept for the next view: the review windows of each
    episode's plan, parsed once; the next review point for a day and a set of measurement
    days; the trend's word for a pair of scores. A stored plan is never changed (a
    re-decision is stored beside it), so nothing here goes stale: the next point is a pure
    function of the windows, today and the days, and the word one of the instrument, the two
    totals and the profile, and each is kept under those. At most ``size`` of each are kept;
    when full, the oldest half is dropped."""

    def __init__(self, size: int = 20_000) -> None:
        self._size = size
        self._windows: dict[str, tuple[Window, ...]] = {}
        self._next: dict[tuple[str, dt.date, str], ReviewPoint | None] = {}
        self._words: dict[tuple[str, str, int, int], TrendWord] = {}
        self._lock = threading.Lock()

    def missing(self, episode_ids: Iterable[str | None]) -> list[str]:
        found = self._windows
        return [e for e in dict.fromkeys(episode_ids) if e is not None and e not in found]

    def add(self, plans: Mapping[str, Mapping[str, Any] | None]) -> None:
        with self._lock:
            self._windows = _bounded(self._windows, len(plans), self._size)
            for episode_id, plan in plans.items():
                self._windows[episode_id] = windows(plan)

    def get(self, episode_id: str) -> tuple[Window, ...]:
        return self._windows.get(episode_id, ())

    def next_point(self, row: CaseloadRow, today: dt.date) -> ReviewPoint | None:
        """The next review point of ``row``'s current episode (None without one)."""
        if row.episode_id is None:
            return None
        key = (row.episode_id, today, row.days)
        try:
            return self._next[key]
        except KeyError:
            pass
        point = next_review_point(self.get(row.episode_id), today, row.taken_on)
        with self._lock:
            self._next = _bounded(self._next, 1, self._size)
            self._next[key] = point
        return point

    def trend(self, latest: LatestScore, profile: OutcomeProfile) -> Trend:
        """``trend_of``, its word kept under the instrument, the totals and the profile."""
        if latest.baseline_id == latest.id:
            return Trend(0, "first", latest.baseline_on)
        key = (profile.id, latest.instrument, latest.baseline_total, latest.total)
        word = self._words.get(key)
        if word is None:
            word = trend_of(latest, profile).word
            with self._lock:
                self._words = _bounded(self._words, 1, self._size)
                self._words[key] = word
        return Trend(latest.total - latest.baseline_total, word, latest.baseline_on)


def _bounded(kept: dict[Any, Any], adding: int, size: int) -> dict[Any, Any]:
    if len(kept) + adding <= size:
        return kept
    return dict(list(kept.items())[len(kept) // 2 :])


def trend_of(latest: LatestScore, profile: OutcomeProfile) -> Trend:
    if latest.baseline_id == latest.id:
        return Trend(0, "first", latest.baseline_on)
    found = progress(
        latest.instrument,
        [(latest.baseline_on, latest.baseline_total), (latest.taken_on, latest.total)],
        profile,
    )
    word: TrendWord
    if found.reliable_improvement is None:
        word = "no_threshold"
    elif found.reliable_improvement:
        word = "better"
    elif found.reliable_deterioration:
        word = "worse"
    else:
        word = "no_change"
    return Trend(latest.total - latest.baseline_total, word, latest.baseline_on)


def entries(
    rows: Sequence[CaseloadRow],
    memo: CaseloadMemo,
    profile: OutcomeProfile,
    now: dt.datetime,
) -> list[CaseloadEntry]:
    """The caseload's entries, in the store's order (by reference)."""
    today_in: dict[str, dt.date] = {}
    found = []
    for row in rows:
        patient = row.patient
        today = today_in.get(patient.timezone)
        if today is None:
            today = today_in[patient.timezone] = now.astimezone(ZoneInfo(patient.timezone)).date()
        point = memo.next_point(row, today)
        found.append(
            CaseloadEntry(
                patient,
                row.latest,
                memo.trend(row.latest, profile) if row.latest is not None else None,
                point,
                row.open_critical,
                row.open_alerts,
            )
        )
    return found


def _value(key: SortKey) -> Callable[[CaseloadEntry], Any]:
    # As ``_name_value``, for an entry: the two must order alike (by name and by alerts).
    if key == "name":
        return lambda e: e.patient.reference.casefold()
    if key == "score":
        return lambda e: e.latest.total if e.latest is not None else None
    if key == "trend":
        return lambda e: e.trend.change if e.trend is not None else None
    if key == "review":
        return lambda e: e.next_review.due_from if e.next_review is not None else None
    return lambda e: (e.open_critical, e.open_alerts) if e.open_alerts else None


def _name_value(key: SortKey) -> Callable[[CaseloadName], Any]:
    if key == "name":
        return lambda e: e.reference.casefold()
    if key == "alerts":
        return lambda e: (e.open_critical, e.open_alerts) if e.open_alerts else None
    raise ValueError(f"a caseload's names alone cannot be ordered by {key}")


def group(entry: CaseloadEntry | CaseloadName) -> int:
    """0: an open critical alert; 1: another open alert; 2: none open."""
    return 0 if entry.open_critical else 1 if entry.open_alerts else 2


def _in_order(
    found: Iterable[Any],
    value: Callable[[Any], Any],
    reference: Callable[[Any], tuple[str, str]],
    direction: Direction,
) -> list[Any]:
    by_reference = sorted(found, key=reference)
    present = [e for e in by_reference if value(e) is not None]
    absent = [e for e in by_reference if value(e) is None]
    present.sort(key=value, reverse=direction == "desc")  # stable: ties stay by reference
    ordered = present + absent
    ordered.sort(key=group)
    return ordered


def sort_caseload(
    found: Iterable[CaseloadEntry], key: SortKey, direction: Direction
) -> list[CaseloadEntry]:
    """The caseload in its order (see the module's docstring). ``key`` and ``direction`` are
    checked by the caller (``SORT_KEYS``, ``DIRECTIONS``)."""
    return _in_order(
        found, _value(key), lambda e: (e.patient.reference.casefold(), e.patient.id), direction
    )


def sort_names(
    found: Iterable[CaseloadName], key: SortKey, direction: Direction
) -> list[CaseloadName]:
    """The caseload's names in the order ``sort_caseload`` gives their entries, for a key in
    ``LIGHT_KEYS`` (the names and alerts alone order by it)."""
    return _in_order(
        found, _name_value(key), lambda e: (e.reference.casefold(), e.patient_id), direction
    )
