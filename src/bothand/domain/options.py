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
from dataclasses import asdict, dataclass
from typing import Any

from bothand.domain.errors import ContentError
from bothand.domain.rules import Facts, Rule, RuleBook
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
        return asdict(self)


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
    rule: str
    concern: Condition
    fired: bool
    because: str
    effect: str = ""

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
    trace: tuple[TraceEntry, ...]


@dataclass(frozen=True, slots=True)
class _ConcernOutcome:
    condition: Condition
    demand: int
    fits: dict[OptionId, Fit]
    reasons: dict[OptionId, tuple[GivenReason, ...]]
    trace: tuple[TraceEntry, ...]


def decide(
    book: RuleBook,
    concerns: Sequence[ConcernFacts],
    person: PersonFacts,
    condition_names: Mapping[str, str],
) -> Decision:
    """Give every option a fit and reasons for these concerns and this person."""
    if not concerns:
        raise ContentError("decide", "at least one concern is needed")
    outcomes = [_evaluate(book, concern, person, condition_names) for concern in concerns]
    floor = max(outcomes, key=lambda o: (o.demand, -CONDITIONS.index(o.condition)))
    others = sorted(
        (o for o in outcomes if o is not floor), key=lambda o: CONDITIONS.index(o.condition)
    )
    results = []
    for option in OPTION_IDS:
        reasons: list[GivenReason] = []
        if len(outcomes) > 1:
            reasons.append(_give(book, book.floor_reason, floor.condition, condition_names))
        for outcome in (floor, *others):
            reasons.extend(outcome.reasons[option])
        fit = floor.fits[option]
        if not reasons:
            reasons.append(
                _give(book, book.fallback_reasons[option][fit], floor.condition, condition_names)
            )
        results.append(OptionResult(id=option, fit=fit, reasons=_unique(reasons)))
    trace = tuple(entry for outcome in (floor, *others) for entry in outcome.trace)
    return Decision(options=tuple(results), floor=floor.condition, trace=trace)


def _evaluate(
    book: RuleBook, concern: ConcernFacts, person: PersonFacts, names: Mapping[str, str]
) -> _ConcernOutcome:
    facts: Facts = {**person.facts(), "condition": concern.condition, "severity": concern.severity}
    fits: dict[OptionId, Fit] | None = None
    demand = 0
    reasons: dict[OptionId, list[GivenReason]] = {option: [] for option in OPTION_IDS}
    trace: list[TraceEntry] = []
    for rule in book.base_rules(concern.condition):
        fired, because = rule.when.evaluate(facts)
        effect = ""
        if fired:
            fits = dict(rule.set)
            demand = rule.demand or 0
            effect = "starting fits: " + ", ".join(f"{o}={fits[o]}" for o in OPTION_IDS)
            _collect(book, rule, concern.condition, names, reasons)
        trace.append(
            TraceEntry(
                rule=rule.id, concern=concern.condition, fired=fired, because=because, effect=effect
            )
        )
    if fits is None:
        raise ContentError(
            "rules.yaml", f"no base rule fits {concern.condition}/{concern.severity}"
        )
    for rule in book.adjust_rules():
        fired, because = rule.when.evaluate(facts)
        effect = ""
        if fired:
            effect = _apply(rule, fits)
            _collect(book, rule, concern.condition, names, reasons)
        trace.append(
            TraceEntry(
                rule=rule.id, concern=concern.condition, fired=fired, because=because, effect=effect
            )
        )
    return _ConcernOutcome(
        condition=concern.condition,
        demand=demand,
        fits=fits,
        reasons={option: tuple(given) for option, given in reasons.items()},
        trace=tuple(trace),
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
    """The reason's text for this concern; it names the concern when the text asks for it."""
    reason = book.reason(reason_id)
    text = reason.text
    specific = condition is not None and "{condition}" in text
    if condition is not None and specific:
        text = text.replace("{condition}", names.get(condition, condition))
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
