"""The planner: the timeline compiled for building plans quickly, and ``build_plan``.

How a window is found, for each milestone template that applies to the option:

1. each concern picks the first variant whose ``when`` holds for it (the last variant always
   does);
2. the variant's window counts from day 0, or from the window of an earlier milestone
   (``after``), by fixed days or by the length of the therapy course;
3. across concerns the template's ``combine`` rule keeps the most demanding window: the
   ``earliest`` one for reviews and checks, the ``latest`` one for waiting times (full effect,
   time to stay well). Ties go to the concern that comes first in the canonical order.

``reference.py`` says the same thing the plain way; the tests check that both agree. This
module must not do I/O.
"""

from __future__ import annotations

import operator
from collections.abc import Sequence
from typing import NamedTuple, cast

from bothand.domain.decide.grammar import FACTS, Expr
from bothand.domain.decide.masks import MaskIndex
from bothand.domain.errors import InputError
from bothand.domain.plan.plan import Milestone, MilestoneKind, Plan, PlanRequest
from bothand.domain.plan.timeline import (
    DAYS_PER_WEEK,
    PLAN_FACTS,
    MilestoneTemplate,
    Timeline,
    Variant,
)
from bothand.domain.vocab import CONDITION_RANK, OPTION_IDS, THERAPY_IDS, UNRATED, OptionId


def build_plan(timeline: Timeline, request: PlanRequest) -> Plan:
    """The milestones for ``request.option``, with the most demanding window for each."""
    return timeline.planner.plan(
        request.option,
        request.concerns,
        request.age,
        request.at_risk,
        request.high_relapse_risk,
    )


class _Variant(NamedTuple):
    """A variant compiled: its window, and its words and sources for each course."""

    after: str | None
    days: tuple[int, int] | None  # None: the length of the course
    through: bool  # with the course length: from the anchor's start to the course's end
    texts: tuple[tuple[str, str, tuple[str, ...]], ...]  # by course index: title, text, sources
    made: tuple[Milestone, ...] | None  # by course index, when the window is fixed days from 0


class _Step(NamedTuple):
    """A milestone template compiled: its bits, and its variants by bit."""

    id: str
    kind: MilestoneKind
    latest: bool  # combine: keep the latest window (else the earliest)
    unless: int  # bit of ``unless_any``, 0 when there is none
    only_if: int  # bit of ``if_any``, 0 when there is none (every concern is selected)
    variants: int  # the bits of its variants
    variant_by_bit: dict[int, _Variant]
    uniform: _Variant | None  # the variant every concern gets, when it cannot differ


class Planner:
    """The timeline compiled for building plans quickly. Immutable once built; holds nothing
    about any case.

    Every ``when`` of the timeline gets one bit in a ``masks.MaskIndex`` (shared with the
    options engine; an age by the interval between the ages content tests). The ``when``s that
    hold for a concern are then the AND of six masks, and "the first row (or variant) that
    holds" is the lowest bit of a group. Texts are filled in for every variant and course
    once, here.
    """

    def __init__(self, timeline: Timeline) -> None:
        self.timeline = timeline
        whens: list[Expr] = []

        def bit(when: Expr) -> int:
            whens.append(when)
            return 1 << (len(whens) - 1)

        courses = timeline.courses
        fills = [
            {
                "therapy": timeline.therapy_names[course.therapy],
                "length": timeline.course_length.render(course),
            }
            for course in courses
        ]

        def compiled(template: MilestoneTemplate, variant: Variant) -> _Variant:
            texts = []
            for course, words in zip(courses, fills, strict=True):
                sources = variant.sources
                if variant.window.course_length:
                    sources = tuple(dict.fromkeys((*sources, *course.sources)))
                texts.append(
                    (variant.title.format_map(words), variant.text.format_map(words), sources)
                )
            window = variant.window
            made = None
            if window.after is None and window.days is not None:
                low, high = window.days
                made = tuple(
                    Milestone(template.id, template.kind, low, high, title, text, sources)
                    for title, text, sources in texts
                )
            return _Variant(window.after, window.days, window.through, tuple(texts), made)

        steps: list[_Step] = []
        for template in timeline.milestones:
            unless = bit(template.unless_any) if template.unless_any is not None else 0
            only_if = bit(template.if_any) if template.if_any is not None else 0
            by_bit = {
                bit(variant.when): compiled(template, variant) for variant in template.variants
            }
            uniform = None
            if len(by_bit) == 1 and not unless and not only_if:
                (uniform,) = by_bit.values()
            steps.append(
                _Step(
                    template.id,
                    template.kind,
                    template.combine == "latest",
                    unless,
                    only_if,
                    sum(by_bit),
                    by_bit,
                    uniform,
                )
            )
        self._steps_for: dict[str, tuple[_Step, ...]] = {
            option: tuple(
                step
                for step, template in zip(steps, timeline.milestones, strict=True)
                if option in template.options
            )
            for option in OPTION_IDS
        }
        self._therapy_by_bit = {bit(row.when): row.therapy for row in timeline.therapy_choice}
        self._therapy_rows = sum(self._therapy_by_bit)
        # course bit -> (course index, course weeks in days)
        self._course_by_bit: dict[int, tuple[int, tuple[int, int]]] = {
            bit(course.when): (
                index,
                (course.weeks[0] * DAYS_PER_WEEK, course.weeks[1] * DAYS_PER_WEEK),
            )
            for index, course in enumerate(courses)
        }
        self._courses_of: dict[str, int] = {
            therapy: sum(
                b
                for b, (index, _) in self._course_by_bit.items()
                if courses[index].therapy == therapy
            )
            for therapy in THERAPY_IDS
        }
        self.index = MaskIndex(whens, {fact: FACTS[fact] for fact in PLAN_FACTS})
        self._ages = self.index.classes["age"]

    def plan(
        self,
        option: str,
        concerns: Sequence[tuple[str, str]],
        age: int | None,
        at_risk: bool,
        high_relapse_risk: bool,
        lead: str | None = None,
    ) -> Plan:
        """The milestones of ``option`` for these concerns, each with its most demanding
        window. ``lead``: the condition whose therapy course the plan names, when a guideline
        says which to treat first (``precedence`` in rules.yaml); otherwise the longest course.
        Checks what ``PlanRequest`` checks that it needs, for callers without one."""
        masks = self.index.masks
        steps = self._steps_for.get(option)
        if steps is None:
            raise InputError("option", f"{option!r} is not allowed; use one of {list(OPTION_IDS)}")
        if not concerns:
            raise InputError("concerns", "give at least one concern")
        common = (
            masks["option"][option]
            & masks["age"][self._ages.of(age)]
            & masks["urgent"][bool(at_risk)]
            & masks["high_relapse_risk"][bool(high_relapse_risk)]
        )
        # One mask per concern, in the canonical order of conditions (never the input order).
        held: list[tuple[int, int]] = []
        lead_mask = 0
        for index, (condition, severity) in enumerate(concerns):
            by_condition = masks["condition"].get(condition)
            if by_condition is None:
                raise InputError(f"concerns[{index}][0]", f"{condition!r} is not a condition")
            by_severity = masks["severity"].get(severity)
            if by_severity is None:
                raise InputError(
                    f"concerns[{index}][1]", f"{severity!r} is not a severity or '{UNRATED}'"
                )
            bits = common & by_condition & by_severity
            if self.index.general:  # a ``when`` that is not a box: asked directly
                facts = {
                    "option": option,
                    "condition": condition,
                    "severity": severity,
                    "age": age,
                    "urgent": bool(at_risk),
                    "high_relapse_risk": bool(high_relapse_risk),
                }
                bits = self.index.refine(bits, facts)
            held.append((CONDITION_RANK[condition], bits))
            if condition == lead:
                lead_mask = bits
        held.sort()
        ms = [m for _, m in held]
        course, course_days = self._lead_course([lead_mask] if lead_mask else ms)
        windows: dict[str, tuple[int, int]] = {}
        milestones: list[Milestone] = []
        held_by_any = 0
        for m in ms:
            held_by_any |= m
        for step in steps:
            variant = step.uniform
            if variant is not None:  # one variant, for every concern: one window
                days = variant.days or _course_window(course_days, variant.through)
                if variant.after is None:
                    best = days
                else:
                    anchor = windows[variant.after]
                    best = (anchor[0] + days[0], anchor[1] + days[1])
            else:
                only_if = step.only_if
                if step.unless & held_by_any or (only_if and not only_if & held_by_any):
                    continue  # ``unless_any`` holds for a concern, or ``if_any`` for none
                variants = step.variants
                by_bit = step.variant_by_bit
                latest = step.latest
                best = (-1, -1)
                for m in ms:
                    if only_if and not m & only_if:
                        continue
                    found = m & variants
                    candidate_variant = by_bit[found & -found]  # the first variant matching
                    days = candidate_variant.days or _course_window(
                        course_days, candidate_variant.through
                    )
                    after = candidate_variant.after
                    if after is None:
                        candidate = days
                    else:
                        anchor = windows[after]
                        candidate = (anchor[0] + days[0], anchor[1] + days[1])
                    # the most demanding window; ties go to the first concern
                    if variant is None or (candidate > best if latest else candidate < best):
                        best, variant = candidate, candidate_variant
                assert variant is not None  # ``if_any`` holds for a concern
            windows[step.id] = best
            if variant.made is not None:  # made once, when the planner was built
                milestones.append(variant.made[course])
            else:
                title, text, sources = variant.texts[course]
                milestones.append(
                    Milestone(step.id, step.kind, best[0], best[1], title, text, sources)
                )
        milestones.sort(key=_MILESTONE_ORDER)
        return Plan(cast(OptionId, option), tuple(milestones))

    def _lead_course(self, ms: list[int]) -> tuple[int, tuple[int, int]]:
        """The course the plan names (its index, and its weeks in days): with several
        concerns, the one with the longest course (the latest end), so the plan allows time
        for it; ties go to the first concern."""
        best: tuple[int, tuple[int, int]] | None = None
        for m in ms:
            therapy = self._therapy_by_bit[_lowest(m & self._therapy_rows)]
            found = self._course_by_bit[_lowest(m & self._courses_of[therapy])]
            if best is None or found[1] > best[1]:
                best = found
        assert best is not None  # there is at least one concern
        return best


def _lowest(bits: int) -> int:
    """The lowest set bit: the first row or variant (in content order) that matches."""
    return bits & -bits


def _course_window(course_days: tuple[int, int], through: bool) -> tuple[int, int]:
    """The offsets of a window that counts by the course: when it ends, or (``through``)
    from the start of its anchor to the end of the course."""
    return (0, course_days[1]) if through else course_days


_MILESTONE_ORDER = operator.itemgetter(2, 0)  # day_from, then id
