"""Outcome profiles: the thresholds that turn a run of scores into progress labels.

A profile names, per instrument, the published values used to read change: the reliable-change
threshold (given directly, or worked out by Jacobson and Truax's formula from a standard
deviation and a reliability), the fraction of the first score a fall must reach to count as a
response, the score below which a person is in remission, and the caseness cut-off NHS
Talking Therapies uses for recovery. Every value carries the sources it comes from; a value no
source gives is left out, and the label that needs it is then not defined.
"""

from __future__ import annotations

import math
from typing import Literal

from pydantic import Field, model_validator

from bothand.domain.knowledge.base import ContentId, ContentModel, Meta, SourceId

# Jacobson and Truax (1991): a change is reliable at p < .05 when it is at least 1.96 standard
# errors of the difference.
RELIABLE_Z = 1.96


class Threshold(ContentModel):
    """One published number and where it comes from."""

    value: float
    sources: tuple[SourceId, ...] = Field(min_length=1)
    note: str = ""


class ReliabilityBasis(ContentModel):
    """What a Jacobson-Truax reliable-change threshold is worked out from: the standard
    deviation of scores before treatment and the measure's reliability. ``decimals`` is how
    the threshold is rounded (the research notes give one decimal)."""

    sd: float = Field(gt=0)
    reliability: float = Field(gt=0, lt=1)
    decimals: int = Field(default=1, ge=0, le=3)
    sources: tuple[SourceId, ...] = Field(min_length=1)
    note: str = ""

    @property
    def threshold(self) -> float:
        """RC = 1.96 x S_diff, where S_diff = sqrt(2) x SEM and SEM = SD x sqrt(1 - r)."""
        sem = self.sd * math.sqrt(1 - self.reliability)
        return round(RELIABLE_Z * math.sqrt(2) * sem, self.decimals)


class InstrumentOutcomes(ContentModel):
    """The thresholds one profile uses for one instrument; a missing one leaves its label
    undefined (null) for this instrument."""

    instrument: ContentId
    reliable_change: Threshold | None = None  # a fall or rise of at least this many points
    jacobson_truax: ReliabilityBasis | None = None  # or worked out from SD and reliability
    response_fraction: Threshold | None = None  # a fall of at least this share of the first
    remission_below: Threshold | None = None  # the latest score below this value
    caseness_at_or_above: Threshold | None = None  # NHS Talking Therapies caseness

    @model_validator(mode="after")
    def _one_reliable_change(self) -> InstrumentOutcomes:
        if self.reliable_change is not None and self.jacobson_truax is not None:
            raise ValueError("give reliable_change or jacobson_truax, not both")
        if self.reliable_change is not None and self.reliable_change.value <= 0:
            raise ValueError("reliable_change must be above 0")
        if self.response_fraction is not None and not 0 < self.response_fraction.value <= 1:
            raise ValueError("response_fraction must be above 0 and at most 1")
        return self

    @property
    def reliable_change_threshold(self) -> float | None:
        if self.reliable_change is not None:
            return self.reliable_change.value
        if self.jacobson_truax is not None:
            return self.jacobson_truax.threshold
        return None


class OutcomeProfile(ContentModel):
    """A named set of thresholds; the id is recorded with every result made with it."""

    id: ContentId
    name: str = Field(min_length=1)
    description: str = Field(min_length=1)
    sources: tuple[SourceId, ...] = Field(min_length=1)
    instruments: tuple[InstrumentOutcomes, ...] = Field(min_length=1)
    left_out: str = ""  # instruments without a sourced value here, and why

    @model_validator(mode="after")
    def _unique_instruments(self) -> OutcomeProfile:
        ids = [entry.instrument for entry in self.instruments]
        if len(ids) != len(set(ids)):
            raise ValueError(f"profile '{self.id}' lists an instrument twice")
        return self

    def for_instrument(self, instrument: str) -> InstrumentOutcomes | None:
        for entry in self.instruments:
            if entry.instrument == instrument:
                return entry
        return None


FindingKind = Literal["reliable_improvement", "some_change", "no_reliable_change", "worse"]
FINDING_KINDS: tuple[FindingKind, ...] = (
    "reliable_improvement",
    "some_change",
    "no_reliable_change",
    "worse",
)


class FindingRules(ContentModel):
    """How a review point reads the scores (``outcomes.yaml``, ``findings``)."""

    milestone_kinds: tuple[ContentId, ...] = Field(min_length=1)
    some_change_at_least: float = Field(gt=0, lt=1)  # a share of the reliable-change threshold
    fallback_profile: ContentId | None = None
    too_little: tuple[FindingKind, ...] = Field(min_length=1)
    sources: tuple[SourceId, ...] = Field(min_length=1)
    note: str = ""


class Outcomes(ContentModel):
    """``outcomes.yaml``: the profiles, which one is used when none is named, and how a
    review point reads the scores."""

    meta: Meta
    default_profile: ContentId
    profiles: tuple[OutcomeProfile, ...] = Field(min_length=1)
    findings: FindingRules

    @model_validator(mode="after")
    def _default_exists(self) -> Outcomes:
        ids = [profile.id for profile in self.profiles]
        if len(ids) != len(set(ids)):
            raise ValueError("two profiles share an id")
        if self.default_profile not in ids:
            raise ValueError(f"default_profile '{self.default_profile}' is not a profile")
        fallback = self.findings.fallback_profile
        if fallback is not None and fallback not in ids:
            raise ValueError(f"findings.fallback_profile '{fallback}' is not a profile")
        return self

    def profile(self, profile_id: str | None = None) -> OutcomeProfile:
        """The named profile, or the default; KeyError for an unknown id."""
        wanted = profile_id or self.default_profile
        for profile in self.profiles:
            if profile.id == wanted:
                return profile
        raise KeyError(wanted)
