"""The clinic record's storage: the only place with SQL. ``Database`` (engine, migrations,
backup) and ``unit_of_work`` (one transaction; a ``Store`` of repositories returning domain
objects, with the audit trail chained at commit)."""

from bothand.storage.db import Database, DatabaseError, default_url
from bothand.storage.store import Store, digest, new_id, unit_of_work

__all__ = ["Database", "DatabaseError", "Store", "default_url", "digest", "new_id", "unit_of_work"]
