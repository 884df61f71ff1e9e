"""Which follow-up alerts an episode calls for: getting worse (``deterioration``), a review
due (a point found too little change, or the continue / taper / stop talk has come) and
something overdue (a review point or a check-in link). Pure: no clock, no storage; the caller
hands in "today" in the patient's zone, the episode's progress, review points and findings,
and the alerts the episode already has, and raises what comes back.

Every call is keyed by a ``subject`` (``alerts.yaml`` describes the scheme), and the record
keeps one alert per episode, kind and subject, so asking twice raises nothing new.
Critical alerts are not here: the record raises one for every positive risk answer.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass

from bothand.domain.knowledge.alerts import AlertRules
from bothand.domain.review.finding import Finding
from bothand.domain.review.points import ReviewPoint
from bothand.domain.track.progress import Progress

# The alerts an episode has already: (kind, subject) -> status.
Raised = Mapping[tuple[str, str], str]
ACTIVE = ("open", "acknowledged")
TALK = "/talk"
LINK = "link/"


@dataclass(frozen=True, slots=True)
class AlertCall:
    """One alert to raise: its kind, its reason code and its subject."""

    kind: str
    reason: str
    subject: str


@dataclass(frozen=True, slots=True)
class ExpiredLink:
    """A check-in link of the episode that expired unused, and whether anything was measured
    in the episode after it was made."""

    id: str
    expires_at: dt.datetime
    measured_since: bool


def deterioration(progress: Progress, raised: Raised, rules: AlertRules) -> AlertCall | None:
    """An alert for ``progress``'s instrument when it shows reliable deterioration and no
    deterioration alert of that instrument is open or acknowledged; its subject is
    ``<instrument>/<n>``, n one more than the number raised for it before."""
    if progress.reliable_deterioration is not True:
        return None
    prefix = f"{progress.instrument}/"
    earlier = [
        status
        for (kind, subject), status in raised.items()
        if kind == "deterioration" and subject.startswith(prefix)
    ]
    if any(status in ACTIVE for status in earlier):
        return None
    return AlertCall("deterioration", rules.deterioration.reason, f"{prefix}{len(earlier) + 1}")


def too_little(findings: Iterable[Finding], raised: Raised, rules: AlertRules) -> list[AlertCall]:
    """A ``review_due`` alert for each review point whose finding is too little, once."""
    reasons = rules.review_due.too_little
    return [
        AlertCall("review_due", reasons[f.kind], f.milestone)
        for f in findings
        if f.too_little and f.kind in reasons and ("review_due", f.milestone) not in raised
    ]


def talk_due(
    point: ReviewPoint,
    today: dt.date,
    progress: Sequence[Progress],
    remission_defined: Collection[str],
    rules: AlertRules,
) -> bool:
    """Whether the talk that ``point`` prepares is due ``today``: its window has opened and,
    when its rule asks for a stable time, every measured instrument in ``remission_defined``
    (those with a remission cut-off) is in remission since at least that many days. With no
    such instrument measured, the window alone decides."""
    talk = rules.talk(point.kind)
    if talk is None or today < point.due_from:
        return False
    if talk.remission_days is None:
        return True
    read = [p for p in progress if p.instrument in remission_defined]
    if not read:
        return True
    return all(
        p.stable_since is not None and (today - p.stable_since).days >= talk.remission_days
        for p in read
    )


def talks(
    points: Iterable[ReviewPoint],
    today: dt.date,
    progress: Sequence[Progress],
    remission_defined: Collection[str],
    raised: Raised,
    rules: AlertRules,
) -> list[AlertCall]:
    """A ``review_due`` alert for each talk that has become due, once (subject
    ``<milestone id>/talk``), with the reason of its kind: continue-and-review plans never get
    the taper talk's words."""
    calls = []
    for point in points:
        talk = rules.talk(point.kind)
        subject = point.milestone + TALK
        if talk is None or ("review_due", subject) in raised:
            continue
        if talk_due(point, today, progress, remission_defined, rules):
            calls.append(AlertCall("review_due", talk.reason, subject))
    return calls


def overdue_point(
    points: Iterable[ReviewPoint],
    today: dt.date,
    taken_on: Iterable[dt.date],
    raised: Raised,
    rules: AlertRules,
) -> AlertCall | None:
    """An ``overdue`` alert for the latest review point where a score is expected whose
    window closed more than ``grace_days`` ago with no score taken since it opened (``taken_on``:
    the days of the episode's scores in force), unless raised already."""
    overdue = rules.overdue
    days = [d for d in taken_on if d <= today]
    late = [
        p
        for p in points
        if p.kind in overdue.milestone_kinds
        and p.status == "overdue"
        and (today - p.due_to).days > overdue.grace_days
        and not any(d >= p.due_from for d in days)
    ]
    if not late:
        return None
    latest = max(late, key=lambda p: (p.due_to, p.due_from, p.milestone))
    if ("overdue", latest.milestone) in raised:
        return None
    return AlertCall("overdue", overdue.review_point_reason, latest.milestone)


def overdue_link(
    links: Iterable[ExpiredLink], raised: Raised, rules: AlertRules
) -> AlertCall | None:
    """An ``overdue`` alert for the latest check-in link that expired unused with nothing
    measured since it was made, unless raised already."""
    waiting = [link for link in links if not link.measured_since]
    if not waiting:
        return None
    latest = max(waiting, key=lambda link: (link.expires_at, link.id))
    subject = LINK + latest.id
    if ("overdue", subject) in raised:
        return None
    return AlertCall("overdue", rules.overdue.check_in_reason, subject)


def on_measurement(
    instrument: str,
    progress: Sequence[Progress],
    findings: Mapping[str, Finding],
    raised: Raised,
    rules: AlertRules,
) -> list[AlertCall]:
    """What a measurement of ``instrument`` just recorded calls for: deterioration of that
    instrument, and review points it completed with too little change."""
    calls = []
    for entry in progress:
        if entry.instrument == instrument:
            found = deterioration(entry, raised, rules)
            if found is not None:
                calls.append(found)
    return calls + too_little(findings.values(), raised, rules)


def on_sweep(
    today: dt.date,
    points: Sequence[ReviewPoint],
    progress: Sequence[Progress],
    findings: Mapping[str, Finding],
    taken_on: Sequence[dt.date],
    links: Sequence[ExpiredLink],
    remission_defined: Collection[str],
    raised: Raised,
    rules: AlertRules,
) -> list[AlertCall]:
    """What an episode calls for as of ``today`` (the sweep): review points found too little
    (normally raised when the score was recorded; here too so none is missed), talks that
    have become due, and what is overdue."""
    calls = too_little(findings.values(), raised, rules)
    calls += talks(points, today, progress, remission_defined, raised, rules)
    point = overdue_point(points, today, taken_on, raised, rules)
    link = overdue_link(links, raised, rules)
    return calls + [c for c in (point, link) if c is not None]
