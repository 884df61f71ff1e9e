"""The options engine: every option gets a fit and reasons, with a trace of every rule considered.

For each concern, the one base rule for its condition and severity sets a starting fit for all
six options; then the adjust rules (readiness, history, preferences, safety) change fits in
content order. With several concerns, the concern whose base rule has the highest ``demand``
sets the floor (ties go to the condition listed first in the vocabulary, never to input
order); the reasons of every concern are kept and name their concern.

Options are never removed: the result always has all six, in canonical order.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from bothand.domain.errors import ContentError
from bothand.domain.rules import Expr, Facts, Rule, RuleBook
from bothand.domain.vocab import CONDITIONS, OPTION_IDS, Condition, Fit, OptionId, shift_fit

# Plain frozen dataclasses, not pydantic models: these are built many times per case, hold only
# values the engine itself made, and are hashable so the use-case layer can memoise decisions.


@dataclass(frozen=True, slots=True)
class ConcernFacts:
    condition: Condition
    severity: str  # a Severity or "unrated"


@dataclass(frozen=True, slots=True)
class PersonFacts:
    medication_preference: str = "open"
    therapy_preference: str = "open"
    able_to_engage_in_therapy: bool = True
    medication_history: str = "not_tried"
    therapy_history: str = "not_tried"
    urgent: bool = False
    age_band: str = "unknown"
    several_concerns: bool = False

    def facts(self) -> Facts:
        return {
            "medication_preference": self.medication_preference,
            "therapy_preference": self.therapy_preference,
            "able_to_engage_in_therapy": self.able_to_engage_in_therapy,
            "medication_history": self.medication_history,
            "therapy_history": self.therapy_history,
            "urgent": self.urgent,
            "age_band": self.age_band,
            "several_concerns": self.several_concerns,
        }


@dataclass(frozen=True, slots=True)
class GivenReason:
    id: str
    text: str
    sources: tuple[str, ...]
    concern: Condition | None = None  # the concern the reason speaks to, when it is specific


@dataclass(frozen=True, slots=True)
class OptionResult:
    id: OptionId
    fit: Fit
    reasons: tuple[GivenReason, ...]


@dataclass(frozen=True, slots=True)
class TraceEntry:
    """One rule considered for one concern. The sentence saying why it did or did not fire is
    worked out from the rule and the facts only when it is read (``because``)."""

    rule: str
    concern: Condition
    fired: bool
    effect: str
    when: Expr = field(repr=False, compare=False)
    facts: Facts = field(repr=False, compare=False)

    @property
    def because(self) -> str:
        return self.when.evaluate(self.facts)[1]

    def to_contract(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "concern": self.concern,
            "fired": self.fired,
            "because": self.because,
            "effect": self.effect,
        }


@dataclass(frozen=True, slots=True)
class Decision:
    options: tuple[OptionResult, ...]
    floor: Condition
    parts: tuple[tuple[_ConcernOutcome, Facts], ...] = field(repr=False, compare=False)

    @property
    def trace(self) -> tuple[TraceEntry, ...]:
        """Every rule considered for every concern (floor first), with the facts it saw."""
        return tuple(
            TraceEntry(rule.id, outcome.condition, fired, effect, rule.when, facts)
            for outcome, facts in self.parts
            for rule, fired, effect in outcome.steps
        )


@dataclass(frozen=True, slots=True)
class _ConcernOutcome:
    """What the rules did for one concern. It depends only on the concern's condition, which
    rules fired, and the name used in reasons — not on any other fact — so one outcome serves
    every case where the same rules fire."""

    condition: Condition
    demand: int
    fits: dict[OptionId, Fit]
    reasons: dict[OptionId, tuple[GivenReason, ...]]
    steps: tuple[tuple[Rule, bool, str], ...]  # (rule, fired, effect) in the order considered


def decide(
    book: RuleBook,
    concerns: Sequence[ConcernFacts],
    person: PersonFacts,
    condition_names: Mapping[str, str],
) -> Decision:
    """Give every option a fit and reasons for these concerns and this person."""
    if not concerns:
        raise ContentError("decide", "at least one concern is needed")
    evaluated = [_evaluate(book, concern, person, condition_names) for concern in concerns]
    evaluated.sort(key=lambda pair: CONDITIONS.index(pair[0].condition))
    floor_index = max(range(len(evaluated)), key=lambda i: (evaluated[i][0].demand, -i))
    parts = (evaluated[floor_index], *(p for i, p in enumerate(evaluated) if i != floor_index))
    options = _combine(book, tuple(outcome for outcome, _ in parts), condition_names)
    return Decision(options=options, floor=parts[0][0].condition, parts=parts)


def _combine(
    book: RuleBook, outcomes: tuple[_ConcernOutcome, ...], names: Mapping[str, str]
) -> tuple[OptionResult, ...]:
    """Fits from the floor (first), reasons from every concern; shared for the same outcomes."""
    key = ("combined", *(id(outcome) for outcome in outcomes))
    cached: tuple[OptionResult, ...] | None = book.prepared.get(key)
    if cached is not None:
        return cached
    floor = outcomes[0]
    results = []
    for option in OPTION_IDS:
        reasons: list[GivenReason] = []
        if len(outcomes) > 1:
            reasons.append(_give(book, book.floor_reason, floor.condition, names))
        for outcome in outcomes:
            reasons.extend(outcome.reasons[option])
        fit = floor.fits[option]
        if not reasons:
            reasons.append(_give(book, book.fallback_reasons[option][fit], floor.condition, names))
        results.append(OptionResult(id=option, fit=fit, reasons=_unique(reasons)))
    combined = tuple(results)
    book.prepared[key] = combined
    return combined


def _evaluate(
    book: RuleBook, concern: ConcernFacts, person: PersonFacts, names: Mapping[str, str]
) -> tuple[_ConcernOutcome, Facts]:
    """Which rules fire for this concern, and what they do. The predicates are evaluated for
    every concern; what the fired rules do is worked out once per combination and shared (the
    outcome objects are immutable and live as long as the book, so ``id`` keys stay valid)."""
    facts = person.facts()
    facts["condition"] = concern.condition
    facts["severity"] = concern.severity  # the facts dict is never changed after this line
    base = book.base_rules(concern.condition)
    base_fired = tuple(rule.when.holds(facts) for rule in base)
    adjust_fired = tuple(rule.when.holds(facts) for rule in book.adjust_rules())
    name = names.get(concern.condition, concern.condition)
    key = ("outcome", concern.condition, base_fired, adjust_fired, name)
    outcome: _ConcernOutcome | None = book.prepared.get(key)
    if outcome is None:
        outcome = _outcome(book, concern, base_fired, adjust_fired, names)
        book.prepared[key] = outcome
    return outcome, facts


def _outcome(
    book: RuleBook,
    concern: ConcernFacts,
    base_fired: tuple[bool, ...],
    adjust_fired: tuple[bool, ...],
    names: Mapping[str, str],
) -> _ConcernOutcome:
    fits: dict[OptionId, Fit] | None = None
    demand = 0
    reasons: dict[OptionId, list[GivenReason]] = {option: [] for option in OPTION_IDS}
    steps: list[tuple[Rule, bool, str]] = []
    for rule, fired in zip(book.base_rules(concern.condition), base_fired, strict=True):
        effect = ""
        if fired:
            fits = dict(rule.set)
            demand = rule.demand or 0
            effect = "starting fits: " + ", ".join(f"{o}={fits[o]}" for o in OPTION_IDS)
            _collect(book, rule, concern.condition, names, reasons)
        steps.append((rule, fired, effect))
    if fits is None or base_fired.count(True) != 1:
        raise ContentError(
            "rules.yaml", f"exactly one base rule must fit {concern.condition}/{concern.severity}"
        )
    for rule, fired in zip(book.adjust_rules(), adjust_fired, strict=True):
        effect = ""
        if fired:
            effect = _apply(rule, fits)
            _collect(book, rule, concern.condition, names, reasons)
        steps.append((rule, fired, effect))
    return _ConcernOutcome(
        condition=concern.condition,
        demand=demand,
        fits=fits,
        reasons={option: tuple(given) for option, given in reasons.items()},
        steps=tuple(steps),
    )


def _apply(rule: Rule, fits: dict[OptionId, Fit]) -> str:
    """Apply a rule's effects in a fixed order: set, shift, at_least, at_most. Say what changed."""
    before = dict(fits)
    for option, fit in rule.set.items():
        fits[option] = fit
    for option, steps in rule.shift.items():
        fits[option] = shift_fit(fits[option], steps)
    for option, fit in rule.at_least.items():
        fits[option] = max(fits[option], fit, key=_rank)
    for option, fit in rule.at_most.items():
        fits[option] = min(fits[option], fit, key=_rank)
    changes = [f"{o}: {before[o]} → {fits[o]}" for o in OPTION_IDS if before[o] != fits[o]]
    return "; ".join(changes) if changes else "no change in fit (reasons added)"


def _rank(fit: Fit) -> int:
    return ("less_suited", "reasonable", "usual_start").index(fit)


def _collect(
    book: RuleBook,
    rule: Rule,
    condition: Condition,
    names: Mapping[str, str],
    reasons: dict[OptionId, list[GivenReason]],
) -> None:
    for ref in rule.reasons:
        targets = OPTION_IDS if ref.option == "all" else (ref.option,)
        for option in targets:
            reasons[option].append(
                _give(book, ref.reason, condition, names, about_concern=rule.stage == "base")
            )


def _give(
    book: RuleBook,
    reason_id: str,
    condition: Condition | None,
    names: Mapping[str, str],
    *,
    about_concern: bool = False,
) -> GivenReason:
    """The reason's text for this concern; it names the concern when the text asks for it.
    Built once per book, reason and concern name, then shared (it is immutable)."""
    name = names.get(condition, condition) if condition is not None else None
    key = ("reason", reason_id, condition, name, about_concern)
    given: GivenReason | None = book.prepared.get(key)
    if given is None:
        given = _make_reason(book, reason_id, condition, name, about_concern)
        book.prepared[key] = given
    return given


def _make_reason(
    book: RuleBook,
    reason_id: str,
    condition: Condition | None,
    name: str | None,
    about_concern: bool,
) -> GivenReason:
    reason = book.reason(reason_id)
    text = reason.text
    specific = condition is not None and "{condition}" in text
    if specific and name is not None:
        text = text.replace("{condition}", name)
    return GivenReason(
        id=reason.id,
        text=text,
        sources=reason.sources,
        concern=condition if (specific or about_concern) else None,
    )


def _unique(reasons: list[GivenReason]) -> tuple[GivenReason, ...]:
    seen: set[tuple[str, str]] = set()
    kept = []
    for reason in reasons:
        key = (reason.id, reason.text)
        if key not in seen:
            seen.add(key)
            kept.append(reason)
    return tuple(kept)
