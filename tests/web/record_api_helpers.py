"""Builders for the record API tests: a clinic with an API token, a client of the real app
bound to the test database, and what the database holds (row counts, audit events), read
with plain SQL so the tests do not trust the code they test."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import text

from bothand.catalog import Catalog
from bothand.settings import Settings
from bothand.storage import Database
from bothand.web.app import create_app
from tests.conftest import MovingClock
from tests.record.helpers import Clinic, case, make_clinic

TABLES = ("patients", "patient_access", "episodes", "measurements", "alerts", "links")


@dataclass
class Api:
    app: FastAPI
    client: TestClient
    clinic: Clinic
    token: str
    database: Database
    clock: MovingClock

    def headers(self, token: str | None = None) -> dict[str, str]:
        return {"authorization": f"Bearer {token or self.token}"}

    def post(self, path: str, body: Any = None, token: str | None = None) -> Response:
        if body is None:
            return self.client.post(path, headers=self.headers(token))
        return self.client.post(path, json=body, headers=self.headers(token))

    def get(self, path: str, token: str | None = None) -> Response:
        return self.client.get(path, headers=self.headers(token))

    def patient(self, reference: str = "MRN-1", token: str | None = None) -> str:
        found = self.post(
            "/api/patients", {"reference": reference, "timezone": "Europe/London"}, token
        )
        assert found.status_code == 201, found.text
        patient_id: str = found.json()["id"]
        return patient_id

    def episode(self, patient: str, body: dict[str, Any] | None = None) -> str:
        found = self.post(
            f"/api/patients/{patient}/episodes",
            body or {"case": case(), "option": "therapy", "start": "2026-12-01"},
        )
        assert found.status_code == 201, found.text
        episode_id: str = found.json()["id"]
        return episode_id


def make_api(
    catalog: Catalog,
    database: Database,
    clock: MovingClock,
    settings: Settings | None = None,
    name: str = "North",
    tag: str = "n",
) -> Api:
    clinic = make_clinic(catalog, database, clock, name, tag)
    token = clinic.accounts.create_token(clinic.clinician.email, "test").token
    assert token is not None
    app = create_app(settings or Settings(secret_key="t" * 40), catalog, clock, database)
    return Api(app, TestClient(app), clinic, token, database, clock)


def counts(database: Database) -> dict[str, int]:
    """How many rows each record table (and the audit trail) holds."""
    with database.engine.connect() as connection:
        found = {
            table: int(connection.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())
            for table in (*TABLES, "audit_events")
        }
    return found


def audit_events(database: Database, after: int = 0) -> list[dict[str, Any]]:
    """The audit trail after sequence number ``after``, oldest first, as plain dicts."""
    with database.engine.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT seq, clinic_id, actor, role, action, record_kind, record_id, patient_id"
                " FROM audit_events WHERE seq > :after ORDER BY seq"
            ),
            {"after": after},
        ).mappings()
        return [dict(row) for row in rows]


def last_seq(database: Database) -> int:
    with database.engine.connect() as connection:
        found = connection.execute(text("SELECT max(seq) FROM audit_events")).scalar_one()
    return int(found or 0)
