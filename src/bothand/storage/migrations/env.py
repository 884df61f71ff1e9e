"""Alembic's environment: migrate the connection ``Database.upgrade`` hands over (no
alembic.ini, no URL read here). SQLite alters tables in batch mode."""

from __future__ import annotations

from alembic import context

from bothand.storage.models import Base

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through `bothand db upgrade`")
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
