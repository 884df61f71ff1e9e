"""Alerts through the record service, on SQLite and PostgreSQL: a positive risk answer raises
a critical alert; a named clinician acknowledges it, then resolves it with a note; no state is
skipped or made twice; another clinic's or an unshared patient's alert is not found; every
change leaves an audit event without the note; an alert is never deleted."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from bothand.catalog import Catalog
from bothand.domain.errors import InputError, NotFoundError
from bothand.domain.record import Actor
from bothand.storage import Database
from tests.conftest import MovingClock
from tests.record.helpers import PASSWORD, PHQ9_RISK, Clinic, case, make_clinic

NOTE = "Phoned them; safety plan agreed with a named contact"


def _raise(clinic: Clinic, reference: str = "MRN-1", actor: Actor | None = None) -> str:
    """A patient whose case's PHQ-9 answers item 9 above 0: one critical alert, open."""
    actor = actor or clinic.me
    patient = clinic.record.add_patient(actor, reference, "Europe/London")
    clinic.record.create_episode(actor, patient.id, case(PHQ9_RISK), None, None)
    alerts = clinic.record.patient(actor, patient.id).alerts
    assert [(a.kind, a.status) for a in alerts] == [("critical", "open")]
    return alerts[0].id


def _events(database: Database, since: int = 0) -> list[tuple[str, str, str, str]]:
    with database.engine.connect() as c:
        rows = c.execute(
            text(
                "SELECT action, record_kind, record_id, actor FROM audit_events "
                "WHERE seq > :s ORDER BY seq"
            ),
            {"s": since},
        ).all()
    return [tuple(row) for row in rows]  # type: ignore[misc]


def _last_seq(database: Database) -> int:
    with database.engine.connect() as c:
        return int(c.execute(text("SELECT COALESCE(MAX(seq), 0) FROM audit_events")).scalar_one())


def test_open_then_acknowledged_then_resolved(
    catalog: Catalog, database: Database, clock: MovingClock
) -> None:
    clinic = make_clinic(catalog, database, clock)
    alert_id = _raise(clinic)
    assert clinic.record.open_alerts(clinic.me) == {"critical": 1}
    [(alert, patient)] = clinic.record.alerts(clinic.me, "open")
    assert alert.id == alert_id and patient.reference == "MRN-1"
    assert alert.acknowledged_by is None and alert.resolved_at is None

    clock.advance(minutes=5)
    seen = clinic.record.acknowledge(clinic.me, alert_id, "  Calling them now ")
    assert seen.status == "acknowledged"
    assert seen.acknowledged_by == clinic.clinician.id
    assert seen.acknowledged_at == clock.now()
    assert seen.acknowledge_note == "Calling them now"
    assert clinic.record.open_alerts(clinic.me) == {}
    assert clinic.record.alerts(clinic.me, "open") == []

    clock.advance(hours=1)
    done = clinic.record.resolve(clinic.me, alert_id, NOTE)
    assert done.status == "resolved"
    assert (done.resolved_by, done.resolved_at, done.resolve_note) == (
        clinic.clinician.id,
        clock.now(),
        NOTE,
    )
    assert done.acknowledged_at == clock.now() - __import__("datetime").timedelta(hours=1)
    assert [a.status for a, _ in clinic.record.alerts(clinic.me)] == ["resolved"]
    assert [a.status for a in clinic.record.patient(clinic.me, done.patient_id).alerts] == [
        "resolved"
    ]


def test_the_inbox_lists_open_first(
    catalog: Catalog, database: Database, clock: MovingClock
) -> None:
    clinic = make_clinic(catalog, database, clock)
    first = _raise(clinic, "MRN-1")
    clock.advance(minutes=1)
    second = _raise(clinic, "MRN-2")
    clock.advance(minutes=1)
    third = _raise(clinic, "MRN-3")
    clinic.record.acknowledge(clinic.me, third)
    clinic.record.acknowledge(clinic.me, first)
    clinic.record.resolve(clinic.me, first, NOTE)
    order = [(a.id, a.status) for a, _ in clinic.record.alerts(clinic.me)]
    assert order == [(second, "open"), (third, "acknowledged"), (first, "resolved")]
    assert [a.id for a, _ in clinic.record.alerts(clinic.me, "acknowledged")] == [third]


def test_a_state_is_never_skipped_or_made_twice(
    catalog: Catalog, database: Database, clock: MovingClock
) -> None:
    clinic = make_clinic(catalog, database, clock)
    alert_id = _raise(clinic)
    with pytest.raises(InputError) as refused:
        clinic.record.resolve(clinic.me, alert_id, NOTE)  # critical: acknowledge first
    assert refused.value.field == "status" and "acknowledge" in refused.value.problem
    clinic.record.acknowledge(clinic.me, alert_id)
    with pytest.raises(InputError) as twice:
        clinic.record.acknowledge(clinic.me, alert_id, "again")
    assert twice.value.field == "status"
    with pytest.raises(InputError) as bare:
        clinic.record.resolve(clinic.me, alert_id, "   ")
    assert bare.value.field == "note"
    clinic.record.resolve(clinic.me, alert_id, NOTE)
    for move in (clinic.record.acknowledge, clinic.record.resolve):
        with pytest.raises(InputError) as closed:
            move(clinic.me, alert_id, NOTE)
        assert closed.value.field == "status"
    [(alert, _)] = clinic.record.alerts(clinic.me)
    assert alert.acknowledge_note is None  # the refused "again" changed nothing


@pytest.mark.parametrize("note", ["x" * 501, "bad\x00note"])
def test_a_bad_note_names_the_field_and_changes_nothing(
    catalog: Catalog, database: Database, clock: MovingClock, note: str
) -> None:
    clinic = make_clinic(catalog, database, clock)
    alert_id = _raise(clinic)
    with pytest.raises(InputError) as refused:
        clinic.record.acknowledge(clinic.me, alert_id, note)
    assert refused.value.field == "note"
    assert clinic.record.open_alerts(clinic.me) == {"critical": 1}


def test_an_unknown_status_names_the_field(
    catalog: Catalog, database: Database, clock: MovingClock
) -> None:
    clinic = make_clinic(catalog, database, clock)
    with pytest.raises(InputError) as refused:
        clinic.record.alerts(clinic.me, "closed")
    assert refused.value.field == "status"


def test_foreign_and_unknown_alerts_are_not_found(
    catalog: Catalog, database: Database, clock: MovingClock
) -> None:
    north = make_clinic(catalog, database, clock)
    south = make_clinic(catalog, database, clock, name="South", tag="s")
    colleague = north.accounts.add_user("col@example.org", north.clinic_id, ["clinician"], PASSWORD)
    theirs = _raise(south)
    unshared = _raise(north, "MRN-9", north.actor(colleague))
    mine = _raise(north)
    seq = _last_seq(database)
    for alert_id in (theirs, unshared, "0" * 32, "x" * 300, mine + "\x00"):
        for move in (north.record.acknowledge, north.record.resolve):
            with pytest.raises(NotFoundError):
                move(north.me, alert_id, NOTE)
    with pytest.raises(NotFoundError):  # an admin who is not a clinician sees no alert
        north.record.acknowledge(north.actor(north.admin), mine)
    assert _events(database, seq) == []
    assert [a.id for a, _ in north.record.alerts(north.me)] == [mine]
    assert south.record.open_alerts(south.me) == {"critical": 1}
    # Shared with the caller, the colleague's patient's alert is theirs to acknowledge too.
    patient = north.record.alerts(north.actor(colleague))[0][1]
    north.record.share_patient(north.actor(colleague), patient.id, north.clinician.id)
    assert north.record.acknowledge(north.me, unshared).acknowledged_by == north.clinician.id


def test_every_change_is_audited_without_the_note(
    catalog: Catalog, database: Database, clock: MovingClock
) -> None:
    clinic = make_clinic(catalog, database, clock)
    alert_id = _raise(clinic)
    seq = _last_seq(database)
    clinic.record.alerts(clinic.me, "open")
    clinic.record.open_alerts(clinic.me)  # a count for the banner: no record is read
    clinic.record.acknowledge(clinic.me, alert_id, "Secret words one")
    clinic.record.resolve(clinic.me, alert_id, "Secret words two")
    label = f"user:{clinic.clinician.id}"
    assert _events(database, seq) == [
        ("alerts.read", "user", clinic.clinician.id, label),
        ("alert.acknowledge", "alert", alert_id, label),
        ("alert.resolve", "alert", alert_id, label),
    ]
    with database.engine.connect() as c:
        dumped = " ".join(str(row) for row in c.execute(text("SELECT * FROM audit_events")))
    assert "Secret" not in dumped
    assert clinic.record.verify_audit()[1] is None


def test_alerts_are_never_deleted_but_their_state_changes(
    catalog: Catalog, database: Database, clock: MovingClock
) -> None:
    clinic = make_clinic(catalog, database, clock)
    _raise(clinic)
    with pytest.raises(DBAPIError, match="never deleted"), database.engine.begin() as c:
        c.execute(text("DELETE FROM alerts"))
    with database.engine.begin() as c:
        assert c.execute(text("UPDATE alerts SET status = 'acknowledged'")).rowcount == 1
    if database.engine.dialect.name == "postgresql":
        with pytest.raises(DBAPIError, match="never deleted"), database.engine.begin() as c:
            c.execute(text("TRUNCATE alerts"))
