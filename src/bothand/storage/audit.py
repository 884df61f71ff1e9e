"""The audit trail's hash chain. Each event's hash covers its own fields and the hash of the
event before it, so a row changed, removed or inserted afterwards breaks the chain from that row
on; ``first_break`` names the first row that does not fit.

Events are appended under a lock (SQLite: the transaction's write lock, every transaction
begins IMMEDIATE; PostgreSQL: a transaction-scoped advisory lock), so two processes never
chain onto the same predecessor.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable
from typing import Any

from sqlalchemy import Table, insert, select, text
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from bothand.domain.record import AuditEvent
from bothand.storage.models import AuditRow
from bothand.storage.prepared import Prepared, queries

GENESIS = "0" * 64
LOCK_KEY = 0x0B07_A4D0  # PostgreSQL advisory lock: "the audit chain"
_EVENTS: Table = AuditRow.__table__  # type: ignore[assignment]
# Built once: every unit of work that notes an event runs them.
_LAST = Prepared(select(_EVENTS.c.seq, _EVENTS.c.hash).order_by(_EVENTS.c.seq.desc()).limit(1))
_INSERT = Prepared(insert(_EVENTS))
_LOCK = Prepared(text("SELECT pg_advisory_xact_lock(:key)"))


def event_hash(
    seq: int,
    at: dt.datetime,
    clinic_id: str | None,
    actor: str,
    role: str,
    action: str,
    record_kind: str,
    record_id: str,
    patient_id: str | None,
    prev_hash: str,
) -> str:
    moment = at.astimezone(dt.UTC).replace(tzinfo=None).isoformat(timespec="microseconds")
    fields = [
        seq,
        moment,
        clinic_id,
        actor,
        role,
        action,
        record_kind,
        record_id,
        patient_id,
        prev_hash,
    ]
    return hashlib.sha256(json.dumps(fields, separators=(",", ":")).encode()).hexdigest()


def row_hash(row: AuditRow) -> str:
    return event_hash(
        row.seq,
        row.at,
        row.clinic_id,
        row.actor,
        row.role,
        row.action,
        row.record_kind,
        row.record_id,
        row.patient_id,
        row.prev_hash,
    )


class Pending:
    """An event waiting for the end of its unit of work."""

    __slots__ = ("action", "actor", "clinic_id", "patient_id", "record_id", "record_kind", "role")

    def __init__(
        self,
        actor: str,
        role: str,
        clinic_id: str | None,
        action: str,
        record_kind: str,
        record_id: str,
        patient_id: str | None,
    ) -> None:
        self.actor = actor
        self.role = role
        self.clinic_id = clinic_id
        self.action = action
        self.record_kind = record_kind
        self.record_id = record_id
        self.patient_id = patient_id


Head = tuple[int, str]  # the last event's seq and hash: what the next one chains onto


def lock_steps(connection: Connection) -> list[tuple[Prepared, dict[str, Any]]]:
    """The queries that take the chain's lock and then read its head, for ``queries``: the
    lock (PostgreSQL; on SQLite the transaction holds the write lock from its BEGIN) comes
    first, so the head is read by a later statement, after the lock is held."""
    steps: list[tuple[Prepared, dict[str, Any]]] = []
    if connection.dialect.name == "postgresql":
        steps.append((_LOCK, {"key": LOCK_KEY}))
    steps.append((_LAST, {}))
    return steps


def head_of(last: list[tuple[Any, ...]]) -> Head:
    """The chain's head from the rows of ``_LAST`` (the last of ``lock_steps``)."""
    return (last[0][0], last[0][1]) if last else (0, GENESIS)


def append(
    connection: Connection,
    events: Iterable[Pending],
    at: dt.datetime,
    head: Head | None = None,
) -> Head | None:
    """Chain ``events`` onto the trail, in order, inside the connection's transaction (Core
    statements: this runs in every unit of work). ``head`` is the chain's head when this
    transaction already holds the lock and read it (``lock_steps``) and has appended nothing
    since; otherwise the lock is taken and the head read here. Returns the new head (None
    when there was nothing to append)."""
    events = list(events)
    if not events:
        return head
    if head is None:
        head = head_of(queries(connection, lock_steps(connection))[-1])
    seq, prev = head
    rows = []
    for event in events:
        seq += 1
        digest = event_hash(
            seq,
            at,
            event.clinic_id,
            event.actor,
            event.role,
            event.action,
            event.record_kind,
            event.record_id,
            event.patient_id,
            prev,
        )
        rows.append(
            {
                "seq": seq,
                "at": at,
                "clinic_id": event.clinic_id,
                "actor": event.actor,
                "role": event.role,
                "action": event.action,
                "record_kind": event.record_kind,
                "record_id": event.record_id,
                "patient_id": event.patient_id,
                "prev_hash": prev,
                "hash": digest,
            }
        )
        prev = digest
    _INSERT.run(connection, rows)
    return seq, prev


def first_break(session: Session, batch: int = 5000) -> tuple[int, str] | None:
    """The first event that does not fit the chain, and why; None when the chain holds."""
    prev = GENESIS
    expected_seq = 1
    after = 0
    while True:
        rows = (
            session.execute(
                select(AuditRow).where(AuditRow.seq > after).order_by(AuditRow.seq).limit(batch)
            )
            .scalars()
            .all()
        )
        if not rows:
            return None
        for row in rows:
            if row.seq != expected_seq:
                return expected_seq, f"event {expected_seq} is missing"
            if row.prev_hash != prev:
                return row.seq, "its link to the event before does not match"
            if row_hash(row) != row.hash:
                return row.seq, "its contents do not match its hash"
            prev = row.hash
            expected_seq += 1
            after = row.seq


def to_event(row: AuditRow) -> AuditEvent:
    return AuditEvent(
        seq=row.seq,
        at=row.at,
        clinic_id=row.clinic_id,
        actor=row.actor,
        role=row.role,
        action=row.action,
        record_kind=row.record_kind,
        record_id=row.record_id,
        patient_id=row.patient_id,
        prev_hash=row.prev_hash,
        hash=row.hash,
    )
