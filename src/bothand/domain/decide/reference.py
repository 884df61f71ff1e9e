"""The rule book read one rule at a time: the readable specification of the options engine.

``engine.Engine`` compiles the rule book into bit masks and tables to be quick; this module
says what it must give, the slow and obvious way: ``when.holds`` on a dict of facts, effects
applied to a dict of fits, reasons gathered in order, then combined across concerns and made
unique. The tests compare the two on every single concern and on many sets of several
(``tests/unit/test_engine.py``). Nothing in the running app calls this module.

1. Concerns are taken in the order of the conditions in the vocabulary.
2. For each concern, exactly one base rule of its condition holds (by rule id); it sets the
   starting fit of all six options. Then every adjust rule that holds, in content order,
   applies its effects: ``set``, then ``shift``, then ``at_least``, then ``at_most``.
3. Each rule that fires gives its reasons, for one option or ``all``. ``{condition}`` in a
   reason is replaced by the concern's name; a reason belongs to the concern when it names it
   or when a base rule gave it.
4. The concern whose base rule has the highest ``demand`` is the floor (ties: the first in
   the vocabulary); but the first ``precedence`` whose ``over`` and ``leads`` are both present
   and whose ``unless`` does not hold for the ``over`` concern makes ``leads`` the floor,
   with its own floor reason, whatever the demands. The floor's fits are the result's fits;
   it leads the trace, after one entry per precedence whose two conditions are present.
5. Each option's reasons: the floor reason when there are several concerns, then every
   concern's reasons (floor first), without repeats (same id and text); when none, the
   fallback reason for its fit. An option that is not advised keeps only the reasons of the
   rules that can make it not advised (and the floor reason).

This module must not do I/O.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import NamedTuple

from bothand.domain.decide.grammar import Value
from bothand.domain.decide.rules import Rule, RuleBook
from bothand.domain.errors import ContentError, InputError
from bothand.domain.vocab import CONDITIONS, FIT_ORDER, OPTION_IDS, Fit, OptionId, shift_fit


class Given(NamedTuple):
    """A reason as given: its id, its text for the concern, and the concern it speaks to."""

    id: str
    text: str
    concern: str | None


class Considered(NamedTuple):
    """One rule considered for one concern."""

    rule: str
    concern: str
    fired: bool
    effect: str
    because: str


class Decided(NamedTuple):
    options: tuple[tuple[OptionId, Fit, tuple[Given, ...]], ...]
    floor: str
    trace: tuple[Considered, ...]


class _Outcome(NamedTuple):
    condition: str
    demand: int
    fits: dict[OptionId, Fit]
    reasons: dict[OptionId, list[Given]]
    trace: list[Considered]


def decide(
    book: RuleBook,
    concerns: Sequence[tuple[str, str]],
    person: Mapping[str, Value],
    names: Mapping[str, str],
) -> Decided:
    """What ``Engine.decide`` must give for these ``(condition, severity)`` concerns and the
    person's facts (every fact of ``RULE_FACTS`` but condition and severity)."""
    if not concerns:
        raise InputError("concerns", "give at least one concern")
    outcomes = [
        _decide_one(book, condition, severity, person, names)
        for condition, severity in sorted(concerns, key=lambda c: CONDITIONS.index(c[0]))
    ]
    floor = max(range(len(outcomes)), key=lambda i: (outcomes[i].demand, -i))
    floor_reason = book.floor_reason
    ranks: list[Considered] = []
    if len(outcomes) > 1:
        severity_of = dict(concerns)
        present = [o.condition for o in outcomes]
        chosen = False
        for rank in book.precedence:
            over = rank.over
            if over not in present or rank.leads not in present:
                continue
            facts = {**person, "condition": over, "severity": severity_of[over]}
            held, why = rank.unless.evaluate(facts)
            fired = not held and not chosen
            if fired:
                chosen = True
                floor = present.index(rank.leads)
                floor_reason = rank.reason
            effect = f"{rank.leads} sets the fits, before {over}" if fired else ""
            because = f"unless, tested on {over}: {why}"
            ranks.append(Considered(rank.id, rank.leads, fired, effect, because))
    ordered = [outcomes[floor], *(o for i, o in enumerate(outcomes) if i != floor)]
    lead = ordered[0]
    options = []
    for option in OPTION_IDS:
        given: list[Given] = []
        if len(ordered) > 1:
            given.append(_text_of(book, floor_reason, lead.condition, names, about=False))
        for outcome in ordered:
            given += outcome.reasons[option]
        fit = lead.fits[option]
        if fit == "not_advised":
            keep = book.advising_against[option] | {floor_reason}
            given = [reason for reason in given if reason.id in keep]
        if not given:
            fallback = book.fallback_reasons[option][fit]
            given.append(_text_of(book, fallback, lead.condition, names, about=False))
        unique: list[Given] = []
        for reason in given:
            if all((reason.id, reason.text) != (kept.id, kept.text) for kept in unique):
                unique.append(reason)
        options.append((option, fit, tuple(unique)))
    trace = (*ranks, *(entry for outcome in ordered for entry in outcome.trace))
    return Decided(tuple(options), lead.condition, trace)


def _decide_one(
    book: RuleBook,
    condition: str,
    severity: str,
    person: Mapping[str, Value],
    names: Mapping[str, str],
) -> _Outcome:
    facts: dict[str, Value] = {**person, "condition": condition, "severity": severity}
    base = sorted(
        (r for r in book.rules if r.stage == "base" and r.condition == condition),
        key=lambda r: r.id,
    )
    fired_base = [r for r in base if r.when.holds(facts)]
    if len(fired_base) != 1:
        raise ContentError("rules.yaml", f"exactly one base rule must fit {condition}/{severity}")
    start = fired_base[0]
    fits: dict[OptionId, Fit] = dict(start.set)
    reasons: dict[OptionId, list[Given]] = {option: [] for option in OPTION_IDS}
    trace = []
    for rule in base:
        fired = rule is start
        effect = ""
        if fired:
            effect = "starting fits: " + ", ".join(f"{o}={fits[o]}" for o in OPTION_IDS)
            _give(book, rule, condition, names, reasons)
        trace.append(Considered(rule.id, condition, fired, effect, rule.when.evaluate(facts)[1]))
    for rule in (r for r in book.rules if r.stage == "adjust"):
        fired = rule.when.holds(facts)
        effect = ""
        if fired:
            before = dict(fits)
            for option, fit in rule.set.items():
                fits[option] = fit
            for option, steps in rule.shift.items():
                fits[option] = shift_fit(fits[option], steps)
            for option, fit in rule.at_least.items():
                fits[option] = max(fits[option], fit, key=FIT_ORDER.index)
            for option, fit in rule.at_most.items():
                fits[option] = min(fits[option], fit, key=FIT_ORDER.index)
            changes = [f"{o}: {before[o]} → {fits[o]}" for o in OPTION_IDS if before[o] != fits[o]]
            effect = "; ".join(changes) if changes else "no change in fit (reasons added)"
            _give(book, rule, condition, names, reasons)
        trace.append(Considered(rule.id, condition, fired, effect, rule.when.evaluate(facts)[1]))
    return _Outcome(condition, start.demand or 0, fits, reasons, trace)


def _give(
    book: RuleBook,
    rule: Rule,
    condition: str,
    names: Mapping[str, str],
    reasons: dict[OptionId, list[Given]],
) -> None:
    for ref in rule.reasons:
        for option in OPTION_IDS if ref.option == "all" else (ref.option,):
            reasons[option].append(
                _text_of(book, ref.reason, condition, names, about=rule.stage == "base")
            )


def _text_of(
    book: RuleBook, reason_id: str, condition: str, names: Mapping[str, str], *, about: bool
) -> Given:
    reason = next(r for r in book.reasons if r.id == reason_id)
    specific = "{condition}" in reason.text
    text = reason.text.replace("{condition}", names[condition]) if specific else reason.text
    return Given(reason.id, text, condition if specific or about else None)
