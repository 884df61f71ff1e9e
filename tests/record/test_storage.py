"""The database itself: migrations, SQLite's settings, append-only tables, the audit chain,
and backup. Each test runs on SQLite and on PostgreSQL (the ``database`` fixture)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from bothand.catalog import Catalog
from bothand.domain.errors import InputError
from bothand.storage import Database, DatabaseError
from bothand.storage.models import Base
from tests.conftest import MovingClock
from tests.record.helpers import make_clinic


def test_migrations_match_the_models(database: Database) -> None:
    with database.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert differences == []


def test_upgrade_is_idempotent(database: Database) -> None:
    assert database.check() == "current"
    before, after = database.upgrade()
    assert before == after == database.head()


def test_an_empty_database_is_migrated_up_from_nothing(tmp_path: Path) -> None:
    database = Database(f"sqlite:///{tmp_path / 'new.sqlite3'}")
    assert database.check() == "empty"
    with pytest.raises(DatabaseError, match="bothand db upgrade"):
        database.require_current()
    assert database.upgrade() == (None, database.head())
    database.require_current()


def test_a_database_newer_than_the_code_is_refused(database: Database) -> None:
    with database.engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    with pytest.raises(DatabaseError, match="newer than this version"):
        database.require_current()


def test_sqlite_runs_in_wal_with_foreign_keys_and_full_sync(tmp_path: Path) -> None:
    database = Database(f"sqlite:///{tmp_path / 'x.sqlite3'}")
    database.upgrade()
    with database.engine.connect() as connection:
        pragma = {
            name: connection.exec_driver_sql(f"PRAGMA {name}").scalar()
            for name in ("journal_mode", "foreign_keys", "synchronous", "busy_timeout")
        }
    assert pragma == {
        "journal_mode": "wal",
        "foreign_keys": 1,
        "synchronous": 2,
        "busy_timeout": 10000,
    }


def test_a_url_of_another_kind_names_the_setting() -> None:
    with pytest.raises(InputError, match="BOTHAND_DATABASE_URL"):
        Database("mysql://x/y")


@pytest.mark.parametrize("table", ["audit_events", "measurements"])
def test_append_only_tables_refuse_update_and_delete(
    catalog: Catalog, database: Database, clock: MovingClock, table: str
) -> None:
    clinic = make_clinic(catalog, database, clock)
    patient = clinic.record.add_patient(clinic.me, "MRN-1", "Europe/London")
    from tests.record.helpers import case

    clinic.record.create_episode(clinic.me, patient.id, case(), None, None)
    for statement in (
        f"UPDATE {table} SET {'action' if table == 'audit_events' else 'total'} = "
        f"{'action' if table == 'audit_events' else 'total'}",
        f"DELETE FROM {table}",
    ):
        with pytest.raises(DBAPIError, match="append-only"), database.engine.begin() as c:
            c.execute(text(statement))


def test_audit_verify_names_the_first_changed_row(
    catalog: Catalog, database: Database, clock: MovingClock
) -> None:
    clinic = make_clinic(catalog, database, clock)
    for n in range(3):
        clinic.record.add_patient(clinic.me, f"MRN-{n}", "America/New_York")
    count, broken = clinic.record.verify_audit()
    assert broken is None
    assert count == 6  # clinic, 2 users, 3 patients
    with database.engine.begin() as connection:
        _without_triggers(connection, database)
        connection.execute(text("UPDATE audit_events SET actor = 'user:someone' WHERE seq = 4"))
    assert clinic.record.verify_audit()[1] == (4, "its contents do not match its hash")


def test_audit_verify_finds_a_removed_row(
    catalog: Catalog, database: Database, clock: MovingClock
) -> None:
    clinic = make_clinic(catalog, database, clock)
    clinic.record.add_patient(clinic.me, "MRN-1", "Europe/Paris")
    with database.engine.begin() as connection:
        _without_triggers(connection, database)
        connection.execute(text("DELETE FROM audit_events WHERE seq = 2"))
    assert clinic.record.verify_audit()[1] == (2, "event 2 is missing")


def _without_triggers(connection: object, database: Database) -> None:
    """What an attacker with the database's own rights could do: drop the guard."""
    from sqlalchemy.engine import Connection

    assert isinstance(connection, Connection)
    if database.is_sqlite:
        connection.execute(text("DROP TRIGGER audit_events_no_update"))
        connection.execute(text("DROP TRIGGER audit_events_no_delete"))
    else:
        connection.execute(text("ALTER TABLE audit_events DISABLE TRIGGER USER"))


def test_backup_is_a_consistent_copy(catalog: Catalog, tmp_path: Path, clock: MovingClock) -> None:
    database = Database(f"sqlite:///{tmp_path / 'live.sqlite3'}")
    database.upgrade()
    clinic = make_clinic(catalog, database, clock)
    clinic.record.add_patient(clinic.me, "MRN-1", "Europe/London")
    target = tmp_path / "copy.sqlite3"
    database.backup(target)
    copy = sqlite3.connect(target)
    assert copy.execute("SELECT reference FROM patients").fetchall() == [("MRN-1",)]
    assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    copy.close()
    with pytest.raises(InputError, match="already exists"):
        database.backup(target)


def test_backup_of_postgresql_points_to_pg_dump(postgres_url: str) -> None:
    with pytest.raises(InputError, match="pg_dump"):
        Database(postgres_url).backup(Path("x"))
