"""The clinic record as JSON (DESIGN.md, "Track contract"): a patient, the caseload, an
episode with its decision, plan, measurements and alerts, a measurement just recorded, and a
check-in link. The names are stable; fields may be added.

Dates a person sees are ``YYYY-MM-DD``; moments are UTC, written ISO 8601 with ``Z``. A
patient's email is never shown here: the record API names people by the clinic's reference.
The decision and plan of an episode are shown as they were stored when it was made (the
recommendation as first shown, unchanged), so they are plain JSON objects here.

``progress`` has one entry per instrument measured, read by the content's default outcome
profile (named in each entry). ``review_points`` are the plan's milestones with their due
windows and status (``domain.review``), worked out by the caller for today in the
patient's zone. ``redecisions`` are the second decisions made when a review point found
too little change, oldest first, each beside the first decision: every option's fit now and
``was``, its reasons (``new`` when the first decision did not give it), plain statements of
what changed with their sources, and the trace of the rules considered.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, NotRequired

from typing_extensions import TypedDict

from bothand.contract.safety import Safety
from bothand.contract.score import Score

if TYPE_CHECKING:
    from bothand.domain.record import Alert, Episode, LatestScore, Link, Measurement, Patient
    from bothand.domain.record import Redecision as RedecisionResult
    from bothand.domain.review import ReviewPoint as ReviewPointResult
    from bothand.domain.review.finding import Finding
    from bothand.domain.track.progress import Progress


class PatientSummary(TypedDict):
    """A patient, by the clinic's reference; ``timezone`` is the IANA zone their dates are
    worked out in."""

    id: str
    reference: str
    display_name: str | None
    timezone: str
    locale: str
    created_at: str


class LatestMeasurement(TypedDict):
    id: str
    episode: str
    instrument: str
    total: int
    severity: str | None
    taken_on: str
    risk_positive: bool


class CaseloadPatient(TypedDict):
    """A patient of the caseload, their latest measurement still in force (null when none),
    and how many alerts are open: critical ones, and all."""

    patient: PatientSummary
    latest: LatestMeasurement | None
    open_critical_alerts: int
    open_alerts: int


class Caseload(TypedDict):
    """The patients assigned or shared to the caller, by reference."""

    patients: list[CaseloadPatient]


class MeasurementRecord(TypedDict):
    """One stored measurement. A correction names the one it ``supersedes``; the one it
    replaced names it in ``superseded_by``; both stay. ``entered_by`` is a user id, or null
    when the person entered it through a link."""

    id: str
    instrument: str
    answers: list[int | None]
    total: int
    severity: str | None
    taken_on: str
    method: str
    entered_by: str | None
    recorded_at: str
    supersedes: str | None
    superseded_by: str | None
    risk_positive: bool


class AlertRecord(TypedDict):
    """``kind``: ``critical``, ``deterioration``, ``review_due`` or ``overdue``; ``reason``: a
    code with words in the locale (``clinic.alerts.reason.<code>``); ``subject``: what it is
    about beyond its kind, or null (``<instrument>/<n>`` for the n-th deterioration of an
    instrument, a milestone id, ``<milestone id>/talk`` for a talk that is due,
    ``link/<id>`` for a check-in link); ``status``: ``open``, then ``acknowledged`` (by a user
    id, at a moment), then ``resolved`` (likewise, with a note). The state fields appear once
    set."""

    id: str
    kind: str
    status: str
    raised_at: str
    reason: str
    subject: str | None
    measurement: str | None
    acknowledged_by: NotRequired[str]
    acknowledged_at: NotRequired[str]
    acknowledge_note: NotRequired[str]
    resolved_by: NotRequired[str]
    resolved_at: NotRequired[str]
    resolve_note: NotRequired[str]


class InboxAlert(AlertRecord):
    """An alert of the caller's inbox, with its patient (by the clinic's reference) and
    episode."""

    patient: PatientSummary
    episode: str | None


class AlertInbox(TypedDict):
    """The alerts of the caller's patients: open first, then acknowledged, then resolved."""

    alerts: list[InboxAlert]


class TotalOn(TypedDict):
    total: int
    on: str


class ProgressEntry(TypedDict):
    """One instrument's course: booleans, or null where not defined (one measurement)."""

    instrument: str
    profile: str | None
    baseline: TotalOn
    latest: TotalOn
    change: int | None
    percent_change: float | None
    response: bool | None
    remission: bool | None
    reliable_improvement: bool | None
    reliable_deterioration: bool | None
    stable_since: str | None


class ScoreOn(TypedDict):
    total: int
    on: str


class FindingRecord(TypedDict):
    """What a done review point found: ``kind`` (``reliable_improvement``, ``some_change``,
    ``no_reliable_change`` or ``worse``), whether that is too little (a second decision is
    made), and the numbers behind it: the instrument, the outcome profile whose
    reliable-change ``threshold`` was used, the first and latest scores, the ``change`` and
    the ``weeks`` of treatment by the latest score."""

    kind: str
    too_little: bool
    instrument: str
    profile: str
    threshold: float
    baseline: ScoreOn
    latest: ScoreOn
    change: int
    weeks: int


class ReviewPoint(TypedDict):
    """A milestone of the plan, due in the patient's zone; ``status``: ``upcoming``, ``due``,
    ``done`` or ``overdue``; ``finding``: what the scores show, on a done point of a kind that
    reads them (absent otherwise)."""

    milestone: str
    due_from: str
    due_to: str
    status: str
    finding: NotRequired[FindingRecord]


class RedecisionReason(TypedDict):
    """Why an option has its fit now; ``new``: the first decision did not give this reason."""

    id: str
    text: str
    sources: list[str]
    concern: str | None
    new: bool


class RedecisionOption(TypedDict):
    """An option decided again: its fit now and at the first decision (``was``; null when
    the first decision did not show it)."""

    id: str
    name: str
    fit: str
    was: str | None
    reasons: list[RedecisionReason]


class Change(TypedDict):
    """What changed since the first decision, in plain words, with the sources that say so."""

    id: str
    text: str
    sources: list[str]


class RedecisionTraceEntry(TypedDict):
    """One rule considered: ``stage`` ``redecide`` (how the case was re-read) or ``engine``
    (the options engine on the re-read case)."""

    rule: str
    concern: str
    fired: bool
    because: str
    effect: str
    stage: str


class Redecision(TypedDict):
    """The options decided again when a review point (``milestone``) found too little
    change (``finding``), stored beside the first decision, never over it. ``reason`` is the
    finding's kind; ``learned`` what the re-read case changed (history, severity, the rules
    that applied); ``case`` the case as re-read."""

    id: str
    milestone: str
    made_at: str
    reason: str
    finding: FindingRecord
    options: list[RedecisionOption]
    changes: list[Change]
    trace: list[RedecisionTraceEntry]
    learned: dict[str, Any]
    case: dict[str, Any]


class EpisodeRecord(TypedDict):
    """One episode of care: the decision as first shown (``case`` and ``recommendation``),
    the chosen ``option`` (null: to discuss) and ``start``, its dated ``plan`` (null when no
    option was chosen), measurements in date order, progress, review points, re-decisions and
    alerts."""

    id: str
    patient: PatientSummary
    source: str
    created_at: str
    option: str | None
    start: str | None
    decision: dict[str, Any]
    plan: dict[str, Any] | None
    measurements: list[MeasurementRecord]
    progress: list[ProgressEntry]
    review_points: list[ReviewPoint]
    redecisions: list[Redecision]
    alerts: list[AlertRecord]


class EpisodeCreated(TypedDict):
    """A new episode: its decision, plan and review points, and the measurements made from
    the answers in its case (``decision.recommendation.safety`` says whether any was urgent)."""

    id: str
    patient_id: str
    source: str
    created_at: str
    option: str | None
    start: str | None
    decision: dict[str, Any]
    plan: dict[str, Any] | None
    measurements: list[MeasurementRecord]
    review_points: list[ReviewPoint]


class MeasurementRecorded(TypedDict):
    """A measurement just stored: ``safety`` first (a positive risk answer makes it urgent and
        carries the crisis resources of the patient's locale), the score as published, the
        progress of the episode and the alerts this measurement raised; ``redecision`` when it made
    a review point's finding too little and the options were decided again."""

    id: str
    safety: Safety
    score: Score
    measurement: MeasurementRecord
    progress: list[ProgressEntry]
    alerts: list[AlertRecord]
    redecision: NotRequired[Redecision]


class CheckInLink(TypedDict):
    """A one-time link the person opens to answer ``instruments``; it works until
    ``expires``. The URL is shown once: only its hash is kept."""

    url: str
    expires: str
    instruments: list[str]


def moment(value: dt.datetime) -> str:
    """A moment in UTC, ISO 8601 with ``Z``."""
    return value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def dump_patient(patient: Patient) -> PatientSummary:
    return {
        "id": patient.id,
        "reference": patient.reference,
        "display_name": patient.display_name,
        "timezone": patient.timezone,
        "locale": patient.locale,
        "created_at": moment(patient.created_at),
    }


def dump_caseload(rows: Sequence[tuple[Patient, LatestScore | None, int, int]]) -> Caseload:
    """The caseload from (patient, latest score, open critical alerts, open alerts)."""
    return {
        "patients": [
            {
                "patient": dump_patient(patient),
                "latest": _latest(latest) if latest is not None else None,
                "open_critical_alerts": critical,
                "open_alerts": open_alerts,
            }
            for patient, latest, critical, open_alerts in rows
        ]
    }


def _latest(m: LatestScore) -> LatestMeasurement:
    return {
        "id": m.id,
        "episode": m.episode_id,
        "instrument": m.instrument,
        "total": m.total,
        "severity": m.severity,
        "taken_on": m.taken_on.isoformat(),
        "risk_positive": m.risk_positive,
    }


def dump_measurement(m: Measurement) -> MeasurementRecord:
    return {
        "id": m.id,
        "instrument": m.instrument,
        "answers": list(m.answers),
        "total": m.total,
        "severity": m.severity,
        "taken_on": m.taken_on.isoformat(),
        "method": m.method,
        "entered_by": m.entered_by,
        "recorded_at": moment(m.recorded_at),
        "supersedes": m.supersedes,
        "superseded_by": m.superseded_by,
        "risk_positive": m.risk_positive,
    }


def dump_alert(alert: Alert) -> AlertRecord:
    data: AlertRecord = {
        "id": alert.id,
        "kind": alert.kind,
        "status": alert.status,
        "raised_at": moment(alert.raised_at),
        "reason": alert.reason,
        "subject": alert.subject,
        "measurement": alert.measurement_id,
    }
    if alert.acknowledged_by is not None and alert.acknowledged_at is not None:
        data["acknowledged_by"] = alert.acknowledged_by
        data["acknowledged_at"] = moment(alert.acknowledged_at)
    if alert.acknowledge_note is not None:
        data["acknowledge_note"] = alert.acknowledge_note
    if alert.resolved_by is not None and alert.resolved_at is not None:
        data["resolved_by"] = alert.resolved_by
        data["resolved_at"] = moment(alert.resolved_at)
    if alert.resolve_note is not None:
        data["resolve_note"] = alert.resolve_note
    return data


def dump_inbox(rows: list[tuple[Alert, Patient]]) -> AlertInbox:
    return {
        "alerts": [
            {**dump_alert(alert), "patient": dump_patient(patient), "episode": alert.episode_id}
            for alert, patient in rows
        ]
    }


def dump_finding(finding: Finding) -> FindingRecord:
    return {
        "kind": finding.kind,
        "too_little": finding.too_little,
        "instrument": finding.instrument,
        "profile": finding.profile,
        "threshold": finding.threshold,
        "baseline": {"total": finding.baseline.total, "on": finding.baseline.on.isoformat()},
        "latest": {"total": finding.latest.total, "on": finding.latest.on.isoformat()},
        "change": finding.change,
        "weeks": finding.weeks,
    }


def dump_review_point(
    point: ReviewPointResult, findings: Mapping[str, Finding] | None = None
) -> ReviewPoint:
    dumped: ReviewPoint = {
        "milestone": point.milestone,
        "due_from": point.due_from.isoformat(),
        "due_to": point.due_to.isoformat(),
        "status": point.status,
    }
    finding = (findings or {}).get(point.milestone)
    if finding is not None:
        dumped["finding"] = dump_finding(finding)
    return dumped


def dump_progress(entries: Sequence[Progress]) -> list[ProgressEntry]:
    """Progress entries in the Track contract's shape (dates ``YYYY-MM-DD``)."""
    return [
        {
            "instrument": p.instrument,
            "profile": p.profile,
            "baseline": {"total": p.baseline.total, "on": p.baseline.on.isoformat()},
            "latest": {"total": p.latest.total, "on": p.latest.on.isoformat()},
            "change": p.change,
            "percent_change": p.percent_change,
            "response": p.response,
            "remission": p.remission,
            "reliable_improvement": p.reliable_improvement,
            "reliable_deterioration": p.reliable_deterioration,
            "stable_since": p.stable_since.isoformat() if p.stable_since else None,
        }
        for p in entries
    ]


def dump_episode(
    episode: Episode,
    patient: Patient,
    alerts: list[Alert],
    review_points: Sequence[ReviewPointResult] = (),
    progress: Sequence[Progress] = (),
    findings: Mapping[str, Finding] | None = None,
    redecisions: Sequence[RedecisionResult] = (),
) -> EpisodeRecord:
    return {
        "id": episode.id,
        "patient": dump_patient(patient),
        "source": episode.source,
        "created_at": moment(episode.created_at),
        "option": episode.option,
        "start": episode.start.isoformat() if episode.start is not None else None,
        "decision": episode.decision,
        "plan": episode.plan,
        "measurements": [dump_measurement(m) for m in episode.measurements],
        "progress": dump_progress(progress),
        "review_points": [dump_review_point(point, findings) for point in review_points],
        "redecisions": [dump_redecision(r) for r in redecisions],
        "alerts": [dump_alert(alert) for alert in alerts],
    }


def dump_episode_created(
    episode: Episode, review_points: Sequence[ReviewPointResult] = ()
) -> EpisodeCreated:
    return {
        "id": episode.id,
        "patient_id": episode.patient_id,
        "source": episode.source,
        "created_at": moment(episode.created_at),
        "option": episode.option,
        "start": episode.start.isoformat() if episode.start is not None else None,
        "decision": episode.decision,
        "plan": episode.plan,
        "measurements": [dump_measurement(m) for m in episode.measurements],
        "review_points": [dump_review_point(point) for point in review_points],
    }


def dump_recorded(
    measurement: Measurement,
    safety: Safety,
    score: Score,
    alerts: list[Alert],
    progress: Sequence[Progress] = (),
    redecisions: Sequence[RedecisionResult] = (),
) -> MeasurementRecorded:
    data: MeasurementRecorded = {
        "id": measurement.id,
        "safety": safety,
        "score": score,
        "measurement": dump_measurement(measurement),
        "progress": dump_progress(progress),
        "alerts": [dump_alert(alert) for alert in alerts],
    }
    if redecisions:  # one review point is judged per score, so at most one in practice
        data["redecision"] = dump_redecision(redecisions[-1])
    return data


def dump_redecision(redecision: RedecisionResult) -> Redecision:
    """A stored second decision (``services.redecide`` made its body)."""
    body = redecision.decision
    finding = redecision.finding
    return {
        "id": redecision.id,
        "milestone": redecision.milestone,
        "made_at": moment(redecision.made_at),
        "reason": str(finding.get("kind", "")),
        "finding": finding,  # type: ignore[typeddict-item]
        "options": body.get("options", []),
        "changes": body.get("changes", []),
        "trace": body.get("trace", []),
        "learned": body.get("learned", {}),
        "case": body.get("case", {}),
    }


def dump_check_in(link: Link, url: str) -> CheckInLink:
    return {"url": url, "expires": moment(link.expires_at), "instruments": list(link.instruments)}
