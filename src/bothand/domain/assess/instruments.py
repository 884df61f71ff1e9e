"""Questionnaires ("instruments") as data: items, answer options, bands, screen rules, the
missing-item policy, LOINC codes and licence.

This module owns the *shape* of an instrument and the checks that make a definition
trustworthy (bands cover the whole total range, items are numbered 1..n, rules point at real
items, wording is present exactly when the licence lets us ship it). It does no scoring (see
``scoring.py``) and no I/O: ``catalog.py`` reads the YAML and calls ``Instrument.with_wording``
when a clinic supplies licensed wording.

Official item wording is a plain ``str``, never ``PatientText``: validated wording is shown
unchanged and is not graded or rewritten. Text the project writes itself is ``PatientText``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property
from typing import Annotated, Literal

from pydantic import Field, model_validator

from bothand.domain.knowledge.base import ContentId, ContentModel, PatientText, SourceId
from bothand.domain.vocab import Severity

Loinc = Annotated[str, Field(pattern=r"^[0-9]{1,7}-[0-9]$")]
LoincAnswer = Annotated[str, Field(pattern=r"^LA[0-9]{1,7}-[0-9]$")]
MissingMethod = Literal["none", "prorate"]
ShowWhen = Literal["always", "any_item_above_zero"]


def loinc_check_digit_ok(code: str) -> bool:
    """True when the last digit of a LOINC term code (``44261-6``) is the Mod 10 check digit
    of the rest, which catches most typing errors. (LA answer codes use another scheme.)"""
    body, _, check = code.partition("-")
    total = 0
    for position, char in enumerate(reversed(body)):
        digit = int(char)
        if position % 2 == 0:  # rightmost digit and every second one to its left are doubled
            digit *= 2
            digit = digit // 10 + digit % 10
        total += digit
    return (10 - total % 10) % 10 == int(check)


class Licence(ContentModel):
    """Who owns the wording and whether Bothand may ship it."""

    ships_wording: bool
    statement: str = Field(min_length=10)  # what the licence allows, or why we may not ship
    attribution: str = Field(min_length=10)  # the line kept with the form, or the citation
    unavailable_reason: PatientText | None = None  # shown when the wording is not available
    loinc_notice: str | None = None

    @model_validator(mode="after")
    def _reason_when_not_shipped(self) -> Licence:
        if self.ships_wording == (self.unavailable_reason is not None):
            raise ValueError("give unavailable_reason exactly when ships_wording is false")
        return self


class AnswerOption(ContentModel):
    value: int
    text: str | None = None  # official label; None when the wording is not shipped
    loinc: LoincAnswer | None = None


class Item(ContentModel):
    number: int = Field(ge=1)
    id: ContentId  # "<instrument>.item<number>", e.g. phq9.item9
    text: str | None = None  # official wording; None when not shipped
    part: str | None = None  # a part of the form, e.g. "A" (ASRS) or "Q2" (MDQ)
    loinc: Loinc | None = None
    min: int = 0
    max: int
    risk: bool = False  # a safety item: never imputed, a value above 0 is urgent
    in_total: bool = True  # False for scored parts outside the total (MDQ Q2 and Q3)
    options: tuple[AnswerOption, ...] | None = None  # overrides the instrument's options
    # "any_item_above_zero": asked only when another item is above 0 (ASQ question 5, after
    # a "yes" to 1-4); unasked it is null and not missing. Such an item is outside the total.
    show: ShowWhen = "always"


class ExtraItem(ContentModel):
    """An unscored question asked with the form (the PHQ-9 and GAD-7 difficulty question)."""

    id: ContentId
    text: str | None = None
    loinc: Loinc | None = None
    show: ShowWhen = "always"
    options: tuple[AnswerOption, ...] = Field(min_length=1)


class Subscale(ContentModel):
    id: ContentId  # e.g. pcl5.cluster_b
    name: str
    items: tuple[int, ...] = Field(min_length=1)  # item numbers


class Band(ContentModel):
    """An inclusive range of totals, its published label and the severity it maps to."""

    min: int
    max: int
    label: str  # the published band name (clinician-facing)
    severity: Severity | None = None
    meaning: PatientText


class TotalAtLeast(ContentModel):
    total_at_least: int


class ItemsCountAtLeast(ContentModel):
    """At least ``at_least`` of ``items`` reach their own threshold (item number -> lowest
    answer that counts). With ``id`` the count is reported in ``Score.counts``."""

    id: ContentId | None = None
    items: dict[int, int] = Field(min_length=1)
    at_least: int = Field(ge=1)


Criterion = TotalAtLeast | ItemsCountAtLeast


class ScreenRule(ContentModel):
    """A published cut-off or algorithm. It is met when every criterion is met; its id is
    also the flag a score carries when it is met."""

    id: ContentId
    label: str  # clinician-facing, e.g. "PCL-5 total 33 or more: probable PTSD"
    meaning: PatientText
    all_of: tuple[Criterion, ...] = Field(min_length=1)
    sources: tuple[SourceId, ...] = Field(min_length=1)
    # met: the clinician must look (ASQ positive, PCL-5 item 16); ``Score.review`` names it
    clinician_review: bool = False


class MissingPolicy(ContentModel):
    """How unanswered items are handled. Risk items are never filled in, whatever this says.

    ``prorate``: with at most ``max_missing`` items unanswered, the total is the mean of the
    answered items times the number of items, rounded half up (for one missing item this is
    the same number as the NHS "replace it with the mean" rule). Subscales are given only
    when all their items are answered.
    """

    method: MissingMethod
    max_missing: int = Field(ge=0)
    explanation: str = Field(min_length=10)  # for clinicians and the docs
    sources: tuple[SourceId, ...] = ()

    @model_validator(mode="after")
    def _none_means_zero(self) -> MissingPolicy:
        if self.method == "none" and self.max_missing != 0:
            raise ValueError("method 'none' allows no missing items: set max_missing to 0")
        if self.method == "prorate" and self.max_missing == 0:
            raise ValueError("method 'prorate' needs max_missing of 1 or more")
        return self


class LicensedWording(ContentModel):
    """Wording a clinic holds a licence for, kept outside the project in ``<id>.yaml``."""

    instrument: ContentId
    licence: str = Field(min_length=5)  # the clinic's licence or permission, for the record
    instructions: str = Field(min_length=1)
    lead_in: str | None = None
    items: dict[int, str] = Field(min_length=1)  # item number -> text
    # option value -> text, for the options shared by every item
    options: dict[int, str] = Field(default_factory=dict)
    # item number -> option value -> text, for items with their own options
    item_options: dict[int, dict[int, str]] = Field(default_factory=dict)
    extra_items: dict[str, str] = Field(default_factory=dict)  # extra item id -> text
    # extra item id -> option value -> text
    extra_item_options: dict[str, dict[int, str]] = Field(default_factory=dict)


Pairs = tuple[tuple[int, int], ...]  # (item index, lowest answer that counts)


@dataclass(frozen=True, slots=True)
class ScoringTable:
    """An instrument restated by item index (counting from 0) for ``scoring.score``, built
    once per instrument (``Instrument.scoring_table``) so that scoring a form looks nothing up
    by item number or criterion type. It says nothing the instrument's fields do not."""

    n_items: int
    same_range: tuple[int, int] | None  # (min, max) when every item has the same range
    lows: tuple[int, ...]  # each item's min
    highs: tuple[int, ...]  # each item's max
    total_indexes: tuple[int, ...] | None  # items in the total; None when every item is
    prorate_up_to: int  # most unanswered items the total is prorated over; 0: never
    subscales: tuple[tuple[str, tuple[int, ...]], ...]  # (subscale id, item indexes)
    # every criterion of every rule, in order: (pairs, at_least) for a count of items, or
    # (None, cut-off) for a total
    criteria: tuple[tuple[Pairs | None, int], ...]
    counted: tuple[tuple[str, int], ...]  # (count id, its index in criteria), in rule order
    rules: tuple[tuple[str, tuple[int, ...]], ...]  # (rule id, indexes in criteria); screen first
    has_screen: bool
    bands: dict[int, tuple[str, Severity | None]]  # total -> (label, severity) of band_for
    risks: tuple[tuple[int, str], ...]  # (item index, item id) of each risk item
    conditional: tuple[int, ...]  # indexes of items asked only when another is above 0
    review_rules: frozenset[str]  # ids of the rules that flag the clinician when met
    prorated_flag: str
    incomplete_flag: str
    rules_version: str  # "<id>@<version>": the definition a score was made with


class Instrument(ContentModel):
    id: ContentId
    name: str
    short_name: str
    version: str  # version of this definition; scores record it
    form: str  # the published form this follows
    reviewed: dt.date
    licence: Licence
    wording_licence: str | None = None  # set when a clinic's licensed wording was merged
    time_frame: str | None = None
    instructions: str | None = None  # the official stem
    lead_in: str | None = None  # a second official line before the items (PCL-5)
    about: PatientText  # what the questions ask about, in our words
    score_means: PatientText
    score_does_not_mean: PatientText
    options: tuple[AnswerOption, ...] = ()  # shared by every item without its own
    items: tuple[Item, ...] = Field(min_length=1)
    extra_items: tuple[ExtraItem, ...] = ()
    panel_loinc: Loinc | None = None
    total_loinc: Loinc | None = None
    subscales: tuple[Subscale, ...] = ()
    measures_severity: bool
    bands: tuple[Band, ...] = ()
    screen: ScreenRule | None = None  # decides Score.screen_positive
    flag_rules: tuple[ScreenRule, ...] = ()  # further rules; each adds its id to Score.flags
    missing: MissingPolicy
    sources: tuple[SourceId, ...] = Field(min_length=1)

    # --- derived ------------------------------------------------------------------------

    @cached_property
    def total_items(self) -> tuple[Item, ...]:
        return tuple(item for item in self.items if item.in_total)

    @cached_property
    def total_min(self) -> int:
        return sum(item.min for item in self.total_items)

    @cached_property
    def total_max(self) -> int:
        return sum(item.max for item in self.total_items)

    @cached_property
    def bounds(self) -> tuple[tuple[int, int], ...]:
        """``(min, max)`` of each item, in order."""
        return tuple((item.min, item.max) for item in self.items)

    @cached_property
    def risk_items(self) -> tuple[Item, ...]:
        return tuple(item for item in self.items if item.risk)

    @cached_property
    def rules(self) -> tuple[ScreenRule, ...]:
        return ((self.screen,) if self.screen else ()) + self.flag_rules

    @cached_property
    def has_wording(self) -> bool:
        """True when every item can be shown: shipped wording or a clinic's licensed copy."""
        return all(item.text is not None for item in self.items)

    @cached_property
    def scoring_table(self) -> ScoringTable:
        """This instrument by item index, for ``scoring.score`` (built on first use)."""
        ranges = set(self.bounds)
        criteria: list[tuple[Pairs | None, int]] = []
        counted: list[tuple[str, int]] = []
        rules: list[tuple[str, tuple[int, ...]]] = []
        for rule in self.rules:
            first = len(criteria)
            for criterion in rule.all_of:
                if isinstance(criterion, TotalAtLeast):
                    criteria.append((None, criterion.total_at_least))
                    continue
                if criterion.id is not None:
                    counted.append((criterion.id, len(criteria)))
                pairs = tuple((number - 1, low) for number, low in criterion.items.items())
                criteria.append((pairs, criterion.at_least))
            rules.append((rule.id, tuple(range(first, len(criteria)))))
        bands: dict[int, tuple[str, Severity | None]] = {}
        for band in reversed(self.bands):  # the first band that holds a total wins, as in band_for
            for total in range(band.min, band.max + 1):
                bands[total] = (band.label, band.severity)
        in_total = tuple(index for index, item in enumerate(self.items) if item.in_total)
        return ScoringTable(
            n_items=len(self.items),
            same_range=next(iter(ranges)) if len(ranges) == 1 else None,
            lows=tuple(item.min for item in self.items),
            highs=tuple(item.max for item in self.items),
            total_indexes=None if len(in_total) == len(self.items) else in_total,
            prorate_up_to=self.missing.max_missing if self.missing.method == "prorate" else 0,
            subscales=tuple(
                (subscale.id, tuple(number - 1 for number in subscale.items))
                for subscale in self.subscales
            ),
            criteria=tuple(criteria),
            counted=tuple(counted),
            rules=tuple(rules),
            has_screen=self.screen is not None,
            bands=bands,
            risks=tuple((index, item.id) for index, item in enumerate(self.items) if item.risk),
            conditional=tuple(
                index for index, item in enumerate(self.items) if item.show != "always"
            ),
            review_rules=frozenset(rule.id for rule in self.rules if rule.clinician_review),
            prorated_flag=f"{self.id}.prorated",
            incomplete_flag=f"{self.id}.incomplete",
            rules_version=f"{self.id}@{self.version}",
        )

    def options_for(self, item: Item) -> tuple[AnswerOption, ...]:
        return item.options if item.options is not None else self.options

    def band_for(self, total: int) -> Band | None:
        return next((band for band in self.bands if band.min <= total <= band.max), None)

    def texts(self) -> Iterator[tuple[str, str | None]]:
        """``(where, text)`` for every piece of official wording, present or not."""
        yield "instructions", self.instructions
        for item in self.items:
            yield f"items[{item.number}]", item.text
            for option in item.options or ():
                yield f"items[{item.number}].options[{option.value}]", option.text
        for option in self.options:
            yield f"options[{option.value}]", option.text
        for extra in self.extra_items:
            yield f"extra_items.{extra.id}", extra.text
            for option in extra.options:
                yield f"extra_items.{extra.id}.options[{option.value}]", option.text

    # --- checks -------------------------------------------------------------------------

    @model_validator(mode="after")
    def _check(self) -> Instrument:
        self._check_items()
        self._check_options()
        self._check_subscales()
        self._check_bands()
        self._check_rules()
        self._check_wording()
        self._check_loinc()
        return self

    def _fail(self, problem: str) -> ValueError:
        return ValueError(f"instrument '{self.id}': {problem}")

    def _check_items(self) -> None:
        for index, item in enumerate(self.items, start=1):
            if item.number != index:
                raise self._fail(f"items must be numbered 1..{len(self.items)} in order")
            if item.id != f"{self.id}.item{item.number}":
                raise self._fail(f"item {item.number} must have id '{self.id}.item{item.number}'")
            if item.min > item.max:
                raise self._fail(f"item {item.number}: min {item.min} is above max {item.max}")
            if item.show != "always" and item.in_total:
                raise self._fail(f"item {item.number} is asked only sometimes: set in_total false")
        if not self.total_items:
            raise self._fail("at least one item must count in the total")
        if self.missing.max_missing >= len(self.total_items):
            raise self._fail("missing.max_missing must leave at least one answered item")
        extra_ids = [extra.id for extra in self.extra_items]
        if len(set(extra_ids)) != len(extra_ids):
            raise self._fail("extra item ids must be unique")
        for extra_id in extra_ids:
            if not extra_id.startswith(f"{self.id}."):
                raise self._fail(f"extra item '{extra_id}' must start with '{self.id}.'")

    def _check_options(self) -> None:
        for item in self.items:
            options = self.options_for(item)
            if not options:
                raise self._fail(f"item {item.number} has no answer options")
            values = [option.value for option in options]
            if values != list(range(item.min, item.max + 1)):
                raise self._fail(
                    f"item {item.number}: option values {values} must be "
                    f"{item.min}..{item.max} in order"
                )
        for extra in self.extra_items:
            values = [option.value for option in extra.options]
            if values != list(range(values[0], values[0] + len(values))):
                raise self._fail(f"extra item '{extra.id}': option values must be consecutive")

    def _check_subscales(self) -> None:
        ids = [subscale.id for subscale in self.subscales]
        if len(set(ids)) != len(ids):
            raise self._fail("subscale ids must be unique")
        for subscale in self.subscales:
            if not subscale.id.startswith(f"{self.id}."):
                raise self._fail(f"subscale '{subscale.id}' must start with '{self.id}.'")
            if len(set(subscale.items)) != len(subscale.items):
                raise self._fail(f"subscale '{subscale.id}' lists an item twice")
            for number in subscale.items:
                if not 1 <= number <= len(self.items):
                    raise self._fail(f"subscale '{subscale.id}': there is no item {number}")

    def _check_bands(self) -> None:
        if self.measures_severity and not self.bands:
            raise self._fail("an instrument that measures severity needs bands")
        if not self.bands:
            return
        expected = self.total_min
        for band in self.bands:
            where = f"band '{band.label}' ({band.min}-{band.max})"
            if band.min > band.max:
                raise self._fail(f"{where}: min is above max")
            if band.min > expected:
                raise self._fail(f"bands leave a gap: {expected}-{band.min - 1} is not covered")
            if band.min < expected:
                raise self._fail(f"{where} overlaps the band before it or starts below the range")
            if self.measures_severity and band.severity is None:
                raise self._fail(f"{where}: needs a severity")
            if not self.measures_severity and band.severity is not None:
                raise self._fail(f"{where}: has a severity, but measures_severity is false")
            expected = band.max + 1
        if expected != self.total_max + 1:
            raise self._fail(
                f"bands must end at the highest total {self.total_max}, not {expected - 1}"
            )

    def _check_rules(self) -> None:
        ids = [rule.id for rule in self.rules]
        if len(set(ids)) != len(ids):
            raise self._fail("screen rule ids must be unique")
        for rule in self.rules:
            if not rule.id.startswith(f"{self.id}."):
                raise self._fail(f"rule '{rule.id}' must start with '{self.id}.'")
            for criterion in rule.all_of:
                if isinstance(criterion, TotalAtLeast):
                    if not self.total_min < criterion.total_at_least <= self.total_max:
                        raise self._fail(f"rule '{rule.id}': cut-off outside the total range")
                    continue
                if criterion.at_least > len(criterion.items):
                    raise self._fail(f"rule '{rule.id}': asks for more items than it lists")
                for number, threshold in criterion.items.items():
                    if not 1 <= number <= len(self.items):
                        raise self._fail(f"rule '{rule.id}': there is no item {number}")
                    item = self.items[number - 1]
                    if not item.min < threshold <= item.max:
                        raise self._fail(
                            f"rule '{rule.id}': threshold {threshold} for item {number} "
                            f"is outside {item.min + 1}-{item.max}"
                        )

    def _check_wording(self) -> None:
        texts = list(self.texts())
        if self.licence.ships_wording or self.wording_licence is not None:
            absent = [where for where, text in texts if text is None]
            if absent:
                raise self._fail(f"wording is missing for {', '.join(absent[:3])}")
        else:
            present = [where for where, text in texts if text is not None]
            present += ["lead_in"] if self.lead_in is not None else []
            if present:
                raise self._fail(
                    f"the licence does not let us ship wording, but {present[0]} has text"
                )

    def _check_loinc(self) -> None:
        codes = [self.panel_loinc, self.total_loinc]
        codes += [item.loinc for item in self.items] + [extra.loinc for extra in self.extra_items]
        for code in codes:
            if code is not None and not loinc_check_digit_ok(code):
                raise self._fail(f"LOINC code {code} has a wrong check digit")

    # --- licensed wording ---------------------------------------------------------------

    def with_wording(self, wording: LicensedWording) -> Instrument:
        """This instrument with a clinic's licensed wording merged in (validated again).
        Raises ValueError naming what is missing or unknown."""
        if wording.instrument != self.id:
            raise ValueError(f"is for '{wording.instrument}', not '{self.id}'")
        numbers = {item.number for item in self.items}
        if set(wording.items) != numbers:
            missing = sorted(numbers - set(wording.items))
            unknown = sorted(set(wording.items) - numbers)
            raise ValueError(f"items: missing {missing}, unknown {unknown}")
        extra_ids = {extra.id for extra in self.extra_items}
        if set(wording.extra_items) != extra_ids or set(wording.extra_item_options) - extra_ids:
            raise ValueError(f"extra_items: give a text for each of {sorted(extra_ids)}")
        if set(wording.item_options) - numbers:
            raise ValueError("item_options: names an item that does not exist")
        data = self.model_dump()
        data["wording_licence"] = wording.licence
        data["instructions"] = wording.instructions
        data["lead_in"] = wording.lead_in
        for option in data["options"]:
            option["text"] = _option_text(wording.options, option["value"], "options")
        for item in data["items"]:
            item["text"] = wording.items[item["number"]]
            for option in item["options"] or ():
                texts = wording.item_options.get(item["number"], {})
                option["text"] = _option_text(texts, option["value"], f"items[{item['number']}]")
        for extra in data["extra_items"]:
            extra["text"] = wording.extra_items[extra["id"]]
            texts = wording.extra_item_options.get(extra["id"], {})
            for option in extra["options"]:
                option["text"] = _option_text(texts, option["value"], extra["id"])
        return Instrument.model_validate(data)


def _option_text(texts: dict[int, str], value: int, where: str) -> str:
    if value not in texts:
        raise ValueError(f"{where}: no text for option {value}")
    return texts[value]
