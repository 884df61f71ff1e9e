"""The one closed grammar of the knowledge base's tests: the ``when`` of every rule in
``rules.yaml`` and of every row and milestone variant in ``timeline.yaml``.

A ``when`` is a tree of ``all`` / ``any`` / ``not`` over tests ``{fact, op, value}`` (or
``{always: true}``); there is no ``eval`` and nothing executable in content. Every fact has a
declared vocabulary (``FACTS``), so a typo (``severity: modrate``) is a content error at load
time, not a test that never holds. Each stage says which facts it supplies: the rule book
tests the person and one concern (``RULE_FACTS`` in ``rules.py``), the timeline the plan's
option and one concern (``PLAN_FACTS`` in ``plan/timeline.py``).

Each node answers two questions: ``holds(facts)`` (fast, for deciding) and
``evaluate(facts)`` (the same answer with a sentence saying why, for the trace). The compiled
form of a list of ``when``s is ``masks.MaskIndex``. (A *condition* is something else: one
of the vocabulary's nine ids, see GLOSSARY.md.) This module must not do I/O.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Annotated, Any, Literal

from pydantic import ConfigDict, Discriminator, Field, Tag, model_validator

from bothand.domain.knowledge.base import ContentModel
from bothand.domain.vocab import (
    CONDITIONS,
    HISTORY_OUTCOMES,
    OPTION_IDS,
    PREFERENCES,
    SEVERITIES,
    UNRATED,
)

Value = str | bool | int
# The values a ``when`` is tested on, by fact name. ``None`` is an unknown number (an age
# not given): it passes no ``ge`` or ``le`` test.
Facts = Mapping[str, Value | None]


@dataclass(frozen=True)
class WholeNumbers:
    """A numeric fact (whole numbers from ``low`` to ``high``, or unknown); only ``ge`` and
    ``le`` test it."""

    low: int
    high: int


@dataclass(frozen=True)
class FromContent:
    """A fact whose values content defines (the age bands of ``rules.yaml``); the content
    model that defines them checks each test's values."""

    where: str


Domain = tuple[Value, ...] | WholeNumbers | FromContent

UNKNOWN_AGE_BAND = "unknown"  # the age band of a case that gives no age

# Every fact a condition may test, with the values it can take.
FACTS: dict[str, Domain] = {
    "condition": CONDITIONS,
    "severity": (*SEVERITIES, UNRATED),
    "age_band": FromContent("rules.yaml: age_bands"),
    "age": WholeNumbers(0, 120),
    "option": OPTION_IDS,
    "medication_preference": PREFERENCES,
    "therapy_preference": PREFERENCES,
    "able_to_engage_in_therapy": (True, False),
    "medication_history": HISTORY_OUTCOMES,
    "therapy_history": HISTORY_OUTCOMES,
    "urgent": (True, False),
    "several_concerns": (True, False),
    "high_relapse_risk": (True, False),
}


class Comparison(ContentModel):
    """``{fact, op, value}``: the only leaf of the grammar. ``ge`` / ``le`` (at least, at most,
    inclusive) test a numeric fact; the others a fact with named values."""

    fact: str
    op: Literal["eq", "ne", "in", "not_in", "ge", "le"]
    value: Value | tuple[str, ...]

    @model_validator(mode="after")
    def _value_in_vocabulary(self) -> Comparison:
        if self.fact not in FACTS:
            raise ValueError(f"unknown fact '{self.fact}'; known: {', '.join(FACTS)}")
        allowed = FACTS[self.fact]
        values = self.value if isinstance(self.value, tuple) else (self.value,)
        if isinstance(allowed, WholeNumbers):
            if self.op not in ("ge", "le"):
                raise ValueError(f"fact '{self.fact}' is a number: use op 'ge' or 'le'")
            if isinstance(self.value, bool) or not isinstance(self.value, int):
                raise ValueError(f"op '{self.op}' needs a whole number")
            if not allowed.low <= self.value <= allowed.high:
                raise ValueError(
                    f"fact '{self.fact}' runs from {allowed.low} to {allowed.high}, "
                    f"not {self.value}"
                )
            return self
        if self.op in ("ge", "le"):
            raise ValueError(f"op '{self.op}' needs a numeric fact; '{self.fact}' is not one")
        if self.op in ("in", "not_in") and not isinstance(self.value, tuple):
            raise ValueError(f"op '{self.op}' needs a list of values")
        if self.op in ("eq", "ne") and isinstance(self.value, tuple):
            raise ValueError(f"op '{self.op}' needs a single value")
        if isinstance(allowed, tuple):
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
        if op == "not_in":
            return actual not in self._values
        if actual is None or not isinstance(self.value, int):  # an unknown number
            return False
        assert isinstance(actual, int)
        return actual >= self.value if op == "ge" else actual <= self.value

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
        prefix = {
            "eq": "",
            "ne": "not ",
            "in": "one of ",
            "not_in": "none of ",
            "ge": "at least ",
            "le": "at most ",
        }[self.op]
        return f"(rule wants {prefix}{shown})"

    def values_tested(self) -> tuple[Value, ...]:
        return self.value if isinstance(self.value, tuple) else (self.value,)

    def facts_used(self) -> set[str]:
        return {self.fact}

    def comparisons(self) -> Iterable[Comparison]:
        yield self


class All(ContentModel):
    all: tuple[Expr, ...] = Field(min_length=1)

    def holds(self, facts: Facts) -> bool:
        return all(child.holds(facts) for child in self.all)

    def evaluate(self, facts: Facts) -> tuple[bool, str]:
        results = [child.evaluate(facts) for child in self.all]
        return all(ok for ok, _ in results), "; ".join(_mark(ok, why) for ok, why in results)

    def facts_used(self) -> set[str]:
        return set().union(*(child.facts_used() for child in self.all))

    def comparisons(self) -> Iterable[Comparison]:
        for child in self.all:
            yield from child.comparisons()


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

    def comparisons(self) -> Iterable[Comparison]:
        for child in self.any:
            yield from child.comparisons()


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

    def comparisons(self) -> Iterable[Comparison]:
        return self.negated.comparisons()


class Always(ContentModel):
    """``when: always`` is spelled ``{always: true}``: a ``when`` that always holds."""

    always: Literal[True]

    def holds(self, facts: Facts) -> bool:
        return True

    def evaluate(self, facts: Facts) -> tuple[bool, str]:
        return True, "applies to everyone with this concern"

    def facts_used(self) -> set[str]:
        return set()

    def comparisons(self) -> Iterable[Comparison]:
        return ()


_SHAPES: dict[type, str] = {
    Comparison: "fact",
    All: "all",
    AnyOf: "any",
    Not: "not",
    Always: "always",
}


def _shape(data: Any) -> str | None:
    """Which node ``data`` is, from the key that names it (``fact``, ``all``, ``any``, ``not``,
    ``always``), so a mistake is reported for that node alone."""
    if isinstance(data, dict):
        return next((key for key in ("fact", "all", "any", "not", "always") if key in data), None)
    return _SHAPES.get(type(data))


Expr = Annotated[
    Annotated[Comparison, Tag("fact")]
    | Annotated[All, Tag("all")]
    | Annotated[AnyOf, Tag("any")]
    | Annotated[Not, Tag("not")]
    | Annotated[Always, Tag("always")],
    Discriminator(
        _shape,
        custom_error_type="when_shape",
        custom_error_message=(
            "a 'when' is {fact, op, value}, or all / any / not of those, or {always: true}"
        ),
    ),
]
All.model_rebuild()
AnyOf.model_rebuild()
Not.model_rebuild()

ALWAYS = Always(always=True)


def check_facts(expr: Expr, allowed: Iterable[str], what: str) -> None:
    """Raise ValueError when ``expr`` tests a fact ``what`` does not supply."""
    allowed = tuple(allowed)
    extra = expr.facts_used() - set(allowed)
    if extra:
        raise ValueError(f"{what} may test only {list(allowed)}, not {sorted(extra)}")


def _show(value: object) -> str:
    if value is None:
        return "unknown"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, tuple):
        return "[" + ", ".join(_show(v) for v in value) + "]"
    return str(value)


def _mark(ok: bool, why: str) -> str:
    return f"{why} ✓" if ok else f"{why} ✗"


def show_facts(facts: Mapping[str, object]) -> str:
    """``severity mild, age 30``: facts for an error message."""
    return ", ".join(f"{fact} {_show(value)}" for fact, value in facts.items())
