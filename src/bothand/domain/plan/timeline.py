"""The care-plan timeline: the chosen option turned into milestones with day windows, then
dated from a start day.

This module owns two things: the *shape* of the timeline content (``Timeline`` and its parts,
read from ``content/timeline.yaml`` by ``catalog.py``) and the pure rules that turn a
``PlanRequest`` into a ``Plan``. Every clinical number (review days, weeks to full effect,
course lengths, how long to stay well before the medicine talk) lives in the content; the code
only adds windows together and picks between them. It does no I/O and never names a drug or a
dose: milestones prepare a conversation with a clinician.

How a window is found, for each milestone template that applies to the option:

1. each concern picks the first variant whose ``when`` matches it (the last variant always
   matches);
2. the variant's window counts from day 0, or from the window of an earlier milestone
   (``after``), by fixed days or by the length of the therapy course;
3. across concerns the template's ``combine`` rule keeps the most demanding window: the
   ``earliest`` one for reviews and checks, the ``latest`` one for waiting times (full effect,
   time to stay well). Ties go to the concern that comes first in the canonical order.
"""

from __future__ import annotations

import bisect
import datetime as dt
import operator
import string
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Annotated, Any, Literal, NamedTuple, cast

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ModelWrapValidatorHandler,
    NonNegativeInt,
    PositiveInt,
    StrictBool,
    StrictInt,
    ValidationError,
    model_validator,
)

from bothand.domain.case import input_error
from bothand.domain.errors import InputError
from bothand.domain.knowledge.base import ContentId, ContentModel, Meta, PatientText, SourceId
from bothand.domain.vocab import (
    CONDITION_RANK,
    CONDITIONS,
    OPTION_IDS,
    SEVERITIES,
    THERAPY_IDS,
    UNRATED,
    Condition,
    OptionId,
    Severity,
    TherapyId,
)

SeverityOrUnrated = Literal[Severity, "unrated"]
MilestoneKind = Literal[
    "therapy_start",
    "therapy_course",
    "medication_review",
    "check_progress",
    "full_effect",
    "remeasure",
    "add_other_treatment",
    "relapse_prevention",
    "continue_taper_stop",
    "continue_and_review",
    "monitor_recheck",
]
Combine = Literal["earliest", "latest"]

SEVERITIES_OR_UNRATED: tuple[SeverityOrUnrated, ...] = (*SEVERITIES, "unrated")

# What the options *are*: medicine from day 0 only in these three. A milestone about medicine
# may apply to no other option, so a therapy-only or monitoring plan never gets one.
MEDICATION_OPTIONS: frozenset[OptionId] = frozenset({"medication", "combined", "medication_first"})
MEDICATION_KINDS: frozenset[MilestoneKind] = frozenset(
    {"medication_review", "full_effect", "continue_taper_stop", "continue_and_review"}
)
PLACEHOLDERS = frozenset({"therapy", "length"})  # {therapy}: plain name; {length}: course length
DAYS_PER_WEEK = 7

Name = Annotated[str, Field(min_length=1)]


# --- content --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Facts:
    """What a ``When`` can test: the plan's option and one concern with the person's context."""

    option: OptionId
    condition: Condition
    severity: SeverityOrUnrated
    age: int | None
    at_risk: bool
    high_relapse_risk: bool


WHEN_FACTS: tuple[str, ...] = tuple(Facts.__dataclass_fields__)


class When(ContentModel):
    """A test on one concern. Empty lists and ``None`` match anything; ages are inclusive,
    and an unknown age matches no age limit."""

    conditions: tuple[Condition, ...] = ()
    severities: tuple[SeverityOrUnrated, ...] = ()
    options: tuple[OptionId, ...] = ()
    age_from: NonNegativeInt | None = None
    age_to: NonNegativeInt | None = None
    at_risk: bool | None = None
    high_relapse_risk: bool | None = None

    @model_validator(mode="after")
    def _ages_in_order(self) -> When:
        if self.age_from is not None and self.age_to is not None and self.age_from > self.age_to:
            raise ValueError(f"age_from {self.age_from} is above age_to {self.age_to}")
        return self

    @property
    def is_always(self) -> bool:
        return self == When()

    @property
    def tests_concern_only(self) -> bool:
        """True when only the condition, severity and age are tested (the therapy tables)."""
        return not self.options and self.at_risk is None and self.high_relapse_risk is None

    def matches(self, facts: Facts) -> bool:
        return all(self.accepts(fact, getattr(facts, fact)) for fact in WHEN_FACTS)

    def accepts(self, fact: str, value: Any) -> bool:
        """Whether the test on ``fact`` lets ``value`` through (a ``When`` holds when every
        fact is let through). Facts are named as in ``Facts``."""
        if fact == "condition":
            return not self.conditions or value in self.conditions
        if fact == "severity":
            return not self.severities or value in self.severities
        if fact == "option":
            return not self.options or value in self.options
        if fact == "age":
            if value is None:  # an unknown age passes no age limit
                return self.age_from is None and self.age_to is None
            return (self.age_from is None or value >= self.age_from) and (
                self.age_to is None or value <= self.age_to
            )
        if fact == "at_risk":
            return self.at_risk is None or value == self.at_risk
        if fact == "high_relapse_risk":
            return self.high_relapse_risk is None or value == self.high_relapse_risk
        raise ValueError(f"a When tests no fact {fact!r}")


class Window(ContentModel):
    """Days counted from day 0, or from the window of an earlier milestone (``after``): the
    start moves with that window's start and the end with its end. ``course_length`` uses the
    weeks of the therapy course instead of fixed days."""

    after: ContentId | None = None
    days: tuple[NonNegativeInt, NonNegativeInt] | None = None
    course_length: bool = False

    @model_validator(mode="after")
    def _one_kind_of_offset(self) -> Window:
        if (self.days is None) == (not self.course_length):
            raise ValueError("give exactly one of days, course_length")
        if self.days is not None and self.days[0] > self.days[1]:
            raise ValueError(f"days {list(self.days)} end before they start")
        if self.course_length and self.after is None:
            raise ValueError("course_length needs 'after' (the milestone the course starts at)")
        return self


class Variant(ContentModel):
    when: When = When()
    window: Window
    title: PatientText
    text: PatientText
    sources: tuple[SourceId, ...] = Field(min_length=1)


class MilestoneTemplate(ContentModel):
    """One step of a plan. ``if_any``: only when a concern matches (and only those concerns
    choose the variant); ``unless_any``: never when a concern matches."""

    id: Annotated[ContentId, Field(pattern=r"^milestone\.")]
    kind: MilestoneKind
    options: tuple[OptionId, ...] = Field(min_length=1)
    if_any: When | None = None
    unless_any: When | None = None
    combine: Combine = "earliest"
    variants: tuple[Variant, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _last_variant_always_matches(self) -> MilestoneTemplate:
        if not self.variants[-1].when.is_always:
            raise ValueError(f"{self.id}: the last variant must have no 'when' (the fallback)")
        if self.kind in MEDICATION_KINDS and not set(self.options) <= MEDICATION_OPTIONS:
            raise ValueError(
                f"{self.id}: a {self.kind} milestone is only for options with medicine"
            )
        return self

    def variant_for(self, facts: Facts) -> Variant:
        return next(variant for variant in self.variants if variant.when.matches(facts))


class TherapyChoice(ContentModel):
    """A row of the table that picks the therapy course for a concern (first match wins)."""

    when: When
    therapy: TherapyId


class Course(ContentModel):
    """How long a course of one therapy usually is (first matching row for the therapy wins).
    ``sessions`` is ``[low, high]``, ``[low, null]`` for "low or more", or ``null`` when the
    notes give no number and the clinician sets the length (``set_by_clinician: true``).
    ``weeks`` is when the course usually ends, counted from the first session."""

    therapy: TherapyId
    when: When = When()
    sessions: tuple[PositiveInt, PositiveInt | None] | None
    set_by_clinician: bool = False
    weeks: tuple[PositiveInt, PositiveInt]
    sources: tuple[SourceId, ...] = Field(min_length=1)
    note: str = ""

    @model_validator(mode="after")
    def _consistent(self) -> Course:
        if self.set_by_clinician != (self.sessions is None):
            raise ValueError(
                f"{self.therapy}: set_by_clinician is true exactly when sessions is null"
            )
        low, high = self.sessions or (1, None)
        if high is not None and high <= low:
            raise ValueError(f"{self.therapy}: sessions {[low, high]}: the second must be larger")
        if self.weeks[0] > self.weeks[1]:
            raise ValueError(f"{self.therapy}: weeks {list(self.weeks)} end before they start")
        return self


class CourseLength(ContentModel):
    """Plain words for a course length; ``{low}`` and ``{high}`` are session counts."""

    range: PatientText
    at_least: PatientText
    set_by_clinician: PatientText

    def render(self, course: Course) -> str:
        if course.sessions is None:
            return self.set_by_clinician
        low, high = course.sessions
        if high is None:
            return self.at_least.format(low=low)
        return self.range.format(low=low, high=high)


class Timeline(ContentModel):
    """All of ``content/timeline.yaml``."""

    meta: Meta
    therapy_names: dict[TherapyId, Name]
    course_length: CourseLength
    therapy_choice: tuple[TherapyChoice, ...] = Field(min_length=1)
    courses: tuple[Course, ...] = Field(min_length=1)
    milestones: tuple[MilestoneTemplate, ...] = Field(min_length=1)

    @cached_property
    def planner(self) -> Planner:
        """The timeline compiled for building plans (once per loaded timeline)."""
        return Planner(self)

    def age_class(self, age: int | None) -> int:
        """Which interval between the ages content tests ``age`` falls in (-1 when unknown).
        Two ages in one interval match every ``When`` alike."""
        return -1 if age is None else bisect.bisect_right(self.age_cuts, age)

    def age_in_class(self, age_class: int) -> int | None:
        """An age in the interval ``age_class`` (None for unknown, or an interval no age is
        in)."""
        if age_class < 0:
            return None
        if age_class == 0:
            first = self.age_cuts[0] if self.age_cuts else 1
            return first - 1 if first > 0 else None
        return self.age_cuts[age_class - 1]

    @cached_property
    def age_cuts(self) -> tuple[int, ...]:
        """The ages where some ``When`` starts or stops matching, sorted."""
        tests: list[When] = [row.when for row in self.therapy_choice]
        tests += [course.when for course in self.courses]
        for template in self.milestones:
            tests += [t for t in (template.if_any, template.unless_any) if t is not None]
            tests += [variant.when for variant in template.variants]
        cuts = {t.age_from for t in tests if t.age_from is not None}
        cuts |= {t.age_to + 1 for t in tests if t.age_to is not None}
        return tuple(sorted(cuts))

    @model_validator(mode="after")
    def _check(self) -> Timeline:
        missing = [t for t in THERAPY_IDS if t not in self.therapy_names]
        if missing:
            raise ValueError(f"therapy_names: missing {missing}")
        self._check_tables()
        self._check_milestones()
        return self

    def _check_tables(self) -> None:
        rows: list[TherapyChoice | Course] = [*self.therapy_choice, *self.courses]
        for row in rows:
            if not row.when.tests_concern_only:
                raise ValueError(
                    f"{row.therapy}: a table row may test only condition, severity, age"
                )
        fallback = {c.therapy for c in self.courses if c.when.is_always}
        missing = [t for t in THERAPY_IDS if t not in fallback]
        if missing:
            raise ValueError(f"courses: no row without 'when' for {missing}")
        for facts in _table_facts(self.therapy_choice):
            if not any(row.when.matches(facts) for row in self.therapy_choice):
                where = f"{facts.condition}, {facts.severity}, age {facts.age}"
                raise ValueError(f"therapy_choice: no row matches {where}")
        for name, text in (
            ("range", self.course_length.range),
            ("at_least", self.course_length.at_least),
        ):
            fields = _fields(text)
            expected = {"low", "high"} if name == "range" else {"low"}
            if fields != expected:
                raise ValueError(f"course_length.{name}: use exactly {sorted(expected)}")
        if _fields(self.course_length.set_by_clinician):
            raise ValueError("course_length.set_by_clinician: no placeholders")

    def _check_milestones(self) -> None:
        earlier: dict[str, MilestoneTemplate] = {}
        for template in self.milestones:
            if template.id in earlier:
                raise ValueError(f"milestones: id '{template.id}' is used twice")
            for variant in template.variants:
                for text in (variant.title, variant.text):
                    unknown = _fields(text) - PLACEHOLDERS
                    if unknown:
                        raise ValueError(f"{template.id}: unknown placeholder {sorted(unknown)}")
                anchor_id = variant.window.after
                if anchor_id is None:
                    continue
                anchor = earlier.get(anchor_id)
                if anchor is None:
                    raise ValueError(
                        f"{template.id}: after '{anchor_id}', which is not an earlier milestone"
                    )
                if (
                    anchor.if_any
                    or anchor.unless_any
                    or not set(template.options) <= set(anchor.options)
                ):
                    raise ValueError(
                        f"{template.id}: '{anchor_id}' is not in every plan this one is in"
                    )
            earlier[template.id] = template
        for option in OPTION_IDS:
            if not any(
                t.kind == "remeasure" and option in t.options and not (t.if_any or t.unless_any)
                for t in self.milestones
            ):
                raise ValueError(f"milestones: no remeasure milestone for option '{option}'")

    def therapy_for(self, facts: Facts) -> TherapyId:
        return next(row.therapy for row in self.therapy_choice if row.when.matches(facts))

    def course_for(self, therapy: TherapyId, facts: Facts) -> Course:
        return next(c for c in self.courses if c.therapy == therapy and c.when.matches(facts))


def _fields(text: str) -> set[str]:
    """The placeholder names in ``text``; a format spec or conversion counts as unknown."""
    found: set[str] = set()
    for _, name, spec, conversion in string.Formatter().parse(text):
        if name is not None:
            found.add(name if not spec and not conversion else f"{name}!{conversion}:{spec}")
    return found


def _table_facts(rows: tuple[TherapyChoice, ...]) -> Iterator[Facts]:
    """Every condition and severity, at every age either side of an age limit in ``rows``."""
    ages: set[int | None] = {None}
    for row in rows:
        for limit in (row.when.age_from, row.when.age_to):
            if limit is not None:
                ages.update({max(0, limit - 1), limit, limit + 1})
    for condition in CONDITIONS:
        for severity in SEVERITIES_OR_UNRATED:
            for age in sorted(ages, key=lambda a: -1 if a is None else a):
                yield Facts("monitor", condition, severity, age, False, False)


# --- requests and plans ---------------------------------------------------------------------


class PlanRequest(BaseModel):
    """What a plan is built for. ``concerns`` are ``(condition, severity or "unrated")`` pairs.
    ``age`` and ``at_risk`` (a positive safety item) have no defaults on purpose: both can
    bring the first medicine review forward, so a caller must say what it knows.

    Bad input raises ``InputError`` naming the field, not pydantic's ValidationError."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    option: OptionId
    concerns: tuple[tuple[Condition, SeverityOrUnrated], ...] = Field(min_length=1, max_length=9)
    age: Annotated[StrictInt, Field(ge=0, le=120)] | None
    at_risk: StrictBool
    high_relapse_risk: StrictBool = False

    @model_validator(mode="wrap")
    @classmethod
    def _named_errors(
        cls, data: Any, handler: ModelWrapValidatorHandler[PlanRequest]
    ) -> PlanRequest:
        try:
            return handler(data)
        except ValidationError as error:
            raise input_error(error) from None

    @model_validator(mode="after")
    def _each_condition_once(self) -> PlanRequest:
        seen: set[str] = set()
        for index, (condition, _) in enumerate(self.concerns):
            if condition in seen:  # raised as is: the wrap validator only rewords pydantic's own
                raise InputError(f"concerns[{index}]", f"condition '{condition}' is listed twice")
            seen.add(condition)
        return self


class Milestone(NamedTuple):
    """One step of a plan. Days count from the start day; dates are set by ``Plan.dated``.
    Made only by the planner, from checked content (a named tuple: about a dozen are made
    for every plan, and this is the cheapest immutable record)."""

    id: str
    kind: MilestoneKind
    day_from: int
    day_to: int
    title: str
    text: str
    sources: tuple[str, ...]
    date_from: dt.date | None = None
    date_to: dt.date | None = None

    def to_contract(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": self.id,
            "kind": self.kind,
            "day_from": self.day_from,
            "day_to": self.day_to,
            "title": self.title,
            "text": self.text,
            "sources": list(self.sources),
        }
        if self.date_from is not None and self.date_to is not None:
            data["date_from"] = self.date_from.isoformat()
            data["date_to"] = self.date_to.isoformat()
        return data


@dataclass(frozen=True, slots=True)
class Plan:
    """The milestones of one option, sorted by ``day_from`` and then ``id``."""

    option: OptionId
    milestones: tuple[Milestone, ...]

    def __post_init__(self) -> None:
        if not self.milestones:
            raise ValueError("a plan needs at least one milestone")

    @property
    def is_dated(self) -> bool:
        return all(m.date_from is not None for m in self.milestones)

    def dated(self, start: dt.date) -> Plan:
        """The same plan with dates: ``start`` plus each milestone's days."""
        if isinstance(start, dt.datetime) or not isinstance(start, dt.date):
            raise InputError("start", "must be a calendar date, such as 2026-01-31")
        return Plan(
            option=self.option,
            milestones=tuple(
                m._replace(
                    date_from=start + dt.timedelta(days=m.day_from),
                    date_to=start + dt.timedelta(days=m.day_to),
                )
                for m in self.milestones
            ),
        )

    def to_contract(self) -> dict[str, Any]:
        """The ``plan`` object of the case contract (DESIGN.md)."""
        return {"option": self.option, "milestones": [m.to_contract() for m in self.milestones]}


# --- building a plan ------------------------------------------------------------------------


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

    Every ``When`` of the timeline is a box: for each fact, the values it accepts (an age by
    the interval between the ages content tests, see ``Timeline.age_class``). Each ``When`` gets
    one bit, and for every value of every fact the planner keeps the bits of the ``When``s
    that accept it. The ``When``s that hold for a concern are then the AND of six masks, and
    "the first row (or variant) that matches" is the lowest bit of a group. Texts are filled
    in for every variant and course once, here.
    """

    def __init__(self, timeline: Timeline) -> None:
        self.timeline = timeline
        whens: list[When] = []

        def bit(when: When) -> int:
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
            return _Variant(window.after, window.days, tuple(texts), made)

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
        n_classes = len(timeline.age_cuts) + 1

        def accepts(when: When, fact: str, value: Any) -> bool:
            if fact == "age_class":  # one age stands for its whole interval
                return when.accepts("age", timeline.age_in_class(value))
            return when.accepts(fact, value)

        values: dict[str, tuple[Any, ...]] = {
            "option": OPTION_IDS,
            "condition": CONDITIONS,
            "severity": SEVERITIES_OR_UNRATED,
            "age_class": (-1, *range(n_classes)),
            "at_risk": (False, True),
            "high_relapse_risk": (False, True),
        }
        self._masks: dict[str, dict[Any, int]] = {
            fact: {
                value: sum(1 << i for i, w in enumerate(whens) if accepts(w, fact, value))
                for value in fact_values
            }
            for fact, fact_values in values.items()
        }

    def plan(
        self,
        option: str,
        concerns: Sequence[tuple[str, str]],
        age: int | None,
        at_risk: bool,
        high_relapse_risk: bool,
    ) -> Plan:
        """The milestones of ``option`` for these concerns, each with its most demanding
        window. Checks what ``PlanRequest`` checks that it needs, for callers without one."""
        masks = self._masks
        steps = self._steps_for.get(option)
        if steps is None:
            raise InputError("option", f"{option!r} is not allowed; use one of {list(OPTION_IDS)}")
        if not concerns:
            raise InputError("concerns", "give at least one concern")
        common = (
            masks["option"][option]
            & masks["age_class"][self.timeline.age_class(age)]
            & masks["at_risk"][bool(at_risk)]
            & masks["high_relapse_risk"][bool(high_relapse_risk)]
        )
        # One mask per concern, in the canonical order of conditions (never the input order).
        held: list[tuple[int, int]] = []
        for index, (condition, severity) in enumerate(concerns):
            by_condition = masks["condition"].get(condition)
            if by_condition is None:
                raise InputError(f"concerns[{index}][0]", f"{condition!r} is not a condition")
            by_severity = masks["severity"].get(severity)
            if by_severity is None:
                raise InputError(
                    f"concerns[{index}][1]", f"{severity!r} is not a severity or '{UNRATED}'"
                )
            held.append((CONDITION_RANK[condition], common & by_condition & by_severity))
        held.sort()
        ms = [m for _, m in held]
        course, course_days = self._lead_course(ms)
        windows: dict[str, tuple[int, int]] = {}
        milestones: list[Milestone] = []
        held_by_any = 0
        for m in ms:
            held_by_any |= m
        for step in steps:
            variant = step.uniform
            if variant is not None:  # one variant, for every concern: one window
                days = variant.days or course_days
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
                    days = candidate_variant.days or course_days
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
                milestones.append(
                    _new_milestone(
                        Milestone, (step.id, step.kind, *best, *variant.texts[course], None, None)
                    )
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


_MILESTONE_ORDER = operator.itemgetter(2, 0)  # day_from, then id
# A milestone made from its fields without NamedTuple's keyword handling (dates left unset).
_new_milestone = tuple.__new__
