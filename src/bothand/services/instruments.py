"""Use-case: list the questionnaires and whether each can be used here, as the contract's
``InstrumentListing`` rows."""

from __future__ import annotations

from bothand.catalog import Catalog
from bothand.contract.instruments import InstrumentListing


def list_instruments(catalog: Catalog) -> list[InstrumentListing]:
    """Every instrument with its availability; unavailable ones say why."""
    rows: list[InstrumentListing] = []
    for instrument_id in sorted(set(catalog.instruments) | set(catalog.unavailable)):
        instrument = catalog.instruments.get(instrument_id)
        reason = catalog.unavailable.get(instrument_id)
        rows.append(
            {
                "id": instrument_id,
                "name": instrument.name if instrument else instrument_id,
                "items": len(instrument.items) if instrument else 0,
                "available": reason is None,
                "reason": reason,
            }
        )
    return rows
