"""Statements compiled once and run on the driver's cursor, for the few that every recorded
measurement runs (finding the episode, inserting the measurement, chaining its audit event).

Through ``Connection.execute`` each such statement costs several times what the driver spends
on it (execution context, events, result wrapping), and a measurement runs four of them.
``Prepared`` keeps what SQLAlchemy would do with the values: the statement is compiled by the
connection's own dialect (its SQL, parameter style and casts), each value goes through its
column type's bind conversion, and each selected value through the type's result conversion,
so rows are written and read exactly as through ``Connection.execute``. The cursor is the
connection's own, so the statements run in its transaction.

Only for statements that fail on nothing but a broken database (a driver error then comes up
as it is): statements whose constraint errors are expected (a second correction of one
measurement) go through ``Connection.execute``, which turns them into SQLAlchemy's errors.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from contextlib import nullcontext
from functools import cache
from typing import Any

from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.sql.expression import Executable

Convert = Callable[[Any], Any] | None


class _Compiled:
    __slots__ = ("binds", "fixed", "names", "results", "sql")

    def __init__(self, statement: Any, dialect: Dialect) -> None:
        compiled = statement.compile(dialect=dialect)
        self.sql: str = compiled.string
        named = compiled.bind_names.items()  # each parameter and its name in the SQL
        if any(bind.expanding or bind.literal_execute for bind, _ in named):
            # Such parameters are rendered into the SQL at each execution (an IN list).
            raise ValueError("a prepared statement takes no expanding or literal parameters")
        self.binds: dict[str, Convert] = {
            name: bind.type.dialect_impl(dialect).bind_processor(dialect) for bind, name in named
        }
        # Values fixed in the statement itself (a LIMIT's), used unless given.
        self.fixed: dict[str, Any] = {
            name: bind.effective_value for bind, name in named if not bind.required
        }
        # Positional drivers (sqlite3: "?") take a tuple in the statement's order; named
        # ones (psycopg: "%(name)s") a mapping.
        self.names: tuple[str, ...] | None = (
            tuple(compiled.positiontup) if compiled.positional else None
        )
        columns = getattr(statement, "selected_columns", None)
        self.results: tuple[Convert, ...] = (
            tuple(
                column.type.dialect_impl(dialect).result_processor(dialect, None)
                for column in columns
            )
            if columns is not None and statement.is_select
            else ()
        )

    def parameters(self, values: Mapping[str, Any]) -> Sequence[Any] | Mapping[str, Any]:
        # As SQLAlchemy does: every value, None included, through its type's conversion.
        converted = {}
        for name, convert in self.binds.items():
            value = values[name] if name in values else self.fixed[name]
            converted[name] = convert(value) if convert is not None else value
        if self.names is None:
            return converted
        return tuple(converted[name] for name in self.names)


class Prepared:
    """One Core statement, compiled once per dialect, run on the DBAPI cursor."""

    __slots__ = ("_compiled", "statement")

    def __init__(self, statement: Executable) -> None:
        self.statement = statement
        self._compiled: dict[str, _Compiled] = {}

    def _for(self, dialect: Dialect) -> _Compiled:
        compiled = self._compiled.get(dialect.name)
        if compiled is None:
            compiled = self._compiled[dialect.name] = _Compiled(self.statement, dialect)
        return compiled

    def rows(self, connection: Connection, values: Mapping[str, Any]) -> list[tuple[Any, ...]]:
        """Run a query; its rows with each value converted by its column's type."""
        return queries(connection, [(self, values)])[0]

    def _convert(self, dialect: Dialect, found: Sequence[Any]) -> list[tuple[Any, ...]]:
        results = self._for(dialect).results
        if not results:
            return [tuple(row) for row in found]
        return [
            tuple(
                convert(value) if convert is not None else value
                for convert, value in zip(results, row, strict=True)
            )
            for row in found
        ]

    def run(self, connection: Connection, rows: Iterable[Mapping[str, Any]]) -> None:
        """Run a write once for each mapping of values in ``rows``."""
        compiled = self._for(connection.dialect)
        cursor = connection.connection.cursor()
        try:
            for values in rows:
                cursor.execute(compiled.sql, compiled.parameters(values))
        finally:
            cursor.close()


@cache
def _pipelines() -> bool:
    """Whether psycopg's libpq has pipeline mode (14 or newer; its binary build does)."""
    import psycopg

    return psycopg.Pipeline.is_supported()


def queries(
    connection: Connection, steps: Sequence[tuple[Prepared, Mapping[str, Any]]]
) -> list[list[tuple[Any, ...]]]:
    """Run queries in order, each to its end before the next begins; the rows of each. On
    PostgreSQL they go in one pipeline (psycopg's pipeline mode): sent together and run by
    the server one after the other in the transaction. That costs two exchanges with the
    server (the answers, then the pipeline's closing sync) whatever their number, instead of
    one per query; psycopg sends a transaction's BEGIN before it, on its own. Without
    pipeline mode (a libpq older than 14) they run one after the other."""
    dialect = connection.dialect
    dbapi = connection.connection
    cursors = [dbapi.cursor() for _ in steps]
    try:
        pipeline = (
            dbapi.driver_connection.pipeline()  # type: ignore[union-attr]
            if dialect.name == "postgresql" and len(steps) > 1 and _pipelines()
            else nullcontext()
        )
        with pipeline:
            for cursor, (prepared, values) in zip(cursors, steps, strict=True):
                compiled = prepared._for(dialect)
                cursor.execute(compiled.sql, compiled.parameters(values))
            found = [cursor.fetchall() for cursor in cursors]
    finally:
        for cursor in cursors:
            cursor.close()
    return [
        prepared._convert(dialect, rows) for (prepared, _), rows in zip(steps, found, strict=True)
    ]
