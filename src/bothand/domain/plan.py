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
import string
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property
from typing import Annotated, Any, Literal

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
from bothand.domain.knowledge import ContentId, ContentModel, Meta, PatientText, SourceId
from bothand.domain.vocab import (
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
        if self.conditions and facts.condition not in self.conditions:
            return False
        if self.severities and facts.severity not in self.severities:
            return False
        if self.options and facts.option not in self.options:
            return False
        if self.age_from is not None and (facts.age is None or facts.age < self.age_from):
            return False
        if self.age_to is not None and (facts.age is None or facts.age > self.age_to):
            return False
        if self.at_risk is not None and facts.at_risk != self.at_risk:
            return False
        return self.high_relapse_risk is None or facts.high_relapse_risk == self.high_relapse_risk


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
    def prepared(self) -> dict[tuple[object, ...], Any]:
        """Values derived once per loaded timeline and then shared (all immutable): milestones,
        and each concern's template choices."""
        return {}

    def age_class(self, age: int | None) -> int:
        """Which interval between the ages content tests ``age`` falls in (-1 when unknown).
        Two ages in one interval match every ``When`` alike, so they can share choices."""
        return -1 if age is None else bisect.bisect_right(self._age_cuts, age)

    @cached_property
    def _age_cuts(self) -> tuple[int, ...]:
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


class Milestone(BaseModel):
    """One step of a plan. Days count from the start day; dates are set by ``Plan.dated``."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str
    kind: MilestoneKind
    day_from: NonNegativeInt
    day_to: NonNegativeInt
    title: str = Field(min_length=1)
    text: str = Field(min_length=1)
    sources: tuple[str, ...] = Field(min_length=1)
    date_from: dt.date | None = None
    date_to: dt.date | None = None

    @model_validator(mode="after")
    def _in_order(self) -> Milestone:
        if self.day_from > self.day_to:
            raise ValueError(f"{self.id}: day_from {self.day_from} is after day_to {self.day_to}")
        if (self.date_from is None) != (self.date_to is None):
            raise ValueError(f"{self.id}: give both dates or neither")
        if (
            self.date_from is not None
            and self.date_to is not None
            and self.date_from > self.date_to
        ):
            raise ValueError(f"{self.id}: date_from is after date_to")
        return self

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


class Plan(BaseModel):
    """The milestones of one option, sorted by ``day_from`` and then ``id``."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    option: OptionId
    milestones: tuple[Milestone, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _sorted(self) -> Plan:
        keys = [(m.day_from, m.id) for m in self.milestones]
        if keys != sorted(keys) or len(set(keys)) != len(keys):
            raise ValueError("milestones must be sorted by day_from, then id, without repeats")
        return self

    @property
    def is_dated(self) -> bool:
        return all(m.date_from is not None for m in self.milestones)

    def dated(self, start: dt.date) -> Plan:
        """The same plan with dates: ``start`` plus each milestone's days."""
        if isinstance(start, dt.datetime) or not isinstance(start, dt.date):
            raise InputError("start", "must be a calendar date, such as 2026-01-31")
        return self.model_copy(
            update={
                "milestones": tuple(
                    m.model_copy(
                        update={
                            "date_from": start + dt.timedelta(days=m.day_from),
                            "date_to": start + dt.timedelta(days=m.day_to),
                        }
                    )
                    for m in self.milestones
                )
            }
        )

    def to_contract(self) -> dict[str, Any]:
        """The ``plan`` object of the case contract (DESIGN.md)."""
        return {"option": self.option, "milestones": [m.to_contract() for m in self.milestones]}


# --- building a plan ------------------------------------------------------------------------


def build_plan(timeline: Timeline, request: PlanRequest) -> Plan:
    """The milestones for ``request.option``, with the most demanding window for each."""
    if request.option not in OPTION_IDS:
        raise InputError(
            "option", f"{request.option!r} is not allowed; use one of {list(OPTION_IDS)}"
        )
    facts = _facts(request)
    therapy, course = _lead_course(timeline, facts)
    fills = {
        "therapy": timeline.therapy_names[therapy],
        "length": timeline.course_length.render(course),
    }
    windows: dict[str, tuple[int, int]] = {}
    milestones: list[Milestone] = []
    per_concern = [_template_choices(timeline, f) for f in facts]
    for index, template in enumerate(timeline.milestones):
        if request.option not in template.options:
            continue
        if any(choices[index][0] for choices in per_concern):  # unless_any matched a concern
            continue
        chosen = [choices[index][2] for choices in per_concern if choices[index][1]]
        if not chosen:
            continue
        candidates = [
            (_window(variant.window, windows, course), position, variant)
            for position, variant in enumerate(chosen)
        ]
        if template.combine == "earliest":
            window, _, variant = min(candidates, key=lambda c: (c[0], c[1]))
        else:
            window, _, variant = min(candidates, key=lambda c: (-c[0][0], -c[0][1], c[1]))
        windows[template.id] = window
        sources = variant.sources
        if variant.window.course_length:
            sources = tuple(dict.fromkeys((*sources, *course.sources)))
        # Milestones are immutable and repeat across plans: one object per template, variant,
        # window and therapy wording is made once per loaded timeline and then shared.
        # id(variant) is a sound key: the memo lives on the timeline that owns the variant.
        key = (template.id, id(variant), window, *fills.values())
        milestone = timeline.prepared.get(key)
        if milestone is None:
            milestone = Milestone(
                id=template.id,
                kind=template.kind,
                day_from=window[0],
                day_to=window[1],
                title=variant.title.format_map(fills),
                text=variant.text.format_map(fills),
                sources=sources,
            )
            timeline.prepared[key] = milestone
        milestones.append(milestone)
    milestones.sort(key=lambda m: (m.day_from, m.id))
    return Plan(option=request.option, milestones=tuple(milestones))


def _template_choices(timeline: Timeline, facts: Facts) -> tuple[tuple[bool, bool, Variant], ...]:
    """For one concern, per template: (excluded by ``unless_any``, selected by ``if_any``, the
    variant it picks). A pure function of the concern's facts, worked out once per timeline."""
    key = (
        "choices",
        facts.option,
        facts.condition,
        facts.severity,
        timeline.age_class(facts.age),
        facts.at_risk,
        facts.high_relapse_risk,
    )
    choices: tuple[tuple[bool, bool, Variant], ...] | None = timeline.prepared.get(key)
    if choices is None:
        choices = tuple(
            (
                template.unless_any is not None and template.unless_any.matches(facts),
                template.if_any is None or template.if_any.matches(facts),
                template.variant_for(facts),
            )
            for template in timeline.milestones
        )
        timeline.prepared[key] = choices
    return choices


def _facts(request: PlanRequest) -> list[Facts]:
    """One Facts per concern, in the canonical order of conditions (never the input order).
    Checks again what PlanRequest checks, for requests made without validation."""
    if not request.concerns:
        raise InputError("concerns", "give at least one concern")
    for index, (condition, severity) in enumerate(request.concerns):
        if condition not in CONDITIONS:
            raise InputError(f"concerns[{index}][0]", f"{condition!r} is not a condition")
        if severity not in SEVERITIES_OR_UNRATED:
            raise InputError(
                f"concerns[{index}][1]", f"{severity!r} is not a severity or '{UNRATED}'"
            )
    concerns = sorted(request.concerns, key=lambda pair: CONDITIONS.index(pair[0]))
    return [
        Facts(
            request.option,
            condition,
            severity,
            request.age,
            request.at_risk,
            request.high_relapse_risk,
        )
        for condition, severity in concerns
    ]


def _lead_course(timeline: Timeline, facts: list[Facts]) -> tuple[TherapyId, Course]:
    """The therapy the plan names: with several concerns, the one with the longest course
    (the latest end), so the plan allows time for it; ties go to the first concern."""
    courses = []
    for index, concern in enumerate(facts):
        therapy = timeline.therapy_for(concern)
        courses.append((timeline.course_for(therapy, concern), index, therapy))
    course, _, therapy = min(courses, key=lambda c: (-c[0].weeks[0], -c[0].weeks[1], c[1]))
    return therapy, course


def _window(window: Window, known: dict[str, tuple[int, int]], course: Course) -> tuple[int, int]:
    base = (0, 0) if window.after is None else known[window.after]
    if window.days is not None:
        offset = window.days
    else:  # course_length (Window allows exactly one of the two)
        offset = (course.weeks[0] * DAYS_PER_WEEK, course.weeks[1] * DAYS_PER_WEEK)
    return base[0] + offset[0], base[1] + offset[1]
