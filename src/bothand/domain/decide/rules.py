"""The rule book of the options engine, read from ``content/rules.yaml``.

Rules are written in the closed condition grammar of ``grammar.py`` and may test only the
facts of ``RULE_FACTS`` (a base rule only severity and age band). The book also holds the age
bands the ``age_band`` fact is made from, and the order of fits in which the plan's option is
picked: clinical numbers live here, with their sources, not in code. ``check`` cross-checks
the book once it is loaded. This module must not do I/O.
"""

from __future__ import annotations

import bisect
import itertools
from functools import cached_property
from typing import Annotated, Literal

from pydantic import Field, PositiveInt, model_validator

from bothand.domain.decide.grammar import (
    FACTS,
    UNKNOWN_AGE_BAND,
    Domain,
    Expr,
    Facts,
    FromContent,
    check_facts,
)
from bothand.domain.errors import ContentError
from bothand.domain.knowledge.base import ContentId, ContentModel, Meta, PatientText, SourceId
from bothand.domain.vocab import (
    CONDITIONS,
    FITS,
    NOT_ADVISED,
    OPTION_IDS,
    SEVERITIES,
    UNRATED,
    Condition,
    Fit,
    OptionId,
)

# The facts a rule may test: the person, and one concern.
RULE_FACTS: tuple[str, ...] = (
    "condition",
    "severity",
    "age_band",
    "medication_preference",
    "therapy_preference",
    "able_to_engage_in_therapy",
    "medication_history",
    "therapy_history",
    "urgent",
    "several_concerns",
)
# Base rules decide the starting fits for one concern and may test only these facts.
BASE_FACTS = frozenset({"severity", "age_band"})


class AgeBand(ContentModel):
    """One band of ages: from the previous band's ``below`` (or 0) up to, not including,
    its own ``below`` (the last band has none)."""

    id: ContentId
    below: PositiveInt | None = None


class AgeBands(ContentModel):
    """The values of the ``age_band`` fact, youngest first. A case without an age is in the
    band ``unknown``."""

    bands: tuple[AgeBand, ...] = Field(min_length=1)
    sources: tuple[SourceId, ...] = Field(min_length=1)
    note: str = ""

    @model_validator(mode="after")
    def _in_order(self) -> AgeBands:
        ids = [band.id for band in self.bands]
        if len(set(ids)) != len(ids) or UNKNOWN_AGE_BAND in ids:
            raise ValueError(f"band ids must differ, and none be '{UNKNOWN_AGE_BAND}'")
        limits = [band.below for band in self.bands[:-1]]
        if None in limits or self.bands[-1].below is not None:
            raise ValueError("every band but the last needs 'below'; the last has none")
        if limits != sorted(set(limits)):  # type: ignore[type-var]
            raise ValueError(f"'below' must rise from band to band, not {limits}")
        return self

    @cached_property
    def ids(self) -> tuple[str, ...]:
        """Every value of the fact, ``unknown`` last."""
        return (*(band.id for band in self.bands), UNKNOWN_AGE_BAND)

    @cached_property
    def _limits(self) -> tuple[int, ...]:
        return tuple(band.below for band in self.bands if band.below is not None)

    def band_of(self, age: int | None) -> str:
        """The age band of ``age`` (``unknown`` when it is not given)."""
        if age is None:
            return UNKNOWN_AGE_BAND
        return self.bands[bisect.bisect_right(self._limits, age)].id


class PlanOption(ContentModel):
    """Which option a recommendation's plan is drawn for: the first option (in the order of
    the options) with the first fit of ``fit_order`` that any option has."""

    fit_order: tuple[Fit, ...] = Field(min_length=1)
    sources: tuple[SourceId, ...] = Field(min_length=1)
    note: str = ""

    @model_validator(mode="after")
    def _each_fit_once(self) -> PlanOption:
        if len(set(self.fit_order)) != len(self.fit_order):
            raise ValueError("fit_order: a fit is listed twice")
        if NOT_ADVISED in self.fit_order:
            raise ValueError("fit_order: a plan is never drawn for an option that is not advised")
        return self


class ReasonRef(ContentModel):
    """A reason a rule gives: for one option, or ``all`` options."""

    option: OptionId | Literal["all"]
    reason: ContentId


class Reason(ContentModel):
    """Patient-facing text of a reason. ``{condition}`` is replaced by the concern's name."""

    id: ContentId
    text: PatientText
    sources: tuple[SourceId, ...] = Field(min_length=1)


class Rule(ContentModel):
    id: ContentId
    stage: Literal["base", "adjust"]
    condition: Condition | None = None  # base rules belong to one condition
    explains: str = Field(min_length=10)  # for clinicians: what the rule encodes and why
    when: Expr
    demand: int | None = Field(default=None, ge=0, le=10)  # base only: how much care it needs
    set: dict[OptionId, Fit] = {}
    shift: dict[OptionId, Annotated[int, Field(ge=-2, le=2)]] = {}
    at_most: dict[OptionId, Fit] = {}
    at_least: dict[OptionId, Fit] = {}
    reasons: tuple[ReasonRef, ...] = ()
    sources: tuple[SourceId, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _base_shape(self) -> Rule:
        check_facts(self.when, RULE_FACTS, "a rule")
        if self.stage == "base":
            if self.condition is None or self.demand is None:
                raise ValueError("a base rule needs a condition and a demand")
            if set(self.set) != set(OPTION_IDS) or self.shift or self.at_most or self.at_least:
                raise ValueError("a base rule sets every option and nothing else")
            check_facts(self.when, sorted(BASE_FACTS), "a base rule")
        elif self.condition is not None or self.demand is not None:
            raise ValueError("only base rules have a condition and a demand")
        return self


class Precedence(ContentModel):
    """With several concerns, a guideline's order of treatment: when ``leads`` and ``over``
    are both concerns, ``leads`` sets the fits whatever the demands, unless ``unless`` holds
    for ``over`` (tested on that concern and the person). The floor reason is then
    ``reason``."""

    id: ContentId
    leads: Condition
    over: Condition
    unless: Expr
    reason: ContentId
    explains: str = Field(min_length=10)
    sources: tuple[SourceId, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _shape(self) -> Precedence:
        check_facts(self.unless, RULE_FACTS, "a precedence's unless")
        if self.leads == self.over:
            raise ValueError("a condition cannot take precedence over itself")
        return self


class RuleBook(ContentModel):
    meta: Meta
    rules: tuple[Rule, ...]
    reasons: tuple[Reason, ...]
    fallback_reasons: dict[OptionId, dict[Fit, ContentId]]  # when no rule gave the option one
    floor_reason: ContentId  # said when several concerns are present
    age_bands: AgeBands
    plan_option: PlanOption
    precedence: tuple[Precedence, ...] = ()

    @model_validator(mode="after")
    def _age_bands_known(self) -> RuleBook:
        bands = self.age_bands.ids
        for index, rule in enumerate(self.rules):
            for test in rule.when.comparisons():
                if isinstance(FACTS[test.fact], FromContent):
                    wrong = [v for v in test.values_tested() if v not in bands]
                    if wrong:
                        raise ValueError(
                            f"rules[{index}] ({rule.id}): when: age_band cannot be "
                            f"{wrong[0]!r}; the bands of age_bands are {list(bands)}"
                        )
        return self

    @cached_property
    def facts(self) -> dict[str, Domain]:
        """The values of every fact a rule may test (the age bands from this book)."""
        domains = {fact: FACTS[fact] for fact in RULE_FACTS}
        domains["age_band"] = self.age_bands.ids
        return domains

    def base_rules(self, condition: str) -> tuple[Rule, ...]:
        return self._base_by_condition.get(condition, ())

    def adjust_rules(self) -> tuple[Rule, ...]:
        return self._adjust

    def reason(self, reason_id: str) -> Reason:
        return self._reasons_by_id[reason_id]

    @cached_property
    def advising_against(self) -> dict[OptionId, frozenset[str]]:
        """For each option, the reasons given to it by the rules that can make it not advised
        (``set`` or ``at_most`` to ``not_advised``). An option that ends not advised keeps
        only these (and the floor reason): the others were written for a fit it no longer
        has, and could say the opposite ("waiting is a fair choice")."""
        against: dict[OptionId, set[str]] = {option: set() for option in OPTION_IDS}
        for rule in self.rules:
            for option in OPTION_IDS:
                if NOT_ADVISED in (rule.set.get(option), rule.at_most.get(option)):
                    against[option] |= {
                        ref.reason for ref in rule.reasons if ref.option in (option, "all")
                    }
        return {option: frozenset(ids) for option, ids in against.items()}

    # Indexes built once per loaded book (the model is frozen, so they never go stale).
    @cached_property
    def _base_by_condition(self) -> dict[str, tuple[Rule, ...]]:
        index: dict[str, list[Rule]] = {}
        for rule in self.rules:
            if rule.stage == "base" and rule.condition is not None:
                index.setdefault(rule.condition, []).append(rule)
        # Exactly one base rule fires per concern, so their order is free; sorting by id keeps
        # the trace the same whatever order the file lists them in.
        return {
            condition: tuple(sorted(rules, key=lambda rule: rule.id))
            for condition, rules in index.items()
        }

    @cached_property
    def _adjust(self) -> tuple[Rule, ...]:
        return tuple(r for r in self.rules if r.stage == "adjust")

    @cached_property
    def _reasons_by_id(self) -> dict[str, Reason]:
        return {reason.id: reason for reason in self.reasons}

    def check(self, reason_ids: set[str]) -> None:
        """Cross-check the book: ids unique and resolvable, base rules cover every
        condition × severity × age band exactly once."""
        seen: set[str] = set()
        for rule in self.rules:
            if rule.id in seen:
                raise ContentError(f"rules.yaml: {rule.id}", "rule id is used twice")
            seen.add(rule.id)
            for ref in rule.reasons:
                if ref.reason not in reason_ids:
                    raise ContentError(
                        f"rules.yaml: {rule.id}", f"reason '{ref.reason}' is not defined"
                    )
        if len(reason_ids) != len(self.reasons):
            raise ContentError("rules.yaml: reasons", "a reason id is used twice")
        for option in OPTION_IDS:
            for fit in FITS:
                reason_id = self.fallback_reasons.get(option, {}).get(fit)
                if reason_id not in reason_ids:
                    raise ContentError(
                        "rules.yaml: fallback_reasons", f"{option}/{fit} has no reason"
                    )
        for rule, option in itertools.product(self.rules, OPTION_IDS):
            if NOT_ADVISED in (rule.set.get(option), rule.at_most.get(option)) and not any(
                ref.option in (option, "all") for ref in rule.reasons
            ):
                raise ContentError(
                    f"rules.yaml: {rule.id}",
                    f"it can make {option} not advised, so it must give {option} a reason",
                )
        for rank in self.precedence:
            if rank.reason not in reason_ids:
                raise ContentError(
                    f"rules.yaml: {rank.id}", f"reason '{rank.reason}' is not defined"
                )
        if self.floor_reason not in reason_ids:
            raise ContentError("rules.yaml: floor_reason", f"'{self.floor_reason}' is not defined")
        for condition in CONDITIONS:
            rules = self.base_rules(condition)
            for severity, age_band in itertools.product((*SEVERITIES, UNRATED), self.age_bands.ids):
                facts: Facts = {"severity": severity, "age_band": age_band}
                fired = [rule.id for rule in rules if rule.when.evaluate(facts)[0]]
                if len(fired) != 1:
                    raise ContentError(
                        f"rules.yaml: base rules for {condition}",
                        f"severity {severity}, age band {age_band}: {len(fired)} rules fire "
                        f"({', '.join(fired) or 'none'}); exactly one must",
                    )
