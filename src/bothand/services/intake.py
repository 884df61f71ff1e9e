"""Use-case: the intake. Which questionnaire a condition gets here (the content's rule, with
the instruments whose wording can be shown), so the web flow and ``bothand start`` ask the
same things. No terminal or HTTP types here."""

from __future__ import annotations

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
