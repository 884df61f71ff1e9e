"""The timeline read one template at a time: the readable specification of the planner.

``planner.Planner`` compiles the timeline into bit masks and ready-made words to be quick;
this module says what it must give, the slow and obvious way, with ``when.holds`` on a dict
of facts. The tests compare the two on every single concern and on many sets of several
(``tests/unit/test_planner.py``). Nothing in the running app calls this module.

1. Concerns are taken in the order of the conditions in the vocabulary. Each is tested with
   the facts ``option``, ``condition``, ``severity``, ``age``, ``urgent`` (a positive safety
   item) and ``high_relapse_risk``.
2. The therapy course: for each concern, the first ``therapy_choice`` row that holds names a
   therapy, and the first ``courses`` row of that therapy that holds gives its length. The
   plan names the longest course (the latest end); ties go to the first concern.
3. For each milestone template of the option, in content order: skip it when ``unless_any``
   holds for some concern, or ``if_any`` holds for none. Each concern selected (all, or those
   ``if_any`` holds for) takes the first variant that holds; its window counts from day 0 or
   from an earlier milestone's window (``after``), by fixed days or by the course's weeks
   (``through``: from the start of that window to the end of the course).
   ``combine`` keeps the earliest (or latest) window; ties go to the first concern.
4. ``{therapy}`` and ``{length}`` are filled in from the course; a window that counts by the
   course adds the course's sources. Milestones are sorted by first day, then id.

This module must not do I/O.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from bothand.domain.decide.grammar import Facts
from bothand.domain.plan.timeline import (
    DAYS_PER_WEEK,
    Course,
    MilestoneTemplate,
    Timeline,
    Variant,
)
from bothand.domain.vocab import CONDITIONS, TherapyId


class Row(NamedTuple):
    """One milestone of a plan, without dates."""

    id: str
    kind: str
    day_from: int
    day_to: int
    title: str
    text: str
    sources: tuple[str, ...]


def plan(
    timeline: Timeline,
    option: str,
    concerns: Sequence[tuple[str, str]],
    age: int | None,
    at_risk: bool,
    high_relapse_risk: bool,
) -> list[Row]:
    """What ``Planner.plan`` must give, as rows."""
    ordered = sorted(concerns, key=lambda pair: CONDITIONS.index(pair[0]))
    facts: list[Facts] = [
        {
            "option": option,
            "condition": condition,
            "severity": severity,
            "age": age,
            "urgent": at_risk,
            "high_relapse_risk": high_relapse_risk,
        }
        for condition, severity in ordered
    ]
    lead: Course | None = None
    for concern in facts:
        course = course_for(timeline, therapy_for(timeline, concern), concern)
        if lead is None or course.weeks > lead.weeks:
            lead = course
    assert lead is not None, "a plan needs at least one concern"
    fills = {
        "therapy": timeline.therapy_names[lead.therapy],
        "length": timeline.course_length.render(lead),
    }
    windows: dict[str, tuple[int, int]] = {}
    rows: list[Row] = []
    for template in timeline.milestones:
        if option not in template.options:
            continue
        unless, only_if = template.unless_any, template.if_any
        if unless is not None and any(unless.holds(f) for f in facts):
            continue
        chosen = [variant_for(template, f) for f in facts if only_if is None or only_if.holds(f)]
        if not chosen:
            continue
        candidates = []
        for variant in chosen:
            start = (0, 0) if variant.window.after is None else windows[variant.window.after]
            if variant.window.days is not None:
                offset = variant.window.days
            elif variant.window.through:  # from the anchor's start to the end of the course
                offset = (0, lead.weeks[1] * DAYS_PER_WEEK)
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
            Row(
                template.id,
                template.kind,
                window[0],
                window[1],
                variant.title.format_map(fills),
                variant.text.format_map(fills),
                sources,
            )
        )
    rows.sort(key=lambda row: (row.day_from, row.id))
    return rows


def therapy_for(timeline: Timeline, facts: Facts) -> TherapyId:
    """The therapy of the first ``therapy_choice`` row that holds."""
    return next(row.therapy for row in timeline.therapy_choice if row.when.holds(facts))


def course_for(timeline: Timeline, therapy: TherapyId, facts: Facts) -> Course:
    """The first course row of ``therapy`` that holds."""
    return next(c for c in timeline.courses if c.therapy == therapy and c.when.holds(facts))


def variant_for(template: MilestoneTemplate, facts: Facts) -> Variant:
    """The first variant that holds (the last always does)."""
    return next(variant for variant in template.variants if variant.when.holds(facts))
