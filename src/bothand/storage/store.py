"""The repositories of one unit of work: ``Store`` reads and writes the record's tables and
returns domain objects (``bothand.domain.record``). Access is decided here in SQL: a patient,
an episode or a measurement is found for a user only when it belongs to the user's clinic and
the patient is assigned or shared to them; anything else is "not found", exactly as an id that
does not exist.

``unit_of_work(database, now)`` opens one transaction: audit events noted during it are chained
onto the trail just before the commit; an exception rolls everything back, events included.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import secrets
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import fields
from typing import Any

from sqlalchemy import (
    String,
    Table,
    and_,
    bindparam,
    case,
    cast,
    delete,
    exists,
    false,
    func,
    insert,
    literal_column,
    select,
    update,
)
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, aliased

from bothand.domain.errors import InputError
from bothand.domain.record import (
    ALERT_KINDS,
    Actor,
    Alert,
    ApiToken,
    AuditEvent,
    CaseloadName,
    CaseloadRow,
    Clinic,
    Episode,
    EpisodeSource,
    LatestScore,
    Link,
    LinkKind,
    Measurement,
    Method,
    Patient,
    Redecision,
    Role,
    User,
)
from bothand.storage import audit
from bothand.storage.db import Database
from bothand.storage.models import (
    AlertRow,
    ApiTokenRow,
    AuditRow,
    ClinicRow,
    EpisodeRow,
    LinkRow,
    MeasurementRow,
    PatientAccessRow,
    PatientRow,
    RedecisionRow,
    SessionRow,
    SignInFailureRow,
    UserRow,
)
from bothand.storage.prepared import Prepared, queries

_MEASUREMENTS: Table = MeasurementRow.__table__  # type: ignore[assignment]
# Statements run on every measurement recorded, built once (building one costs about as much
# as running it).
_INSERT_MEASUREMENT = insert(_MEASUREMENTS)
_MEASUREMENT_COLUMNS = tuple(column.name for column in _MEASUREMENTS.columns)
_ADD_MEASUREMENT = Prepared(_INSERT_MEASUREMENT)
_ALERTS: Table = AlertRow.__table__  # type: ignore[assignment]
_INSERT_ALERT = insert(_ALERTS)
_ADD_ALERT = Prepared(_INSERT_ALERT)
# An alert's state columns, all empty while it is open.
_NO_STATE = dict.fromkeys(
    (
        "acknowledged_by",
        "acknowledged_at",
        "acknowledge_note",
        "resolved_by",
        "resolved_at",
        "resolve_note",
    )
)
_ACKNOWLEDGER = aliased(UserRow)
_RESOLVER = aliased(UserRow)
# An alert with the emails of who acknowledged and who resolved it.
_ALERT_WITH_NAMES = (
    select(AlertRow, _ACKNOWLEDGER.email, _RESOLVER.email)
    .outerjoin(_ACKNOWLEDGER, _ACKNOWLEDGER.id == AlertRow.acknowledged_by)
    .outerjoin(_RESOLVER, _RESOLVER.id == AlertRow.resolved_by)
)
# Alerts listed by kind, critical first (``ALERT_KINDS``).
_BY_KIND = case(
    *((AlertRow.kind == kind, rank) for rank, kind in enumerate(ALERT_KINDS)),
    else_=len(ALERT_KINDS),
)
_PATIENTS: Table = PatientRow.__table__  # type: ignore[assignment]
_REDECISIONS: Table = RedecisionRow.__table__  # type: ignore[assignment]
_EPISODES: Table = EpisodeRow.__table__  # type: ignore[assignment]
_PATIENT_FIELDS = tuple(field.name for field in fields(Patient))
_REFERENCE = _PATIENT_FIELDS.index("reference")
# The episode's creation and its patient, if the user may see them (as ``Store._visible``):
# only the columns recording a measurement needs (not the episode's decision or plan).
_MEASUREMENT_TARGET = (
    select(
        _EPISODES.c.created_at,
        *(_PATIENTS.c[name] for name in _PATIENT_FIELDS),
    )
    .join(_PATIENTS, _PATIENTS.c.id == _EPISODES.c.patient_id)
    .where(
        _EPISODES.c.id == bindparam("episode"),
        _PATIENTS.c.clinic_id == bindparam("clinic"),
        exists().where(
            PatientAccessRow.patient_id == _PATIENTS.c.id,
            PatientAccessRow.user_id == bindparam("user"),
        ),
    )
)
_FIND_TARGET = Prepared(_MEASUREMENT_TARGET)
# An episode's scores for its progress: only the columns progress reads, and the corrections
# that replace them, without the answers.
_SERIES = Prepared(
    select(
        _MEASUREMENTS.c.id,
        _MEASUREMENTS.c.instrument,
        _MEASUREMENTS.c.taken_on,
        _MEASUREMENTS.c.total,
        _MEASUREMENTS.c.recorded_at,
        _MEASUREMENTS.c.supersedes,
    ).where(_MEASUREMENTS.c.episode_id == bindparam("episode"))
)

# What a recorded score's review points read besides the scores (``Store.plan_of``).
_PLAN_OF = Prepared(
    select(_EPISODES.c.plan, _EPISODES.c.start, _EPISODES.c.decision["case"]["concerns"]).where(
        _EPISODES.c.id == bindparam("episode")
    )
)


def _chosen(dialect: str, patient_id: Any) -> Any:
    """Whether ``patient_id`` is one of the ``ids`` given: on SQLite a JSON array read by
    ``json_each``, on PostgreSQL the ids joined by commas (an id has none)."""
    if dialect == "sqlite":
        return patient_id.in_(
            select(literal_column("value")).select_from(func.json_each(bindparam("ids")))
        )
    return patient_id == func.any(func.string_to_array(bindparam("ids"), literal_column("','")))


def _caseload_query(dialect: str, chosen: bool = False) -> Any:
    """The caseload in one statement (for ``dialect``: the days are joined by SQLite's
    ``group_concat`` or PostgreSQL's ``string_agg``, with the separator written in the SQL so
    the statement can be prepared). Every per-patient value is a correlated subquery that
    an index answers with a short seek (see migration 0004), so the cost grows with the
    clinician's patients, not with the database:

    - the patients: those of the clinic the user has access to (``patient_access``);
    - the latest measurement in force: the patient's last by day taken, when recorded, id;
    - its baseline: the first in force of the same instrument in the same episode;
    - the current episode (made last) and the days its measurements in force were taken, as
      one string ("YYYY-MM-DD,...");
    - the open alerts: critical ones, and all.

    With ``chosen``, only the patients whose ids are given (``_chosen``): a page's rows.
    """
    patients, access = _PATIENTS, PatientAccessRow.__table__
    alerts, episodes = _ALERTS.alias("a"), _EPISODES.alias("e")

    def in_force(m: Any) -> Any:
        newer = _MEASUREMENTS.alias()
        return ~exists().where(newer.c.supersedes == m.c.id)

    m = _MEASUREMENTS.alias("m")
    latest_id = (
        select(m.c.id)
        .where(m.c.patient_id == patients.c.id, in_force(m))
        .order_by(m.c.taken_on.desc(), m.c.recorded_at.desc(), m.c.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    current = (
        select(episodes.c.id)
        .where(episodes.c.patient_id == patients.c.id)
        .order_by(episodes.c.created_at.desc(), episodes.c.id.desc())
        .limit(1)
        .scalar_subquery()
    )

    def open_count(kind: str | None = None) -> Any:
        query = select(func.count()).where(
            alerts.c.patient_id == patients.c.id, alerts.c.status == "open"
        )
        if kind is not None:
            query = query.where(alerts.c.kind == kind)
        return query.scalar_subquery()

    # The clinic's check stays (as in ``Store._visible``), but on SQLite as an expression no
    # index answers: without statistics SQLite would otherwise start from the clinic's
    # patients, who may be thousands, rather than from the user's access rows.
    clinic = patients.c.clinic_id + "" if dialect == "sqlite" else patients.c.clinic_id
    where = [access.c.user_id == bindparam("user"), clinic == bindparam("clinic")]
    if chosen:
        where.append(_chosen(dialect, access.c.patient_id))

    visible = (
        select(
            *(patients.c[name] for name in _PATIENT_FIELDS),
            current.label("episode_id"),
            open_count("critical").label("critical"),
            open_count().label("open_alerts"),
            latest_id.label("latest_id"),
        )
        .select_from(access.join(patients, patients.c.id == access.c.patient_id))
        .where(*where)
        .cte("v")
        .prefix_with("MATERIALIZED")
    )
    latest, baseline, first, day, correction = (
        _MEASUREMENTS.alias("l"),
        _MEASUREMENTS.alias("b"),
        _MEASUREMENTS.alias("f"),
        _MEASUREMENTS.alias("d"),
        _MEASUREMENTS.alias("c"),
    )
    baseline_id = (
        select(first.c.id)
        .where(
            first.c.episode_id == latest.c.episode_id,
            first.c.instrument == latest.c.instrument,
            in_force(first),
        )
        .order_by(first.c.taken_on, first.c.recorded_at, first.c.id)
        .limit(1)
        .scalar_subquery()
    )
    join = func.group_concat if dialect == "sqlite" else func.string_agg

    def days_of(in_force_only: bool) -> Any:
        query = select(join(cast(day.c.taken_on, String), literal_column("','"))).where(
            day.c.episode_id == visible.c.episode_id
        )
        return (query.where(in_force(day)) if in_force_only else query).scalar_subquery()

    # Corrections are rare: only an episode holding one (a seek in the small partial index
    # ix_measurements_corrections) needs each of its days checked for being in force.
    corrected = exists().where(
        correction.c.episode_id == visible.c.episode_id, correction.c.supersedes.is_not(None)
    )
    days = case((corrected, days_of(True)), else_=days_of(False))
    return select(
        *(visible.c[name] for name in _PATIENT_FIELDS),
        visible.c.episode_id,
        visible.c.critical,
        visible.c.open_alerts,
        latest.c.id,
        latest.c.episode_id,
        latest.c.instrument,
        latest.c.total,
        latest.c.severity,
        latest.c.taken_on,
        latest.c.risk_positive,
        baseline.c.id,
        baseline.c.total,
        baseline.c.taken_on,
        days,
    ).select_from(
        visible.outerjoin(latest, latest.c.id == visible.c.latest_id).outerjoin(
            baseline, baseline.c.id == baseline_id
        )
    )


def _caseload_patients_query(dialect: str) -> Any:
    """The user's patients (as ``_caseload_query``) with their open alerts, critical and all:
    enough to order the caseload by name or by alerts, two short seeks a patient."""
    patients, access, alerts = _PATIENTS, PatientAccessRow.__table__, _ALERTS.alias("a")

    def open_count(kind: str | None = None) -> Any:
        query = select(func.count()).where(
            alerts.c.patient_id == patients.c.id, alerts.c.status == "open"
        )
        if kind is not None:
            query = query.where(alerts.c.kind == kind)
        return query.scalar_subquery()

    clinic = patients.c.clinic_id + "" if dialect == "sqlite" else patients.c.clinic_id  # as above
    return (
        select(
            patients.c.id,
            patients.c.reference,
            open_count("critical").label("critical"),
            open_count().label("open_alerts"),
        )
        .select_from(access.join(patients, patients.c.id == access.c.patient_id))
        .where(access.c.user_id == bindparam("user"), clinic == bindparam("clinic"))
    )


def _open_alert_counts_query(dialect: str) -> Any:
    patients, access, alerts = _PATIENTS, PatientAccessRow.__table__, _ALERTS
    clinic = patients.c.clinic_id + "" if dialect == "sqlite" else patients.c.clinic_id  # as above
    return (
        select(alerts.c.kind, func.count())
        .select_from(
            access.join(patients, patients.c.id == access.c.patient_id).join(
                alerts, alerts.c.patient_id == patients.c.id
            )
        )
        .where(
            access.c.user_id == bindparam("user"),
            clinic == bindparam("clinic"),
            alerts.c.status == "open",
        )
        .group_by(alerts.c.kind)
    )


# One prepared statement per dialect: every clinician page runs them.
_DIALECTS = ("sqlite", "postgresql")
_CASELOAD = {name: Prepared(_caseload_query(name)) for name in _DIALECTS}
_CASELOAD_CHOSEN = {name: Prepared(_caseload_query(name, chosen=True)) for name in _DIALECTS}
_CASELOAD_PATIENTS = {name: Prepared(_caseload_patients_query(name)) for name in _DIALECTS}
_OPEN_ALERT_COUNTS = {name: Prepared(_open_alert_counts_query(name)) for name in _DIALECTS}


# The chosen option, start and plan of an episode: run on every score recorded with follow-up.
def new_id() -> str:
    """An opaque id: 128 random bits as 32 hex digits."""
    return secrets.token_hex(16)


def _storable(value: str, longest: int = 64) -> bool:
    """Whether an id (or an email) from outside could be stored at all: printable and not too
    long. One that could not is simply not found, without asking the database (PostgreSQL
    refuses NUL in text: asking would be an error, not an answer)."""
    return len(value) <= longest and value.isprintable()


def digest(secret: str) -> str:
    """How a token, a link or a session id is kept: its SHA-256, never itself. The secrets
    carry at least 128 random bits, so a plain hash is enough (no salt or stretching)."""
    return hashlib.sha256(secret.encode()).hexdigest()


@contextmanager
def unit_of_work(database: Database, now: dt.datetime) -> Iterator[Store]:
    """One transaction on one connection (SQLite: ``BEGIN IMMEDIATE``): committed when the
    block ends, rolled back (nothing written, no event) when it raises."""
    with database.engine.begin() as connection:
        store = Store(connection, now)
        try:
            yield store
            store.finish()
        finally:
            store.close()


class Store:
    """The repositories of one transaction. Statements run on its ``connection`` (Core); an
    ORM ``session`` bound to the same connection, and so to the same transaction, is made only
    when a method needs one: recording a measurement runs on Core alone, and making a session
    costs about as much as the rest of that path."""

    def __init__(self, connection: Connection, now: dt.datetime) -> None:
        self.connection = connection
        self.now = now
        self._events: list[audit.Pending] = []
        self._session: Session | None = None
        # The audit chain's head, when this unit of work has locked and read it already.
        self._head: audit.Head | None = None

    @property
    def session(self) -> Session:
        if self._session is None:
            # "rollback_only": the session joins the connection's transaction and never
            # commits it; the unit of work does.
            self._session = Session(
                bind=self.connection,
                expire_on_commit=False,
                join_transaction_mode="rollback_only",
            )
        return self._session

    def finish(self) -> None:
        if self._session is not None:
            self._session.flush()
        self._head = audit.append(self.connection, self._events, self.now, self._head)
        self._events.clear()

    def close(self) -> None:
        if self._session is not None:
            self._session.close()
            self._session = None

    # --- audit --------------------------------------------------------------------------

    def audit(
        self,
        actor: Actor,
        action: str,
        record_kind: str,
        record_id: str,
        patient_id: str | None = None,
    ) -> None:
        self._events.append(
            audit.Pending(
                actor.label,
                actor.role,
                actor.clinic_id,
                action,
                record_kind,
                record_id,
                patient_id,
            )
        )

    def trail(
        self, clinic_id: str, patient_id: str | None = None, limit: int = 200
    ) -> list[AuditEvent]:
        query = select(AuditRow).where(AuditRow.clinic_id == clinic_id)
        if patient_id is not None:
            query = query.where(AuditRow.patient_id == patient_id)
        rows = self.session.execute(query.order_by(AuditRow.seq.desc()).limit(limit)).scalars()
        return [audit.to_event(row) for row in rows]

    def audit_break(self) -> tuple[int, str] | None:
        return audit.first_break(self.session)

    def audit_count(self) -> int:
        return int(self.session.execute(select(func.count()).select_from(AuditRow)).scalar_one())

    # --- clinics and users --------------------------------------------------------------

    def has_clinic(self) -> bool:
        return self.session.execute(select(exists().select_from(ClinicRow))).scalar_one()

    def add_clinic(self, name: str) -> Clinic:
        row = ClinicRow(id=new_id(), name=name, require_totp=False, created_at=self.now)
        self.session.add(row)
        self.session.flush()
        return _clinic(row)

    def clinic(self, clinic_id: str) -> Clinic | None:
        row = self.session.get(ClinicRow, clinic_id)
        return _clinic(row) if row is not None else None

    def set_require_totp(self, clinic_id: str, required: bool) -> None:
        self.session.execute(
            update(ClinicRow).where(ClinicRow.id == clinic_id).values(require_totp=required)
        )

    def add_user(
        self, clinic_id: str, email: str, roles: frozenset[Role], password_hash: str | None
    ) -> User:
        row = UserRow(
            id=new_id(),
            clinic_id=clinic_id,
            email=email,
            is_admin="admin" in roles,
            is_clinician="clinician" in roles,
            password_hash=password_hash,
            active=True,
            created_at=self.now,
        )
        self.session.add(row)
        try:
            with self.session.begin_nested():
                self.session.flush()
        except IntegrityError:
            raise InputError("email", f"{email} already has an account") from None
        return _user(row)

    def user(self, user_id: str) -> User | None:
        if not _storable(user_id):
            return None
        row = self.session.get(UserRow, user_id)
        return _user(row) if row is not None else None

    def user_in_clinic(self, clinic_id: str, user_id: str) -> User | None:
        if not _storable(user_id):
            return None
        row = self.session.get(UserRow, user_id)
        return _user(row) if row is not None and row.clinic_id == clinic_id else None

    def user_by_email(self, email: str) -> User | None:
        if not _storable(email, 320):
            return None
        row = self.session.execute(
            select(UserRow).where(UserRow.email == email)
        ).scalar_one_or_none()
        return _user(row) if row is not None else None

    def password_hash(self, user_id: str) -> str | None:
        row = self.session.get(UserRow, user_id)
        return row.password_hash if row is not None else None

    def set_password_hash(self, user_id: str, password_hash: str) -> None:
        self.session.execute(
            update(UserRow).where(UserRow.id == user_id).values(password_hash=password_hash)
        )

    def totp(self, user_id: str) -> tuple[str | None, int | None]:
        row = self.session.get(UserRow, user_id)
        return (row.totp_secret, row.totp_last_step) if row is not None else (None, None)

    def set_totp(self, user_id: str, secret: str | None, last_step: int | None = None) -> None:
        self.session.execute(
            update(UserRow)
            .where(UserRow.id == user_id)
            .values(totp_secret=secret, totp_last_step=last_step)
        )

    def set_totp_step(self, user_id: str, step: int) -> bool:
        """Record the time step of a TOTP code just used; False when that step (or a later
        one) was used already, so a code works once."""
        result = self.session.execute(
            update(UserRow)
            .where(
                UserRow.id == user_id,
                (UserRow.totp_last_step.is_(None)) | (UserRow.totp_last_step < step),
            )
            .values(totp_last_step=step)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    def set_active(self, user_id: str, active: bool) -> None:
        self.session.execute(update(UserRow).where(UserRow.id == user_id).values(active=active))

    def users_of(self, clinic_id: str) -> list[User]:
        rows = self.session.execute(
            select(UserRow).where(UserRow.clinic_id == clinic_id).order_by(UserRow.email)
        ).scalars()
        return [_user(row) for row in rows]

    # --- sessions, tokens and sign-in failures ------------------------------------------

    def add_session(self, session_id: str, user_id: str, csrf: str) -> None:
        self.session.add(
            SessionRow(
                id_hash=digest(session_id),
                user_id=user_id,
                csrf=csrf,
                created_at=self.now,
                last_seen_at=self.now,
            )
        )

    def find_session(self, session_id: str) -> tuple[str, str, dt.datetime, dt.datetime] | None:
        """(user id, csrf token, created, last seen) of a session not ended, or None."""
        row = self.session.get(SessionRow, digest(session_id))
        if row is None or row.ended_at is not None:
            return None
        return row.user_id, row.csrf, row.created_at, row.last_seen_at

    def touch_session(self, session_id: str) -> None:
        self.session.execute(
            update(SessionRow)
            .where(SessionRow.id_hash == digest(session_id))
            .values(last_seen_at=self.now)
        )

    def end_session(self, session_id: str) -> None:
        self.session.execute(
            update(SessionRow)
            .where(SessionRow.id_hash == digest(session_id), SessionRow.ended_at.is_(None))
            .values(ended_at=self.now)
        )

    def end_sessions_of(self, user_id: str) -> None:
        self.session.execute(
            update(SessionRow)
            .where(SessionRow.user_id == user_id, SessionRow.ended_at.is_(None))
            .values(ended_at=self.now)
        )

    def add_token(self, user_id: str, name: str) -> ApiToken:
        secret = "bh_" + secrets.token_urlsafe(32)
        row = ApiTokenRow(
            id=new_id(),
            user_id=user_id,
            name=name,
            token_hash=digest(secret),
            created_at=self.now,
        )
        self.session.add(row)
        self.session.flush()
        return ApiToken(row.id, user_id, name, self.now, None, token=secret)

    def token_user(self, secret: str) -> tuple[ApiToken, User] | None:
        found = self.session.execute(
            select(ApiTokenRow, UserRow)
            .join(UserRow, UserRow.id == ApiTokenRow.user_id)
            .where(ApiTokenRow.token_hash == digest(secret), ApiTokenRow.revoked_at.is_(None))
        ).first()
        if found is None:
            return None
        token, user = found
        return _token(token), _user(user)

    def tokens_of(self, user_id: str) -> list[ApiToken]:
        rows = self.session.execute(
            select(ApiTokenRow).where(ApiTokenRow.user_id == user_id).order_by(ApiTokenRow.name)
        ).scalars()
        return [_token(row) for row in rows]

    def revoke_token(self, user_id: str, token_id: str) -> bool:
        if not _storable(token_id):
            return False
        result = self.session.execute(
            update(ApiTokenRow)
            .where(
                ApiTokenRow.id == token_id,
                ApiTokenRow.user_id == user_id,
                ApiTokenRow.revoked_at.is_(None),
            )
            .values(revoked_at=self.now)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    def add_failure(self, key: str) -> None:
        self.session.add(SignInFailureRow(key=digest(key), at=self.now))

    def failures(self, key: str, since: dt.datetime) -> int:
        count = self.session.execute(
            select(func.count())
            .select_from(SignInFailureRow)
            .where(SignInFailureRow.key == digest(key), SignInFailureRow.at >= since)
        ).scalar_one()
        return int(count)

    def clear_failures(self, key: str) -> None:
        self.session.execute(delete(SignInFailureRow).where(SignInFailureRow.key == digest(key)))

    # --- patients -----------------------------------------------------------------------

    def add_patient(
        self,
        clinic_id: str,
        reference: str,
        timezone: str,
        locale: str,
        display_name: str | None,
        email: str | None,
        created_by: str | None,
    ) -> Patient:
        taken = self.session.execute(
            select(
                exists().where(PatientRow.clinic_id == clinic_id, PatientRow.reference == reference)
            )
        ).scalar_one()
        if taken:
            raise InputError("reference", "another patient of this clinic has this reference")
        row = PatientRow(
            id=new_id(),
            clinic_id=clinic_id,
            reference=reference,
            display_name=display_name,
            timezone=timezone,
            locale=locale,
            email=email,
            created_by=created_by,
            created_at=self.now,
        )
        self.session.add(row)
        self.session.flush()
        return _patient(row)

    def grant(self, patient_id: str, user_id: str) -> None:
        if self.session.get(PatientAccessRow, (patient_id, user_id)) is None:
            self.session.add(
                PatientAccessRow(patient_id=patient_id, user_id=user_id, granted_at=self.now)
            )
            self.session.flush()

    def _visible(self, user: User) -> Any:
        """The condition that a patient row is visible to ``user``."""
        if not user.is_clinician or not user.active:
            return false()
        return and_(
            PatientRow.clinic_id == user.clinic_id,
            exists().where(
                PatientAccessRow.patient_id == PatientRow.id,
                PatientAccessRow.user_id == user.id,
            ),
        )

    def patient_for(self, user: User, patient_id: str) -> Patient | None:
        if not _storable(patient_id):
            return None
        row = self.session.execute(
            select(PatientRow).where(PatientRow.id == patient_id, self._visible(user))
        ).scalar_one_or_none()
        return _patient(row) if row is not None else None

    def patient(self, patient_id: str) -> Patient | None:
        """A patient whatever the user: for a link, which names its patient itself."""
        if not _storable(patient_id):
            return None
        row = self.session.get(PatientRow, patient_id)
        return _patient(row) if row is not None else None

    def patient_in_clinic(self, clinic_id: str, patient_id: str) -> Patient | None:
        if not _storable(patient_id):
            return None
        row = self.session.get(PatientRow, patient_id)
        return _patient(row) if row is not None and row.clinic_id == clinic_id else None

    def caseload_patients(self, user: User) -> list[CaseloadName]:
        """The user's patients (as ``caseload``): the id and reference of each, with their
        open alerts, critical and all, in no order. What ordering by name or by alerts needs,
        without the scores (nor the rest of the patient: a page's rows read it)."""
        if not user.is_clinician or not user.active:
            return []
        query = _CASELOAD_PATIENTS[self.connection.dialect.name]
        rows = query.rows(self.connection, {"clinic": user.clinic_id, "user": user.id})
        return [CaseloadName(i, ref, int(crit), int(open_)) for i, ref, crit, open_ in rows]

    def caseload(self, user: User, patient_ids: Sequence[str] | None = None) -> list[CaseloadRow]:
        """The user's patients (as ``_visible``), each with their latest measurement in force
        and its baseline, their current episode and the days its measurements were taken,
        and their open alerts: one prebuilt query, whatever the number of patients. With
        ``patient_ids``, only those of them (the rows of one page)."""
        if not user.is_clinician or not user.active:
            return []
        dialect = self.connection.dialect.name
        values = {"clinic": user.clinic_id, "user": user.id}
        if patient_ids is None:
            query = _CASELOAD[dialect]
        elif not patient_ids:
            return []
        else:
            query = _CASELOAD_CHOSEN[dialect]
            ids = list(patient_ids)
            values["ids"] = json.dumps(ids) if dialect == "sqlite" else ",".join(ids)
        rows = query.rows(self.connection, values)
        found = []
        for row in sorted(rows, key=lambda r: r[_REFERENCE]):  # by reference
            patient = Patient(*row[: len(_PATIENT_FIELDS)])
            (
                episode_id,
                critical,
                open_alerts,
                latest_id,
                latest_episode,
                instrument,
                total,
                severity,
                taken_on,
                risk_positive,
                baseline_id,
                baseline_total,
                baseline_on,
                days,
            ) = row[len(_PATIENT_FIELDS) :]
            latest = (
                LatestScore(
                    latest_id,
                    latest_episode,
                    instrument,
                    total,
                    severity,
                    taken_on,
                    bool(risk_positive),
                    baseline_id,
                    baseline_total,
                    baseline_on,
                )
                if latest_id is not None
                else None
            )
            found.append(
                CaseloadRow(
                    patient,
                    latest,
                    episode_id,
                    days or "",
                    int(critical),
                    int(open_alerts),
                )
            )
        return found

    def plans(self, episode_ids: Sequence[str]) -> dict[str, dict[str, Any] | None]:
        """The stored plans of these episodes (an episode without a plan: None). Access is the
        caller's to have checked: the ids come from ``caseload``."""
        if not episode_ids:
            return {}
        rows = self.connection.execute(
            select(_EPISODES.c.id, _EPISODES.c.plan).where(_EPISODES.c.id.in_(episode_ids))
        )
        return {episode_id: plan for episode_id, plan in rows}

    # --- episodes and measurements ------------------------------------------------------

    def add_episode(
        self,
        patient: Patient,
        source: EpisodeSource,
        created_by: str | None,
        decision: dict[str, Any],
        option: str | None,
        start: dt.date | None,
        plan: dict[str, Any] | None,
    ) -> Episode:
        row = EpisodeRow(
            id=new_id(),
            patient_id=patient.id,
            clinic_id=patient.clinic_id,
            source=source,
            created_by=created_by,
            created_at=self.now,
            decision=decision,
            option=option,
            start=start,
            plan=plan,
        )
        self.session.add(row)
        self.session.flush()
        return _episode(row, ())

    def episode_for(self, user: User, episode_id: str) -> Episode | None:
        if not _storable(episode_id):
            return None
        row = self.session.execute(
            select(EpisodeRow)
            .join(PatientRow, PatientRow.id == EpisodeRow.patient_id)
            .where(EpisodeRow.id == episode_id, self._visible(user))
        ).scalar_one_or_none()
        return self._with_measurements(row) if row is not None else None

    def measurement_target(self, user: User, episode_id: str) -> tuple[dt.datetime, Patient] | None:
        """When the episode began, and its patient, if ``user`` may see it (as ``_visible``):
        what recording a measurement into it needs, in one prebuilt query that every
        measurement recorded runs. Neither the episode's decision and plan nor its earlier
        measurements are read."""
        if not user.is_clinician or not user.active or not _storable(episode_id):
            return None
        # With the audit chain's lock and head, which this unit of work needs at its end:
        # on PostgreSQL the three go in one pipeline.
        params = {"episode": episode_id, "clinic": user.clinic_id, "user": user.id}
        *_, last, found = queries(
            self.connection, [*audit.lock_steps(self.connection), (_FIND_TARGET, params)]
        )
        if not found:
            return None
        self._head = audit.head_of(last)
        return found[0][0], Patient(*found[0][1:])

    def series_of(self, episode_id: str) -> list[tuple[str, dt.date, int, dt.datetime, str]]:
        """The episode's scores still in force, as (instrument, taken on, total, recorded at,
        id): what progress reads, in one prebuilt query, without answers, decision or plan."""
        rows = _SERIES.rows(self.connection, {"episode": episode_id})
        replaced = {row[5] for row in rows if row[5] is not None}
        return [(row[1], row[2], row[3], row[4], row[0]) for row in rows if row[0] not in replaced]

    def plan_of(self, episode_id: str) -> tuple[dict[str, Any] | None, dt.date | None, Any]:
        """The episode's dated plan, its start and its decision's concerns: what its review
        points and findings need besides the scores, without the rest of the decision (its
        trace is most of it)."""
        [row] = _PLAN_OF.rows(self.connection, {"episode": episode_id})
        return row[0], row[1], row[2]

    def episode(self, episode_id: str) -> Episode | None:
        if not _storable(episode_id):
            return None
        row = self.session.get(EpisodeRow, episode_id)
        return self._with_measurements(row) if row is not None else None

    def episodes_of(self, patient_id: str) -> list[Episode]:
        rows = self.session.execute(
            select(EpisodeRow)
            .where(EpisodeRow.patient_id == patient_id)
            .order_by(EpisodeRow.created_at.desc(), EpisodeRow.id)
        ).scalars()
        return [self._with_measurements(row) for row in rows]

    def _with_measurements(self, row: EpisodeRow) -> Episode:
        rows = self.session.execute(
            select(MeasurementRow)
            .where(MeasurementRow.episode_id == row.id)
            .order_by(MeasurementRow.taken_on, MeasurementRow.recorded_at, MeasurementRow.id)
        ).scalars()
        found = list(rows)
        replaced = {m.supersedes: m.id for m in found if m.supersedes is not None}
        return _episode(row, tuple(_measurement(m, replaced.get(m.id)) for m in found))

    def _in_force(self, condition: Any) -> Sequence[MeasurementRow]:
        newer = select(MeasurementRow.supersedes).where(MeasurementRow.supersedes.is_not(None))
        return (
            self.session.execute(
                select(MeasurementRow).where(condition, MeasurementRow.id.not_in(newer))
            )
            .scalars()
            .all()
        )

    def add_measurement(
        self,
        episode_id: str,
        patient_id: str,
        instrument: str,
        answers: Sequence[int | None],
        total: int,
        severity: str | None,
        risk_positive: bool,
        taken_on: dt.date,
        method: Method,
        entered_by: str | None,
        supersedes: str | None = None,
    ) -> Measurement:
        measurement = Measurement(
            id=new_id(),
            episode_id=episode_id,
            patient_id=patient_id,
            instrument=instrument,
            answers=tuple(answers),
            total=total,
            severity=severity,
            risk_positive=risk_positive,
            taken_on=taken_on,
            method=method,
            entered_by=entered_by,
            recorded_at=self.now,
            supersedes=supersedes,
        )
        values = {name: getattr(measurement, name) for name in _MEASUREMENT_COLUMNS}
        values["answers"] = list(answers)
        # One row needs none of the ORM's unit-of-work bookkeeping.
        if supersedes is None:
            _ADD_MEASUREMENT.run(self.connection, (values,))
            return measurement
        try:  # a second correction of the same measurement breaks the unique constraint
            with self.connection.begin_nested():
                self.connection.execute(_INSERT_MEASUREMENT, values)
        except IntegrityError:
            raise InputError("supersedes", "that measurement was already corrected") from None
        return measurement

    def measurement(self, measurement_id: str) -> Measurement | None:
        if not _storable(measurement_id):
            return None
        row = self.session.get(MeasurementRow, measurement_id)
        return _measurement(row) if row is not None else None

    # --- re-decisions -------------------------------------------------------------------

    def add_redecision(
        self,
        patient: Patient,
        episode_id: str,
        milestone: str,
        finding: dict[str, Any],
        decision: dict[str, Any],
    ) -> Redecision | None:
        """Store a second decision for the episode's review point ``milestone``; None when
        that point has one already (the table holds one per episode and milestone, so a
        second request, even a concurrent one, adds nothing)."""
        row = {
            "id": new_id(),
            "clinic_id": patient.clinic_id,
            "patient_id": patient.id,
            "episode_id": episode_id,
            "milestone": milestone,
            "made_at": self.now,
            "finding": finding,
            "decision": decision,
        }
        try:
            with self.connection.begin_nested():
                self.connection.execute(insert(_REDECISIONS), row)
        except IntegrityError:
            return None
        return _redecision(row)

    def redecisions_of(self, episode_id: str) -> list[Redecision]:
        """The episode's second decisions, oldest first."""
        if not _storable(episode_id):
            return []
        rows = self.connection.execute(
            select(_REDECISIONS)
            .where(_REDECISIONS.c.episode_id == episode_id)
            .order_by(_REDECISIONS.c.made_at, _REDECISIONS.c.id)
        ).all()
        return [_redecision(dict(row._mapping)) for row in rows]

    def redecided_milestones(self, episode_id: str) -> set[str]:
        """The milestones of the episode that have a second decision: a cheap check before
        making one."""
        rows = self.connection.execute(
            select(_REDECISIONS.c.milestone).where(_REDECISIONS.c.episode_id == episode_id)
        ).scalars()
        return set(rows)

    # --- alerts -------------------------------------------------------------------------

    def add_alert(
        self,
        patient: Patient,
        kind: str,
        reason: str,
        episode_id: str | None = None,
        measurement_id: str | None = None,
        subject: str | None = None,
    ) -> Alert:
        """Raise an alert. ``subject``: what it is about beyond its kind (a milestone id, a
        check-in link id); the schema holds one alert per episode, kind and subject, so with
        a subject use ``add_alert_once``."""
        alert, values = self._new_alert(patient, kind, reason, episode_id, measurement_id, subject)
        # Prepared, as a measurement's insert: it runs in the same path.
        _ADD_ALERT.run(self.connection, (values,))
        return alert

    def _new_alert(
        self,
        patient: Patient,
        kind: str,
        reason: str,
        episode_id: str | None,
        measurement_id: str | None,
        subject: str | None,
    ) -> tuple[Alert, dict[str, Any]]:
        alert = Alert(
            new_id(),
            patient.id,
            episode_id,
            measurement_id,
            kind,
            "open",
            self.now,
            reason,
            subject=subject,
        )
        values = {
            "id": alert.id,
            "clinic_id": patient.clinic_id,
            "patient_id": patient.id,
            "episode_id": episode_id,
            "measurement_id": measurement_id,
            "kind": kind,
            "status": "open",
            "raised_at": self.now,
            "reason": reason,
            "subject": subject,
            **_NO_STATE,
        }
        return alert, values

    def add_alert_once(
        self,
        patient: Patient,
        kind: str,
        reason: str,
        episode_id: str,
        subject: str,
        measurement_id: str | None = None,
    ) -> Alert | None:
        """Raise the episode's alert of ``kind`` about ``subject`` unless it has one already:
        None when it has (checked first, and held by the unique index when another process
        raised it meanwhile: the insert is a savepoint, so the transaction goes on)."""
        if (kind, subject) in self.alert_subjects(episode_id, kind):
            return None
        alert, values = self._new_alert(patient, kind, reason, episode_id, measurement_id, subject)
        try:  # through Connection.execute, which turns the driver's error into SQLAlchemy's
            with self.connection.begin_nested():
                self.connection.execute(_INSERT_ALERT, values)
        except IntegrityError:
            return None
        return alert

    def alert_subjects(
        self, episode_id: str, kind: str | None = None
    ) -> dict[tuple[str, str], str]:
        """The episode's alerts that have a subject, as (kind, subject) -> status."""
        query = select(AlertRow.kind, AlertRow.subject, AlertRow.status).where(
            AlertRow.episode_id == episode_id, AlertRow.subject.is_not(None)
        )
        if kind is not None:
            query = query.where(AlertRow.kind == kind)
        rows = self.connection.execute(query).all()
        return {(k, s or ""): status for k, s, status in rows}

    def followed_episodes(self) -> list[tuple[str, str]]:
        """The episodes the sweep follows, as (episode id, patient id): each patient's newest
        episode with a chosen option (and so a plan). An older one was replaced by a newer
        decision."""
        rows = self.connection.execute(
            select(EpisodeRow.id, EpisodeRow.patient_id)
            .where(EpisodeRow.option.is_not(None))
            .order_by(EpisodeRow.patient_id, EpisodeRow.created_at, EpisodeRow.id)
        ).all()
        newest: dict[str, str] = {}
        for episode_id, patient_id in rows:
            newest[patient_id] = episode_id
        return [(episode_id, patient_id) for patient_id, episode_id in newest.items()]

    def expired_check_ins(self, episode_id: str) -> list[Link]:
        """The episode's check-in links that expired unused (by this unit of work's now)."""
        rows = self.session.execute(
            select(LinkRow).where(
                LinkRow.episode_id == episode_id,
                LinkRow.kind == "check_in",
                LinkRow.used_at.is_(None),
                LinkRow.expires_at <= self.now,
            )
        ).scalars()
        return [_link(row) for row in rows]

    def alerts_of(self, patient_id: str) -> list[Alert]:
        rows = self.session.execute(
            _ALERT_WITH_NAMES.where(AlertRow.patient_id == patient_id).order_by(
                _BY_KIND, AlertRow.raised_at.desc(), AlertRow.id
            )
        ).all()
        return [_alert(*row) for row in rows]

    def alerts_for(self, user: User, status: str | None = None) -> list[tuple[Alert, Patient]]:
        """The alerts of the patients ``user`` may see (as ``_visible``), with their patient:
        open first, then acknowledged, then resolved; within each by kind (critical first,
        as ``ALERT_KINDS``), then newest first."""
        order = case(
            (AlertRow.status == "open", 0), (AlertRow.status == "acknowledged", 1), else_=2
        )

        query = (
            _ALERT_WITH_NAMES.add_columns(PatientRow)
            .join(PatientRow, PatientRow.id == AlertRow.patient_id)
            .where(self._visible(user))
        )
        if status is not None:
            query = query.where(AlertRow.status == status)
        rows = self.session.execute(
            query.order_by(order, _BY_KIND, AlertRow.raised_at.desc(), AlertRow.id)
        ).all()
        return [(_alert(alert, ack, res), _patient(patient)) for alert, ack, res, patient in rows]

    def open_alert_counts(self, user: User) -> dict[str, int]:
        """How many alerts of each kind are open among the patients ``user`` may see (as
        ``_visible``), from the user's access rows: its cost grows with their patients, not
        with the clinic's or the database's alerts (every clinician page runs it)."""
        if not user.is_clinician or not user.active:
            return {}
        query = _OPEN_ALERT_COUNTS[self.connection.dialect.name]
        rows = query.rows(self.connection, {"clinic": user.clinic_id, "user": user.id})
        return {kind: int(count) for kind, count in rows}

    def alert_for(self, user: User, alert_id: str) -> tuple[Alert, Patient] | None:
        if not _storable(alert_id):
            return None
        found = self.session.execute(
            _ALERT_WITH_NAMES.add_columns(PatientRow)
            .join(PatientRow, PatientRow.id == AlertRow.patient_id)
            .where(AlertRow.id == alert_id, self._visible(user))
        ).first()
        if found is None:
            return None
        alert, ack, res, patient = found
        return _alert(alert, ack, res), _patient(patient)

    def move_alert(self, alert_id: str, user_id: str, to: str, note: str | None) -> Alert | None:
        """Acknowledge (from open) or resolve (from acknowledged) an alert, as one guarded
        UPDATE: None when it was not in the state before ``to`` (someone else moved it
        first), so no state is skipped or made twice."""
        values: dict[str, Any]
        if to == "acknowledged":
            before = "open"
            values = {"acknowledged_by": user_id, "acknowledged_at": self.now}
            values["acknowledge_note"] = note
        elif to == "resolved":
            before = "acknowledged"
            values = {"resolved_by": user_id, "resolved_at": self.now, "resolve_note": note}
        else:
            raise ValueError(f"an alert cannot be moved to {to!r}")
        result = self.session.execute(
            update(AlertRow)
            .where(AlertRow.id == alert_id, AlertRow.status == before)
            .values(status=to, **values)
        )
        if not result.rowcount:  # type: ignore[attr-defined]
            return None
        found = self.session.execute(
            _ALERT_WITH_NAMES.where(AlertRow.id == alert_id).execution_options(
                populate_existing=True
            )
        ).one()
        return _alert(*found)

    # --- links --------------------------------------------------------------------------

    def add_link(
        self,
        kind: LinkKind,
        expires_at: dt.datetime,
        clinic_id: str | None = None,
        patient_id: str | None = None,
        episode_id: str | None = None,
        instruments: Sequence[str] = (),
        created_by: str | None = None,
    ) -> Link:
        secret = secrets.token_urlsafe(32)  # 256 random bits
        row = LinkRow(
            id=new_id(),
            kind=kind,
            token_hash=digest(secret),
            clinic_id=clinic_id,
            patient_id=patient_id,
            episode_id=episode_id,
            instruments=list(instruments),
            created_by=created_by,
            created_at=self.now,
            expires_at=expires_at,
        )
        self.session.add(row)
        self.session.flush()
        return _link(row, secret)

    def link(self, secret: str, kind: LinkKind) -> Link | None:
        row = self.session.execute(
            select(LinkRow).where(LinkRow.token_hash == digest(secret), LinkRow.kind == kind)
        ).scalar_one_or_none()
        return _link(row) if row is not None else None

    def use_link(self, link_id: str) -> bool:
        """Mark a link used; False when it was used already (by another request)."""
        result = self.session.execute(
            update(LinkRow)
            .where(LinkRow.id == link_id, LinkRow.used_at.is_(None))
            .values(used_at=self.now)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    def expire_links(self, kind: LinkKind) -> None:
        self.session.execute(
            update(LinkRow)
            .where(LinkRow.kind == kind, LinkRow.used_at.is_(None))
            .values(expires_at=self.now)
        )


# --- rows to domain objects -----------------------------------------------------------


def _clinic(row: ClinicRow) -> Clinic:
    return Clinic(row.id, row.name, row.require_totp, row.created_at)


def _user(row: UserRow) -> User:
    roles: set[Role] = set()
    if row.is_admin:
        roles.add("admin")
    if row.is_clinician:
        roles.add("clinician")
    return User(
        row.id,
        row.clinic_id,
        row.email,
        frozenset(roles),
        row.active,
        row.totp_secret is not None,
        row.created_at,
    )


def _token(row: ApiTokenRow) -> ApiToken:
    return ApiToken(row.id, row.user_id, row.name, row.created_at, row.revoked_at)


def _patient(row: PatientRow) -> Patient:
    return Patient(
        row.id,
        row.clinic_id,
        row.reference,
        row.display_name,
        row.timezone,
        row.locale,
        row.email,
        row.created_at,
    )


def _measurement(row: MeasurementRow, superseded_by: str | None = None) -> Measurement:
    return Measurement(
        id=row.id,
        episode_id=row.episode_id,
        patient_id=row.patient_id,
        instrument=row.instrument,
        answers=tuple(row.answers),
        total=row.total,
        severity=row.severity,
        risk_positive=row.risk_positive,
        taken_on=row.taken_on,
        method=row.method,  # type: ignore[arg-type]
        entered_by=row.entered_by,
        recorded_at=row.recorded_at,
        supersedes=row.supersedes,
        superseded_by=superseded_by,
    )


def _episode(row: EpisodeRow, measurements: tuple[Measurement, ...]) -> Episode:
    return Episode(
        id=row.id,
        patient_id=row.patient_id,
        clinic_id=row.clinic_id,
        source=row.source,  # type: ignore[arg-type]
        created_at=row.created_at,
        created_by=row.created_by,
        decision=row.decision,
        option=row.option,
        start=row.start,
        plan=row.plan,
        measurements=measurements,
    )


def _alert(
    row: AlertRow, acknowledged_email: str | None = None, resolved_email: str | None = None
) -> Alert:
    return Alert(
        row.id,
        row.patient_id,
        row.episode_id,
        row.measurement_id,
        row.kind,
        row.status,
        row.raised_at,
        row.reason,
        row.acknowledged_by,
        row.acknowledged_at,
        row.acknowledge_note,
        row.resolved_by,
        row.resolved_at,
        row.resolve_note,
        acknowledged_email,
        resolved_email,
        row.subject,
    )


def _redecision(row: Mapping[str, Any]) -> Redecision:
    return Redecision(
        id=row["id"],
        clinic_id=row["clinic_id"],
        patient_id=row["patient_id"],
        episode_id=row["episode_id"],
        milestone=row["milestone"],
        made_at=row["made_at"],
        finding=row["finding"],
        decision=row["decision"],
    )


def _link(row: LinkRow, secret: str | None = None) -> Link:
    return Link(
        id=row.id,
        kind=row.kind,  # type: ignore[arg-type]
        clinic_id=row.clinic_id,
        patient_id=row.patient_id,
        episode_id=row.episode_id,
        instruments=tuple(row.instruments),
        created_by=row.created_by,
        created_at=row.created_at,
        expires_at=row.expires_at,
        used_at=row.used_at,
        token=secret,
    )
