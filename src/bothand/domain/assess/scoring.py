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

import re
from collections.abc import Sequence
from dataclasses import dataclass

from bothand.domain.assess.instruments import Instrument, ScoringTable
from bothand.domain.errors import InputError
from bothand.domain.vocab import Severity

_NUMBER = re.compile(r"^[+-]?[0-9]+$")


@dataclass(frozen=True, slots=True)
class Score:
    """The result of scoring one completed (or partly completed) instrument."""

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
    review: tuple[str, ...] = ()  # met rules that flag the clinician (e.g. asq.acute_positive)


def rules_version(instrument: Instrument) -> str:
    """``<id>@<version>``: the definition a score was made with."""
    return instrument.scoring_table.rules_version


def score(instrument: Instrument, answers: Sequence[int | None]) -> Score:
    """Score ``answers`` (item values in order, None for an unanswered item)."""
    table = instrument.scoring_table
    # Nearly every form is a complete list of plain whole numbers in range: it is scored
    # without the per-item checks and the unknowns that gaps and odd values need.
    if (type(answers) is list or type(answers) is tuple) and _all_plain(table, answers):
        return _score_complete(instrument.id, table, answers)
    return _score_checked(instrument.id, table, _checked(instrument, answers))


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


def _all_plain(table: ScoringTable, answers: Sequence[object]) -> bool:
    """The common case, checked cheaply: every item answered with a real int (not a bool)
    inside its range."""
    if len(answers) != table.n_items:
        return False
    if table.same_range is not None:
        low, high = table.same_range
        return not [v for v in answers if type(v) is not int or not low <= v <= high]
    bounds = zip(answers, table.lows, table.highs, strict=True)
    return not [v for v, low, high in bounds if type(v) is not int or not low <= v <= high]


def _score_complete(instrument_id: str, table: ScoringTable, values: Sequence[int]) -> Score:
    """Every item answered, each a plain int in range (see ``_all_plain``)."""
    indexes = table.total_indexes
    total = sum(values) if indexes is None else sum([values[i] for i in indexes])
    subscales: dict[str, int | None] = {}
    for subscale_id, members in table.subscales:
        subscales[subscale_id] = sum([values[i] for i in members])

    counts: dict[str, int] = {}
    flags: list[str] = []
    screen_positive: bool | None = None
    if table.rules:
        met: list[int] = []  # per criterion: items that met it, or the total
        outcomes: list[bool] = []
        for pairs, at_least in table.criteria:
            if pairs is None:
                met.append(total)
                outcomes.append(total >= at_least)
            else:
                n = len([None for i, low in pairs if values[i] >= low])
                met.append(n)
                outcomes.append(n >= at_least)
        for count_id, criterion in table.counted:
            counts[count_id] = met[criterion]
        for rule_id, criteria in table.rules:
            rule_met = all([outcomes[c] for c in criteria])
            if rule_met:
                flags.append(rule_id)
            if screen_positive is None and table.has_screen:  # the screen is the first rule
                screen_positive = rule_met

    band = table.bands.get(total)
    positive: tuple[str, ...] = ()
    zero: tuple[str, ...] = ()
    if table.risks:
        positive, zero = _risk(table, values)
    review = tuple(f for f in flags if f in table.review_rules) if table.review_rules else ()
    return Score(
        instrument_id,
        total,
        True,  # complete
        False,  # prorated
        0,  # n_missing
        band[0] if band else None,
        band[1] if band else None,
        subscales,
        counts,
        screen_positive,
        tuple(flags),
        positive,
        zero,
        table.rules_version,
        review,
    )


def _score_checked(instrument_id: str, table: ScoringTable, values: list[int | None]) -> Score:
    """Any checked answers (see ``_checked``), with or without unanswered items."""
    n_missing = sum(1 for value in values if value is None) - len(_unasked(table, values))
    flags: list[str] = []
    total, prorated = _total(table, values, n_missing)
    if prorated:
        flags.append(table.prorated_flag)
    if total is None:
        flags.append(table.incomplete_flag)

    subscales: dict[str, int | None] = {}
    for subscale_id, members in table.subscales:
        parts = [values[i] for i in members]
        known = [v for v in parts if v is not None]
        subscales[subscale_id] = sum(known) if len(known) == len(parts) else None

    judged: list[bool | None] = []
    met: list[int] = []  # per criterion: items known to meet it (0 for a total)
    for pairs, at_least in table.criteria:
        if pairs is None:
            met.append(0)
            judged.append(None if total is None else total >= at_least)
            continue
        known_met = sum(1 for i, low in pairs if (v := values[i]) is not None and v >= low)
        unknown = sum(1 for i, _ in pairs if values[i] is None)
        met.append(known_met)
        if known_met >= at_least:
            judged.append(True)
        elif known_met + unknown < at_least:
            judged.append(False)
        else:
            judged.append(None)
    counts = {count_id: met[criterion] for count_id, criterion in table.counted}

    rule_results = [_all_of([judged[c] for c in criteria]) for _, criteria in table.rules]
    screen_positive = rule_results[0] if table.has_screen else None
    flags += [
        rule_id
        for (rule_id, _), outcome in zip(table.rules, rule_results, strict=True)
        if outcome is True
    ]

    band = table.bands.get(total) if total is not None else None
    positive, zero = _risk(table, values)
    return Score(
        instrument=instrument_id,
        total=total,
        complete=n_missing == 0,
        prorated=prorated,
        n_missing=n_missing,
        band=band[0] if band else None,
        severity=band[1] if band else None,
        subscales=subscales,
        counts=counts,
        screen_positive=screen_positive,
        flags=tuple(flags),
        risk_positive=positive,
        risk_zero=zero,
        rules_version=table.rules_version,
        review=tuple(f for f in flags if f in table.review_rules),
    )


def _checked(instrument: Instrument, answers: Sequence[int | None]) -> list[int | None]:
    if isinstance(answers, (str, bytes)) or not isinstance(answers, Sequence):
        raise InputError("answers", "expected a list of answers")
    expected = len(instrument.items)
    if len(answers) != expected:
        raise InputError(
            "answers",
            f"expected {expected} answers for the {instrument.short_name}, got {len(answers)}",
        )
    values: list[int | None] = []
    unasked = _unasked(instrument.scoring_table, answers)
    for index, (item, value) in enumerate(zip(instrument.items, answers, strict=True)):
        field = f"answers[{index}]" if not _plain_in_range(value, item.min, item.max) else ""
        if not field:
            pass
        elif value is None:
            if item.risk and index not in unasked:
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


def _unasked(table: ScoringTable, values: Sequence[object]) -> tuple[int, ...]:
    """Indexes of the items asked only when another item is above 0 (ASQ question 5) that
    were rightly not asked: null, and no other item above 0. They are not missing."""
    if not table.conditional:
        return ()
    asked = any(
        isinstance(v, int) and not isinstance(v, bool) and v > 0
        for i, v in enumerate(values)
        if i not in table.conditional
    )
    return () if asked else tuple(i for i in table.conditional if values[i] is None)


def _plain_in_range(value: object, low: int, high: int) -> bool:
    """The common case, checked cheaply: a real int (not a bool) inside the item's range."""
    return type(value) is int and low <= value <= high


def _total(
    table: ScoringTable, values: Sequence[int | None], n_missing: int
) -> tuple[int | None, bool]:
    """``(total, prorated)`` under the instrument's missing-item policy."""
    indexes = table.total_indexes
    parts = values if indexes is None else [values[i] for i in indexes]
    if n_missing == 0:
        return sum(v for v in parts if v is not None), False
    if n_missing > table.prorate_up_to:
        return None, False
    answered = [v for v in parts if v is not None]
    # The mean of the answered items times the number of items, rounded half up:
    # floor(s * n / a + 1/2) == (2 * s * n + a) // (2 * a), in whole numbers.
    doubled = 2 * sum(answered) * len(parts) + len(answered)
    return doubled // (2 * len(answered)), True


def _all_of(results: list[bool | None]) -> bool | None:
    """A rule: False when any criterion is not met, None when any cannot be judged yet."""
    if False in results:
        return False
    if None in results:
        return None
    return True


def _risk(
    table: ScoringTable, values: Sequence[int | None]
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    positive = tuple(item_id for i, item_id in table.risks if (values[i] or 0) > 0)
    zero = tuple(item_id for i, item_id in table.risks if values[i] == 0)
    return positive, zero
