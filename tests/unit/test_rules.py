"""The rule grammar: closed, typed, explainable."""

from __future__ import annotations

import pytest
from pydantic import TypeAdapter, ValidationError

from bothand.domain.decide.grammar import Comparison, Expr
from bothand.domain.decide.rules import Rule

EXPR: TypeAdapter[object] = TypeAdapter(Expr)


def evaluate(data: object, **facts: object) -> tuple[bool, str]:
    expr = EXPR.validate_python(data)
    return expr.evaluate(facts)  # type: ignore[attr-defined]


def test_eq_and_because_name_the_fact_and_both_values() -> None:
    ok, because = evaluate({"fact": "severity", "op": "eq", "value": "mild"}, severity="moderate")
    assert not ok
    assert because == "severity is moderate (rule wants mild)"


def test_in_and_not_in() -> None:
    test = {"fact": "condition", "op": "in", "value": ["bipolar", "schizophrenia"]}
    assert evaluate(test, condition="bipolar")[0]
    assert not evaluate(test, condition="ptsd")[0]
    negated = {"fact": "condition", "op": "not_in", "value": ["bipolar", "schizophrenia"]}
    assert evaluate(negated, condition="ptsd")[0]


def test_all_any_not_compose_and_mark_each_part() -> None:
    data = {
        "all": [
            {"fact": "medication_preference", "op": "eq", "value": "prefer_to_avoid"},
            {"not": {"any": [{"fact": "condition", "op": "eq", "value": "bipolar"}]}},
        ]
    }
    ok, because = evaluate(data, medication_preference="prefer_to_avoid", condition="ptsd")
    assert ok
    assert because.count("✓") == 2  # the preference test, and the whole not(...)
    ok, because = evaluate(data, medication_preference="prefer_to_avoid", condition="bipolar")
    assert not ok
    assert "condition is bipolar" in because


def test_booleans_are_facts_too() -> None:
    data = {"fact": "able_to_engage_in_therapy", "op": "eq", "value": False}
    assert evaluate(data, able_to_engage_in_therapy=False) == (
        True,
        "able_to_engage_in_therapy is no (rule wants no)",
    )


@pytest.mark.parametrize(
    "data, message",
    [
        ({"fact": "severity", "op": "eq", "value": "modrate"}, "cannot be 'modrate'"),
        ({"fact": "mood", "op": "eq", "value": "low"}, "unknown fact 'mood'"),
        ({"fact": "severity", "op": "in", "value": "mild"}, "needs a list"),
        ({"fact": "severity", "op": "eq", "value": ["mild"]}, "needs a single value"),
        ({"fact": "severity", "op": "gt", "value": "mild"}, "op"),
        ({"all": []}, "at least 1"),
        ({"eval": "1 + 1"}, "eval"),
    ],
)
def test_typos_and_unknown_shapes_are_rejected(data: object, message: str) -> None:
    with pytest.raises(ValidationError) as caught:
        EXPR.validate_python(data)
    assert message in str(caught.value)


def _base(**overrides: object) -> dict[str, object]:
    rule: dict[str, object] = {
        "id": "rule.x",
        "stage": "base",
        "condition": "depression",
        "demand": 1,
        "explains": "a rule for the tests",
        "when": {"fact": "severity", "op": "eq", "value": "mild"},
        "set": {
            o: "reasonable"
            for o in (
                "therapy",
                "medication",
                "combined",
                "therapy_first",
                "medication_first",
                "monitor",
            )
        },
        "sources": ["nice_ng222"],
    }
    rule.update(overrides)
    return rule


def test_a_base_rule_must_set_every_option() -> None:
    Rule.model_validate(_base())
    with pytest.raises(ValidationError, match="sets every option"):
        Rule.model_validate(_base(set={"therapy": "usual_start"}))


def test_a_base_rule_may_not_test_preferences() -> None:
    with pytest.raises(ValidationError, match="may test only"):
        Rule.model_validate(
            _base(when={"fact": "medication_preference", "op": "eq", "value": "open"})
        )


def test_adjust_rules_have_no_condition_or_demand() -> None:
    with pytest.raises(ValidationError, match="only base rules"):
        Rule.model_validate(_base(stage="adjust", set={}))


def test_shift_is_bounded() -> None:
    with pytest.raises(ValidationError):
        Rule.model_validate(
            {
                "id": "rule.y",
                "stage": "adjust",
                "explains": "shifts too far",
                "when": {"always": True},
                "shift": {"therapy": 5},
                "sources": ["nice_ng222"],
            }
        )


def test_test_model_is_frozen() -> None:
    test = Comparison(fact="severity", op="eq", value="mild")
    with pytest.raises(ValidationError):
        test.fact = "condition"  # type: ignore[misc]


def test_numbers_are_tested_with_ge_and_le_and_an_unknown_number_passes_neither() -> None:
    at_least = {"fact": "age", "op": "ge", "value": 18}
    at_most = {"fact": "age", "op": "le", "value": 25}
    assert evaluate(at_least, age=18) == (True, "age is 18 (rule wants at least 18)")
    assert not evaluate(at_least, age=17)[0]
    assert evaluate(at_most, age=25)[0]
    assert not evaluate(at_most, age=26)[0]
    assert evaluate(at_least, age=None) == (False, "age is unknown (rule wants at least 18)")
    assert not evaluate(at_most, age=None)[0]


@pytest.mark.parametrize(
    "data, message",
    [
        ({"fact": "age", "op": "eq", "value": 18}, "use op 'ge' or 'le'"),
        ({"fact": "age", "op": "ge", "value": "18"}, "needs a whole number"),
        ({"fact": "age", "op": "ge", "value": True}, "needs a whole number"),
        ({"fact": "age", "op": "le", "value": 200}, "runs from 0 to 120"),
        ({"fact": "severity", "op": "ge", "value": "mild"}, "needs a numeric fact"),
        ({"severity": "mild"}, "a 'when' is {fact, op, value}"),
    ],
)
def test_numeric_tests_are_checked_too(data: object, message: str) -> None:
    with pytest.raises(ValidationError) as caught:
        EXPR.validate_python(data)
    assert message in str(caught.value)


def test_a_rule_may_not_test_a_fact_of_the_timeline() -> None:
    with pytest.raises(ValidationError, match=r"a rule may test only .* not \['option'\]"):
        Rule.model_validate(
            _base(
                stage="adjust",
                condition=None,
                demand=None,
                set={},
                when={"fact": "option", "op": "eq", "value": "therapy"},
            )
        )
