"""Scoring: answers to one instrument become a ``Score``, exactly as the instrument's content
says (items, bands, screen rules, missing-item policy). No I/O, no clinical numbers in code.

Bad input raises ``InputError`` with a field relative to the answers (``answers`` or
``answers[3]``, counting from 0); callers put it under their own path with
``errors.within``. Missing items follow ``Instrument.missing``:

- a complete form is scored as published;
- with ``prorate`` and at most ``max_missing`` items unanswered, the total is the mean of the
  answered items times the number of items, rounded half up, and flagged ``<id>.prorated``;
- with more missing (or any, under ``none``) there is no total, band or severity, and the
  score is flagged ``<id>.incomplete``;
- subscales are given only when every item of the subscale is answered;
- a risk item (PHQ-9 item 9) must always be answered: it is never filled in.

Screen rules are judged with what is known: a rule is met (or not) when the unanswered items
could not change the outcome, and unknown (None) otherwise.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from fractions import Fraction

from pydantic import BaseModel, ConfigDict

from bothand.domain.errors import InputError
from bothand.domain.instruments import (
    Criterion,
    Instrument,
    Item,
    ItemsCountAtLeast,
    ScreenRule,
    TotalAtLeast,
)
from bothand.domain.vocab import Severity

_NUMBER = re.compile(r"^[+-]?[0-9]+$")


class Score(BaseModel):
    """The result of scoring one completed (or partly completed) instrument."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    instrument: str
    total: int | None
    complete: bool
    prorated: bool
    n_missing: int
    band: str | None
    severity: Severity | None
    subscales: dict[str, int | None]  # subscale id -> sum, None unless all its items answered
    counts: dict[str, int]  # counted criteria with an id (e.g. asrs.shaded) -> items that met it
    screen_positive: bool | None  # None: no screen rule, or it cannot be judged
    flags: tuple[str, ...]  # e.g. "phq9.prorated", "pcl5.dsm5_provisional"
    risk_positive: tuple[str, ...]  # risk item ids answered above 0
    risk_zero: tuple[str, ...]  # risk item ids answered 0: never to be shown as "no risk"
    rules_version: str


def rules_version(instrument: Instrument) -> str:
    return f"{instrument.id}@{instrument.version}"


def score(instrument: Instrument, answers: Sequence[int | None]) -> Score:
    """Score ``answers`` (item values in order, None for an unanswered item)."""
    values = _checked(instrument, answers)
    by_number = {item.number: value for item, value in zip(instrument.items, values, strict=True)}
    n_missing = sum(value is None for value in values)

    flags: list[str] = []
    total, prorated = _total(instrument, values, n_missing)
    if prorated:
        flags.append(f"{instrument.id}.prorated")
    if total is None:
        flags.append(f"{instrument.id}.incomplete")

    subscales: dict[str, int | None] = {}
    for subscale in instrument.subscales:
        parts = [by_number[number] for number in subscale.items]
        subscales[subscale.id] = _sum_if_complete(parts)

    counts: dict[str, int] = {}
    for rule in instrument.rules:
        for criterion in rule.all_of:
            if isinstance(criterion, ItemsCountAtLeast) and criterion.id is not None:
                counts[criterion.id] = _count_met(criterion, by_number)

    screen_positive = _judge(instrument.screen, total, by_number) if instrument.screen else None
    flags += [rule.id for rule in instrument.rules if _judge(rule, total, by_number) is True]

    band = instrument.band_for(total) if total is not None else None
    risk_positive, risk_zero = _risk(instrument, by_number)
    return Score(
        instrument=instrument.id,
        total=total,
        complete=n_missing == 0,
        prorated=prorated,
        n_missing=n_missing,
        band=band.label if band else None,
        severity=band.severity if band else None,
        subscales=subscales,
        counts=counts,
        screen_positive=screen_positive,
        flags=tuple(flags),
        risk_positive=risk_positive,
        risk_zero=risk_zero,
        rules_version=rules_version(instrument),
    )


def parse_answer(instrument: Instrument, item_index: int, raw: str) -> int:
    """One answer typed by a person: a number (``"3"``) or an option's text, or the start of
    it, in any case (``"several days"``, ``"nearly"``). ``item_index`` counts from 0."""
    field = f"answers[{item_index}]"
    if not 0 <= item_index < len(instrument.items):
        raise InputError(
            field, f"the {instrument.short_name} has items 1-{len(instrument.items)} only"
        )
    item = instrument.items[item_index]
    wanted = " ".join(raw.split()).casefold()
    if not wanted:
        raise InputError(field, f"expected an answer {item.min}-{item.max}")
    if _NUMBER.match(wanted):
        value = int(wanted)
        if not item.min <= value <= item.max:
            raise InputError(field, f"{value} is out of range {item.min}-{item.max}")
        return value
    options = [o for o in instrument.options_for(item) if o.text is not None]
    if not options:
        raise InputError(field, f"expected a number {item.min}-{item.max}")
    exact = [o.value for o in options if _folded(o.text) == wanted]
    if exact:
        return exact[0]
    starts = [o for o in options if _folded(o.text).startswith(wanted)]
    if len(starts) == 1:
        return starts[0].value
    choices = ", ".join(f'{o.value} "{o.text}"' for o in options)
    if starts:
        raise InputError(field, f"the answer could mean more than one option; choose {choices}")
    raise InputError(field, f"not one of the answers; choose {choices}")


# --- helpers -------------------------------------------------------------------------------


def _folded(text: str | None) -> str:
    return " ".join((text or "").split()).casefold()


def _checked(instrument: Instrument, answers: Sequence[int | None]) -> list[int | None]:
    if isinstance(answers, (str, bytes)) or not isinstance(answers, Sequence):
        raise InputError("answers", "expected a list of answers")
    expected = len(instrument.items)
    if len(answers) != expected:
        raise InputError(
            "answers",
            f"expected {expected} answers for the {instrument.short_name}, got {len(answers)}",
        )
    bounds = instrument.bounds
    if all(
        type(value) is int and low <= value <= high
        for value, (low, high) in zip(answers, bounds, strict=True)
    ):
        return list(answers)  # the common case: every answer a whole number in range
    values: list[int | None] = []
    for index, (item, value) in enumerate(zip(instrument.items, answers, strict=True)):
        field = f"answers[{index}]" if not _plain_in_range(value, item.min, item.max) else ""
        if not field:
            pass
        elif value is None:
            if item.risk:
                raise InputError(
                    field,
                    f"the safety question (item {item.number}) must be answered; "
                    "it is never filled in from the other answers",
                )
        elif isinstance(value, bool) or not isinstance(value, int):
            raise InputError(field, f"expected a whole number {item.min}-{item.max} or null")
        elif not item.min <= value <= item.max:
            raise InputError(field, f"{value} is out of range {item.min}-{item.max}")
        values.append(value)
    return values


def _plain_in_range(value: object, low: int, high: int) -> bool:
    """The common case, checked cheaply: a real int (not a bool) inside the item's range."""
    return type(value) is int and low <= value <= high


def _total(
    instrument: Instrument, values: Sequence[int | None], n_missing: int
) -> tuple[int | None, bool]:
    """``(total, prorated)`` under the instrument's missing-item policy."""
    parts = [v for item, v in zip(instrument.items, values, strict=True) if item.in_total]
    if n_missing == 0:
        return sum(v for v in parts if v is not None), False
    policy = instrument.missing
    if policy.method != "prorate" or n_missing > policy.max_missing:
        return None, False
    answered = [v for v in parts if v is not None]
    exact = Fraction(sum(answered), len(answered)) * len(parts)
    return math.floor(exact + Fraction(1, 2)), True  # round half up


def _sum_if_complete(values: Sequence[int | None]) -> int | None:
    known = [v for v in values if v is not None]
    return sum(known) if len(known) == len(values) else None


def _count_met(criterion: ItemsCountAtLeast, by_number: dict[int, int | None]) -> int:
    return sum(
        1
        for number, threshold in criterion.items.items()
        if (value := by_number[number]) is not None and value >= threshold
    )


def _judge_criterion(
    criterion: Criterion, total: int | None, by_number: dict[int, int | None]
) -> bool | None:
    if isinstance(criterion, TotalAtLeast):
        return None if total is None else total >= criterion.total_at_least
    met = _count_met(criterion, by_number)
    unknown = sum(by_number[number] is None for number in criterion.items)
    if met >= criterion.at_least:
        return True
    if met + unknown < criterion.at_least:
        return False
    return None


def _judge(rule: ScreenRule, total: int | None, by_number: dict[int, int | None]) -> bool | None:
    """True or False when the answers settle it, None when unanswered items could."""
    results = [_judge_criterion(criterion, total, by_number) for criterion in rule.all_of]
    if False in results:
        return False
    if None in results:
        return None
    return True


def _risk(
    instrument: Instrument, by_number: dict[int, int | None]
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    risk_items: tuple[Item, ...] = instrument.risk_items
    positive = tuple(item.id for item in risk_items if (by_number[item.number] or 0) > 0)
    zero = tuple(item.id for item in risk_items if by_number[item.number] == 0)
    return positive, zero
