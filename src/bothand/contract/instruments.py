"""The list of instruments (``GET /api/instruments``, ``bothand instruments``)."""

from __future__ import annotations

from typing_extensions import TypedDict


class InstrumentListing(TypedDict):
    """An instrument and whether it can be used here; ``reason`` says why not when not."""

    id: str
    name: str
    items: int
    available: bool
    reason: str | None
