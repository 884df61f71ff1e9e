"""The demo clinic as a newcomer first sees it: the demo clinician signs in and every clinician
page of its synthetic patients opens (no error, under the page budget), the critical alert
heads the alerts, and each patient shows as synthetic."""

from __future__ import annotations

import datetime as dt
import re

from fastapi.testclient import TestClient

from bothand.catalog import Catalog
from bothand.domain.clock import FixedClock
from bothand.services import demo
from bothand.settings import Settings
from bothand.storage import Database
from bothand.web.app import create_app
from tests.web.test_clinic_pages import MAX_PAGE_BYTES, sign_in

PASSWORD = "a long enough password"


def test_the_demo_clinic_opens_page_by_page(catalog: Catalog, database: Database) -> None:
    now = dt.datetime.now(dt.UTC)
    made = demo.make_demo(catalog, database, now, PASSWORD, patients=9, seed=2)
    app = create_app(Settings(secret_key="t" * 40), catalog, FixedClock(now), database)
    client = TestClient(app)
    assert sign_in(client, demo.EMAIL, PASSWORD).status_code == 303

    caseload = client.get("/clinic")
    assert caseload.status_code == 200 and len(caseload.content) < MAX_PAGE_BYTES
    links = sorted(set(re.findall(r'href="(/clinic/patients/[0-9a-f]{32})"', caseload.text)))
    assert len(links) == made.patients == 9
    assert caseload.text.count("(synthetic)") >= 9
    for link in links:
        page = client.get(link)
        assert page.status_code == 200 and len(page.content) < MAX_PAGE_BYTES, link
        assert "(synthetic)" in page.text and "DEMO-0" in page.text

    alerts = client.get("/clinic/alerts")
    assert alerts.status_code == 200 and "DEMO-003" in alerts.text
