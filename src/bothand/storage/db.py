"""The database: an engine for a URL, its migrations, and units of work.

- **SQLite** (the default: a file in ``BOTHAND_DATA_DIR``) runs in WAL mode with foreign keys
  on, a busy timeout, and ``synchronous=FULL``: every commit is on disk before it is
  acknowledged, so killing the process (or the machine) loses nothing acknowledged. Every
  transaction begins ``IMMEDIATE``: it takes the write lock at once, so two writers queue on the
  busy timeout instead of failing half-way (every request that reads a record also writes its
  audit event).
- **PostgreSQL** through psycopg 3 (``postgresql+psycopg://``).

Migrations are the Alembic scripts in ``migrations/``; ``upgrade`` runs them, ``check`` says
whether the database is current, behind or newer than this code.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Literal

from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session, sessionmaker

from bothand.domain.errors import BothandError, InputError

MIGRATIONS = Path(__file__).parent / "migrations"
BUSY_TIMEOUT_MS = 10_000


class DatabaseError(BothandError):
    """The database cannot be used as it is (newer than the code, not migrated, unreachable)."""


def default_url(data_dir: Path) -> str:
    return f"sqlite:///{(data_dir / 'bothand.sqlite3').as_posix()}"


def _sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    # Autocommit at the driver level: SQLAlchemy's "begin" event below issues BEGIN itself.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.close()


def _sqlite_begin(connection: Connection) -> None:
    connection.exec_driver_sql("BEGIN IMMEDIATE")


class Database:
    """One database: its engine, its migrations and its units of work."""

    def __init__(self, url: str, *, pool_size: int = 5) -> None:
        self.url = url
        self.is_sqlite = url.startswith("sqlite")
        if not (self.is_sqlite or url.startswith("postgresql+psycopg://")):
            raise InputError(
                "BOTHAND_DATABASE_URL",
                "use sqlite:///PATH or postgresql+psycopg://USER@HOST/NAME",
            )
        if self.is_sqlite:
            self.engine: Engine = create_engine(
                url, connect_args={"check_same_thread": False, "timeout": BUSY_TIMEOUT_MS / 1000}
            )
            event.listen(self.engine, "connect", _sqlite_connect)
            event.listen(self.engine, "begin", _sqlite_begin)
        else:
            self.engine = create_engine(
                url, pool_size=pool_size, pool_pre_ping=True, connect_args={"connect_timeout": 10}
            )
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    @property
    def kind(self) -> Literal["sqlite", "postgresql"]:
        return "sqlite" if self.is_sqlite else "postgresql"

    def dispose(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Database:
        return self

    def __exit__(self, *_: object) -> None:
        self.dispose()

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session in one transaction: committed when the block ends, rolled back (nothing
        written) when it raises."""
        with self._sessions.begin() as session:
            yield session

    # --- migrations ---------------------------------------------------------------------

    def _config(self, connection: Connection | None = None) -> Config:
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        config.attributes["connection"] = connection
        return config

    def head(self) -> str:
        head = ScriptDirectory.from_config(self._config()).get_current_head()
        assert head is not None
        return head

    def current(self) -> str | None:
        with self.engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()

    def check(self) -> Literal["current", "behind", "empty"]:
        """Whether the database is at this code's migration. A revision the code does not
        know (a newer Bothand migrated it) raises ``DatabaseError``."""
        path = self.url.removeprefix("sqlite:///")
        if self.is_sqlite and path != ":memory:" and not Path(path).exists():
            return "empty"  # not made yet: looking must not create it
        try:
            current = self.current()
        except Exception as error:
            raise DatabaseError(
                f"cannot open the database ({type(error).__name__}); check BOTHAND_DATABASE_URL"
            ) from None
        if current is None:
            return "empty"
        script = ScriptDirectory.from_config(self._config())
        known = {revision.revision for revision in script.walk_revisions()}
        if current not in known:
            raise DatabaseError(
                f"the database is at migration {current}, newer than this version of Bothand "
                "knows; run the Bothand version that made it, or a newer one"
            )
        return "current" if current == self.head() else "behind"

    def upgrade(self) -> tuple[str | None, str]:
        """Migrate to this code's head; running it again changes nothing. Returns the
        revision before and after."""
        self._make_folder()
        before = self.check() and self.current()
        from alembic import command

        with self.engine.begin() as connection:
            command.upgrade(self._config(connection), "head")
        return before, self.head()

    def _make_folder(self) -> None:
        """The SQLite file's folder (``BOTHAND_DATA_DIR``), made on first use."""
        path = self.url.removeprefix("sqlite:///")
        if self.is_sqlite and path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)

    def require_current(self) -> None:
        """Refuse to run on a database that is not at this code's migration."""
        state = self.check()
        if state != "current":
            raise DatabaseError(
                "the database has not been migrated to this version; run `bothand db upgrade`"
            )

    # --- backup -------------------------------------------------------------------------

    def backup(self, target: Path) -> None:
        """A consistent online copy of a SQLite database (its backup API: writers may go on)."""
        if not self.is_sqlite:
            raise InputError(
                "FILE",
                "the database is PostgreSQL; back it up with pg_dump (for example "
                "pg_dump --format=custom --file FILE DBNAME)",
            )
        if target.exists():
            raise InputError("FILE", f"{target} already exists; choose a new file name")
        source_path = self.url.removeprefix("sqlite:///")
        partial = target.with_name(target.name + ".partial")
        source = sqlite3.connect(source_path)
        try:
            copy = sqlite3.connect(partial)
            try:
                source.backup(copy)
            finally:
                copy.close()
        finally:
            source.close()
        partial.replace(target)
