"""The demo's synthetic patients (services.synthetic): answers that score exactly to the total
planned, within each item's range, the risk item left alone except on the one visit planned
to answer it; courses that read as they are named; the same seed giving the same clinic."""

from __future__ import annotations

import datetime as dt
import itertools
import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bothand.catalog import Catalog
from bothand.domain.case import parse_case
from bothand.services.assess import score_form
from bothand.services.decide import recommend
from bothand.services.synthetic import (
    PROFILES,
    SYNTHETIC,
    Shape,
    answers_for,
    roster,
    shape_of,
    totals,
    visit_days,
)

TODAY = dt.date(2026, 12, 6)
TRACKED = ("phq9", "gad7", "pcl5", "ocir")


@pytest.fixture(scope="module")
def shapes(catalog: Catalog) -> dict[str, Shape]:
    return {name: shape_of(catalog.instruments[name]) for name in TRACKED}


def test_the_phq9_shape_knows_its_risk_item(shapes: dict[str, Shape]) -> None:
    phq9 = shapes["phq9"]
    assert phq9.highs == (3,) * 9 and phq9.risk == {8}
    assert phq9.ceiling == 24 and phq9.floor == 0  # item 9 left at 0
    assert shapes["pcl5"].ceiling == 80 and shapes["ocir"].ceiling == 72


@given(st.sampled_from(TRACKED), st.data())
def test_answers_score_to_the_total_within_range(
    catalog: Catalog, name: str, data: st.DataObject
) -> None:
    shape = shape_of(catalog.instruments[name])
    total = data.draw(st.integers(shape.floor, shape.ceiling))
    seed = data.draw(st.integers(0, 2**32))
    answers = answers_for(total, shape, random.Random(seed))
    assert len(answers) == len(shape.highs)
    assert all(lo <= a <= hi for a, lo, hi in zip(answers, shape.lows, shape.highs, strict=True))
    assert sum(answers) == total
    assert all(answers[i] == shape.lows[i] for i in shape.risk)  # PHQ-9 item 9 stays 0
    result = score_form(catalog, name, answers, "en")  # the real scorer agrees
    assert result.score.total == total and not result.safety.urgent


@given(st.integers(1, 24), st.integers(0, 2**32))
def test_a_fixed_risk_answer_is_kept_and_counted(total: int, seed: int) -> None:
    shape = Shape((0,) * 9, (3,) * 9, frozenset({8}))
    answers = answers_for(total, shape, random.Random(seed), {8: 1})
    assert answers[8] == 1 and sum(answers) == total


@pytest.mark.parametrize(("total", "fixed"), [(-1, None), (25, None), (28, {8: 1}), (0, {8: 1})])
def test_a_total_out_of_reach_is_refused(total: int, fixed: dict[int, int] | None) -> None:
    shape = Shape((0,) * 9, (3,) * 9, frozenset({8}))
    with pytest.raises(ValueError, match="outside"):
        answers_for(total, shape, random.Random(0), fixed)


def test_a_fixed_answer_out_of_its_range_is_refused() -> None:
    with pytest.raises(ValueError, match="item 9"):
        answers_for(5, Shape((0,) * 9, (3,) * 9, frozenset({8})), random.Random(0), {8: 4})


def test_visits_are_every_two_weeks_then_every_four() -> None:
    days = visit_days(240, random.Random(0))
    assert days[0] == 0 and days == sorted(set(days)) and days[-1] <= 240
    gaps = [b - a for a, b in itertools.pairwise(days)]
    assert all(10 <= gap <= 18 for gap in gaps[:6]) and all(gap >= 24 for gap in gaps[7:])
    assert 10 <= len(days) <= 13
    assert visit_days(10, random.Random(0)) == [0]


def test_courses_read_as_named() -> None:
    weeks = [0, 2, 4, 6, 8, 10, 12, 16, 20, 24, 28, 32]
    rng = random.Random(0)
    remit = totals("remit", 17, 24, weeks, rng)
    respond = totals("respond", 18, 24, weeks, rng)
    flat = totals("flat", 14, 24, weeks, rng)
    worse = totals("worse", 14, 24, weeks, rng)
    slow = totals("slow", 20, 24, weeks, rng)
    assert remit[0] == 17 and remit[-1] < 5
    assert respond[-1] <= 9 and respond[-1] >= 5  # half or less, not in remission
    assert max(abs(v - 14) for v in flat) <= 2
    assert worse[-1] - worse[0] >= 6 and worse[3] <= 15  # steady first, then worse
    assert min(slow[:5]) >= 19 and slow[-1] <= 10  # nothing for eight weeks, then better


def test_the_roster_is_marked_synthetic_and_spread_over_months(
    shapes: dict[str, Shape], catalog: Catalog
) -> None:
    people = roster(len(PROFILES), TODAY, shapes, seed=1)
    assert [p.reference for p in people][:3] == ["DEMO-001", "DEMO-002", "DEMO-003"]
    assert all(p.display_name.endswith(SYNTHETIC) for p in people)
    assert {p.profile.family for p in people} == {
        "depression", "generalized_anxiety", "panic", "ptsd", "ocd", "bipolar"
    }  # fmt: skip
    assert {p.profile.option for p in people} == {
        "therapy", "medication", "combined", "medication_first", "therapy_first", "monitor"
    }  # fmt: skip
    assert min(p.start for p in people) <= TODAY - dt.timedelta(days=230)
    for person in people:
        assert all(person.start < v.on <= TODAY for v in person.visits)
        parse_case(person.case)  # a valid case
        result = recommend(catalog, person.case)
        assert not result["safety"]["urgent"] and result["safety"]["risk_assessed"]
        assert person.profile.option in {o["id"] for o in result["options"]}


def test_only_the_risk_patient_answers_item9_and_only_at_the_last_visit(
    shapes: dict[str, Shape],
) -> None:
    people = roster(60, TODAY, shapes, seed=7)
    positive = []
    for person in people:
        first = {c["instrument"]: c["answers"] for c in person.case["concerns"] if "answers" in c}
        visits = [first, *(v.answers for v in person.visits)]
        for position, answers in enumerate(visits):
            if "phq9" in answers and answers["phq9"][8] > 0:
                positive.append((person.reference, position == len(visits) - 1))
    # the third profile, and its copies further down the list
    assert positive == [("DEMO-003", True), ("DEMO-028", True), ("DEMO-053", True)]


def test_the_same_seed_makes_the_same_clinic(shapes: dict[str, Shape]) -> None:
    assert roster(30, TODAY, shapes, seed=5) == roster(30, TODAY, shapes, seed=5)
    assert roster(30, TODAY, shapes, seed=5) != roster(30, TODAY, shapes, seed=6)
    with pytest.raises(ValueError):
        roster(0, TODAY, shapes)
