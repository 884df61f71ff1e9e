"""The clinician's patient page after a review point found too little: the finding in plain
words and in numbers, the first decision beside the decision made again (fits then and now,
what changed, why, sources, the trace in a <details>), no JavaScript or inline style, words
from the locale files, under 100 KB; a page without a re-decision shows no such section; and
no text on it names a drug or an amount, or tells anyone to stop a medicine."""

from __future__ import annotations

import datetime as dt
import re
from html import unescape

import pytest
from fastapi.testclient import TestClient

from bothand.catalog import Catalog
from bothand.storage import Database
from tests.conftest import MovingClock
from tests.content.test_contract_words import violations
from tests.record.helpers import make_clinic
from tests.web.test_clinic_pages import MAX_PAGE_BYTES, _app, sign_in

PHQ9_12 = [2, 2, 2, 2, 1, 1, 1, 1, 0]
PHQ9_11 = [2, 2, 2, 1, 1, 1, 1, 1, 0]
PHQ9_4 = [1, 1, 1, 1, 0, 0, 0, 0, 0]
TAGS = re.compile(r"<[^>]+>")


def _page(catalog: Catalog, database: Database, clock: MovingClock, latest: list[int]) -> str:
    clinic = make_clinic(catalog, database, clock)
    patient = clinic.record.add_patient(clinic.me, "RP-1", "UTC")
    case = {
        "concerns": [{"condition": "depression", "instrument": "phq9", "answers": PHQ9_12}],
        "preferences": {"medication": "prefer", "therapy": "open"},
    }
    episode = clinic.record.create_episode(
        clinic.me, patient.id, case, "medication", dt.date(2026, 12, 1)
    )
    clock.advance(days=25)
    clinic.record.record(clinic.me, episode.id, "phq9", latest, clock.today())
    client = TestClient(_app(catalog, clock, database))
    assert sign_in(client, clinic.clinician.email).status_code == 303
    page = client.get(f"/clinic/patients/{patient.id}")
    assert page.status_code == 200
    assert len(page.content) < MAX_PAGE_BYTES
    return page.text


def _text(html: str) -> str:
    return " ".join(unescape(TAGS.sub(" ", html)).split()).replace(" :", ":").replace(" ,", ",")


@pytest.mark.parametrize("database", ["sqlite"], indirect=True)
def test_the_redecision_shows_beside_the_first_decision(
    catalog: Catalog, database: Database, clock: MovingClock
) -> None:
    html = _page(catalog, database, clock, PHQ9_11)
    label = catalog.labels.text
    text = _text(html)
    # The finding, in words for the person and in numbers for the clinician.
    assert label["finding.no_reliable_change"] in text
    assert "PHQ-9 12 → 11" in text
    assert f"{label['finding.change'].lower()} −1" in text
    assert f"{label['finding.needs'].lower()} 6" in text
    assert "NHS Talking Therapies" in text
    # Both decisions, side by side, the new one naming the fit it had before.
    section = html[html.index('class="decisions"') :]
    assert section.count('class="card decision') == 2
    first, again = section.split('class="card decision', 2)[1:]
    assert label["redecide.first"] in first and label["redecide.again"] in again
    both = next(o.name for o in catalog.explainers.options if o.id == "combined")
    now, was = label["fit.usual_start"], label["fit.reasonable"]
    moved = f"{both}: {now} ↑ {label['redecide.fit_was']} {was}"
    assert moved in _text(again)
    tried = catalog.redecide.reason("reason.redecide.tried_medicine").text.replace("{weeks}", "3")
    assert tried in _text(again)
    assert 'href="/learn/sources#nice_ng222"' in again
    assert label["redecide.new"] in again
    assert '<details class="trace">' in again and "redecide.learned.medicine" in again
    # Strict pages: no script, no inline style.
    assert "<script" not in html and "style=" not in html
    # Never a drug, an amount, or "stop it yourself".
    assert violations([("patient page", text)]) == []


@pytest.mark.parametrize("database", ["sqlite"], indirect=True)
def test_a_reliable_improvement_shows_the_finding_and_no_redecision(
    catalog: Catalog, database: Database, clock: MovingClock
) -> None:
    html = _page(catalog, database, clock, PHQ9_4)
    text = _text(html)
    assert catalog.labels.text["finding.reliable_improvement"] in text
    assert "PHQ-9 12 → 4" in text
    assert 'class="decisions"' not in html
    assert catalog.labels.text["clinic.episode.options"] in text  # the first options, as before
