"""The compiled planner agrees with the timeline read the plain way.

``Planner`` turns every ``when`` into a bit and the timeline's texts into ready-made words
(see ``domain/plan/planner.py``). ``domain/plan/reference.py`` walks the templates one by one
with ``when.holds`` — first variant that holds per concern, window from day 0 or from an
earlier milestone, the most demanding window across concerns — and every plan must equal it.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bothand.catalog import Catalog
from bothand.domain.errors import InputError
from bothand.domain.plan import reference as ref
from bothand.domain.plan.timeline import Timeline
from bothand.domain.vocab import CONDITIONS, OPTION_IDS, SEVERITIES, UNRATED

SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SEVERITIES_OR_UNRATED = (*SEVERITIES, UNRATED)


def reference(
    timeline: Timeline,
    option: str,
    concerns: Sequence[tuple[str, str]],
    age: int | None,
    at_risk: bool,
    high_relapse_risk: bool,
) -> list[tuple[object, ...]]:
    """What ``Planner.plan`` must give, from the reference interpreter."""
    rows = ref.plan(timeline, option, concerns, age, at_risk, high_relapse_risk)
    return [tuple(row) for row in rows]


def planned(
    timeline: Timeline,
    option: str,
    concerns: Sequence[tuple[str, str]],
    age: int | None,
    at_risk: bool,
    high_relapse_risk: bool,
) -> list[tuple[object, ...]]:
    plan = timeline.planner.plan(option, concerns, age, at_risk, high_relapse_risk)
    assert plan.option == option
    return [
        (m.id, m.kind, m.day_from, m.day_to, m.title, m.text, m.sources) for m in plan.milestones
    ]


def ages(timeline: Timeline) -> list[int | None]:
    """Unknown, 0, 120, and each age either side of every age where a test starts or stops."""
    found: set[int] = {0, 120}
    for cut in timeline.planner.index.classes["age"].cuts:
        found |= {cut - 1, cut, cut + 1}
    return [None, *sorted(a for a in found if 0 <= a <= 120)]


def test_every_single_concern_plan_agrees(catalog: Catalog) -> None:
    """Every option × condition × severity × age class × risk × relapse risk."""
    timeline = catalog.timeline
    checked = 0
    for option, condition, severity, age, at_risk, relapse in itertools.product(
        OPTION_IDS,
        CONDITIONS,
        SEVERITIES_OR_UNRATED,
        ages(timeline),
        (False, True),
        (False, True),
    ):
        args = (option, [(condition, severity)], age, at_risk, relapse)
        assert planned(timeline, *args) == reference(timeline, *args), args
        checked += 1
    assert checked > 10_000


@st.composite
def requests(draw: st.DrawFn) -> tuple[str, list[tuple[str, str]], int | None, bool, bool]:
    conditions = draw(st.lists(st.sampled_from(CONDITIONS), min_size=2, max_size=4, unique=True))
    concerns = [(c, draw(st.sampled_from(SEVERITIES_OR_UNRATED))) for c in conditions]
    age = draw(st.none() | st.integers(0, 120))
    return (
        draw(st.sampled_from(OPTION_IDS)),
        concerns,
        age,
        draw(st.booleans()),
        draw(st.booleans()),
    )


@SETTINGS
@given(request=requests())
def test_plans_for_several_concerns_agree(
    catalog: Catalog, request: tuple[str, list[tuple[str, str]], int | None, bool, bool]
) -> None:
    assert planned(catalog.timeline, *request) == reference(catalog.timeline, *request)


def test_every_age_falls_in_the_class_that_holds_for_it(catalog: Catalog) -> None:
    ages = catalog.timeline.planner.index.classes["age"]
    assert ages.cuts  # the timeline tests ages
    for age in range(-1, 122):
        example = ages.example(ages.of(age))
        assert example is not None
        assert ages.of(example) == ages.of(age)
    assert ages.example(ages.of(None)) is None


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (("surgery", [("depression", "mild")]), "option"),
        (("therapy", []), "concerns"),
        (("therapy", [("sadness", "mild")]), "concerns[0][0]"),
        (("therapy", [("depression", "huge")]), "concerns[0][1]"),
    ],
)
def test_bad_requests_name_the_field(
    catalog: Catalog, args: tuple[str, list[tuple[str, str]]], field: str
) -> None:
    with pytest.raises(InputError) as raised:
        catalog.timeline.planner.plan(*args, 30, False, False)
    assert raised.value.field == field


def _with_general_whens(timeline: Timeline) -> Timeline:
    """The timeline with two ``when``s that are not boxes (``any`` over two facts, ``not`` of
    an ``all`` over two), so the planner must ask them directly."""
    data = timeline.model_dump(by_alias=True)
    review = next(m for m in data["milestones"] if m["id"] == "milestone.first_medication_review")
    review["variants"][0]["when"] = {
        "any": [
            {"fact": "urgent", "op": "eq", "value": True},
            {"fact": "age", "op": "le", "value": 17},
        ]
    }
    review["variants"][1]["when"] = {
        "not": {
            "all": [
                {"fact": "condition", "op": "in", "value": ["depression", "ptsd"]},
                {"fact": "age", "op": "ge", "value": 30},
            ]
        }
    }
    return Timeline.model_validate(data)


@pytest.fixture(scope="module")
def general(catalog: Catalog) -> Timeline:
    timeline = _with_general_whens(catalog.timeline)
    # the content has its own (the weekly checks' "under 18, or under 30 with anxiety or OCD")
    base = len(catalog.timeline.planner.index.general)
    assert len(timeline.planner.index.general) == base + 2
    return timeline


@SETTINGS
@given(request=requests())
def test_whens_that_are_not_boxes_are_asked_directly(
    general: Timeline, request: tuple[str, list[tuple[str, str]], int | None, bool, bool]
) -> None:
    assert planned(general, *request) == reference(general, *request)


def test_whens_that_are_not_boxes_agree_for_every_single_concern(general: Timeline) -> None:
    for option, condition, age, at_risk in itertools.product(
        ("medication", "combined"), CONDITIONS, ages(general), (False, True)
    ):
        args = (option, [(condition, "moderate")], age, at_risk, False)
        assert planned(general, *args) == reference(general, *args), args
