"""The pages a person reaches through a link the clinic sent: an invitation (the decision
flow, then sharing its result with the clinic) and a check-in (the questionnaires due)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(include_in_schema=False)
