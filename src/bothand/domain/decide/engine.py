"""The options engine: every option gets a fit and reasons, with a trace of every rule considered.

For each concern, the one base rule for its condition and severity sets a starting fit for all
six options; then the adjust rules (readiness, history, preferences, safety) change fits in
content order. With several concerns, the concern whose base rule has the highest ``demand``
sets the floor (ties go to the condition listed first in the vocabulary, never to input
order); the reasons of every concern are kept and name their concern.

Options are never removed: the result always has all six, in canonical order.

The rule book is compiled once per loaded catalog into an ``Engine`` (``compile_engine``):

- every rule gets one bit in a ``masks.MaskIndex`` (shared with the planner): the rules that
  fire for a concern are the AND of one mask per fact, so no tree is walked per case (a
  ``when`` that is not a box is asked with ``Expr.holds``);
- the six fits are one number (a digit in base 4 per option) and each adjust rule is a table
  from the fits before it to the fits after it, made by applying the rule's own effects;
- each rule's reasons, with the concern's name filled in, are made once per condition.

Deciding a case is then a few lookups per concern. The trace (why each rule did or did not
fire, and what it changed) is worked out from the same bits and tables only when it is read.
``reference.py`` says what all this must give, the plain way; the tests compare the two.
"""

from __future__ import annotations

import itertools
import operator
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from bothand.domain.decide.grammar import ALWAYS, All, Comparison, Domain, Expr, Facts, Value
from bothand.domain.decide.masks import MaskIndex
from bothand.domain.decide.rules import RULE_FACTS, Precedence, Rule, RuleBook
from bothand.domain.errors import ContentError, InputError
from bothand.domain.vocab import (
    CONDITION_RANK,
    CONDITIONS,
    FIT_ORDER,
    NOT_ADVISED,
    OPTION_IDS,
    Condition,
    Fit,
    OptionId,
    shift_fit,
)

# Named tuples and frozen dataclasses, not pydantic models: these are built many times per case
# and hold only values the engine itself made (or the validated case gave).


class ConcernFacts(NamedTuple):
    condition: Condition
    severity: str  # a Severity or "unrated"


class PersonFacts(NamedTuple):
    medication_preference: str = "open"
    therapy_preference: str = "open"
    able_to_engage_in_therapy: bool = True
    medication_history: str = "not_tried"
    therapy_history: str = "not_tried"
    urgent: bool = False
    age_band: str = "unknown"
    several_concerns: bool = False

    def facts(self) -> dict[str, Value]:
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


PERSON_FACTS: tuple[str, ...] = PersonFacts._fields
CONCERN_FACTS: tuple[str, ...] = ("condition", "severity")
if set(RULE_FACTS) != {*PERSON_FACTS, *CONCERN_FACTS}:  # the engine reads each fact from one
    raise RuntimeError("rules.RULE_FACTS and the fields of PersonFacts and ConcernFacts disagree")


@dataclass(frozen=True, slots=True)
class GivenReason:
    id: str
    text: str
    sources: tuple[str, ...]
    concern: Condition | None = None  # the concern the reason speaks to, when it is specific
    key: tuple[str, str] = field(init=False, repr=False, compare=False)  # same id, same words

    def __post_init__(self) -> None:
        object.__setattr__(self, "key", (self.id, self.text))


class OptionResult(NamedTuple):  # a tuple: made six times per case, and cheaply
    id: OptionId
    fit: Fit
    reasons: tuple[GivenReason, ...]


class TraceEntry(NamedTuple):
    """One rule considered for one concern: whether it fired, why (or why not), and what it
    changed."""

    rule: str
    concern: Condition
    fired: bool
    because: str
    effect: str


class _Part(NamedTuple):
    """One concern as decided: which rules fired (bits), its fits and demand."""

    rank: int  # the condition's place in the vocabulary: parts sort by it
    concern: ConcernFacts
    fired: int
    demand: int
    state: int  # the six fits, one base-4 digit per option


class Decision(NamedTuple):
    options: tuple[OptionResult, ...]
    floor: Condition
    engine: Engine  # what decided, and how each part was reached: for the trace
    person: PersonFacts
    parts: tuple[_Part, ...]  # the floor first
    led_by: str | None = None  # the precedence (rules.yaml) that chose the floor, if any

    @property
    def trace(self) -> tuple[TraceEntry, ...]:
        """Every precedence considered (when there are several concerns), then every rule
        considered for every concern (floor first), with the facts it saw."""
        ranks = self.engine.precedence_trace(self.parts, self.person)
        rules = (entry for part in self.parts for entry in self.engine.trace(part, self.person))
        return (*ranks, *rules)

    def plan_option(self) -> OptionId:
        """The option a recommendation's plan is drawn for (``plan_option`` in the rule book):
        the first option with the first fit of its ``fit_order`` that any option has."""
        for fit in self.engine.plan_fits:
            for option in self.options:
                if option.fit == fit:
                    return option.id
        return self.options[0].id


# --- fits as one number ----------------------------------------------------------------------

_DEMAND = operator.attrgetter("demand")
_RANK: dict[str, int] = {fit: rank for rank, fit in enumerate(FIT_ORDER)}
_N_STATES = len(FIT_ORDER) ** len(OPTION_IDS)


def _encode(fits: Mapping[OptionId, Fit]) -> int:
    state = 0
    for option in reversed(OPTION_IDS):
        state = state * len(FIT_ORDER) + _RANK[fits[option]]
    return state


def _decode(state: int) -> tuple[Fit, ...]:
    fits = []
    for _ in OPTION_IDS:
        state, rank = divmod(state, len(FIT_ORDER))
        fits.append(FIT_ORDER[rank])
    return tuple(fits)


_FITS_OF_STATE: tuple[tuple[Fit, ...], ...] = tuple(_decode(s) for s in range(_N_STATES))


def apply_effects(rule: Rule, fits: dict[OptionId, Fit]) -> None:
    """A rule's effects, in a fixed order: set, shift, at_least, at_most."""
    for option, fit in rule.set.items():
        fits[option] = fit
    for option, steps in rule.shift.items():
        fits[option] = shift_fit(fits[option], steps)
    for option, fit in rule.at_least.items():
        fits[option] = max(fits[option], fit, key=_RANK.__getitem__)
    for option, fit in rule.at_most.items():
        fits[option] = min(fits[option], fit, key=_RANK.__getitem__)


def _effect_table(rule: Rule) -> tuple[int, ...]:
    """Fits after the rule, for every combination of fits before it. Each option's new fit
    depends only on its own old fit, so one run of the rule per fit (every option at that fit)
    gives each option's digit after; the table is then built digit by digit, option 0 the
    lowest (as ``_encode``), by adding each option's contribution."""
    after_rank: list[dict[OptionId, int]] = []
    for fit in FIT_ORDER:
        fits: dict[OptionId, Fit] = dict.fromkeys(OPTION_IDS, fit)
        apply_effects(rule, fits)
        after_rank.append({option: _RANK[fits[option]] for option in OPTION_IDS})
    table = [0]
    weight = 1
    for option in OPTION_IDS:
        table = [after[option] * weight + lower for after in after_rank for lower in table]
        weight *= len(FIT_ORDER)
    return tuple(table)


# --- the engine ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Compiled:
    rule: Rule
    bit: int
    table: tuple[int, ...]  # adjust rules: fits after, by fits before; base rules: empty
    because: Callable[[Facts], str]  # the trace's sentence, from the facts the rule tests


def _because(expr: Expr, domains: Mapping[str, Domain]) -> Callable[[Facts], str]:
    """The sentence saying why ``expr`` holds or not, for every combination of the values of
    the facts it tests (a few hundred in all for a whole rule book), looked up by those."""
    used = sorted(expr.facts_used())
    if not used:
        sentence = expr.evaluate({})[1]
        return lambda facts: sentence
    sentences = {}
    for values in itertools.product(*(_values(domains[fact]) for fact in used)):
        facts: Facts = dict(zip(used, values, strict=True))
        key = values if len(used) > 1 else values[0]
        sentences[key] = expr.evaluate(facts)[1]
    values_of = operator.itemgetter(*used)
    return lambda facts: sentences[values_of(facts)]


class Engine:
    """A rule book compiled for fast deciding (see the module's docstring). Immutable once
    built; holds nothing about any case."""

    def __init__(self, book: RuleBook, names: Mapping[str, str]) -> None:
        self.book = book
        self.names = dict(names)
        self.plan_fits = book.plan_option.fit_order
        domains = book.facts
        # A base rule holds only for its own condition: its bit tests that too.
        self.index = MaskIndex([_condition_of(rule) for rule in book.rules], domains)
        compiled: list[_Compiled] = []
        for index, rule in enumerate(book.rules):
            table = _effect_table(rule) if rule.stage == "adjust" else ()
            because = _because(rule.when, domains)
            compiled.append(_Compiled(rule, 1 << index, table, because))
        self._masks = self.index.masks
        self._general = self.index.general
        self._base_bits = 0
        self._start: dict[int, tuple[int, int]] = {}  # base bit -> (fits, demand)
        for c in compiled:
            if c.rule.stage == "base":
                self._base_bits |= c.bit
                self._start[c.bit] = (_encode(c.rule.set), c.rule.demand or 0)
        self._base: dict[str, tuple[_Compiled, ...]] = {
            condition: tuple(next(c for c in compiled if c.rule is r) for r in rules)
            for condition, rules in ((k, book.base_rules(k)) for k in CONDITIONS)
        }
        self._adjust = tuple(c for c in compiled if c.rule.stage == "adjust")
        self._adjust_bits = sum(c.bit for c in self._adjust)
        self._tables = {c.bit: c.table for c in self._adjust}
        # condition -> ({bit: ((option index, reason), ...)}, the bits of those rules): the
        # rules that give reasons, and the reasons each gives, in order, named for the condition
        self._giving: dict[str, tuple[dict[int, tuple[tuple[int, GivenReason], ...]], int]] = {}
        for condition in CONDITIONS:
            by_bit: dict[int, tuple[tuple[int, GivenReason], ...]] = {}
            for c in (*self._base[condition], *self._adjust):
                given: list[tuple[int, GivenReason]] = []
                for ref in c.rule.reasons:
                    reason = self._reason(
                        ref.reason, condition, about_concern=c.rule.stage == "base"
                    )
                    if ref.option == "all":
                        given += [(index, reason) for index in range(len(OPTION_IDS))]
                    else:
                        given.append((OPTION_IDS.index(ref.option), reason))
                if given:
                    by_bit[c.bit] = tuple(given)
            self._giving[condition] = (by_bit, sum(by_bit))
        self._floor_reason = {k: self._reason(book.floor_reason, k) for k in CONDITIONS}
        self._floor_id = book.floor_reason
        self.book_precedence = {rank.id: rank for rank in book.precedence}
        self._precedence_reason = {
            (rank.id, rank.leads): self._reason(rank.reason, rank.leads) for rank in book.precedence
        }
        self._against = tuple(book.advising_against[option] for option in OPTION_IDS)
        self._fallback = {
            (index, fit, condition): self._reason(book.fallback_reasons[option][fit], condition)
            for index, option in enumerate(OPTION_IDS)
            for fit in FIT_ORDER
            for condition in CONDITIONS
        }

    def _reason(
        self, reason_id: str, condition: Condition, *, about_concern: bool = False
    ) -> GivenReason:
        """The reason's text for this concern; it names the concern when the text asks for it."""
        reason = self.book.reason(reason_id)
        specific = "{condition}" in reason.text
        text = reason.text
        if specific:
            text = text.replace("{condition}", self.names.get(condition, condition))
        return GivenReason(
            id=reason.id,
            text=text,
            sources=reason.sources,
            concern=condition if (specific or about_concern) else None,
        )

    # --- deciding ---

    def person_mask(self, person: PersonFacts) -> int:
        masks = self._masks
        return (
            masks["medication_preference"][person.medication_preference]
            & masks["therapy_preference"][person.therapy_preference]
            & masks["able_to_engage_in_therapy"][person.able_to_engage_in_therapy]
            & masks["medication_history"][person.medication_history]
            & masks["therapy_history"][person.therapy_history]
            & masks["urgent"][person.urgent]
            & masks["age_band"][person.age_band]
            & masks["several_concerns"][person.several_concerns]
        )

    def fired(self, concern: ConcernFacts, person: PersonFacts, person_mask: int) -> int:
        """The bits of the rules that fire for this concern."""
        masks = self._masks
        fired = (
            person_mask
            & masks["condition"][concern.condition]
            & masks["severity"][concern.severity]
        )
        if self._general:
            fired = self.index.refine(fired, _facts(concern, person))
        return fired

    def part(self, concern: ConcernFacts, person: PersonFacts, person_mask: int) -> _Part:
        fired = self.fired(concern, person, person_mask)
        base = fired & self._base_bits
        start = self._start.get(base)  # None unless exactly one base rule fired
        if start is None:
            raise ContentError(
                "rules.yaml",
                f"exactly one base rule must fit {concern.condition}/{concern.severity}",
            )
        state, demand = start
        adjusting = fired & self._adjust_bits
        while adjusting:  # in content order (the lowest bit first)
            bit = adjusting & -adjusting
            state = self._tables[bit][state]
            adjusting ^= bit
        return _Part(CONDITION_RANK[concern.condition], concern, fired, demand, state)

    def decide(self, concerns: Sequence[ConcernFacts], person: PersonFacts) -> Decision:
        """Give every option a fit and reasons for these concerns and this person."""
        if not concerns:
            raise InputError("concerns", "give at least one concern")
        person_mask = self.person_mask(person)
        parts = [self.part(concern, person, person_mask) for concern in concerns]
        if len(parts) > 1:
            parts.sort()  # by rank: the conditions' order in the vocabulary
            floor = max(parts, key=_DEMAND)  # the first of the most demanding
            if floor is not parts[0]:
                parts.remove(floor)
                parts.insert(0, floor)
        led_by = None
        if len(parts) > 1:
            rank = self.leader(parts, person)
            if rank is not None:
                led_by = rank.id
                parts.sort()  # the others in the vocabulary's order, as without a precedence
                lead = next(p for p in parts if p.concern.condition == rank.leads)
                parts.remove(lead)
                parts.insert(0, lead)
        floor = parts[0]
        condition = floor.concern.condition
        # each option's reasons, without repeats (same id and words), each where it first came
        reasons: list[dict[tuple[str, str], GivenReason]] = [{} for _ in OPTION_IDS]
        if len(parts) > 1:
            said = (
                self._floor_reason[condition]
                if led_by is None
                else self._precedence_reason[(led_by, condition)]
            )
            for given in reasons:
                given[said.key] = said
        base_bits = self._base_bits
        for part in parts:
            by_bit, giving = self._giving[part.concern.condition]
            left = part.fired & giving
            base = left & base_bits  # the one base rule comes first, then the adjust rules
            order = (base, left ^ base) if base else (left,)
            for bits in order:
                while bits:
                    bit = bits & -bits  # lowest first: the order of the rules in content
                    for index, reason in by_bit[bit]:
                        reasons[index].setdefault(reason.key, reason)
                    bits ^= bit
        said_id = "" if led_by is None else self.book_precedence[led_by].reason
        fits = _FITS_OF_STATE[floor.state]
        options = []
        for index, option in enumerate(OPTION_IDS):
            given = reasons[index]
            fit = fits[index]
            if fit == NOT_ADVISED:  # only the reasons that advise against it (and the floor's)
                keep = self._against[index]
                floor_id = self._floor_id if led_by is None else said_id
                given = {k: r for k, r in given.items() if r.id in keep or r.id == floor_id}
            if given:
                options.append(OptionResult(option, fit, tuple(given.values())))
            else:
                options.append(
                    OptionResult(option, fit, (self._fallback[(index, fit, condition)],))
                )
        return Decision(tuple(options), condition, self, person, tuple(parts), led_by)

    def leader(self, parts: Sequence[_Part], person: PersonFacts) -> Precedence | None:
        """The first precedence that holds for these concerns: both its conditions are
        present and its ``unless`` does not hold for the ``over`` concern. Its ``leads``
        concern is then the floor, whatever the demands."""
        by_condition = {part.concern.condition: part for part in parts}
        for rank in self.book.precedence:
            over = by_condition.get(rank.over)
            if (
                over is not None
                and rank.leads in by_condition
                and not rank.unless.holds(_facts(over.concern, person))
            ):
                return rank
        return None

    # --- explaining ---

    def precedence_trace(self, parts: Sequence[_Part], person: PersonFacts) -> list[TraceEntry]:
        """The precedences whose two conditions are both concerns, in content order: whether
        each handed the floor to its ``leads`` (only the first that holds does)."""
        by_condition = {part.concern.condition: part for part in parts}
        entries = []
        chosen = False
        for rank in self.book.precedence:
            over = by_condition.get(rank.over)
            if over is None or rank.leads not in by_condition:
                continue
            held, why = rank.unless.evaluate(_facts(over.concern, person))
            fired = not held and not chosen
            chosen = chosen or fired
            effect = f"{rank.leads} sets the fits, before {rank.over}" if fired else ""
            because = f"unless, tested on {rank.over}: {why}"
            entries.append(TraceEntry(rank.id, rank.leads, fired, because, effect))
        return entries

    def trace(self, part: _Part, person: PersonFacts) -> list[TraceEntry]:
        """The rules considered for one concern, in order, with what each fired one did."""
        condition = part.concern.condition
        facts = _facts(part.concern, person)
        entries = []
        state = 0
        for c in self._base[condition]:
            fired = bool(part.fired & c.bit)
            effect = ""
            if fired:
                state = self._start[c.bit][0]
                shown = _FITS_OF_STATE[state]
                effect = "starting fits: " + ", ".join(
                    f"{o}={f}" for o, f in zip(OPTION_IDS, shown, strict=True)
                )
            entries.append(TraceEntry(c.rule.id, condition, fired, c.because(facts), effect))
        for c in self._adjust:
            fired = bool(part.fired & c.bit)
            effect = ""
            if fired:
                before, state = _FITS_OF_STATE[state], c.table[state]
                after = _FITS_OF_STATE[state]
                changes = [
                    f"{o}: {b} → {a}"
                    for o, b, a in zip(OPTION_IDS, before, after, strict=True)
                    if b != a
                ]
                effect = "; ".join(changes) if changes else "no change in fit (reasons added)"
            entries.append(TraceEntry(c.rule.id, condition, fired, c.because(facts), effect))
        return entries


def compile_engine(book: RuleBook, condition_names: Mapping[str, str]) -> Engine:
    """The rule book compiled for deciding; ``condition_names`` fill ``{condition}``."""
    return Engine(book, condition_names)


def _condition_of(rule: Rule) -> Expr:
    """What must hold for ``rule`` to fire: its ``when``, and for a base rule its condition."""
    if rule.stage != "base" or rule.condition is None:
        return rule.when
    own = Comparison(fact="condition", op="eq", value=rule.condition)
    return own if rule.when == ALWAYS else All(all=(own, rule.when))


def _values(domain: Domain) -> tuple[Value, ...]:
    if not isinstance(domain, tuple):
        raise ValueError("the rule book tests only facts with named values")
    return domain


def _facts(concern: ConcernFacts, person: PersonFacts) -> dict[str, Value]:
    facts = person.facts()
    facts["condition"] = concern.condition
    facts["severity"] = concern.severity
    return facts
