"""The rules of a second decision (``redecide.yaml``): when a review point finds too little
change, what has been learned is turned into changes to the first case, and reasons say what
was tried, for how long, and what is usual next.

A rule's ``when`` is a short row, as a timeline row is: each key given must hold, and a rule
with no key applies to every re-decision. The facts are the chosen ``option``, the
finding's ``kind``, the review point's ``milestone_kind``, the ``condition`` of the concern
the finding measured, and ``weeks`` of treatment by the latest score. Rules run in file
order; a later rule's ``history`` overrides an earlier one's for the same treatment
(``as_before`` keeps the first case's value: "too soon to judge").

This module owns the content's shape only; ``domain.review.redecide`` applies it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

from pydantic import Field, model_validator

from bothand.domain.knowledge.base import ContentId, ContentModel, Meta, PatientText, SourceId
from bothand.domain.knowledge.outcomes import FindingKind
from bothand.domain.vocab import Condition, OptionId

Treatment = Literal["medication", "therapy"]
HistoryChange = Literal["did_not_help", "as_before"]


class RedecideFacts(ContentModel):
    """What a rule's ``when`` is tested on, for one re-decision."""

    option: OptionId
    finding: FindingKind
    milestone_kind: str
    condition: Condition
    weeks: int = Field(ge=0)


class RedecideWhen(ContentModel):
    """Each key given must hold; none given: always."""

    options: tuple[OptionId, ...] | None = None
    findings: tuple[FindingKind, ...] | None = None
    milestone_kinds: tuple[ContentId, ...] | None = None
    conditions: tuple[Condition, ...] | None = None
    weeks_at_least: int | None = Field(default=None, ge=0)
    weeks_below: int | None = Field(default=None, ge=1)

    def evaluate(self, facts: RedecideFacts) -> tuple[bool, str]:
        """Whether the row holds, with a sentence saying why (each test marked ✓ or ✗)."""
        tests: list[tuple[bool, str]] = []
        lists: Mapping[str, tuple[tuple[str, ...] | None, str]] = {
            "option": (self.options, facts.option),
            "finding": (self.findings, facts.finding),
            "milestone_kind": (self.milestone_kinds, facts.milestone_kind),
            "condition": (self.conditions, facts.condition),
        }
        for name, (wanted, actual) in lists.items():
            if wanted is not None:
                ok = actual in wanted
                tests.append((ok, f"{name} is {actual} (rule wants one of {', '.join(wanted)})"))
        if self.weeks_at_least is not None:
            ok = facts.weeks >= self.weeks_at_least
            tests.append(
                (ok, f"weeks is {facts.weeks} (rule wants at least {self.weeks_at_least})")
            )
        if self.weeks_below is not None:
            ok = facts.weeks < self.weeks_below
            tests.append((ok, f"weeks is {facts.weeks} (rule wants below {self.weeks_below})"))
        if not tests:
            return True, "applies to every re-decision"
        return all(ok for ok, _ in tests), "; ".join(
            f"{why} {'✓' if ok else '✗'}" for ok, why in tests
        )


class RedecideRule(ContentModel):
    id: ContentId
    explains: str = Field(min_length=10)  # for clinicians: what the rule encodes and why
    when: RedecideWhen = RedecideWhen()
    history: dict[Treatment, HistoryChange] = {}
    reasons: tuple[ContentId, ...] = ()
    sources: tuple[SourceId, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _does_something(self) -> RedecideRule:
        if not self.history and not self.reasons:
            raise ValueError(f"rule '{self.id}' changes no history and gives no reason")
        return self


class RedecideReason(ContentModel):
    """Patient-facing words. ``{weeks}`` is replaced by the weeks of treatment by the latest
    score, ``{condition}`` by the concern's name."""

    id: ContentId
    text: PatientText
    sources: tuple[SourceId, ...] = Field(min_length=1)


class Rerate(ContentModel):
    """How the concern's severity is read again: from the latest score, by the instrument's
    own bands (an instrument without severity bands leaves it as it was)."""

    explains: str = Field(min_length=10)
    sources: tuple[SourceId, ...] = Field(min_length=1)


class Replaces(ContentModel):
    """Rule-book reasons that speak of what the person told us about a treatment (``You said
    a medicine did not help``). When the re-read marks that treatment as tried, the scores,
    not the person, said so, and the re-decision's own reasons say what was learned: these
    are left out of the options decided again."""

    medication: tuple[ContentId, ...] = ()
    therapy: tuple[ContentId, ...] = ()
    explains: str = Field(min_length=10)


class Redecide(ContentModel):
    meta: Meta
    rerate: Rerate
    replaces: Replaces | None = None
    rules: tuple[RedecideRule, ...] = Field(min_length=1)
    reasons: tuple[RedecideReason, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _ids_resolve(self) -> Redecide:
        rule_ids = [rule.id for rule in self.rules]
        if len(rule_ids) != len(set(rule_ids)):
            raise ValueError("a rule id is used twice")
        reason_ids = [reason.id for reason in self.reasons]
        if len(reason_ids) != len(set(reason_ids)):
            raise ValueError("a reason id is used twice")
        known = set(reason_ids)
        for rule in self.rules:
            for reason in rule.reasons:
                if reason not in known:
                    raise ValueError(f"rule '{rule.id}': reason '{reason}' is not defined")
        return self

    def reason(self, reason_id: str) -> RedecideReason:
        return next(reason for reason in self.reasons if reason.id == reason_id)

    def milestone_kinds(self) -> set[str]:
        """Every milestone kind a rule names (the catalog checks each against the timeline)."""
        return {kind for rule in self.rules for kind in rule.when.milestone_kinds or ()}
