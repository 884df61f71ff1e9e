"""The closed rule grammar of the options engine, and the rule book read from content.

Each node answers two questions: ``holds(facts)`` (fast, for deciding) and
``evaluate(facts)`` (the same answer with a sentence saying why, for the trace).

A condition is a tree of ``all`` / ``any`` / ``not`` over tests ``{fact, op, value}``; there is
no ``eval`` and nothing executable in content. Every fact has a declared vocabulary, so a typo
in a rule (``severity: modrate``) is a content error at load time, not a rule that never fires.

Evaluation returns whether the condition holds *and* a sentence saying why, so the engine can
show a clinician every rule it considered. This module must not do I/O.
"""

from __future__ import annotations

import itertools
from functools import cached_property
from typing import Annotated, Literal

from pydantic import ConfigDict, Field, model_validator

from bothand.domain.errors import ContentError
from bothand.domain.knowledge.base import ContentId, ContentModel, Meta, PatientText, SourceId
from bothand.domain.vocab import (
    CONDITIONS,
    FITS,
    OPTION_IDS,
    PREFERENCES,
    SEVERITIES,
    UNRATED,
    Condition,
    Fit,
    OptionId,
)

Value = str | bool

AGE_BANDS: tuple[str, ...] = ("under_5", "5_to_17", "18_to_25", "26_plus", "unknown")
HISTORY: tuple[str, ...] = ("helped", "did_not_help", "not_tried")

# Every fact a rule may test, with the values it can take.
FACTS: dict[str, tuple[Value, ...]] = {
    "condition": CONDITIONS,
    "severity": (*SEVERITIES, UNRATED),
    "age_band": AGE_BANDS,
    "medication_preference": PREFERENCES,
    "therapy_preference": PREFERENCES,
    "able_to_engage_in_therapy": (True, False),
    "medication_history": HISTORY,
    "therapy_history": HISTORY,
    "urgent": (True, False),
    "several_concerns": (True, False),
}
# Base rules decide the starting fits for one concern and may test only these facts.
BASE_FACTS = frozenset({"severity", "age_band"})

Facts = dict[str, Value]


class Comparison(ContentModel):
    """``{fact, op, value}``: the only leaf of the grammar."""

    fact: str
    op: Literal["eq", "ne", "in", "not_in"]
    value: Value | tuple[str, ...]

    @model_validator(mode="after")
    def _value_in_vocabulary(self) -> Comparison:
        if self.fact not in FACTS:
            raise ValueError(f"unknown fact '{self.fact}'; known: {', '.join(FACTS)}")
        allowed = FACTS[self.fact]
        values = self.value if isinstance(self.value, tuple) else (self.value,)
        if self.op in ("in", "not_in") and not isinstance(self.value, tuple):
            raise ValueError(f"op '{self.op}' needs a list of values")
        if self.op in ("eq", "ne") and isinstance(self.value, tuple):
            raise ValueError(f"op '{self.op}' needs a single value")
        for value in values:
            if value not in allowed:
                raise ValueError(f"fact '{self.fact}' cannot be {value!r}; allowed: {allowed}")
        return self

    def holds(self, facts: Facts) -> bool:
        actual = facts[self.fact]
        op = self.op
        if op == "eq":
            return actual == self.value
        if op == "ne":
            return actual != self.value
        if op == "in":
            return actual in self._values
        return actual not in self._values

    def evaluate(self, facts: Facts) -> tuple[bool, str]:
        actual = facts[self.fact]
        return self.holds(facts), f"{self.fact} is {_show(actual)} {self._wanted}"

    @cached_property
    def _values(self) -> frozenset[Value]:
        return frozenset(self.value if isinstance(self.value, tuple) else (self.value,))

    @cached_property
    def _wanted(self) -> str:
        values = self.value if isinstance(self.value, tuple) else (self.value,)
        shown = ", ".join(_show(v) for v in values)
        prefix = {"eq": "", "ne": "not ", "in": "one of ", "not_in": "none of "}[self.op]
        return f"(rule wants {prefix}{shown})"

    def facts_used(self) -> set[str]:
        return {self.fact}


class All(ContentModel):
    all: tuple[Expr, ...] = Field(min_length=1)

    def holds(self, facts: Facts) -> bool:
        return all(child.holds(facts) for child in self.all)

    def evaluate(self, facts: Facts) -> tuple[bool, str]:
        results = [child.evaluate(facts) for child in self.all]
        return all(ok for ok, _ in results), "; ".join(_mark(ok, why) for ok, why in results)

    def facts_used(self) -> set[str]:
        return set().union(*(child.facts_used() for child in self.all))


class AnyOf(ContentModel):
    any: tuple[Expr, ...] = Field(min_length=1)

    def holds(self, facts: Facts) -> bool:
        return any(child.holds(facts) for child in self.any)

    def evaluate(self, facts: Facts) -> tuple[bool, str]:
        results = [child.evaluate(facts) for child in self.any]
        inner = " or ".join(_mark(ok, why) for ok, why in results)
        return any(ok for ok, _ in results), f"any of ({inner})"

    def facts_used(self) -> set[str]:
        return set().union(*(child.facts_used() for child in self.any))


class Not(ContentModel):
    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    negated: Expr = Field(alias="not")

    def holds(self, facts: Facts) -> bool:
        return not self.negated.holds(facts)

    def evaluate(self, facts: Facts) -> tuple[bool, str]:
        ok, why = self.negated.evaluate(facts)
        return not ok, f"not ({_mark(ok, why)})"

    def facts_used(self) -> set[str]:
        return self.negated.facts_used()


class Always(ContentModel):
    """``when: always`` is spelled ``{always: true}`` — for a condition's only base rule."""

    always: Literal[True]

    def holds(self, facts: Facts) -> bool:
        return True

    def evaluate(self, facts: Facts) -> tuple[bool, str]:
        return True, "applies to everyone with this concern"

    def facts_used(self) -> set[str]:
        return set()


Expr = Annotated[Comparison | All | AnyOf | Not | Always, Field(union_mode="left_to_right")]
All.model_rebuild()
AnyOf.model_rebuild()
Not.model_rebuild()


def _show(value: object) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, tuple):
        return "[" + ", ".join(_show(v) for v in value) + "]"
    return str(value)


def _mark(ok: bool, why: str) -> str:
    return f"{why} ✓" if ok else f"{why} ✗"


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
        if self.stage == "base":
            if self.condition is None or self.demand is None:
                raise ValueError("a base rule needs a condition and a demand")
            if set(self.set) != set(OPTION_IDS) or self.shift or self.at_most or self.at_least:
                raise ValueError("a base rule sets every option and nothing else")
            extra = self.when.facts_used() - BASE_FACTS
            if extra:
                raise ValueError(
                    f"a base rule may test only {sorted(BASE_FACTS)}, not {sorted(extra)}"
                )
        elif self.condition is not None or self.demand is not None:
            raise ValueError("only base rules have a condition and a demand")
        return self


class RuleBook(ContentModel):
    meta: Meta
    rules: tuple[Rule, ...]
    reasons: tuple[Reason, ...]
    fallback_reasons: dict[OptionId, dict[Fit, ContentId]]  # when no rule gave the option one
    floor_reason: ContentId  # said when several concerns are present

    def base_rules(self, condition: str) -> tuple[Rule, ...]:
        return self._base_by_condition.get(condition, ())

    def adjust_rules(self) -> tuple[Rule, ...]:
        return self._adjust

    def reason(self, reason_id: str) -> Reason:
        return self._reasons_by_id[reason_id]

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
        if self.floor_reason not in reason_ids:
            raise ContentError("rules.yaml: floor_reason", f"'{self.floor_reason}' is not defined")
        for condition in CONDITIONS:
            rules = self.base_rules(condition)
            for severity, age_band in itertools.product(FACTS["severity"], AGE_BANDS):
                facts: Facts = {"severity": severity, "age_band": age_band}
                fired = [rule.id for rule in rules if rule.when.evaluate(facts)[0]]
                if len(fired) != 1:
                    raise ContentError(
                        f"rules.yaml: base rules for {condition}",
                        f"severity {severity}, age band {age_band}: {len(fired)} rules fire "
                        f"({', '.join(fired) or 'none'}); exactly one must",
                    )
