"""Alembic migrations of the clinic record (run by ``bothand db upgrade``)."""
