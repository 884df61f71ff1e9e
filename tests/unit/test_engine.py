"""The compiled options engine agrees with the rule book read the plain way.

``Engine`` turns conditions into bit masks and effects into tables (``domain/decide/engine.py``).
Here a small reference interpreter walks the same rules one by one — ``when.holds`` on a facts
dict, effects applied to a dict of fits, reasons collected in order, then combined and made
unique — and every result of the engine must equal it: fits, reasons, floor and trace.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Mapping, Sequence
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bothand import services
from bothand.catalog import Catalog
from bothand.domain.decide.engine import (
    PERSON_FACTS,
    ConcernFacts,
    Engine,
    PersonFacts,
    apply_effects,
    compile_engine,
)
from bothand.domain.decide.rules import FACTS, Rule, RuleBook
from bothand.domain.errors import ContentError
from bothand.domain.vocab import CONDITIONS, FIT_ORDER, OPTION_IDS, shift_fit

SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# --- the reference: the rule book read one rule at a time ----------------------------------


def reference(
    book: RuleBook,
    concerns: Sequence[ConcernFacts],
    person: PersonFacts,
    names: Mapping[str, str],
) -> dict[str, Any]:
    """What ``Engine.decide`` must give, worked out the slow and obvious way."""
    outcomes = []
    for concern in sorted(concerns, key=lambda c: CONDITIONS.index(c.condition)):
        facts: dict[str, Any] = {f: getattr(person, f) for f in PERSON_FACTS}
        facts.update(condition=concern.condition, severity=concern.severity)
        base = sorted(
            (r for r in book.rules if r.stage == "base" and r.condition == concern.condition),
            key=lambda r: r.id,
        )
        fired_base = [r for r in base if r.when.holds(facts)]
        assert len(fired_base) == 1
        fits = dict(fired_base[0].set)
        reasons: dict[str, list[tuple[str, str, str | None]]] = {o: [] for o in OPTION_IDS}
        trace = []
        for rule in base:
            fired = rule in fired_base
            effect = ""
            if fired:
                effect = "starting fits: " + ", ".join(f"{o}={fits[o]}" for o in OPTION_IDS)
                give(book, rule, concern.condition, names, reasons)
            trace.append((rule.id, concern.condition, fired, effect, rule.when.evaluate(facts)[1]))
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
                changes = [
                    f"{o}: {before[o]} → {fits[o]}" for o in OPTION_IDS if before[o] != fits[o]
                ]
                effect = "; ".join(changes) if changes else "no change in fit (reasons added)"
                give(book, rule, concern.condition, names, reasons)
            trace.append((rule.id, concern.condition, fired, effect, rule.when.evaluate(facts)[1]))
        outcomes.append((concern.condition, fired_base[0].demand, fits, reasons, trace))
    # the floor: highest demand; ties to the condition first in the vocabulary
    floor_index = max(range(len(outcomes)), key=lambda i: (outcomes[i][1], -i))
    ordered = [outcomes[floor_index], *(o for i, o in enumerate(outcomes) if i != floor_index)]
    floor_condition, _, floor_fits, _, _ = ordered[0]
    options = []
    for option in OPTION_IDS:
        given_reasons: list[tuple[str, str, str | None]] = []
        if len(ordered) > 1:
            given_reasons.append(text_of(book, book.floor_reason, floor_condition, names, False))
        for outcome in ordered:
            given_reasons += outcome[3][option]
        fit = floor_fits[option]
        if not given_reasons:
            reason_id = book.fallback_reasons[option][fit]
            given_reasons.append(text_of(book, reason_id, floor_condition, names, False))
        unique: list[tuple[str, str, str | None]] = []
        for reason in given_reasons:
            if all(reason[:2] != kept[:2] for kept in unique):
                unique.append(reason)
        options.append((option, fit, unique))
    return {
        "options": options,
        "floor": floor_condition,
        "trace": [entry for outcome in ordered for entry in outcome[4]],
    }


def give(
    book: RuleBook,
    rule: Rule,
    condition: str,
    names: Mapping[str, str],
    reasons: dict[str, list[tuple[str, str, str | None]]],
) -> None:
    for ref in rule.reasons:
        for option in OPTION_IDS if ref.option == "all" else (ref.option,):
            reasons[option].append(
                text_of(book, ref.reason, condition, names, rule.stage == "base")
            )


def text_of(
    book: RuleBook, reason_id: str, condition: str, names: Mapping[str, str], about: bool
) -> tuple[str, str, str | None]:
    """``(id, text, concern)`` of a reason given for ``condition``."""
    reason = next(r for r in book.reasons if r.id == reason_id)
    specific = "{condition}" in reason.text
    text = reason.text.replace("{condition}", names[condition]) if specific else reason.text
    return reason.id, text, condition if specific or about else None


def decided(
    engine: Engine, concerns: Sequence[ConcernFacts], person: PersonFacts
) -> dict[str, Any]:
    decision = engine.decide(concerns, person)
    return {
        "options": [
            (o.id, o.fit, [(r.id, r.text, r.concern) for r in o.reasons]) for o in decision.options
        ],
        "floor": decision.floor,
        "trace": [(t.rule, t.concern, t.fired, t.effect, t.because) for t in decision.trace],
    }


# --- strategies ------------------------------------------------------------------------------

SEVERITY = st.sampled_from(FACTS["severity"])
PERSON = st.builds(
    PersonFacts,
    **{fact: st.sampled_from(FACTS[fact]) for fact in PERSON_FACTS},  # type: ignore[arg-type]
)


@st.composite
def concern_lists(draw: st.DrawFn) -> list[ConcernFacts]:
    conditions = draw(st.lists(st.sampled_from(CONDITIONS), min_size=1, max_size=4, unique=True))
    return [ConcernFacts(condition, draw(SEVERITY)) for condition in conditions]


@pytest.fixture(scope="module")
def engine(catalog: Catalog) -> Engine:
    return services.engine(catalog)


# --- tests -----------------------------------------------------------------------------------


@SETTINGS
@given(concerns=concern_lists(), person=PERSON)
def test_the_engine_decides_as_the_rules_read_one_by_one(
    catalog: Catalog, engine: Engine, concerns: list[ConcernFacts], person: PersonFacts
) -> None:
    names = services.condition_names(catalog)
    assert decided(engine, concerns, person) == reference(catalog.rules, concerns, person, names)


def test_every_single_concern_in_every_band_and_age_agrees(
    catalog: Catalog, engine: Engine
) -> None:
    """Every condition × severity × age band, with person facts drawn from a fixed seed."""
    names = services.condition_names(catalog)
    rng = random.Random(20261127)
    for condition, severity, band in itertools.product(
        CONDITIONS, FACTS["severity"], FACTS["age_band"]
    ):
        values = {fact: rng.choice(FACTS[fact]) for fact in PERSON_FACTS}
        values["age_band"] = band
        person = PersonFacts(**values)  # type: ignore[arg-type]
        concerns = [ConcernFacts(condition, str(severity))]
        assert decided(engine, concerns, person) == reference(
            catalog.rules, concerns, person, names
        ), (condition, severity, band)


def test_each_rule_fires_exactly_when_its_condition_holds(catalog: Catalog, engine: Engine) -> None:
    """For every rule, over every combination of the facts it tests (the others at random),
    the engine's masks say "fired" exactly when ``when.holds`` does."""
    rng = random.Random(7)
    bits = {rule.id: 1 << index for index, rule in enumerate(catalog.rules.rules)}
    for rule in catalog.rules.rules:
        used = sorted(rule.when.facts_used() | {"condition", "severity"})
        for values in itertools.product(*(FACTS[f] for f in used)):
            facts: dict[str, Any] = {f: rng.choice(FACTS[f]) for f in FACTS}
            facts.update(zip(used, values, strict=True))
            person = PersonFacts(**{f: facts[f] for f in PERSON_FACTS})
            concern = ConcernFacts(facts["condition"], facts["severity"])
            fired = bool(engine.fired(concern, person, engine.person_mask(person)) & bits[rule.id])
            expected = rule.when.holds(facts) and (
                rule.stage == "adjust" or rule.condition == facts["condition"]
            )
            assert fired == expected, (rule.id, facts)


def test_effect_tables_apply_each_rule_to_every_combination_of_fits(
    catalog: Catalog,
) -> None:
    from bothand.domain.decide.engine import _FITS_OF_STATE, _effect_table, _encode

    for rule in (r for r in catalog.rules.rules if r.stage == "adjust"):
        table = _effect_table(rule)
        for state, before in enumerate(_FITS_OF_STATE):
            fits = dict(zip(OPTION_IDS, before, strict=True))
            apply_effects(rule, fits)
            assert table[state] == _encode(fits), (rule.id, before)


def with_extra_rules(book: RuleBook, *rules: dict[str, Any]) -> RuleBook:
    data = book.model_dump(by_alias=True, exclude_defaults=False)
    data["rules"] = [*data["rules"], *rules]
    return RuleBook.model_validate(data)


GENERAL_RULES = (
    {  # "any" over two different facts: not a box, so the engine asks ``when.holds``
        "id": "rule.test.urgent_or_unsure",
        "stage": "adjust",
        "explains": "A test rule whose condition is not a box.",
        "when": {
            "any": [
                {"fact": "urgent", "op": "eq", "value": True},
                {"fact": "therapy_preference", "op": "eq", "value": "unsure"},
            ]
        },
        "shift": {"monitor": -1},
        "reasons": [{"option": "monitor", "reason": "reason.common.add_later"}],
        "sources": ["nice_ng222"],
    },
    {  # "not" of an "all" over two facts: not a box either
        "id": "rule.test.not_both",
        "stage": "adjust",
        "explains": "Another test rule whose condition is not a box.",
        "when": {
            "not": {
                "all": [
                    {"fact": "medication_history", "op": "eq", "value": "helped"},
                    {"fact": "severity", "op": "in", "value": ["mild", "moderate"]},
                ]
            }
        },
        "at_least": {"therapy": "reasonable"},
        "sources": ["nice_ng222"],
    },
)


@SETTINGS
@given(concerns=concern_lists(), person=PERSON)
def test_conditions_that_are_not_boxes_are_asked_directly(
    catalog: Catalog, concerns: list[ConcernFacts], person: PersonFacts
) -> None:
    book = with_extra_rules(catalog.rules, *GENERAL_RULES)
    names = services.condition_names(catalog)
    engine = compile_engine(book, names)
    assert decided(engine, concerns, person) == reference(book, concerns, person, names)


def test_the_test_rules_really_are_not_boxes(catalog: Catalog) -> None:
    from bothand.domain.decide.engine import _box

    book = with_extra_rules(catalog.rules, *GENERAL_RULES)
    assert [_box(rule.when) for rule in book.rules[-2:]] == [None, None]
    assert all(_box(rule.when) is not None for rule in catalog.rules.rules)


def test_two_base_rules_that_both_fit_are_a_content_error(catalog: Catalog) -> None:
    overlapping = {
        "id": "rule.depression.test_overlap",
        "stage": "base",
        "condition": "depression",
        "explains": "A second base rule for mild depression.",
        "when": {"fact": "severity", "op": "eq", "value": "mild"},
        "demand": 1,
        "set": dict.fromkeys(OPTION_IDS, "reasonable"),
        "sources": ["nice_ng222"],
    }
    book = with_extra_rules(catalog.rules, overlapping)
    engine = compile_engine(book, services.condition_names(catalog))
    with pytest.raises(ContentError, match="exactly one base rule"):
        engine.decide([ConcernFacts("depression", "mild")], PersonFacts())
    engine.decide([ConcernFacts("depression", "severe")], PersonFacts())  # others still work


def test_no_concern_is_refused(engine: Engine) -> None:
    with pytest.raises(ContentError):
        engine.decide([], PersonFacts())
