"""The plan's picture (``views.timeline_chart`` and ``_timeline_chart.html``): a scale of months,
each bar named with the step's short title, nothing drawn outside the picture, no name over a
bar, and the same picture on the plan page and in the summary (and so in its PDF)."""

from __future__ import annotations

from itertools import pairwise
from typing import Any

import pytest

from bothand.catalog import Catalog
from bothand.domain.plan.plan import Plan, PlanRequest
from bothand.domain.plan.planner import build_plan
from bothand.web.views import CHART_WIDTH, DAYS_PER_MONTH, text_width, timeline_chart

CASES = [
    ("therapy", [("depression", "mild")], False),
    ("combined", [("depression", "moderate"), ("ptsd", "moderate")], False),
    ("medication", [("depression", "severe")], True),  # two years: the longest plan
    ("medication_first", [("ocd", "severe")], False),
    ("monitor", [("depression", "minimal")], False),
]


def make_plan(catalog: Catalog, option: str, concerns: Any, high_relapse_risk: bool) -> Plan:
    request = PlanRequest.model_validate(
        {
            "option": option,
            "concerns": concerns,
            "age": 30,
            "at_risk": False,
            "high_relapse_risk": high_relapse_risk,
        }
    )
    return build_plan(catalog.timeline, request)


def label_span(bar: dict[str, Any]) -> tuple[float, float]:
    wide = text_width(bar["name"])
    if bar["anchor"] == "start":
        return bar["label_x"], bar["label_x"] + wide
    return bar["label_x"] - wide, bar["label_x"]


@pytest.mark.parametrize(("option", "concerns", "high"), CASES)
def test_months_along_the_top(catalog: Catalog, option: str, concerns: Any, high: bool) -> None:
    plan = make_plan(catalog, option, concerns, high)
    chart = timeline_chart(plan.milestones, catalog.timeline.short_titles)
    ticks = chart["ticks"]
    assert ticks[0]["month"] == 0
    assert 2 <= len(ticks) <= 7
    steps = {b["month"] - a["month"] for a, b in pairwise(ticks)}
    assert len(steps) == 1  # evenly spaced months
    last_day = max(m.day_to for m in plan.milestones)
    assert ticks[-1]["month"] * DAYS_PER_MONTH <= max(last_day, 31)
    for tick in ticks:
        assert 0 <= tick["x"] <= CHART_WIDTH


@pytest.mark.parametrize(("option", "concerns", "high"), CASES)
def test_every_bar_is_named_inside_the_picture_and_off_its_bar(
    catalog: Catalog, option: str, concerns: Any, high: bool
) -> None:
    plan = make_plan(catalog, option, concerns, high)
    short = catalog.timeline.short_titles
    chart = timeline_chart(plan.milestones, short)
    bars = chart["bars"]
    assert [bar["name"] for bar in bars] == [short[m.id] for m in plan.milestones]
    bottom = 0.0
    for bar in bars:
        low, high_x = label_span(bar)
        assert low >= 0 and high_x <= CHART_WIDTH, bar
        assert bar["x"] >= 0 and bar["x"] + bar["width"] <= CHART_WIDTH
        beside = bar["label_y"] > bar["y"]  # a baseline below the bar's top: on its row
        if beside:  # the name must not cross the bar
            assert high_x <= bar["x"] or low >= bar["x"] + bar["width"], bar
        else:
            assert bar["label_y"] <= bar["y"] - 4  # on a line of its own above the bar
        assert bar["label_y"] - 20 >= bottom  # below the row before (no overlap)
        bottom = bar["y"] + 22
    assert chart["height"] >= bottom


def test_without_short_names_the_titles_are_used(catalog: Catalog) -> None:
    plan = make_plan(catalog, "therapy", [("depression", "mild")], False)
    chart = timeline_chart(plan.milestones)
    assert [bar["name"] for bar in chart["bars"]] == [m.title for m in plan.milestones]
