"""What a review point finds: how the scores moved from the episode's first one to the last one
taken by the end of the point's window, in one of four kinds (``outcomes.yaml``, ``findings``).
Pure: no clock, no storage.

Decisions where the issue is silent:

- **Which points.** Only points whose milestone kind is listed (``findings.milestone_kinds``:
  "is it helping?", full effect, room for the other treatment, watchful-waiting re-checks and
  the continue / taper / stop talk), and only once a score was taken inside the window
  (status ``done``). A point that is due or overdue without a score in its window has no
  finding: an older score would speak for a time the point is not about.
- **Which scores.** Those in force (the caller leaves out superseded ones) taken on or before
  the window's last day; the baseline is the episode's first score of that instrument.
- **Which instrument.** The first, in the caller's order (the decision's concerns, then the
  rest as first measured), that has a score inside the window, at least two scores, and a
  reliable-change threshold in the profile or, failing that, in ``findings.fallback_profile``
  (the NHS Talking Therapies profile has none for the PCL-5; Jacobson-Truax has). The profile
  that gave the threshold is recorded with the finding.
- **Kinds**, first match wins: ``worse`` (a rise of at least the threshold),
  ``reliable_improvement`` (a fall of at least the threshold), ``some_change`` (a fall of at
  least ``some_change_at_least`` of the threshold), ``no_reliable_change``.
- ``weeks`` is whole weeks from the plan's start (or, without one, the baseline) to the latest
  score: how long the treatment had when the point was judged.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from bothand.domain.knowledge.outcomes import FindingKind, OutcomeProfile, Outcomes
from bothand.domain.review.points import ReviewPoint
from bothand.domain.track.progress import Score


@dataclass(frozen=True, slots=True)
class Finding:
    """What one review point found, for the clinician in numbers and for the person in the
    words of its ``kind``."""

    milestone: str
    kind: FindingKind
    too_little: bool  # the kind asks for a second decision (``findings.too_little``)
    instrument: str
    profile: str  # the profile whose reliable-change threshold was used
    threshold: float
    baseline: Score
    latest: Score
    change: int  # latest - baseline
    weeks: int


def finding_kind(change: int, threshold: float, some_change_at_least: float) -> FindingKind:
    """The kind of a change (latest - baseline; a fall is negative) against a reliable-change
    threshold."""
    if threshold <= 0:
        raise ValueError("a reliable-change threshold is positive")
    if change >= threshold:
        return "worse"
    if -change >= threshold:
        return "reliable_improvement"
    if -change >= some_change_at_least * threshold:
        return "some_change"
    return "no_reliable_change"


def _threshold(
    instrument: str, profiles: Sequence[OutcomeProfile]
) -> tuple[OutcomeProfile, float] | None:
    for profile in profiles:
        entry = profile.for_instrument(instrument)
        if entry is not None:
            threshold = entry.reliable_change_threshold
            if threshold is not None:
                return profile, threshold
    return None


def find(
    point: ReviewPoint,
    series: Mapping[str, Sequence[tuple[dt.date, int]]],
    instruments: Sequence[str],
    outcomes: Outcomes,
    start: dt.date | None = None,
    profile: str | None = None,
) -> Finding | None:
    """The finding of one review point, or None (see the module's decisions). ``series``: each
    instrument's scores in force as ``(taken_on, total)`` in the order taken; ``instruments``:
    which to prefer, first first; ``profile``: the outcome profile (the content's default when
    None)."""
    rules = outcomes.findings
    if point.status != "done" or point.kind not in rules.milestone_kinds:
        return None
    profiles = [outcomes.profile(profile)]
    if rules.fallback_profile is not None and rules.fallback_profile != profiles[0].id:
        profiles.append(outcomes.profile(rules.fallback_profile))
    for instrument in _preferred(instruments, series):
        scores = sorted(
            (pair for pair in series.get(instrument, ()) if pair[0] <= point.due_to),
            key=lambda pair: pair[0],
        )
        if len(scores) < 2 or scores[-1][0] < point.due_from:
            continue
        found = _threshold(instrument, profiles)
        if found is None:
            continue
        used, threshold = found
        baseline = Score(scores[0][1], scores[0][0])
        latest = Score(scores[-1][1], scores[-1][0])
        change = latest.total - baseline.total
        kind = finding_kind(change, threshold, rules.some_change_at_least)
        began = start if start is not None and start <= latest.on else baseline.on
        return Finding(
            milestone=point.milestone,
            kind=kind,
            too_little=kind in rules.too_little,
            instrument=instrument,
            profile=used.id,
            threshold=threshold,
            baseline=baseline,
            latest=latest,
            change=change,
            weeks=(latest.on - began).days // 7,
        )
    return None


def findings(
    points: Iterable[ReviewPoint],
    series: Mapping[str, Sequence[tuple[dt.date, int]]],
    instruments: Sequence[str],
    outcomes: Outcomes,
    start: dt.date | None = None,
    profile: str | None = None,
) -> dict[str, Finding]:
    """The findings of the points that have one, by milestone id."""
    found: dict[str, Finding] = {}
    for point in points:
        result = find(point, series, instruments, outcomes, start, profile)
        if result is not None:
            found[point.milestone] = result
    return found


def _preferred(
    instruments: Sequence[str], series: Mapping[str, Sequence[tuple[dt.date, int]]]
) -> list[str]:
    order = [i for i in dict.fromkeys(instruments) if i in series]
    order += [i for i in series if i not in order]
    return order
