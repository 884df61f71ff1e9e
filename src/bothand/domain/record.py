"""The clinic record's objects, as the storage layer hands them to the services: a clinic,
its users, patients, episodes, measurements, re-decisions, links (invitation, check-in,
setup), alerts and audit events. Plain frozen dataclasses: no SQL, no I/O. The words are
DESIGN.md's "Track contract"; the JSON the API shows is made from these in ``contract``.

Ids are opaque strings. Moments are aware datetimes in UTC; a date a person sees is worked
out in the patient's IANA zone by the caller.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass, field
from typing import Any, Literal

from bothand.domain.errors import InputError

Role = Literal["clinician", "admin"]
ROLES: tuple[Role, ...] = ("clinician", "admin")
LinkKind = Literal["invitation", "check_in", "setup"]
Method = Literal["in_session", "check_in", "imported"]
METHODS: tuple[Method, ...] = ("in_session", "check_in", "imported")
EpisodeSource = Literal["shared", "in_session", "api"]


@dataclass(frozen=True)
class Clinic:
    id: str
    name: str
    require_totp: bool
    created_at: dt.datetime


@dataclass(frozen=True)
class User:
    id: str
    clinic_id: str
    email: str
    roles: frozenset[Role]
    active: bool
    totp_enabled: bool
    created_at: dt.datetime

    @property
    def is_admin(self) -> bool:
        return "admin" in self.roles

    @property
    def is_clinician(self) -> bool:
        return "clinician" in self.roles

    @property
    def role(self) -> str:
        """The roles as one word for the audit trail: ``admin+clinician`` when both."""
        return "+".join(sorted(self.roles))


@dataclass(frozen=True)
class Patient:
    id: str
    clinic_id: str
    reference: str
    display_name: str | None
    timezone: str
    locale: str
    email: str | None
    created_at: dt.datetime


@dataclass(frozen=True)
class Measurement:
    id: str
    episode_id: str
    patient_id: str
    instrument: str
    answers: tuple[int | None, ...]
    total: int
    severity: str | None
    risk_positive: bool
    taken_on: dt.date
    method: Method
    entered_by: str | None  # a user id; None when the person entered it through a link
    recorded_at: dt.datetime
    supersedes: str | None = None
    superseded_by: str | None = None


ALERT_STATUSES = ("open", "acknowledged", "resolved")  # in this order, never back
# The kinds, in the order the pages and the API list them: critical first.
ALERT_KINDS = ("critical", "deterioration", "review_due", "overdue")


@dataclass(frozen=True)
class Alert:
    """Raised by the record (``critical``: a positive risk answer; ``deterioration``,
    ``review_due``, ``overdue``: the follow-up, ``domain.review.alerts``); open, then
    acknowledged by a named clinician, then resolved with a note. Never deleted."""

    id: str
    patient_id: str
    episode_id: str | None
    measurement_id: str | None
    kind: str
    status: str
    raised_at: dt.datetime
    reason: str
    acknowledged_by: str | None = None  # a user id
    acknowledged_at: dt.datetime | None = None
    acknowledge_note: str | None = None  # free text: never logged or audited
    resolved_by: str | None = None
    resolved_at: dt.datetime | None = None
    resolve_note: str | None = None
    acknowledged_email: str | None = None  # who acknowledged it, as the clinic knows them
    resolved_email: str | None = None
    subject: str | None = None  # what it is about beyond its kind: a milestone, a link


@dataclass(frozen=True)
class Episode:
    id: str
    patient_id: str
    clinic_id: str
    source: EpisodeSource
    created_at: dt.datetime
    created_by: str | None
    decision: dict[str, Any]  # {"case": ..., "recommendation": ...}: as first shown, unchanged
    option: str | None  # the option chosen, or None: "to discuss"
    start: dt.date | None
    plan: dict[str, Any] | None  # the chosen option's dated plan (the contract's plan)
    measurements: tuple[Measurement, ...] = field(default=())


@dataclass(frozen=True, slots=True)
class LatestScore:
    """A patient's latest measurement still in force (by day taken, then when recorded), with
    the first one in force of the same instrument in the same episode: the baseline its trend
    is read from (the same measurement when it is the only one)."""

    id: str
    episode_id: str
    instrument: str
    total: int
    severity: str | None
    taken_on: dt.date
    risk_positive: bool
    baseline_id: str
    baseline_total: int
    baseline_on: dt.date


@dataclass(frozen=True, slots=True)
class CaseloadName:
    """A patient of the caseload as ordering by name or by open alerts needs them: the
    counts are of open alerts."""

    patient_id: str
    reference: str
    open_critical: int
    open_alerts: int


@dataclass(frozen=True, slots=True)
class CaseloadRow:
    """What the caseload shows of one patient, as the store reads it in one query:
    ``episode_id`` is their current episode (the one made last) and ``days`` the days its
    measurements in force were taken (for its review points), as the database joins them:
    ``YYYY-MM-DD`` dates joined by commas, in no order, "" for none (``taken_on`` parses
    them; a caller that has seen the same string before need not). The counts are of open
    alerts."""

    patient: Patient
    latest: LatestScore | None
    episode_id: str | None
    days: str
    open_critical: int
    open_alerts: int

    @property
    def taken_on(self) -> tuple[dt.date, ...]:
        return (
            tuple(dt.date.fromisoformat(day) for day in self.days.split(",")) if self.days else ()
        )


@dataclass(frozen=True)
class Redecision:
    """A second decision, made when a review point (``milestone``) found too little change:
    stored beside the episode's first decision, never over it, and never changed.
    ``finding``: what the point found (the contract's finding); ``decision``: the case as
    re-read, the new recommendation, each option's fit then and now, what changed and why,
    and the trace of the rules considered (``services.redecide``)."""

    id: str
    clinic_id: str
    patient_id: str
    episode_id: str
    milestone: str
    made_at: dt.datetime
    finding: dict[str, Any]
    decision: dict[str, Any]


@dataclass(frozen=True)
class Link:
    """An invitation, a check-in or the first-run setup link. The token itself is never
    stored, only its hash; ``token`` is set only on the object returned when it is made."""

    id: str
    kind: LinkKind
    clinic_id: str | None
    patient_id: str | None
    episode_id: str | None
    instruments: tuple[str, ...]
    created_by: str | None
    created_at: dt.datetime
    expires_at: dt.datetime
    used_at: dt.datetime | None
    token: str | None = None

    def usable(self, now: dt.datetime) -> bool:
        return self.used_at is None and now < self.expires_at


@dataclass(frozen=True)
class ApiToken:
    id: str
    user_id: str
    name: str
    created_at: dt.datetime
    revoked_at: dt.datetime | None
    token: str | None = None  # only when just made: shown once


@dataclass(frozen=True)
class AuditEvent:
    """Who did what to which record, when: never answers, scores or free text."""

    seq: int
    at: dt.datetime
    clinic_id: str | None
    actor: str  # "user:<id>", "token:<id>", "link:<id>", "system"
    role: str
    action: str
    record_kind: str
    record_id: str
    patient_id: str | None
    prev_hash: str
    hash: str


@dataclass(frozen=True)
class Actor:
    """Who is acting: a signed-in user, an API token's user, a person through a link, or the
    system (the command line)."""

    kind: Literal["user", "token", "link", "system"]
    id: str
    role: str
    clinic_id: str | None
    user: User | None = None

    @property
    def label(self) -> str:
        return f"{self.kind}:{self.id}" if self.kind != "system" else "system"


def one_line(value: str, field: str, longest: int) -> str:
    """Text a person typed, as it is stored: runs of whitespace made one space, ends trimmed.
    A control character or a lone surrogate is refused (an ``InputError`` naming ``field``):
    it has no place in a name or a reference, and PostgreSQL cannot store NUL."""
    if any(unicodedata.category(c) in ("Cc", "Cs") and c not in "\t\n\r" for c in value):
        raise InputError(field, "must not hold control characters")
    text = " ".join(value.split())
    if len(text) > longest:
        raise InputError(field, f"use at most {longest} characters")
    return text
