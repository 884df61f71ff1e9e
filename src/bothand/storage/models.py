"""The clinic record's tables, as SQLAlchemy 2 typed models. The schema itself is made by the
Alembic migrations in ``migrations/`` (``bothand db upgrade``); a test checks the two agree.

Moments are stored as UTC without a zone (``UtcDateTime`` gives them back aware); dates as
dates. Answers, the decision and the plan are JSON. Measurements and audit events are
append-only: the migration adds triggers that refuse UPDATE and DELETE on them, on SQLite and
on PostgreSQL alike.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    UniqueConstraint,
    text,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

ID = String(32)
NOTE_LENGTH = 500  # an alert's acknowledge or resolve note


class UtcDateTime(TypeDecorator[dt.datetime]):
    """An aware datetime stored as naive UTC, read back aware in UTC."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("a stored moment must be aware (UTC)")
        return value.astimezone(dt.UTC).replace(tzinfo=None)

    def process_result_value(self, value: Any, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        assert isinstance(value, dt.datetime)
        return value.replace(tzinfo=dt.UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class ClinicRow(Base):
    __tablename__ = "clinics"
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    require_totp: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)


class UserRow(Base):
    __tablename__ = "users"
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    clinic_id: Mapped[str] = mapped_column(ForeignKey("clinics.id"), index=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    is_clinician: Mapped[bool] = mapped_column(Boolean, default=False)
    password_hash: Mapped[str | None] = mapped_column(String(200), nullable=True)
    totp_secret: Mapped[str | None] = mapped_column(String(64), nullable=True)
    totp_last_step: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)


class SessionRow(Base):
    """A signed-in browser: only the hash of its cookie's value is kept."""

    __tablename__ = "sessions"
    id_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id"), index=True)
    csrf: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    last_seen_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    ended_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime, nullable=True)


class ApiTokenRow(Base):
    __tablename__ = "api_tokens"
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime, nullable=True)


class SignInFailureRow(Base):
    """A failed sign-in, kept for rate limiting: the key is a hash of the account's email or
    of the address, never the address itself."""

    __tablename__ = "sign_in_failures"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    key: Mapped[str] = mapped_column(String(64), index=True)
    at: Mapped[dt.datetime] = mapped_column(UtcDateTime)


class PatientRow(Base):
    __tablename__ = "patients"
    __table_args__ = (UniqueConstraint("clinic_id", "reference", name="uq_patients_reference"),)
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    clinic_id: Mapped[str] = mapped_column(ForeignKey("clinics.id"), index=True)
    reference: Mapped[str] = mapped_column(String(100))
    display_name: Mapped[str | None] = mapped_column(String(200), nullable=True)
    timezone: Mapped[str] = mapped_column(String(64))
    locale: Mapped[str] = mapped_column(String(16))
    email: Mapped[str | None] = mapped_column(String(320), nullable=True)
    created_by: Mapped[str | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)


class PatientAccessRow(Base):
    """A clinician the patient is assigned or shared to."""

    __tablename__ = "patient_access"
    patient_id: Mapped[str] = mapped_column(ForeignKey("patients.id"), primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id"), primary_key=True, index=True)
    granted_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)


class EpisodeRow(Base):
    __tablename__ = "episodes"
    __table_args__ = (Index("ix_episodes_patient_created", "patient_id", "created_at", "id"),)
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    patient_id: Mapped[str] = mapped_column(ForeignKey("patients.id"), index=True)
    clinic_id: Mapped[str] = mapped_column(ForeignKey("clinics.id"))
    source: Mapped[str] = mapped_column(String(16))
    created_by: Mapped[str | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    decision: Mapped[dict[str, Any]] = mapped_column(JSON)
    option: Mapped[str | None] = mapped_column(String(32), nullable=True)
    start: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    plan: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)


class MeasurementRow(Base):
    __tablename__ = "measurements"
    __table_args__ = (
        Index("ix_measurements_episode_taken", "episode_id", "taken_on"),
        # the caseload's seeks (migration 0004): a patient's latest, an episode's baseline
        Index("ix_measurements_patient_latest", "patient_id", "taken_on", "recorded_at", "id"),
        Index(
            "ix_measurements_episode_instrument",
            "episode_id",
            "instrument",
            "taken_on",
            "recorded_at",
            "id",
        ),
        # the episodes holding a correction (few): only theirs are checked row by row
        Index(
            "ix_measurements_corrections",
            "episode_id",
            sqlite_where=text("supersedes IS NOT NULL"),
            postgresql_where=text("supersedes IS NOT NULL"),
        ),
    )
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    episode_id: Mapped[str] = mapped_column(ForeignKey("episodes.id"))
    # looked up through ix_measurements_patient_latest, which begins with it
    patient_id: Mapped[str] = mapped_column(ForeignKey("patients.id"))
    instrument: Mapped[str] = mapped_column(String(32))
    answers: Mapped[list[int | None]] = mapped_column(JSON)
    total: Mapped[int] = mapped_column(Integer)
    severity: Mapped[str | None] = mapped_column(String(32), nullable=True)
    risk_positive: Mapped[bool] = mapped_column(Boolean)
    taken_on: Mapped[dt.date] = mapped_column(Date)
    method: Mapped[str] = mapped_column(String(16))
    entered_by: Mapped[str | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    recorded_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    supersedes: Mapped[str | None] = mapped_column(
        ForeignKey("measurements.id"), nullable=True, unique=True
    )


class LinkRow(Base):
    __tablename__ = "links"
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    clinic_id: Mapped[str | None] = mapped_column(ForeignKey("clinics.id"), nullable=True)
    patient_id: Mapped[str | None] = mapped_column(ForeignKey("patients.id"), nullable=True)
    episode_id: Mapped[str | None] = mapped_column(ForeignKey("episodes.id"), nullable=True)
    instruments: Mapped[list[str]] = mapped_column(JSON)
    created_by: Mapped[str | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    expires_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    used_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime, nullable=True)


class AlertRow(Base):
    """An alert: open, then acknowledged (by whom, when), then resolved (by whom, when, with
    a note). Never deleted (the migration adds a trigger refusing DELETE); the notes are free
    text, never logged or audited."""

    __tablename__ = "alerts"
    __table_args__ = (
        Index("ix_alerts_clinic_status", "clinic_id", "status"),
        # One alert per episode, kind and subject (a milestone, a check-in link): raising it
        # again is a no-op. Critical and deterioration alerts leave the subject empty (NULLs
        # never clash), so each risk answer raises its own.
        Index("uq_alerts_episode_kind_subject", "episode_id", "kind", "subject", unique=True),
        Index("ix_alerts_patient_status", "patient_id", "status", "kind"),
    )
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    clinic_id: Mapped[str] = mapped_column(ForeignKey("clinics.id"))
    patient_id: Mapped[str] = mapped_column(ForeignKey("patients.id"), index=True)
    episode_id: Mapped[str | None] = mapped_column(ForeignKey("episodes.id"), nullable=True)
    measurement_id: Mapped[str | None] = mapped_column(ForeignKey("measurements.id"), nullable=True)
    kind: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))
    raised_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    reason: Mapped[str] = mapped_column(String(64))
    subject: Mapped[str | None] = mapped_column(String(64), nullable=True)
    acknowledged_by: Mapped[str | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    acknowledged_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime, nullable=True)
    acknowledge_note: Mapped[str | None] = mapped_column(String(NOTE_LENGTH), nullable=True)
    resolved_by: Mapped[str | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    resolved_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime, nullable=True)
    resolve_note: Mapped[str | None] = mapped_column(String(NOTE_LENGTH), nullable=True)


class RedecisionRow(Base):
    """A second decision, made when a review point found too little change: stored beside the
    episode's first decision, never over it, and never changed (a trigger refuses UPDATE and
    DELETE). ``finding`` is what the review point found; ``decision`` the case as re-read,
    the new options with fits and reasons, what changed since the first decision, and the
    trace of the rules considered."""

    __tablename__ = "redecisions"
    __table_args__ = (UniqueConstraint("episode_id", "milestone"),)
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    clinic_id: Mapped[str] = mapped_column(ForeignKey("clinics.id"))
    patient_id: Mapped[str] = mapped_column(ForeignKey("patients.id"), index=True)
    episode_id: Mapped[str] = mapped_column(ForeignKey("episodes.id"))
    milestone: Mapped[str] = mapped_column(String(64))
    made_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    finding: Mapped[dict[str, Any]] = mapped_column(JSON)
    decision: Mapped[dict[str, Any]] = mapped_column(JSON)


class AuditRow(Base):
    __tablename__ = "audit_events"
    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    clinic_id: Mapped[str | None] = mapped_column(String(32), nullable=True, index=True)
    actor: Mapped[str] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(32))
    action: Mapped[str] = mapped_column(String(64))
    record_kind: Mapped[str] = mapped_column(String(32))
    record_id: Mapped[str] = mapped_column(String(32))
    patient_id: Mapped[str | None] = mapped_column(String(32), nullable=True, index=True)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
