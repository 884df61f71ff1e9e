"""The compiled form of a list of ``when``s: one bit per ``when``, one mask per fact value.

Used by the options engine (a bit per rule) and the planner (a bit per timeline ``when``). A
``when`` is a *box* when it is built from ``all``, comparisons, ``always``, and ``any`` /
``not`` over one fact: for each fact, the set of values it accepts (a fact missing from the box
may take any value). For every value of every fact the index keeps the bits of the ``when``s
that accept it, so the ``when``s that hold for some facts are the AND of one mask per fact: no
tree is walked. A ``when`` that is not a box passes every mask and is asked with
``Expr.holds`` instead (``refine``).

A numeric fact (an age) is split into *classes*: the intervals between the numbers some
``when`` tests (``ge 18`` cuts at 18, ``le 25`` at 26), plus unknown. Every ``when`` of the
index answers alike for every number in one class. This module must not do I/O.
"""

from __future__ import annotations

import bisect
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from bothand.domain.decide.grammar import (
    All,
    Always,
    AnyOf,
    Comparison,
    Domain,
    Expr,
    Facts,
    FromContent,
    Not,
    Value,
    WholeNumbers,
)

Key = Value | None  # a fact's value, or for a numeric fact its class (None: unknown)
Box = dict[str, frozenset[Key]]


@dataclass(frozen=True)
class Classes:
    """The classes of a numeric fact: ``cuts`` are the first numbers of every class but the
    first (which holds every number below ``cuts[0]``)."""

    cuts: tuple[int, ...]

    def of(self, number: int | None) -> int | None:
        """The class ``number`` falls in (None when it is unknown)."""
        return None if number is None else bisect.bisect_right(self.cuts, number)

    def example(self, key: int | None) -> int | None:
        """A number in the class ``key`` (None for unknown)."""
        if key is None:
            return None
        if key == 0:
            return self.cuts[0] - 1 if self.cuts else 0
        return self.cuts[key - 1]

    def every(self) -> tuple[int | None, ...]:
        return (None, *range(len(self.cuts) + 1))


class MaskIndex:
    """``exprs`` compiled over the facts of ``domains`` (bit ``1 << i`` is ``exprs[i]``).
    Immutable once built."""

    def __init__(self, exprs: Sequence[Expr], domains: Mapping[str, Domain]) -> None:
        for expr in exprs:
            unknown = expr.facts_used() - set(domains)
            if unknown:
                raise ValueError(f"no values are known for the facts {sorted(unknown)}")
        self.exprs = tuple(exprs)
        self.classes: dict[str, Classes] = {}
        for fact, domain in domains.items():
            if isinstance(domain, WholeNumbers):
                cuts: set[int] = set()
                for expr in exprs:
                    for test in expr.comparisons():
                        if test.fact == fact and isinstance(test.value, int):
                            cuts.add(test.value if test.op == "ge" else test.value + 1)
                self.classes[fact] = Classes(tuple(sorted(cuts)))
            elif isinstance(domain, FromContent):
                raise ValueError(f"fact '{fact}': give its values from {domain.where}")
        # for every fact, (key, the value ``when``s are asked with) for every key
        self._keys: dict[str, tuple[tuple[Key, Value | None], ...]] = {
            fact: (
                tuple((k, self.classes[fact].example(k)) for k in self.classes[fact].every())
                if fact in self.classes
                else tuple((v, v) for v in domain)  # type: ignore[union-attr]
            )
            for fact, domain in domains.items()
        }
        self.boxes: tuple[Box | None, ...] = tuple(self.box(expr) for expr in exprs)
        self.masks: dict[str, dict[Key, int]] = {
            fact: {
                key: sum(
                    1 << i
                    for i, box in enumerate(self.boxes)
                    if box is None or fact not in box or key in box[fact]
                )
                for key, _ in keys
            }
            for fact, keys in self._keys.items()
        }
        # bit and ``when`` of every ``when`` that is not a box: ``refine`` asks it
        self.general: tuple[tuple[int, Expr], ...] = tuple(
            (1 << i, expr)
            for i, (expr, box) in enumerate(zip(exprs, self.boxes, strict=True))
            if box is None
        )

    def box(self, expr: Expr) -> Box | None:
        """The keys each fact may take for ``expr`` to hold, when that is how it works; None
        when the ``when`` is not of that shape."""
        if isinstance(expr, Always):
            return {}
        if isinstance(expr, Comparison):
            return {expr.fact: self._accepted(expr, expr.fact)}
        if isinstance(expr, All):
            box: Box = {}
            for child in expr.all:
                inner = self.box(child)
                if inner is None:
                    return None
                for fact, keys in inner.items():
                    box[fact] = box[fact] & keys if fact in box else keys
            return box
        facts = expr.facts_used()
        if isinstance(expr, (AnyOf, Not)) and len(facts) == 1:
            (fact,) = facts
            return {fact: self._accepted(expr, fact)}
        return None

    def _accepted(self, expr: Expr, fact: str) -> frozenset[Key]:
        return frozenset(key for key, value in self._keys[fact] if expr.holds({fact: value}))

    def key(self, fact: str, value: Value | None) -> Key:
        """The key of ``value`` in the masks of ``fact``."""
        classes = self.classes.get(fact)
        if classes is None:
            return value
        assert value is None or isinstance(value, int)
        return classes.of(value)

    def refine(self, bits: int, facts: Facts) -> int:
        """``bits`` without the ``when``s that are not boxes and do not hold for ``facts``."""
        for bit, expr in self.general:
            if bits & bit and not expr.holds(facts):
                bits &= ~bit
        return bits

    def holding(self, facts: Facts) -> int:
        """The bits of every ``when`` that holds for ``facts`` (every fact of the index
        given): the slow general path, for tests and rare callers."""
        bits = -1
        for fact, masks in self.masks.items():
            bits &= masks[self.key(fact, facts[fact])]
        return self.refine(bits, facts) & ((1 << len(self.exprs)) - 1)
