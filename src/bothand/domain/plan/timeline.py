"""The care-plan timeline as content: the shape of ``content/timeline.yaml`` (``Timeline``
and its parts), read by ``catalog.py`` and checked here. ``planner.py`` turns it into plans.

Every clinical number (review days, weeks to full effect, course lengths, how long to stay
well before the medicine talk, how many past episodes make relapse more likely) lives in the
content; the code only adds windows together and picks between them. It does no I/O and never
names a drug or a dose: milestones prepare a conversation with a clinician.

A ``when`` is a condition of the one grammar (``decide/grammar.py``) over ``PLAN_FACTS``. In
content it is usually written in a short form that reads as a table row:
``{conditions: [...], severities: [...], options: [...], age_from: N, age_to: N, at_risk: B,
high_relapse_risk: B}``. Each key given must hold (``all``); an empty list or a missing key
tests nothing; ages are inclusive, and an unknown age passes no age limit. The grammar's own
shape (``{fact, op, value}``, ``all``, ``any``, ``not``) is accepted too.
"""

from __future__ import annotations

import string
from functools import cached_property
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import BeforeValidator, Field, NonNegativeInt, PositiveInt, model_validator

from bothand.domain.decide.grammar import (
    ALWAYS,
    FACTS,
    Always,
    Expr,
    check_facts,
    show_facts,
)
from bothand.domain.decide.masks import MaskIndex
from bothand.domain.knowledge.base import ContentId, ContentModel, Meta, PatientText, SourceId
from bothand.domain.plan.plan import (
    SEVERITIES_OR_UNRATED,
    MilestoneKind,
)
from bothand.domain.vocab import CONDITIONS, OPTION_IDS, THERAPY_IDS, OptionId, TherapyId

if TYPE_CHECKING:
    from bothand.domain.plan.planner import Planner

__all__ = [
    "DAYS_PER_WEEK",
    "MEDICATION_KINDS",
    "MEDICATION_OPTIONS",
    "PLAN_FACTS",
    "SHORT_TITLE_MAX",
    "TABLE_FACTS",
    "Course",
    "CourseLength",
    "HighRelapseRisk",
    "MilestoneTemplate",
    "TherapyChoice",
    "Timeline",
    "Variant",
    "When",
    "Window",
]

# The facts a timeline ``when`` may test: the plan's option, and one concern with the
# person's context. The tables that pick a therapy course test only the concern.
PLAN_FACTS: tuple[str, ...] = (
    "option",
    "condition",
    "severity",
    "age",
    "urgent",
    "high_relapse_risk",
)
TABLE_FACTS: tuple[str, ...] = ("condition", "severity", "age")

# What the options *are*: medicine from day 0 only in these three. A milestone about medicine
# may apply to no other option, so a therapy-only or monitoring plan never gets one.
MEDICATION_OPTIONS: frozenset[OptionId] = frozenset({"medication", "combined", "medication_first"})
MEDICATION_KINDS: frozenset[MilestoneKind] = frozenset(
    {"medication_review", "full_effect", "continue_taper_stop", "continue_and_review"}
)
PLACEHOLDERS = frozenset({"therapy", "length"})  # {therapy}: plain name; {length}: course length
DAYS_PER_WEEK = 7
SHORT_TITLE_MAX = 24  # a milestone's calendar title, before the "Bothand: " prefix

Name = Annotated[str, Field(min_length=1)]
Combine = Literal["earliest", "latest"]

# --- the short form of a ``when`` --------------------------------------------------------------

# short key -> the fact it tests (lists: op "in"; booleans: op "eq")
_LISTS = {"conditions": "condition", "severities": "severity", "options": "option"}
_FLAGS = {"at_risk": "urgent", "high_relapse_risk": "high_relapse_risk"}
_AGES = {"age_from": "ge", "age_to": "le"}
_SHORT_KEYS = (*_LISTS, *_AGES, *_FLAGS)
_GRAMMAR_KEYS = frozenset({"fact", "all", "any", "not", "always"})


def _from_short_form(data: Any) -> Any:
    """A ``when`` in the short form, as the grammar's own shape (anything else unchanged,
    for the grammar to check)."""
    if not isinstance(data, dict) or _GRAMMAR_KEYS & data.keys():
        return data
    unknown = [key for key in data if key not in _SHORT_KEYS]
    if unknown:
        raise ValueError(
            f"unknown key {unknown[0]!r}; a 'when' takes {', '.join(_SHORT_KEYS)} "
            "(or the rule grammar: fact/op/value, all, any, not)"
        )
    tests: list[dict[str, Any]] = []
    for key, fact in _LISTS.items():
        values = data.get(key)
        if values is None:
            continue
        if not isinstance(values, (list, tuple)):
            raise ValueError(f"{key}: give a list")
        if values:  # an empty list tests nothing
            tests.append({"fact": fact, "op": "in", "value": tuple(values)})
    age_from, age_to = data.get("age_from"), data.get("age_to")
    if isinstance(age_from, int) and isinstance(age_to, int) and age_from > age_to:
        raise ValueError(f"age_from {age_from} is above age_to {age_to}")
    for key, op in _AGES.items():
        if data.get(key) is not None:
            tests.append({"fact": "age", "op": op, "value": data[key]})
    for key, fact in _FLAGS.items():
        if data.get(key) is not None:
            if not isinstance(data[key], bool):
                raise ValueError(f"{key}: give true or false")
            tests.append({"fact": fact, "op": "eq", "value": data[key]})
    if not tests:
        return {"always": True}
    return tests[0] if len(tests) == 1 else {"all": tests}


When = Annotated[Expr, BeforeValidator(_from_short_form)]


def _is_always(when: Expr) -> bool:
    return isinstance(when, Always)


class HighRelapseRisk(ContentModel):
    """When a person counts as at a higher risk of relapse (the ``high_relapse_risk`` fact)."""

    previous_episodes_at_least: PositiveInt
    sources: tuple[SourceId, ...] = Field(min_length=1)
    note: str = ""


# --- content --------------------------------------------------------------------------------


class Window(ContentModel):
    """Days counted from day 0, or from the window of an earlier milestone (``after``): the
    start moves with that window's start and the end with its end. ``course_length`` uses the
    weeks of the therapy course instead of fixed days; with ``through`` the window runs from
    the start of the anchor's window to the end of the course (a step done at every session)."""

    after: ContentId | None = None
    days: tuple[NonNegativeInt, NonNegativeInt] | None = None
    course_length: bool = False
    through: bool = False

    @model_validator(mode="after")
    def _one_kind_of_offset(self) -> Window:
        if (self.days is None) == (not self.course_length):
            raise ValueError("give exactly one of days, course_length")
        if self.days is not None and self.days[0] > self.days[1]:
            raise ValueError(f"days {list(self.days)} end before they start")
        if self.course_length and self.after is None:
            raise ValueError("course_length needs 'after' (the milestone the course starts at)")
        if self.through and not self.course_length:
            raise ValueError("through needs course_length (it runs to the end of the course)")
        return self


class Variant(ContentModel):
    when: When = ALWAYS
    window: Window
    title: PatientText
    text: PatientText
    sources: tuple[SourceId, ...] = Field(min_length=1)


class MilestoneTemplate(ContentModel):
    """One step of a plan. ``if_any``: only when a concern matches (and only those concerns
    choose the variant); ``unless_any``: never when a concern matches. ``short_title`` names
    the step in a calendar, where a phone shows about two dozen characters of a title."""

    id: Annotated[ContentId, Field(pattern=r"^milestone\.")]
    kind: MilestoneKind
    short_title: Annotated[PatientText, Field(max_length=SHORT_TITLE_MAX)]
    options: tuple[OptionId, ...] = Field(min_length=1)
    if_any: When | None = None
    unless_any: When | None = None
    combine: Combine = "earliest"
    variants: tuple[Variant, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _last_variant_always_matches(self) -> MilestoneTemplate:
        if not _is_always(self.variants[-1].when):
            raise ValueError(f"{self.id}: the last variant must have no 'when' (the fallback)")
        if self.kind in MEDICATION_KINDS and not set(self.options) <= MEDICATION_OPTIONS:
            raise ValueError(
                f"{self.id}: a {self.kind} milestone is only for options with medicine"
            )
        return self


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
    when: When = ALWAYS
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
    high_relapse_risk: HighRelapseRisk

    @cached_property
    def planner(self) -> Planner:
        """The timeline compiled for building plans (once per loaded timeline)."""
        # Imported here: the planner is built from this model, so it imports this module.
        from bothand.domain.plan.planner import Planner

        return Planner(self)

    @cached_property
    def short_titles(self) -> dict[str, str]:
        """Each milestone's calendar title, by milestone id."""
        return {template.id: template.short_title for template in self.milestones}

    def is_high_relapse_risk(self, previous_episodes: int) -> bool:
        """Whether this many past episodes make a relapse more likely (``high_relapse_risk``)."""
        return previous_episodes >= self.high_relapse_risk.previous_episodes_at_least

    @model_validator(mode="after")
    def _check(self) -> Timeline:
        missing = [t for t in THERAPY_IDS if t not in self.therapy_names]
        if missing:
            raise ValueError(f"therapy_names: missing {missing}")
        self._check_facts()
        self._check_tables()
        self._check_milestones()
        return self

    def _check_facts(self) -> None:
        """Each ``when`` tests only the facts its place supplies, named by its field."""
        for table in ("therapy_choice", "courses"):
            rows: tuple[TherapyChoice | Course, ...] = getattr(self, table)
            for index, row in enumerate(rows):
                check_facts(row.when, TABLE_FACTS, f"{table}[{index}].when ({row.therapy})")
        for index, template in enumerate(self.milestones):
            where = f"milestones[{index}] ({template.id})"
            for name in ("if_any", "unless_any"):
                test = getattr(template, name)
                if test is not None:
                    check_facts(test, PLAN_FACTS, f"{where}.{name}")
            for number, variant in enumerate(template.variants):
                check_facts(variant.when, PLAN_FACTS, f"{where}.variants[{number}].when")

    def _check_tables(self) -> None:
        fallback = {c.therapy for c in self.courses if _is_always(c.when)}
        missing = [t for t in THERAPY_IDS if t not in fallback]
        if missing:
            raise ValueError(f"courses: no row without 'when' for {missing}")
        # every condition, severity and age (by class) has a row
        rows = MaskIndex(
            [row.when for row in self.therapy_choice], {f: FACTS[f] for f in TABLE_FACTS}
        )
        ages = rows.classes["age"]
        for condition in CONDITIONS:
            for severity in SEVERITIES_OR_UNRATED:
                for key in ages.every():
                    facts = {"condition": condition, "severity": severity, "age": ages.example(key)}
                    if not rows.holding(facts):
                        raise ValueError(f"therapy_choice: no row holds for {show_facts(facts)}")
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
                    anchor.if_any is not None
                    or anchor.unless_any is not None
                    or not set(template.options) <= set(anchor.options)
                ):
                    raise ValueError(
                        f"{template.id}: '{anchor_id}' is not in every plan this one is in"
                    )
            earlier[template.id] = template
        for option in OPTION_IDS:
            if not any(
                t.kind == "remeasure"
                and option in t.options
                and t.if_any is None
                and t.unless_any is None
                for t in self.milestones
            ):
                raise ValueError(f"milestones: no remeasure milestone for option '{option}'")


def _fields(text: str) -> set[str]:
    """The placeholder names in ``text``; a format spec or conversion counts as unknown."""
    found: set[str] = set()
    for _, name, spec, conversion in string.Formatter().parse(text):
        if name is not None:
            found.add(name if not spec and not conversion else f"{name}!{conversion}:{spec}")
    return found
