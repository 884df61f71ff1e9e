"""Outcome figures per option, as natural frequencies with one denominator per figure
("out of 100 people like you"), a reference group, a time frame, uncertainty and sources.
Where no figure exists for a condition and option, content says so rather than invent one."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from bothand.domain.knowledge.base import (
    ContentId,
    ContentModel,
    Meta,
    PatientText,
    SourceId,
    Statement,
)
from bothand.domain.vocab import Condition, OptionId

Outcome = Literal["response", "remission", "recovery", "relapse", "improvement"]
# How the figure was counted: one randomised trial, trials pooled in a review, a model built
# from cohorts and wait lists, or service records with no comparison group (never a trial).
Design = Literal["trial", "review", "cohort_model", "observational"]
RatioKind = Literal["hazard_ratio", "risk_ratio", "odds_ratio"]


class Interval(ContentModel):
    """A published range (95% confidence interval) around an arm's count, out of ``per``."""

    low: int = Field(ge=0)
    high: int = Field(ge=0)


class Ratio(ContentModel):
    """A published ratio between two arms of a figure, with its 95% confidence interval."""

    kind: RatioKind
    point: float = Field(gt=0)
    low: float = Field(gt=0)
    high: float = Field(gt=0)
    words: PatientText  # the ratio told as a comparison, not a chance

    @model_validator(mode="after")
    def _ordered(self) -> Ratio:
        if not self.low <= self.point <= self.high:
            raise ValueError(f"ratio range {self.low}-{self.high} does not hold {self.point}")
        return self


class Arm(ContentModel):
    option: OptionId
    label: PatientText
    events: int = Field(ge=0)  # people out of ``per`` who had the outcome
    interval: Interval | None = None  # only where the source publishes one


class Figure(ContentModel):
    id: ContentId
    condition: Condition
    outcome: Outcome
    headline: PatientText
    reference_group: PatientText
    time_frame: PatientText
    design: Design
    people: int | None = Field(default=None, gt=0)  # how many the source counted, if one count
    denominator: PatientText  # who the "out of 100" counts (everyone who started, finishers...)
    per: int = 100
    arms: tuple[Arm, ...] = Field(min_length=1)
    ratio: Ratio | None = None
    uncertainty: PatientText
    sources: tuple[SourceId, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _events_within_denominator(self) -> Figure:
        for arm in self.arms:
            if arm.events > self.per:
                raise ValueError(f"arm {arm.option}: {arm.events} events out of {self.per}")
            band = arm.interval
            if band is not None and not band.low <= arm.events <= band.high <= self.per:
                raise ValueError(
                    f"arm {arm.option}: range {band.low}-{band.high} out of {self.per}"
                    f" does not hold {arm.events}"
                )
        if self.ratio is not None and len(self.arms) < 2:
            raise ValueError("a ratio compares two arms; this figure has one")
        return self


class Gap(ContentModel):
    """An honest 'no figure' for options of a condition that no figure covers."""

    condition: Condition
    options: tuple[OptionId, ...] = Field(min_length=1)
    statement: Statement


class RelativeFinding(ContentModel):
    """A comparison published only as a ratio or effect size, told in words."""

    id: ContentId
    condition: Condition
    options: tuple[OptionId, ...] = Field(min_length=1)
    statement: Statement


class Evidence(ContentModel):
    meta: Meta
    figures: tuple[Figure, ...] = ()
    relative: tuple[RelativeFinding, ...] = ()
    gaps: tuple[Gap, ...] = ()
