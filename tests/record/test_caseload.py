"""The caseload query (``Store.caseload``) and what the service reads from it
(``services.caseload``), on SQLite and PostgreSQL: each patient's latest score in force and its
baseline, the current episode's review days, open alerts, and only the caller's patients."""

from __future__ import annotations

import datetime as dt

from bothand.catalog import Catalog
from bothand.domain.record import Patient
from bothand.services.caseload import DIRECTIONS, SORT_KEYS, CaseloadEntry, sort_caseload
from bothand.storage import Database, unit_of_work
from tests.conftest import MovingClock
from tests.record.helpers import PASSWORD, case, make_clinic


def phq9(total: int, risk: int = 0) -> list[int]:
    """PHQ-9 answers adding up to ``total`` (at most 24 with item 9 at 0)."""
    items = [min(3, max(0, total - 3 * n)) for n in range(8)]
    return [*items, risk]


def test_the_query_reads_latest_baseline_days_and_alerts(
    catalog: Catalog, database: Database, clock: MovingClock
) -> None:
    north = make_clinic(catalog, database, clock)
    south = make_clinic(catalog, database, clock, "South", "s")
    record = north.record
    start = clock.today()
    patient = record.add_patient(north.me, "P-1", "Europe/London")
    old = record.create_episode(north.me, patient.id, case(phq9(22)), "medication", start)
    clock.advance(days=20)
    current = record.create_episode(north.me, patient.id, case(phq9(18)), "medication", start)
    first = current.measurements[0]
    corrected = record.record(
        north.me, current.id, "phq9", phq9(20), first.taken_on, supersedes=first.id
    )
    clock.advance(days=15)
    record.record(north.me, current.id, "gad7", [2] * 7, clock.today())
    clock.advance(minutes=5)
    wrong = record.record(north.me, current.id, "phq9", phq9(3), clock.today())
    clock.advance(minutes=5)
    later = record.record(
        north.me, current.id, "phq9", phq9(9), clock.today(), supersedes=wrong.measurement.id
    )
    record.record(north.me, old.id, "phq9", phq9(1), start)  # an older episode's score
    empty = record.add_patient(north.me, "P-2", "UTC")
    with unit_of_work(database, clock.now()) as store:
        raised = [store.add_alert(patient, kind, "test") for kind in ("critical", "review_due")]
        store.add_alert(patient, "deterioration", "test")
    record.acknowledge(north.me, raised[1].id)  # acknowledged: not open any more
    south.record.add_patient(south.me, "P-9", "UTC")  # another clinic's

    with unit_of_work(database, clock.now()) as store:
        rows = store.caseload(north.clinician)
    assert [row.patient.reference for row in rows] == ["P-1", "P-2"]
    one, two = rows
    assert one.latest is not None
    latest = one.latest
    assert latest.id == later.measurement.id and latest.total == 9
    assert latest.episode_id == current.id and latest.instrument == "phq9"
    # the baseline: the first PHQ-9 in force of the same episode (the corrected one)
    assert latest.baseline_id == corrected.measurement.id and latest.baseline_total == 20
    assert latest.baseline_on == start + dt.timedelta(days=20)
    assert one.episode_id == current.id
    assert sorted(one.taken_on) == [start + dt.timedelta(days=20)] + [clock.today()] * 2
    assert (one.open_critical, one.open_alerts) == (1, 2)
    assert two.patient.id == empty.id and two.latest is None and two.episode_id is None
    assert two.taken_on == () and (two.open_critical, two.open_alerts) == (0, 0)


def test_only_the_callers_patients_and_a_shared_one(
    catalog: Catalog, database: Database, clock: MovingClock
) -> None:
    north = make_clinic(catalog, database, clock)
    colleague = north.accounts.add_user("c2@example.org", north.clinic_id, ["clinician"], PASSWORD)
    theirs = north.record.add_patient(north.actor(colleague), "THEIRS", "UTC")
    shared = north.record.add_patient(north.actor(colleague), "LENT-1", "UTC")
    north.record.share_patient(north.actor(colleague), shared.id, north.clinician.id)
    with unit_of_work(database, clock.now()) as store:
        store.add_alert(theirs, "critical", "test")
        mine = store.caseload(north.clinician)
        inactive = store.caseload(north.admin)  # not a clinician
    assert [row.patient.reference for row in mine] == ["LENT-1"]
    assert mine[0].open_critical == 0
    assert inactive == []


def test_the_service_reads_trend_and_next_review_and_audits_once(
    catalog: Catalog, database: Database, clock: MovingClock
) -> None:
    north = make_clinic(catalog, database, clock)
    record = north.record
    patients = {}
    for reference, first, then in (
        ("BETTER", 20, 8),
        ("WORSE", 6, 14),
        ("SAME", 10, 12),
        ("FIRST", 15, None),
    ):
        patient = record.add_patient(north.me, reference, "Europe/London")
        episode = record.create_episode(
            north.me, patient.id, case(phq9(first)), "medication", clock.today()
        )
        patients[reference] = (patient, episode, then)
    clock.advance(days=30)
    for _patient, episode, then in patients.values():
        if then is not None:
            record.record(north.me, episode.id, "phq9", phq9(then), clock.today())
    with unit_of_work(database, clock.now()) as store:
        before = store.audit_count()
    found = {entry.patient.reference: entry for entry in record.caseload(north.me)}
    with unit_of_work(database, clock.now()) as store:
        assert store.audit_count() == before + 1
    words = {ref: (e.trend.change, e.trend.word) for ref, e in found.items() if e.trend}
    assert words == {
        "BETTER": (-12, "better"),  # a fall of 6 or more on the PHQ-9
        "WORSE": (8, "worse"),
        "SAME": (2, "no_change"),
        "FIRST": (0, "first"),
    }
    for reference, (patient, episode, _) in patients.items():
        stored = record.episode(north.me, episode.id)[0]
        points = record.review_points(stored, patient)
        not_done = [p for p in points if p.status != "done"]
        expected = min(not_done, key=lambda p: p.due_from) if not_done else None
        assert found[reference].next_review == expected, reference
        assert expected is not None and expected.status in ("due", "overdue", "upcoming")


def _entry(reference: str, score: int | None, critical: int = 0, other: int = 0) -> CaseloadEntry:
    patient = Patient(reference, "c", reference, None, "UTC", "en", None, dt.datetime.now(dt.UTC))
    return CaseloadEntry(patient, None, None, None, critical, critical + other)


def test_sorting_keeps_alerts_first_and_missing_values_last() -> None:
    found = [
        _entry("A", 1),
        _entry("B", 2, other=1),
        _entry("C", 3, critical=1),
        _entry("D", None),
        _entry("E", 0, critical=2),
    ]
    for direction in ("asc", "desc"):
        order = [e.patient.reference for e in sort_caseload(found, "name", direction)]
        assert order[:3] == (["C", "E", "B"] if direction == "asc" else ["E", "C", "B"])
        assert order[3:] == (["A", "D"] if direction == "asc" else ["D", "A"])
    by_alerts = [e.patient.reference for e in sort_caseload(found, "alerts", "desc")]
    assert by_alerts == ["E", "C", "B", "A", "D"]
    by_review = [e.patient.reference for e in sort_caseload(found, "review", "desc")]
    assert by_review == ["C", "E", "B", "A", "D"]  # no review point: by reference


def test_a_page_reads_only_its_rows_in_the_order_of_the_whole_caseload(
    catalog: Catalog, database: Database, clock: MovingClock
) -> None:
    north = make_clinic(catalog, database, clock)
    record = north.record
    colleague = north.accounts.add_user("c2@example.org", north.clinic_id, ["clinician"], PASSWORD)
    theirs = record.add_patient(north.actor(colleague), "THEIRS", "UTC")
    made = []
    for n, (score, alert) in enumerate(
        [(20, "critical"), (5, None), (None, "review_due"), (12, None), (9, "critical"), (14, None)]
    ):
        patient = record.add_patient(north.me, f"p-{n}", "Europe/London")
        if score is not None:
            record.create_episode(
                north.me, patient.id, case(phq9(score)), "medication", clock.today()
            )
        if alert is not None:
            with unit_of_work(database, clock.now()) as store:
                store.add_alert(patient, alert, "test")
        made.append(patient)
    clock.advance(days=9)
    everyone = record.caseload(north.me)
    for key in SORT_KEYS:
        for direction in DIRECTIONS:
            whole = sort_caseload(everyone, key, direction)
            for page in (1, 2, 3, 9):
                with unit_of_work(database, clock.now()) as store:
                    before = store.audit_count()
                found = record.caseload_page(north.me, key, direction, page, 4)
                with unit_of_work(database, clock.now()) as store:
                    assert store.audit_count() == before + 1
                shown = min(page, 2)
                assert (found.page, found.pages, found.total) == (shown, 2, 6)
                assert found.entries == whole[(shown - 1) * 4 : shown * 4], (key, direction, page)
                assert (found.open_critical, found.open_alerts) == (2, 3)
    with unit_of_work(database, clock.now()) as store:  # only the caller's, even when asked
        chosen = store.caseload(north.clinician, [theirs.id, made[1].id])
        assert [row.patient.id for row in chosen] == [made[1].id]
        assert store.caseload(north.clinician, []) == []
        names = store.caseload_patients(north.clinician)
    assert sorted(name.reference for name in names) == [p.reference for p in made]
