"""Precedence between concerns (``precedence`` in rules.yaml): with PTSD and depression, PTSD
sets the fits and the plan names trauma-focused therapy, unless the depression is severe or a
risk answer is positive (NICE NG116). Engine and reference agree (see test_engine.py too)."""

from __future__ import annotations

from typing import Any

import pytest

from bothand import services
from bothand.catalog import Catalog
from bothand.domain.decide import reference

TRAUMA = "trauma-focused"  # the therapy the plan names for PTSD (timeline.yaml)


def depression_and_ptsd(severity: str, *, item9: int | None = None) -> dict[str, Any]:
    if item9 is None:
        depression: dict[str, Any] = {"condition": "depression", "severity": severity}
    else:  # a moderate total (12) with the risk item as given
        answers = [2, 2, 2, 2, 1, 1, 2, 0, item9]
        depression = {"condition": "depression", "instrument": "phq9", "answers": answers}
    return {"concerns": [depression, {"condition": "ptsd", "severity": "moderate"}]}


def therapy_texts(outcome: services.Outcome) -> str:
    return " ".join(m.text for m in outcome.plan.milestones if m.id.startswith("milestone.therapy"))


@pytest.mark.parametrize("severity", ["mild", "moderate", "moderately_severe"])
def test_ptsd_leads_and_the_plan_names_trauma_focused_therapy(
    catalog: Catalog, severity: str
) -> None:
    outcome = services.run(catalog, depression_and_ptsd(severity))
    assert outcome.decision.floor == "ptsd"
    assert outcome.decision.led_by == "precedence.ptsd_before_depression"
    assert outcome.plan.option == "therapy"
    assert TRAUMA in therapy_texts(outcome)
    first = outcome.decision.options[0].reasons[0]
    assert first.id == "reason.precedence.ptsd_first"


def test_severe_depression_is_treated_first(catalog: Catalog) -> None:
    outcome = services.run(catalog, depression_and_ptsd("severe"))
    assert (outcome.decision.floor, outcome.decision.led_by) == ("depression", None)
    assert TRAUMA not in therapy_texts(outcome)


def test_a_positive_risk_answer_keeps_depression_first(catalog: Catalog) -> None:
    assert services.run(catalog, depression_and_ptsd("", item9=0)).decision.floor == "ptsd"
    outcome = services.run(catalog, depression_and_ptsd("", item9=1))
    assert (outcome.decision.floor, outcome.decision.led_by) == ("depression", None)


def test_the_reference_gives_the_same_floor(catalog: Catalog) -> None:
    names = {c: c for c in ("depression", "ptsd")}
    person = services.run(catalog, depression_and_ptsd("moderate")).decision.person.facts()
    for severity, floor in (("moderate", "ptsd"), ("severe", "depression")):
        concerns = [("depression", severity), ("ptsd", "moderate")]
        assert reference.decide(catalog.rules, concerns, person, names).floor == floor


def test_without_a_lead_the_planner_still_names_the_longest_course(catalog: Catalog) -> None:
    planner = catalog.timeline.planner
    concerns = [("depression", "moderate"), ("ptsd", "moderate")]
    longest = planner.plan("therapy", concerns, 40, False, False)
    led = planner.plan("therapy", concerns, 40, False, False, lead="ptsd")
    course = next(m for m in led.milestones if m.id == "milestone.therapy_course")
    assert TRAUMA in course.text
    assert longest != led


def test_the_trace_says_which_precedence_chose_the_floor(catalog: Catalog) -> None:
    led = services.recommend(catalog, depression_and_ptsd("moderate"))["trace"][0]
    assert (led["rule"], led["concern"], led["fired"]) == (
        "precedence.ptsd_before_depression",
        "ptsd",
        True,
    )
    not_led = services.recommend(catalog, depression_and_ptsd("severe"))["trace"][0]
    assert (not_led["rule"], not_led["fired"]) == ("precedence.ptsd_before_depression", False)
    assert "severity is severe" in not_led["because"]
