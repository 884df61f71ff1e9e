"""Decision-aid pages per condition and per treatment (``/learn/...``)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(include_in_schema=False)
