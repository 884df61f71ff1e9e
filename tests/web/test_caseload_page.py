"""The caseload page (``GET /clinic``) on the real app, on SQLite and PostgreSQL: its columns
(latest score and band, change since the first score in words, next review point, open
alerts), sorting by each column both ways with open alerts always first, a sort it does not
know, paging, and only the clinician's own patients."""

from __future__ import annotations

import re

import pytest

from bothand.catalog import Catalog
from bothand.storage import unit_of_work
from tests.record.helpers import PASSWORD, case
from tests.web.test_clinic_pages import MAX_PAGE_BYTES, World, world  # noqa: F401

ROW = re.compile(r'<tr[^>]*>\s*<th scope="row"><a href="/clinic/patients/[0-9a-f]+">([^<]+)</a>')
REVIEW = re.compile(r'</span> (\d{4}-\d{2}-\d{2}) <span class="muted">')


def phq9(total: int, risk: int = 0) -> list[int]:
    return [*(min(3, max(0, total - 3 * n)) for n in range(8)), risk]


# reference: (first PHQ-9, a later one or None); F-RISK answers item 9 (a critical alert)
PEOPLE = {
    "A-BETTER": (20, 8),
    "B-WORSE": (6, 14),
    "C-SAME": (10, 12),
    "D-FIRST": (15, None),
    "F-RISK": (12, None),
    "G-ALERT": (9, 9),
}


@pytest.fixture
def ward(world: World) -> World:  # noqa: F811
    north = world.north
    record = north.record
    episodes = {}
    for reference, (first, _) in PEOPLE.items():
        patient = record.add_patient(north.me, reference, "Europe/London")
        answers = phq9(first, risk=1 if reference == "F-RISK" else 0)
        episode = record.create_episode(
            north.me, patient.id, case(answers), "medication", world.clock.today()
        )
        episodes[reference] = (patient, episode)
    record.add_patient(north.me, "E-EMPTY", "UTC")
    with unit_of_work(north.record.database, world.clock.now()) as store:
        store.add_alert(episodes["G-ALERT"][0], "deterioration", "reliable_deterioration")
    world.clock.advance(days=30)
    for reference, (_, later) in PEOPLE.items():
        if later is not None:
            # Without follow-up, so the record raises no alert of its own (B's rise of 8
            # would raise a deterioration alert): only G's, added above, and F's critical one
            # are open, and the orders below stay the caseload's alone.
            record.record(
                north.me,
                episodes[reference][1].id,
                "phq9",
                phq9(later),
                world.clock.today(),
                follow_up=False,
            )
    world.signed_in(north.clinician.email)
    return world


def _order(html: str) -> list[str]:
    return ROW.findall(html)


def _short(references: list[str]) -> list[str]:
    return [r.split("-")[0] for r in references]


EXPECTED = {
    ("name", "asc"): "FGABCDE",
    ("name", "desc"): "FGEDCBA",
    ("score", "asc"): "FGACBDE",  # 8, 12, 14, 15, none
    ("score", "desc"): "FGDBCAE",
    ("trend", "asc"): "FGADCBE",  # -12, 0, +2, +8, none
    ("trend", "desc"): "FGBCDAE",
    ("alerts", "asc"): "FGABCDE",  # none open among the rest: by reference
    ("alerts", "desc"): "FGABCDE",
}


@pytest.mark.parametrize(("key", "direction"), sorted(EXPECTED))
def test_each_sort_both_ways_with_alerts_first(ward: World, key: str, direction: str) -> None:
    page = ward.client.get(f"/clinic?sort={key}&dir={direction}")
    assert page.status_code == 200
    assert "".join(_short(_order(page.text))) == EXPECTED[(key, direction)]
    label = "ascending" if direction == "asc" else "descending"
    sorted_header = re.findall(
        r'<th scope="col" aria-sort="(\w+)"><a href="/clinic\?sort=(\w+)', page.text
    )
    assert sorted_header == [(label, key)]  # only the sorted column says so


@pytest.mark.parametrize("direction", ["asc", "desc"])
def test_review_sort_orders_by_the_next_review_day(ward: World, direction: str) -> None:
    page = ward.client.get(f"/clinic?sort=review&dir={direction}")
    order = _short(_order(page.text))
    assert order[:2] == ["F", "G"] and order[-1] == "E"  # alerts first; no plan, no review last
    rest = page.text[page.text.index('aria-sort="') :].split("<tr")[3:]  # after F and G
    days = [REVIEW.search(row).group(1) for row in rest if REVIEW.search(row)]  # type: ignore[union-attr]
    assert len(days) == 4
    assert days == sorted(days, reverse=direction == "desc")


def test_the_columns_in_words(ward: World, catalog: Catalog) -> None:
    words = catalog.labels
    page = ward.client.get("/clinic")
    rows = {
        reference: row for row in page.text.split("<tr")[2:] for reference in _order("<tr" + row)
    }
    assert "PHQ-9 8, " in rows["A-BETTER"]
    assert f"−12 {words['clinic.caseload.trend.better']}" in rows["A-BETTER"]
    assert f"+8 {words['clinic.caseload.trend.worse']}" in rows["B-WORSE"]
    assert f"+2 {words['clinic.caseload.trend.no_change']}" in rows["C-SAME"]
    assert f"0 {words['clinic.caseload.trend.first']}" in rows["D-FIRST"]
    assert words["clinic.caseload.none_yet"] in rows["E-EMPTY"]
    assert words["clinic.caseload.no_review"] in rows["E-EMPTY"]
    assert words["clinic.flag.critical"] in rows["F-RISK"] and 'class="is-critical"' in page.text
    assert f"1 {words['clinic.caseload.other_open']}" in rows["G-ALERT"]
    assert words["clinic.caseload.no_open_alert"] in rows["A-BETTER"]
    for reference in ("A-BETTER", "D-FIRST"):  # a next review point with its status in words
        assert any(
            words[f"clinic.review.{s}"] in rows[reference] for s in ("due", "overdue", "upcoming")
        )
    for sorted_by in ("name", "score", "trend", "review", "alerts"):
        assert f'href="/clinic?sort={sorted_by}&amp;dir=' in page.text


def test_a_sort_the_page_does_not_know_is_a_400_with_a_message(
    ward: World, catalog: Catalog
) -> None:
    usual = _order(ward.client.get("/clinic").text)
    for query in ("sort=evil", "sort=name&dir=sideways", "page=0", "page=x", "sort="):
        page = ward.client.get(f"/clinic?{query}")
        assert page.status_code == 400, query
        assert catalog.labels["clinic.caseload.bad_order"] in page.text
        assert _order(page.text) == usual


def test_another_clinicians_patients_are_never_shown(ward: World) -> None:
    north, south = ward.north, ward.south
    colleague = north.accounts.add_user(
        "other@example.org", north.clinic_id, ["clinician"], PASSWORD
    )
    theirs = north.record.add_patient(north.actor(colleague), "AA-THEIRS", "UTC")
    with unit_of_work(north.record.database, ward.clock.now()) as store:
        store.add_alert(theirs, "critical", "risk_answer")
    south.record.add_patient(south.me, "AA-SOUTH", "UTC")
    for key in ("name", "alerts", "score"):
        for direction in ("asc", "desc"):
            page = ward.client.get(f"/clinic?sort={key}&dir={direction}").text
            assert "AA-THEIRS" not in page and "AA-SOUTH" not in page
            assert len(_order(page)) == len(PEOPLE) + 1


def test_a_long_caseload_comes_in_pages_under_100_kb(world: World) -> None:  # noqa: F811
    north = world.north
    for n in range(105):
        patient = north.record.add_patient(
            north.me, f"R-{n:03d}", "UTC", display_name=f"Person {n}"
        )
        if n % 10 == 0:
            north.record.create_episode(
                north.me, patient.id, case(phq9(n % 24)), "combined", world.clock.today()
            )
    world.signed_in(north.clinician.email)
    first = world.client.get("/clinic?sort=name&dir=desc")
    assert len(first.content) < MAX_PAGE_BYTES
    assert len(_order(first.text)) == 100 and _order(first.text)[0] == "R-104"
    assert 'href="/clinic?sort=name&amp;dir=desc&amp;page=2"' in first.text
    second = world.client.get("/clinic?sort=name&dir=desc&page=2")
    assert _order(second.text) == ["R-004", "R-003", "R-002", "R-001", "R-000"]
    beyond = world.client.get("/clinic?sort=name&dir=desc&page=7")
    assert beyond.status_code == 200 and _order(beyond.text) == _order(second.text)
