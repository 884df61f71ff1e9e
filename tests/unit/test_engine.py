"""The compiled options engine agrees with the rule book read the plain way.

``Engine`` turns conditions into bit masks and effects into tables (see
``domain/decide/engine.py``). ``domain/decide/reference.py`` walks the same rules one by one —
``when.holds`` on a facts dict, effects applied to a dict of fits, reasons collected in order,
then combined and made unique — and every result of the engine must equal it: fits, reasons,
floor and trace.
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
from bothand.catalog import Catalog, load_catalog
from bothand.domain.decide import reference as ref
from bothand.domain.decide.engine import (
    PERSON_FACTS,
    ConcernFacts,
    Engine,
    PersonFacts,
    apply_effects,
    compile_engine,
)
from bothand.domain.decide.grammar import Value
from bothand.domain.decide.masks import MaskIndex
from bothand.domain.decide.rules import RuleBook
from bothand.domain.errors import ContentError, InputError
from bothand.domain.vocab import CONDITIONS, OPTION_IDS

SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
# The values of every fact, from the shipped rule book (the age bands are content).
FACTS: dict[str, tuple[Value, ...]] = {
    fact: values  # type: ignore[misc]
    for fact, values in load_catalog().rules.facts.items()
}


def reference(
    book: RuleBook,
    concerns: Sequence[ConcernFacts],
    person: PersonFacts,
    names: Mapping[str, str],
) -> dict[str, Any]:
    """What ``Engine.decide`` must give, from the reference interpreter."""
    decided = ref.decide(book, [tuple(c) for c in concerns], person._asdict(), names)
    return {
        "options": [
            (option, fit, [(r.id, r.text, r.concern) for r in reasons])
            for option, fit, reasons in decided.options
        ],
        "floor": decided.floor,
        "trace": [tuple(entry) for entry in decided.trace],
    }


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
    book = with_extra_rules(catalog.rules, *GENERAL_RULES)
    index = MaskIndex([rule.when for rule in book.rules], book.facts)
    assert index.boxes[-2:] == (None, None)
    assert all(box is not None for box in index.boxes[:-2])


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


def test_no_concern_is_bad_input_naming_concerns(catalog: Catalog, engine: Engine) -> None:
    with pytest.raises(InputError) as raised:
        engine.decide([], PersonFacts())
    assert raised.value.field == "concerns"
    with pytest.raises(InputError) as raised:
        ref.decide(catalog.rules, [], PersonFacts()._asdict(), {})
    assert raised.value.field == "concerns"
