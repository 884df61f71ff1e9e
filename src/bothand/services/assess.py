"""Use-case: assess. Score every concern given as answers, keep clinician ratings as they
are, and work out the safety result; or score one questionnaire on its own. Results are domain
objects (``contract`` turns them into JSON). No terminal or HTTP types here; nothing about a
person is logged.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import NamedTuple

from bothand.catalog import Catalog
from bothand.domain.assess.instruments import Instrument
from bothand.domain.assess.safety import RISK_NOT_ASSESSED, Safety, assess_safety
from bothand.domain.assess.scoring import Score, score
from bothand.domain.case import Case, Concern
from bothand.domain.errors import InputError, within
from bothand.domain.vocab import UNRATED


class Assessment(NamedTuple):
    """One concern, assessed: the score when answers were given, and the severity fact."""

    concern: Concern
    score: Score | None
    severity: str


def assess(catalog: Catalog, case: Case) -> list[Assessment]:
    """Score every concern given as answers; keep clinician ratings as they are."""
    assessments = []
    for index, concern in enumerate(case.concerns):
        instrument_id = concern.instrument
        if instrument_id is None:
            assessments.append(Assessment(concern, None, concern.severity or UNRATED))
            continue
        instrument = catalog.instruments.get(instrument_id)
        if instrument is None:
            known = ", ".join(sorted(catalog.instruments))
            raise InputError(
                f"concerns[{index}].instrument",
                f"'{instrument_id}' is not an instrument; use one of {known}",
            )
        fitting = _instruments_for(catalog).get(concern.condition, ())
        if instrument_id not in fitting:
            raise InputError(
                f"concerns[{index}].instrument",
                f"{instrument_id} does not measure {concern.condition}; "
                f"use one of {', '.join(fitting)} or a severity",
            )
        try:
            result = score(instrument, concern.answers or ())
        except InputError as error:
            raise within(f"concerns[{index}]", error) from None
        severity = result.severity if result.severity is not None else UNRATED
        assessments.append(Assessment(concern, result, severity))
    return assessments


@lru_cache(maxsize=8)
def _instruments_for(catalog: Catalog) -> dict[str, tuple[str, ...]]:
    """The instruments that measure each condition."""
    return {info.id: info.instruments for info in catalog.explainers.conditions}


def risk_screen_score(catalog: Catalog, case: Case) -> Score | None:
    """The case's risk screen (the ASQ) scored, or None when the case has none."""
    screen = case.risk_screen
    if screen is None:
        return None
    try:
        return score(catalog.instruments[screen.instrument], screen.answers)
    except InputError as error:
        raise within("risk_screen", error) from None


def safety_for(catalog: Catalog, case: Case, assessments: list[Assessment]) -> Safety:
    scores = [a.score for a in assessments if a.score is not None]
    screen = risk_screen_score(catalog, case)
    if screen is not None:
        scores.append(screen)
    return assess_safety(scores, catalog.crisis.for_locale(case.locale))


def find_instrument(catalog: Catalog, instrument_id: str) -> Instrument:
    """The instrument ``instrument_id``, or an InputError naming ``instrument``."""
    instrument = catalog.instruments.get(instrument_id)
    if instrument is None:
        raise InputError(
            "instrument",
            f"{instrument_id!r} is not an instrument; "
            f"use one of {', '.join(sorted(catalog.instruments))}",
        )
    return instrument


class FormResult(NamedTuple):
    """One questionnaire scored on its own, and the safety result of its risk answers."""

    score: Score
    safety: Safety


def score_form(
    catalog: Catalog, instrument_id: str, answers: Sequence[int | None], locale: str
) -> FormResult:
    """Score one questionnaire; a positive risk answer makes ``safety.urgent`` true."""
    result = score(find_instrument(catalog, instrument_id), answers)
    return FormResult(result, assess_safety([result], catalog.crisis.for_locale(locale)))


def review_flag_text(catalog: Catalog, flag: str) -> str:
    """What a safety review flag means, for the clinician: the rule's published label (e.g.
    the ASQ's acute positive screen), or the label of "risk not assessed"."""
    if flag == RISK_NOT_ASSESSED:
        return catalog.labels["flow.risk.flag.risk_not_assessed"]
    for instrument in catalog.instruments.values():
        for rule in instrument.rules:
            if rule.id == flag:
                return " ".join(rule.label.split())
    return flag
