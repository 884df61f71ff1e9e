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


class Arm(ContentModel):
    option: OptionId
    label: PatientText
    events: int = Field(ge=0)  # people out of ``per`` who had the outcome


class Figure(ContentModel):
    id: ContentId
    condition: Condition
    outcome: Outcome
    headline: PatientText
    reference_group: PatientText
    time_frame: PatientText
    per: int = 100
    arms: tuple[Arm, ...] = Field(min_length=1)
    uncertainty: PatientText
    sources: tuple[SourceId, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _events_within_denominator(self) -> Figure:
        for arm in self.arms:
            if arm.events > self.per:
                raise ValueError(f"arm {arm.option}: {arm.events} events out of {self.per}")
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
