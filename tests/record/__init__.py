"""The clinic record: storage, accounts and record use-cases on SQLite and PostgreSQL."""
