"""``score`` checked against a plain reference written here from the instrument's own fields
(loops over items, Fraction rounding, no precomputed tables), for every shipped instrument and
a made-up one that uses what none ships (two risk items, an item outside the total, a one-item
subscale, bands without severity), over answers with gaps, bad values and wrong lengths.
Also the score's contract (``contract.dump_score``) and ``assess_safety``."""

from __future__ import annotations

import dataclasses
import enum
import json
import math
from collections.abc import Sequence
from fractions import Fraction
from functools import cache
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bothand.catalog import CONTENT_DIR, load_catalog, load_instruments
from bothand.contract import dump_score
from bothand.domain.assess.instruments import (
    Instrument,
    ItemsCountAtLeast,
    ScreenRule,
    TotalAtLeast,
)
from bothand.domain.assess.safety import assess_safety
from bothand.domain.assess.scoring import Score, score
from bothand.domain.errors import InputError


class Level(enum.IntEnum):
    """An int subclass (not a bool): accepted as an answer when in range."""

    NONE = 0
    SOME = 1
    MORE = 2


@cache
def _instruments() -> dict[str, Instrument]:
    instruments, _ = load_instruments(CONTENT_DIR / "instruments", None)
    return instruments


@cache
def _made_up() -> Instrument:
    """The PCL-5 changed to use what no shipped instrument does."""
    data = _instruments()["pcl5"].model_dump()
    data["id"] = "mix"
    for item in data["items"]:
        item["id"] = f"mix.item{item['number']}"
    data["items"][1]["risk"] = True  # item 2
    data["items"][9]["risk"] = True  # item 10: "mix.item10" sorts before "mix.item2"
    data["items"][19]["in_total"] = False  # item 20: total 0-76
    data["subscales"] = [
        {"id": "mix.one", "name": "One item", "items": (3,)},
        {"id": "mix.spread", "name": "Spread", "items": (20, 1, 11)},
    ]
    meaning = "A made-up band for a test."
    data["bands"] = [
        {"min": 0, "max": 30, "label": "Low", "meaning": meaning},
        {"min": 31, "max": 76, "label": "High", "meaning": meaning},
    ]
    for rule in [data["screen"], *data["flag_rules"]]:
        rule["id"] = rule["id"].replace("pcl5.", "mix.")
        for criterion in rule["all_of"]:
            if criterion.get("id"):
                criterion["id"] = criterion["id"].replace("pcl5.", "mix.")
    return Instrument.model_validate(data)


def _instrument(instrument_id: str) -> Instrument:
    return _made_up() if instrument_id == "mix" else _instruments()[instrument_id]


# --- the reference ---------------------------------------------------------------------------


def reference_score(instrument: Instrument, answers: Any) -> dict[str, Any]:
    """The published scoring, written for reading rather than speed."""
    items = instrument.items
    if isinstance(answers, (str, bytes)) or not isinstance(answers, Sequence):
        raise InputError("answers", "expected a list of answers")
    if len(answers) != len(items):
        raise InputError(
            "answers",
            f"expected {len(items)} answers for the {instrument.short_name}, got {len(answers)}",
        )
    # An item asked only after another item above 0 (ASQ question 5) is, when rightly not
    # asked, null without being missing.
    asked = any(
        isinstance(v, int) and not isinstance(v, bool) and v > 0
        for v, item in zip(answers, items, strict=True)
        if item.show == "always"
    )
    unasked = {item.number for item in items if item.show != "always" and not asked}
    for index, item in enumerate(items):
        value = answers[index]
        field = f"answers[{index}]"
        if value is None:
            if item.risk and item.number not in unasked:
                raise InputError(
                    field,
                    f"the safety question (item {item.number}) must be answered; "
                    "it is never filled in from the other answers",
                )
        elif isinstance(value, bool) or not isinstance(value, int):
            raise InputError(field, f"expected a whole number {item.min}-{item.max} or null")
        elif value < item.min or value > item.max:
            raise InputError(field, f"{value} is out of range {item.min}-{item.max}")

    answer = {item.number: answers[item.number - 1] for item in items}
    missing = [n for n, value in answer.items() if value is None and n not in unasked]
    counted = [item.number for item in items if item.in_total]
    known = [answer[number] for number in counted if answer[number] is not None]
    total: int | None = None
    prorated = False
    if not missing:
        total = sum(known)
    elif instrument.missing.method == "prorate" and len(missing) <= instrument.missing.max_missing:
        exact = Fraction(sum(known), len(known)) * len(counted)
        total = math.floor(exact + Fraction(1, 2))  # half up
        prorated = True

    def judge(criterion: TotalAtLeast | ItemsCountAtLeast) -> bool | None:
        if isinstance(criterion, TotalAtLeast):
            return None if total is None else total >= criterion.total_at_least
        met = unknown = 0
        for number, lowest in criterion.items.items():
            if answer[number] is None:
                unknown += 1
            elif answer[number] >= lowest:
                met += 1
        if met >= criterion.at_least:
            return True
        if met + unknown < criterion.at_least:
            return False
        return None

    def outcome(rule: ScreenRule) -> bool | None:
        results = [judge(criterion) for criterion in rule.all_of]
        if any(result is False for result in results):
            return False
        if all(result is True for result in results):
            return True
        return None

    rules = [rule for rule in [instrument.screen, *instrument.flag_rules] if rule is not None]
    review_rules = {rule.id for rule in rules if rule.clinician_review}
    counts = {}
    for rule in rules:
        for criterion in rule.all_of:
            if isinstance(criterion, ItemsCountAtLeast) and criterion.id is not None:
                counts[criterion.id] = sum(
                    1
                    for number, lowest in criterion.items.items()
                    if answer[number] is not None and answer[number] >= lowest
                )
    flags = [f"{instrument.id}.prorated"] if prorated else []
    flags += [f"{instrument.id}.incomplete"] if total is None else []
    flags += [rule.id for rule in rules if outcome(rule) is True]

    subscales = {}
    for subscale in instrument.subscales:
        values = [answer[number] for number in subscale.items]
        subscales[subscale.id] = None if None in values else sum(values)

    band = None
    for candidate in instrument.bands:
        if total is not None and candidate.min <= total <= candidate.max:
            band = candidate
            break
    risk = [item for item in items if item.risk]
    return {
        "instrument": instrument.id,
        "total": total,
        "complete": not missing,
        "prorated": prorated,
        "n_missing": len(missing),
        "band": band.label if band else None,
        "severity": band.severity if band else None,
        "subscales": subscales,
        "counts": counts,
        "screen_positive": outcome(instrument.screen) if instrument.screen else None,
        "flags": tuple(flags),
        "risk_positive": tuple(item.id for item in risk if (answer[item.number] or 0) > 0),
        "risk_zero": tuple(item.id for item in risk if answer[item.number] == 0),
        "rules_version": f"{instrument.id}@{instrument.version}",
        "review": tuple(flag for flag in flags if flag in review_rules),
    }


def _outcome(scorer: Any, instrument: Instrument, answers: Any) -> Any:
    """The result as a dict, or the error as ``(field, problem)``."""
    try:
        result = scorer(instrument, answers)
    except InputError as error:
        return ("InputError", error.field, error.problem)
    return dataclasses.asdict(result) if isinstance(result, Score) else result


# --- answers ---------------------------------------------------------------------------------

BAD = st.sampled_from([True, False, 1.0, 2.5, "1", b"1", [], -1, 99, 10**30])


@st.composite
def forms(draw: st.DrawFn) -> tuple[str, Any]:
    instrument = _instrument(draw(st.sampled_from([*sorted(_instruments()), "mix"])))
    items = instrument.items
    answers: list[Any] = [draw(st.integers(item.min, item.max)) for item in items]
    kind = draw(st.sampled_from(["complete", "gaps", "bad", "mixed", "length", "enum"]))
    if kind == "gaps":
        gaps = draw(
            st.lists(
                st.integers(0, len(items) - 1),
                max_size=instrument.missing.max_missing + 2,
                unique=True,
            )
        )
        for index in gaps:
            answers[index] = None
    elif kind == "bad":
        answers[draw(st.integers(0, len(items) - 1))] = draw(BAD)
    elif kind == "mixed":
        for index, item in enumerate(items):
            answers[index] = draw(
                st.none() | st.integers(item.min - 1, item.max + 1) | BAD | st.sampled_from(Level)
            )
    elif kind == "length":
        size = len(items) + draw(st.sampled_from([-len(items), -1, 1]))
        answers = (answers * 2)[:size]
    elif kind == "enum":
        for index, item in enumerate(items):
            if draw(st.booleans()) and item.min <= Level.SOME <= item.max:
                answers[index] = Level.SOME
    return instrument.id, draw(st.sampled_from([list, tuple]))(answers)


@settings(max_examples=1000)
@given(forms())
def test_score_matches_the_reference(form: tuple[str, Any]) -> None:
    instrument_id, answers = form
    instrument = _instrument(instrument_id)
    assert _outcome(score, instrument, answers) == _outcome(reference_score, instrument, answers)


@pytest.mark.parametrize("answers", ["1234", b"12", 7, None, {0: 1}, range(9), iter([0] * 9)])
def test_score_refuses_what_is_not_a_list_of_answers_as_the_reference_does(
    answers: Any,
) -> None:
    phq9 = _instruments()["phq9"]
    assert _outcome(score, phq9, answers) == _outcome(reference_score, phq9, answers)


def test_made_up_instrument_keeps_item_order_in_risk_lists() -> None:
    instrument = _made_up()
    answers: list[int | None] = [1] * 20
    result = score(instrument, answers)
    assert result.risk_positive == ("mix.item2", "mix.item10")
    assert result.total == 19  # item 20 is outside the total
    assert result.subscales == {"mix.one": 1, "mix.spread": 3}
    assert result.band == "Low" and result.severity is None
    answers[10] = None  # in the spread subscale
    assert score(instrument, answers).subscales == {"mix.one": 1, "mix.spread": None}
    assert score(instrument, answers).total == 19  # 18 / 18 * 19


def test_prorating_rounds_exact_halves_up_whatever_the_parity() -> None:
    # PHQ-9 with one gap: s / 8 * 9 is a half exactly when s is 4 or 12 (4.5, 13.5).
    phq9 = _instruments()["phq9"]
    assert score(phq9, [1, 1, 1, 1, 0, 0, 0, None, 0]).total == 5
    assert score(phq9, [3, 3, 3, 3, 0, 0, 0, None, 0]).total == 14
    assert score(phq9, [2, 2, 2, 1, 0, 0, 0, None, 0]).total == 8  # 7.875


# --- Score -----------------------------------------------------------------------------------


def test_score_is_immutable() -> None:
    result = score(_instruments()["phq9"], [0] * 9)
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.total = 3  # type: ignore[misc]


def test_the_score_contract_is_plain_json_in_field_order() -> None:
    result = score(_instruments()["pcl5"], [2] * 19 + [None])
    data = dict(dump_score(result))
    assert list(data) == [field.name for field in dataclasses.fields(Score)]
    assert json.loads(json.dumps(data)) == data
    assert data == {
        "instrument": "pcl5",
        "total": 40,
        "complete": False,
        "prorated": True,
        "n_missing": 1,
        "band": None,
        "severity": None,
        "subscales": {
            "pcl5.cluster_b": 10,
            "pcl5.cluster_c": 4,
            "pcl5.cluster_d": 14,
            "pcl5.cluster_e": None,
        },
        "counts": {
            "pcl5.endorsed_b": 5,
            "pcl5.endorsed_c": 2,
            "pcl5.endorsed_d": 7,
            "pcl5.endorsed_e": 5,
        },
        "screen_positive": True,
        "flags": [
            "pcl5.prorated",
            "pcl5.probable_ptsd",
            "pcl5.dsm5_provisional",
            "pcl5.item16_risky_behaviour",
        ],
        "risk_positive": [],
        "risk_zero": [],
        "rules_version": "pcl5@1.0",
        "review": ["pcl5.item16_risky_behaviour"],
    }
    data["subscales"]["pcl5.cluster_b"] = 0  # a copy: the score is unchanged
    assert result.subscales["pcl5.cluster_b"] == 10


# --- safety ----------------------------------------------------------------------------------


def test_safety_is_worked_out_per_crisis_entry_and_never_mixes_entries() -> None:
    crisis = load_catalog().crisis
    us, gb = crisis.for_locale("en-US"), crisis.for_locale("en-GB")
    positive = score(_instruments()["phq9"], [0] * 8 + [2])
    assert assess_safety([positive], us) == assess_safety([positive], us)
    assert assess_safety([positive], us).locale == "en-US"
    assert assess_safety([positive], gb).locale == "en-GB"
    copy = us.model_copy(update={"urgent_message": "Another message for this test."})
    assert assess_safety([positive], copy).message == "Another message for this test."
    assert assess_safety([positive], us).message == us.urgent_message
    fewer = us.model_copy(update={"resources": us.resources[:1]})
    assert len(assess_safety([positive], fewer).resources) == 1


def test_safety_flags_are_sorted_and_unique_over_scores() -> None:
    us = load_catalog().crisis.for_locale("en-US")
    made_up = score(_made_up(), [1] * 20)
    phq9 = score(_instruments()["phq9"], [0] * 9)
    safety = assess_safety([made_up], us)
    assert safety.flags == ("mix.item10", "mix.item2")
    assert safety.urgent and safety.clinician_flag and safety.notes == ()
    both = assess_safety([phq9, made_up, made_up], us)
    assert both.flags == ("mix.item10", "mix.item2")
    zero = assess_safety([phq9], us)
    assert not zero.urgent and zero.notes == (us.zero_is_not_no_risk,)
    unasked = assess_safety([], us)
    assert unasked.notes == (us.not_assessed,) and not unasked.urgent
    assert not unasked.risk_assessed and unasked.review_flags == ("risk_not_assessed",)
    assert unasked.clinician_flag  # never silence: the clinician is told risk was not asked
