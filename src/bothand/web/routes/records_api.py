"""The clinic record's JSON API (DESIGN.md, "Track contract"): patients, episodes,
measurements and check-ins, for a bearer token's user."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(prefix="/api", tags=["record"])
