"""Shared fixtures: the real catalog, loaded once per test session (content is read-only).

Hypothesis runs without its per-example deadline: the deadline measures wall-clock time, and
on a loaded two-core CI machine a correct example can take longer than 200 ms. Speed is
measured in benchmarks/, never asserted by a test.
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from hypothesis import settings

from bothand.catalog import Catalog, load_catalog

if TYPE_CHECKING:
    from bothand.storage import Database

REPO = Path(__file__).resolve().parent.parent

settings.register_profile("bothand", deadline=None)
settings.load_profile("bothand")


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    return load_catalog()


# --- the clinic record's databases: every storage test runs on SQLite and on PostgreSQL ------


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A PostgreSQL server for the tests: ``BOTHAND_TEST_POSTGRES_URL`` (``.ci/run`` starts a
    throwaway cluster and sets it), or a throwaway cluster started here when Debian's
    postgresql is installed. In CI a missing server fails the run: never skipped there."""
    url = os.environ.get("BOTHAND_TEST_POSTGRES_URL")
    if url:
        yield url
        return
    started = subprocess.run(
        [str(REPO / "scripts" / "throwaway-postgres")], capture_output=True, text=True
    )
    if started.returncode != 0:
        message = "no PostgreSQL: set BOTHAND_TEST_POSTGRES_URL or apt-get install postgresql"
        if os.environ.get("CI") == "true":
            pytest.fail(message + "\n" + started.stderr)
        pytest.skip(message)
    folder = started.stderr.split("cluster in ")[1].split(" on port")[0]
    yield started.stdout.strip()
    subprocess.run([str(REPO / "scripts" / "throwaway-postgres"), "stop", folder], check=False)


@pytest.fixture(scope="session")
def postgres_template(postgres_url: str) -> Iterator[tuple[str, str]]:
    """A database migrated once, copied for each test (``CREATE DATABASE ... TEMPLATE``)."""
    from sqlalchemy import create_engine, text

    from bothand.storage import Database

    admin = create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    name = f"bothand_tpl_{secrets.token_hex(4)}"
    with admin.connect() as connection:
        connection.execute(text(f"CREATE DATABASE {name}"))
    template_url = postgres_url.rsplit("/", 1)[0] + "/" + name
    template = Database(template_url)
    template.upgrade()
    template.dispose()
    yield postgres_url, name
    with admin.connect() as connection:
        connection.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
    admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """A migrated, empty clinic-record database of each kind."""
    from sqlalchemy import create_engine, text

    from bothand.storage import Database

    if request.param == "sqlite":
        db = Database(f"sqlite:///{tmp_path / 'record.sqlite3'}")
        db.upgrade()
        yield db
        db.dispose()
        return
    base_url, template = request.getfixturevalue("postgres_template")
    name = f"bothand_t_{secrets.token_hex(6)}"
    admin = create_engine(base_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f"CREATE DATABASE {name} TEMPLATE {template}"))
    db = Database(base_url.rsplit("/", 1)[0] + "/" + name)
    yield db
    db.dispose()
    with admin.connect() as connection:
        connection.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
    admin.dispose()


@dataclass
class MovingClock:
    """A clock the test moves by hand: never the wall clock."""

    at: dt.datetime = field(default_factory=lambda: dt.datetime(2026, 12, 1, 14, 0, tzinfo=dt.UTC))

    def now(self) -> dt.datetime:
        return self.at

    def today(self) -> dt.date:
        return self.at.date()

    def advance(self, **delta: float) -> None:
        self.at += dt.timedelta(**delta)


@pytest.fixture
def clock() -> MovingClock:
    return MovingClock()
