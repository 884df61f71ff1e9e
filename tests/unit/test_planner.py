"""The compiled planner agrees with the timeline read the plain way.

``Planner`` turns every ``When`` into a bit and the timeline's texts into ready-made words
(see ``domain/plan/``). Here a reference builder walks the templates one by one with
``When.matches`` — first matching variant per concern, window from day 0 or from an earlier
milestone, the most demanding window across concerns — and every plan must equal it.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bothand.catalog import Catalog
from bothand.domain.errors import InputError
from bothand.domain.plan.timeline import DAYS_PER_WEEK, Facts, Timeline
from bothand.domain.vocab import CONDITIONS, OPTION_IDS, SEVERITIES, UNRATED

SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SEVERITIES_OR_UNRATED = (*SEVERITIES, UNRATED)

Row = tuple[str, str, int, int, str, str, tuple[str, ...]]


def reference(
    timeline: Timeline,
    option: str,
    concerns: Sequence[tuple[str, str]],
    age: int | None,
    at_risk: bool,
    high_relapse_risk: bool,
) -> list[Row]:
    """What ``Planner.plan`` must give, worked out the slow and obvious way."""
    ordered = sorted(concerns, key=lambda pair: CONDITIONS.index(pair[0]))
    facts = [Facts(option, c, s, age, at_risk, high_relapse_risk) for c, s in ordered]  # type: ignore[arg-type]
    # the course: the longest one (latest end) of any concern; ties to the first concern
    lead = None
    for concern in facts:
        course = timeline.course_for(timeline.therapy_for(concern), concern)
        if lead is None or course.weeks > lead.weeks:
            lead = course
    assert lead is not None
    fills = {
        "therapy": timeline.therapy_names[lead.therapy],
        "length": timeline.course_length.render(lead),
    }
    windows: dict[str, tuple[int, int]] = {}
    rows: list[Row] = []
    for template in timeline.milestones:
        if option not in template.options:
            continue
        if template.unless_any and any(template.unless_any.matches(f) for f in facts):
            continue
        chosen = [
            template.variant_for(f)
            for f in facts
            if template.if_any is None or template.if_any.matches(f)
        ]
        if not chosen:
            continue
        candidates = []
        for variant in chosen:
            start = (0, 0) if variant.window.after is None else windows[variant.window.after]
            if variant.window.days is not None:
                offset = variant.window.days
            else:
                offset = (lead.weeks[0] * DAYS_PER_WEEK, lead.weeks[1] * DAYS_PER_WEEK)
            candidates.append(((start[0] + offset[0], start[1] + offset[1]), variant))
        window, variant = candidates[0]
        for other_window, other in candidates[1:]:
            later = other_window > window
            if later if template.combine == "latest" else other_window < window:
                window, variant = other_window, other
        windows[template.id] = window
        sources = variant.sources
        if variant.window.course_length:
            sources = tuple(dict.fromkeys((*sources, *lead.sources)))
        rows.append(
            (
                template.id,
                template.kind,
                window[0],
                window[1],
                variant.title.format_map(fills),
                variant.text.format_map(fills),
                sources,
            )
        )
    rows.sort(key=lambda row: (row[2], row[0]))
    return rows


def planned(
    timeline: Timeline,
    option: str,
    concerns: Sequence[tuple[str, str]],
    age: int | None,
    at_risk: bool,
    high_relapse_risk: bool,
) -> list[Row]:
    plan = timeline.planner.plan(option, concerns, age, at_risk, high_relapse_risk)
    assert plan.option == option
    return [
        (m.id, m.kind, m.day_from, m.day_to, m.title, m.text, m.sources) for m in plan.milestones
    ]


def ages(timeline: Timeline) -> list[int | None]:
    """Unknown, 0, 120, and each age either side of every age where a test starts or stops."""
    found: set[int] = {0, 120}
    for cut in timeline.age_cuts:
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


def test_every_age_falls_in_the_class_that_matches_it(catalog: Catalog) -> None:
    timeline = catalog.timeline
    for age in range(121):
        representative = timeline.age_in_class(timeline.age_class(age))
        assert representative is not None
        assert timeline.age_class(representative) == timeline.age_class(age)
    assert timeline.age_in_class(timeline.age_class(None)) is None


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
