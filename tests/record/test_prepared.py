"""``Prepared`` statements (run on the driver's cursor) write and read exactly what
``Connection.execute`` would, on SQLite and PostgreSQL: the same stored values for every column
type the recording path uses (JSON with a missing answer, a date, an aware moment, a boolean,
NULLs), the same values read back, and a fixed LIMIT kept."""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any

import pytest
from sqlalchemy import Table, bindparam, insert, select

from bothand.catalog import Catalog
from bothand.storage import Database, prepared, unit_of_work
from bothand.storage.models import AuditRow, MeasurementRow
from bothand.storage.prepared import Prepared
from tests.conftest import MovingClock
from tests.record.helpers import case, make_clinic

MEASUREMENTS: Table = MeasurementRow.__table__  # type: ignore[assignment]
EVENTS: Table = AuditRow.__table__  # type: ignore[assignment]


def _raw(database: Database, row_id: str) -> tuple[Any, ...]:
    """A measurement's stored values as the driver returns them (no type conversion)."""
    columns = ", ".join(c.name for c in MEASUREMENTS.columns if c.name != "id")
    with database.engine.connect() as connection:
        sql = f"SELECT {columns} FROM measurements WHERE id = :id"
        found = connection.exec_driver_sql(
            sql.replace(":id", "?" if database.is_sqlite else "%(id)s"),
            (row_id,) if database.is_sqlite else {"id": row_id},
        ).one()
    return tuple(found)


def test_prepared_writes_and_reads_what_core_would(
    database: Database, catalog: Catalog, clock: MovingClock
) -> None:
    north = make_clinic(catalog, database, clock)
    patient = north.record.add_patient(north.me, "P-1", "Pacific/Auckland")
    episode = north.record.create_episode(north.me, patient.id, case(), None, None)
    moment = dt.datetime(2026, 3, 4, 5, 6, 7, 890123, tzinfo=dt.timezone(dt.timedelta(hours=13)))
    values = {
        "episode_id": episode.id,
        "patient_id": patient.id,
        "instrument": "phq9",
        "answers": [3, None, 0, 1, 2, 3, 0, 1, 0],
        "total": 11,
        "severity": None,
        "risk_positive": True,
        "taken_on": dt.date(2026, 3, 4),
        "method": "in_session",
        "entered_by": None,
        "recorded_at": moment,
        "supersedes": None,
    }
    prepared = Prepared(insert(MEASUREMENTS))
    with database.engine.begin() as connection:
        prepared.run(connection, [{**values, "id": "a" * 32}])
        connection.execute(insert(MEASUREMENTS), {**values, "id": "b" * 32})

    assert _raw(database, "a" * 32) == _raw(database, "b" * 32)

    by_id = select(MEASUREMENTS).where(MEASUREMENTS.c.id == bindparam("id"))
    with database.engine.connect() as connection:
        for row_id in ("a" * 32, "b" * 32):
            through_core = [tuple(row) for row in connection.execute(by_id, {"id": row_id})]
            through_prepared = Prepared(by_id).rows(connection, {"id": row_id})
            assert len(through_prepared) == 1
            assert through_prepared == through_core
    read = through_prepared[0]
    assert read[MEASUREMENTS.c.keys().index("recorded_at")] == moment
    assert read[MEASUREMENTS.c.keys().index("answers")] == [3, None, 0, 1, 2, 3, 0, 1, 0]


def test_a_fixed_limit_is_kept_and_a_given_value_wins(
    database: Database, catalog: Catalog, clock: MovingClock
) -> None:
    north = make_clinic(catalog, database, clock)
    for reference in ("A-1", "A-2", "A-3"):
        north.record.add_patient(north.me, reference, "UTC")
    newest = Prepared(select(EVENTS.c.seq).order_by(EVENTS.c.seq.desc()).limit(1))
    with database.engine.connect() as connection:
        every = connection.execute(select(EVENTS.c.seq).order_by(EVENTS.c.seq)).scalars().all()
        assert newest.rows(connection, {}) == [(every[-1],)]


def test_the_chain_holds_after_prepared_appends(
    database: Database, catalog: Catalog, clock: MovingClock
) -> None:
    north = make_clinic(catalog, database, clock)
    patient = north.record.add_patient(north.me, "C-1", "UTC")
    episode = north.record.create_episode(north.me, patient.id, case(), None, None)
    for _ in range(3):
        north.record.record(north.me, episode.id, "phq9", [1] * 9, clock.today())
    with unit_of_work(database, clock.now()) as store:
        assert store.audit_break() is None
        count = store.audit_count()
    assert count == north.record.verify_audit()[0]


def test_an_in_list_is_refused(database: Database) -> None:
    listed = Prepared(select(EVENTS.c.seq).where(EVENTS.c.seq.in_([1, 2])))
    with database.engine.connect() as connection, pytest.raises(ValueError, match="expanding"):
        listed.rows(connection, {})


def test_two_writers_at_once_keep_one_chain(
    database: Database, catalog: Catalog, clock: MovingClock
) -> None:
    """The chain's head is read in the same round trip as its lock (a pipeline on PostgreSQL),
    but after it: two threads recording at once never chain onto the same event (which would
    break the chain or collide on its sequence number)."""
    north = make_clinic(catalog, database, clock)
    patient = north.record.add_patient(north.me, "T-1", "UTC")
    episodes = [
        north.record.create_episode(north.me, patient.id, case(), None, None).id for _ in "ab"
    ]
    before, _ = north.record.verify_audit()
    start = threading.Barrier(len(episodes))
    failures: list[BaseException] = []

    def write(episode_id: str) -> None:
        try:
            start.wait()
            for _ in range(25):
                north.record.record(north.me, episode_id, "phq9", [1] * 8 + [0], clock.today())
        except BaseException as error:  # reported below, in the test's own thread
            failures.append(error)

    threads = [threading.Thread(target=write, args=(e,)) for e in episodes]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert north.record.verify_audit() == (before + 50, None)


def test_without_pipeline_mode_the_queries_run_one_by_one(
    database: Database, catalog: Catalog, clock: MovingClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A libpq older than 14 has no pipeline mode: the same queries run in turn, with the
    same result (the capability check is the only thing replaced)."""
    monkeypatch.setattr(prepared, "_pipelines", lambda: False)
    north = make_clinic(catalog, database, clock)
    patient = north.record.add_patient(north.me, "S-1", "UTC")
    episode = north.record.create_episode(north.me, patient.id, case(), None, None)
    before, _ = north.record.verify_audit()
    for _ in range(3):
        north.record.record(north.me, episode.id, "phq9", [1] * 8 + [0], clock.today())
    assert north.record.verify_audit() == (before + 3, None)
