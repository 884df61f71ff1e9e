"""The clinician's pages: first-run setup, sign-in and sign-out, caseload, patients, episodes,
measurements, check-in links, users and the audit trail (admin)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(include_in_schema=False)
