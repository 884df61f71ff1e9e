"""Progress of one instrument through an episode, read by a named outcome profile.

``progress`` takes the scores of ONE instrument in force (corrections already applied by the
caller), as ``(taken_on, total)`` pairs, and a profile; ``paired_outcome`` reads PHQ-9 and
GAD-7 together as NHS Talking Therapies does (caseness, recovery, reliable improvement and
deterioration, reliable recovery). Pure: no clock, no storage.

Decisions where the definitions are silent:

- The first score is the baseline and the last the latest; scores on one date keep the
  caller's order.
- With a single score nothing is defined but the baseline and latest (every label is null),
  since each label compares a later score with the first.
- ``response`` is null when the baseline is 0 (no fall is possible), as is ``percent_change``.
- A change is reliable when it reaches the threshold (``>=``): the NHS values are whole
  points ("6 or more"); a Jacobson-Truax threshold with decimals is never met exactly by
  whole-number totals.
- ``stable_since`` is the date of the first score of the unbroken run of scores in remission
  that ends with the latest; null when the latest is not in remission or remission is not
  defined.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

from bothand.domain.knowledge.outcomes import InstrumentOutcomes, OutcomeProfile

DEPRESSION = "phq9"
ANXIETY = "gad7"


@dataclass(frozen=True)
class Score:
    total: int
    on: dt.date


@dataclass(frozen=True)
class Progress:
    """One instrument's course through an episode (DESIGN.md, Track contract)."""

    instrument: str
    profile: str
    baseline: Score
    latest: Score
    change: int | None
    percent_change: float | None
    response: bool | None
    remission: bool | None
    reliable_improvement: bool | None
    reliable_deterioration: bool | None
    stable_since: dt.date | None


def _ordered(series: Sequence[tuple[dt.date, int]]) -> list[Score]:
    # sorted() is stable: scores on one date keep the caller's order.
    return [Score(total, on) for on, total in sorted(series, key=lambda pair: pair[0])]


def _reliable(change: int, threshold: float | None) -> tuple[bool | None, bool | None]:
    if threshold is None:
        return None, None
    return change <= -threshold, change >= threshold


def _responded(baseline: int, latest: int, entry: InstrumentOutcomes) -> bool | None:
    if entry.response_fraction is None or baseline <= 0:
        return None
    share = Fraction(str(entry.response_fraction.value))
    # A fall of at least ``share`` of the baseline: baseline - latest >= share x baseline.
    return Fraction(baseline - latest) >= share * baseline


def progress(
    instrument: str, series: Sequence[tuple[dt.date, int]], profile: OutcomeProfile
) -> Progress:
    """The progress of ``instrument`` over ``series`` (at least one score) by ``profile``."""
    if not series:
        raise ValueError("progress needs at least one score")
    scores = _ordered(series)
    baseline, latest = scores[0], scores[-1]
    entry = profile.for_instrument(instrument) or InstrumentOutcomes(instrument=instrument)
    if len(scores) == 1:
        return Progress(
            instrument, profile.id, baseline, latest, None, None, None, None, None, None, None
        )
    change = latest.total - baseline.total
    percent = round(100 * change / baseline.total, 1) if baseline.total else None
    improvement, deterioration = _reliable(change, entry.reliable_change_threshold)
    remission: bool | None = None
    stable_since: dt.date | None = None
    if entry.remission_below is not None:
        cut_off = entry.remission_below.value
        remission = latest.total < cut_off
        if remission:
            start = len(scores) - 1
            while start > 0 and scores[start - 1].total < cut_off:
                start -= 1
            stable_since = scores[start].on
    return Progress(
        instrument=instrument,
        profile=profile.id,
        baseline=baseline,
        latest=latest,
        change=change,
        percent_change=percent,
        response=_responded(baseline.total, latest.total, entry),
        remission=remission,
        reliable_improvement=improvement,
        reliable_deterioration=deterioration,
        stable_since=stable_since,
    )


@dataclass(frozen=True)
class Definitions:
    """The values a paired outcome was read with, and the rules in short."""

    profile: str
    caseness_at_or_above: dict[str, float]
    reliable_change: dict[str, float]
    rules: tuple[str, ...] = (
        "caseness: at or above the cut-off on the depression OR the anxiety measure",
        "recovery: at caseness at the first pair and below caseness on BOTH at the last",
        "reliable improvement: a reliable fall on at least one measure and no reliable rise on"
        " the other",
        "reliable deterioration: a reliable rise on at least one measure and no reliable fall"
        " on the other",
        "reliable recovery: recovery and reliable improvement",
        "scores: the first and the last dates on which both measures were taken",
    )


@dataclass(frozen=True)
class PairedOutcome:
    """PHQ-9 with GAD-7 read as NHS Talking Therapies does. ``recovery`` and
    ``reliable_recovery`` are null when the person was not at caseness at the start (they are
    outside that measure); everything but ``caseness_at_start`` is null with fewer than two
    pairs; everything is null with no pair or without the profile's values."""

    profile: str
    pairs: int
    first: tuple[Score, Score] | None  # (depression, anxiety)
    last: tuple[Score, Score] | None
    caseness_at_start: bool | None
    recovery: bool | None
    reliable_improvement: bool | None
    reliable_deterioration: bool | None
    reliable_recovery: bool | None
    definitions: Definitions | None


def _by_date(series: Sequence[tuple[dt.date, int]]) -> dict[dt.date, int]:
    # The last score given for a date stands for that date.
    return dict(sorted(series, key=lambda pair: pair[0]))


def paired_outcome(
    depression: Sequence[tuple[dt.date, int]],
    anxiety: Sequence[tuple[dt.date, int]],
    profile: OutcomeProfile,
) -> PairedOutcome:
    """Recovery and reliable change on PHQ-9 (``depression``) and GAD-7 (``anxiety``), paired
    by date, by ``profile``'s caseness and reliable-change values."""
    dep_entry = profile.for_instrument(DEPRESSION)
    anx_entry = profile.for_instrument(ANXIETY)
    dep_by_date, anx_by_date = _by_date(depression), _by_date(anxiety)
    dates = sorted(set(dep_by_date) & set(anx_by_date))
    empty = PairedOutcome(profile.id, len(dates), None, None, None, None, None, None, None, None)
    if dep_entry is None or anx_entry is None:
        return empty
    dep_rc, anx_rc = dep_entry.reliable_change_threshold, anx_entry.reliable_change_threshold
    dep_case, anx_case = dep_entry.caseness_at_or_above, anx_entry.caseness_at_or_above
    if dep_rc is None or anx_rc is None or dep_case is None or anx_case is None or not dates:
        return empty
    definitions = Definitions(
        profile=profile.id,
        caseness_at_or_above={DEPRESSION: dep_case.value, ANXIETY: anx_case.value},
        reliable_change={DEPRESSION: dep_rc, ANXIETY: anx_rc},
    )

    def pair(on: dt.date) -> tuple[Score, Score]:
        return Score(dep_by_date[on], on), Score(anx_by_date[on], on)

    def case(scores: tuple[Score, Score]) -> bool:
        return scores[0].total >= dep_case.value or scores[1].total >= anx_case.value

    first, last = pair(dates[0]), pair(dates[-1])
    at_start = case(first)
    if len(dates) < 2:
        return PairedOutcome(
            profile.id, 1, first, None, at_start, None, None, None, None, definitions
        )
    dep_change = last[0].total - first[0].total
    anx_change = last[1].total - first[1].total
    dep_up, dep_down = dep_change >= dep_rc, dep_change <= -dep_rc
    anx_up, anx_down = anx_change >= anx_rc, anx_change <= -anx_rc
    improvement = (dep_down and not anx_up) or (anx_down and not dep_up)
    deterioration = (dep_up and not anx_down) or (anx_up and not dep_down)
    recovery = (not case(last)) if at_start else None
    return PairedOutcome(
        profile=profile.id,
        pairs=len(dates),
        first=first,
        last=last,
        caseness_at_start=at_start,
        recovery=recovery,
        reliable_improvement=improvement,
        reliable_deterioration=deterioration,
        reliable_recovery=(recovery and improvement) if recovery is not None else None,
        definitions=definitions,
    )
