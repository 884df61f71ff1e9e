"""Use-case: the intake. Which questionnaire a condition gets here (the content's rule, with
the instruments whose wording can be shown), so the web flow and ``bothand start`` ask the
same things. No terminal or HTTP types here."""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

from bothand.catalog import Catalog
from bothand.domain.assess.instruments import Instrument


@lru_cache(maxsize=64)
def questionnaire_for(catalog: Catalog, condition: str) -> Instrument | None:
    """The questionnaire asked for ``condition``, or None for the rating path (no instrument
    fits, or none listed can be shown without licensed wording)."""

    def can_ask(instrument_id: str) -> bool:
        instrument = catalog.instruments.get(instrument_id)
        return instrument is not None and instrument.has_wording

    chosen = catalog.intake.questionnaire_for(condition, can_ask)
    return catalog.instruments[chosen] if chosen is not None else None


def unavailable_reason(catalog: Catalog, condition: str) -> str | None:
    """Why the intake's first questionnaire for ``condition`` cannot be asked here (its
    licence keeps the wording out), or None when it can, or when none is listed."""
    listed = catalog.intake.listed(condition)
    return catalog.unavailable.get(listed[0]) if listed else None


RISK_SCREEN = "asq"  # asked on every path where no concern's questionnaire asks about risk


def risk_screen_for(catalog: Catalog, conditions: Iterable[str]) -> Instrument | None:
    """The risk screen (the ASQ) to ask as well, or None when a chosen concern's
    questionnaire already has a risk item (the PHQ-9 and its item 9). Suicide risk is asked
    on every path, whatever the concerns: a person choosing only PTSD, panic or ADHD is asked
    too (issue 10), and one short screen is asked at most once."""
    for condition in conditions:
        instrument = questionnaire_for(catalog, condition)
        if instrument is not None and instrument.risk_items:
            return None
    return catalog.instruments.get(RISK_SCREEN)
