"""A plan: the milestones of one option, with day windows and (once dated) dates, and the
request it is built for. Made by ``planner.py`` from the checked timeline; nothing here reads
content. This module must not do I/O.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Annotated, Any, Literal, NamedTuple

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ModelWrapValidatorHandler,
    StrictBool,
    StrictInt,
    ValidationError,
    model_validator,
)

from bothand.domain.case import input_error
from bothand.domain.errors import InputError
from bothand.domain.vocab import SEVERITIES, Condition, OptionId, Severity

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

SEVERITIES_OR_UNRATED: tuple[SeverityOrUnrated, ...] = (*SEVERITIES, "unrated")


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
