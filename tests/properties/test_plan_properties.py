"""Properties of every plan: ordered, complete, sourced, measured and deterministic."""

from __future__ import annotations

import datetime as dt
from functools import cache
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from bothand.catalog import CONTENT_DIR, parse, read_yaml
from bothand.contract import dump_plan
from bothand.domain.plan.plan import SEVERITIES_OR_UNRATED, Plan, PlanRequest
from bothand.domain.plan.planner import build_plan
from bothand.domain.plan.timeline import MEDICATION_KINDS, MEDICATION_OPTIONS, Timeline
from bothand.domain.vocab import CONDITIONS, OPTION_IDS


@cache
def timeline() -> Timeline:
    path = CONTENT_DIR / "timeline.yaml"
    return parse(Timeline, read_yaml(path), str(path))


concern_lists = st.lists(
    st.tuples(st.sampled_from(CONDITIONS), st.sampled_from(SEVERITIES_OR_UNRATED)),
    min_size=1,
    max_size=4,
    unique_by=lambda pair: pair[0],
)
requests = st.fixed_dictionaries(
    {
        "option": st.sampled_from(OPTION_IDS),
        "concerns": concern_lists,
        "age": st.none() | st.integers(min_value=0, max_value=120),
        "at_risk": st.booleans(),
        "high_relapse_risk": st.booleans(),
    }
)


def build(data: dict[str, Any]) -> Plan:
    return build_plan(timeline(), PlanRequest.model_validate(data))


def check_plan(result: Plan, option: str) -> None:
    keys = [(m.day_from, m.id) for m in result.milestones]
    assert keys == sorted(keys)
    assert len({m.id for m in result.milestones}) == len(result.milestones)
    for m in result.milestones:
        assert 0 <= m.day_from <= m.day_to
        assert m.title.strip() and m.text.strip()
        assert "{" not in m.text and "{" not in m.title
        assert len(m.sources) >= 1
    assert any(m.kind == "remeasure" for m in result.milestones)
    if option not in MEDICATION_OPTIONS:
        assert not {m.kind for m in result.milestones} & MEDICATION_KINDS


def test_every_option_condition_severity_and_age_band() -> None:
    for option in OPTION_IDS:
        for condition in CONDITIONS:
            for severity in SEVERITIES_OR_UNRATED:
                for age in (None, 4, 11, 12, 17, 18, 25, 26, 80):
                    data = {
                        "option": option,
                        "concerns": [(condition, severity)],
                        "age": age,
                        "at_risk": False,
                    }
                    result = build(data)
                    check_plan(result, option)
                    assert dump_plan(build(data)) == dump_plan(result)


@given(requests)
def test_plans_are_well_formed(data: dict[str, Any]) -> None:
    check_plan(build(data), data["option"])


@given(requests)
def test_plans_are_deterministic(data: dict[str, Any]) -> None:
    assert dump_plan(build(data)) == dump_plan(build(data))


@given(requests, st.randoms(use_true_random=False))
def test_the_order_of_concerns_does_not_change_the_plan(data: dict[str, Any], rnd: Any) -> None:
    shuffled = list(data["concerns"])
    rnd.shuffle(shuffled)
    assert dump_plan(build(data)) == dump_plan(build(data | {"concerns": shuffled}))


@given(requests)
def test_a_safety_flag_never_makes_a_review_later(data: dict[str, Any]) -> None:
    calm = {m.id: m for m in build(data | {"at_risk": False}).milestones}
    flagged = {m.id: m for m in build(data | {"at_risk": True}).milestones}
    # a positive safety answer only adds steps: the first-week contact on plans without medicine
    assert calm.keys() <= flagged.keys()
    assert flagged.keys() - calm.keys() <= {"milestone.early_contact"}
    for milestone_id, m in flagged.items():
        if m.kind == "medication_review":
            assert m.day_to <= calm[milestone_id].day_to


@given(requests)
def test_higher_relapse_risk_never_brings_the_medicine_talk_earlier(data: dict[str, Any]) -> None:
    usual = {m.id: m for m in build(data | {"high_relapse_risk": False}).milestones}
    higher = {m.id: m for m in build(data | {"high_relapse_risk": True}).milestones}
    for milestone_id, m in higher.items():
        if m.kind in {"continue_taper_stop", "continue_and_review"}:
            assert m.day_from >= usual[milestone_id].day_from


@given(requests)
def test_adding_a_concern_never_shortens_a_waiting_time(data: dict[str, Any]) -> None:
    first_only = data | {"concerns": data["concerns"][:1]}
    fewer = {m.id: m for m in build(first_only).milestones}
    more = {m.id: m for m in build(data).milestones}
    for milestone_id, m in more.items():
        if m.kind == "full_effect" and milestone_id in fewer:
            assert m.day_from >= fewer[milestone_id].day_from


@given(requests, st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2090, 1, 1)))
def test_dates_are_the_start_plus_the_days(data: dict[str, Any], start: dt.date) -> None:
    dated = build(data).dated(start)
    for m in dated.milestones:
        assert m.date_from == start + dt.timedelta(days=m.day_from)
        assert m.date_to == start + dt.timedelta(days=m.day_to)
