"""Alert rules (``alerts.yaml``): when the record raises the alerts that follow a person over
time (getting worse, a review due, something overdue), with the reason code each one carries.
A reason's words live in the locale files (``clinic.alerts.reason.<code>``); the catalog checks
that each code has words and that each milestone kind named is one the timeline uses.

Critical alerts (a positive risk answer) are not configured here: nothing turns them off.
"""

from __future__ import annotations

from pydantic import Field, model_validator

from bothand.domain.knowledge.base import ContentId, ContentModel, Meta, SourceId
from bothand.domain.knowledge.outcomes import FindingKind

ReasonCode = ContentId


class DeteriorationRule(ContentModel):
    """A measurement whose instrument's progress shows reliable deterioration (a rise of at
    least the profile's threshold from the first score) raises one alert, unless one for the
    same instrument is still open or acknowledged."""

    reason: ReasonCode
    sources: tuple[SourceId, ...] = Field(min_length=1)
    note: str = ""


class Talk(ContentModel):
    """The conversation a milestone kind prepares (continue / taper / stop, or the long-term
    review): due once its window has opened and, when ``remission_days`` is set, once every
    measured instrument with a remission cut-off has shown remission for at least that many
    days without a break."""

    milestone_kind: ContentId
    reason: ReasonCode
    remission_days: int | None = Field(default=None, ge=1)
    sources: tuple[SourceId, ...] = Field(min_length=1)
    note: str = ""


class ReviewDueRules(ContentModel):
    """``too_little``: the reason for each finding kind that asks for a second decision;
    ``talks``: the conversations that become due after the stable period."""

    too_little: dict[FindingKind, ReasonCode] = Field(min_length=1)
    talks: tuple[Talk, ...] = ()
    sources: tuple[SourceId, ...] = Field(min_length=1)
    note: str = ""

    @model_validator(mode="after")
    def _one_talk_per_kind(self) -> ReviewDueRules:
        kinds = [talk.milestone_kind for talk in self.talks]
        if len(kinds) != len(set(kinds)):
            raise ValueError("talks name a milestone kind twice")
        return self


class OverdueRules(ContentModel):
    """A review point of one of ``milestone_kinds`` (those where a score is expected) is
    overdue ``grace_days`` after its window closed with no score taken since it opened; a
    check-in link is overdue when it expired unused and nothing was measured since it was
    made."""

    milestone_kinds: tuple[ContentId, ...] = Field(min_length=1)
    grace_days: int = Field(default=0, ge=0, le=60)
    review_point_reason: ReasonCode
    check_in_reason: ReasonCode
    sources: tuple[SourceId, ...] = Field(min_length=1)
    note: str = ""


class AlertRules(ContentModel):
    """``alerts.yaml``."""

    meta: Meta
    deterioration: DeteriorationRule
    review_due: ReviewDueRules
    overdue: OverdueRules

    @property
    def reasons(self) -> tuple[str, ...]:
        """Every reason code the rules can give."""
        return (
            self.deterioration.reason,
            *self.review_due.too_little.values(),
            *(talk.reason for talk in self.review_due.talks),
            self.overdue.review_point_reason,
            self.overdue.check_in_reason,
        )

    def talk(self, milestone_kind: str) -> Talk | None:
        return next((t for t in self.review_due.talks if t.milestone_kind == milestone_kind), None)
