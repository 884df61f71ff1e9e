"""The response of ``/api/score/{instrument}``: one questionnaire scored, and its safety."""

from __future__ import annotations

from typing import TYPE_CHECKING

from typing_extensions import TypedDict

from bothand.catalog import Catalog
from bothand.contract.safety import Safety, dump_safety
from bothand.domain.vocab import Severity

if TYPE_CHECKING:
    from bothand.domain.assess.safety import Safety as SafetyResult
    from bothand.domain.assess.scoring import Score as ScoreResult


class Score(TypedDict):
    """One instrument scored exactly as published. ``total``, ``band`` and ``severity`` are
    null when too many items are unanswered; ``subscales`` are null unless complete."""

    instrument: str
    total: int | None
    complete: bool
    prorated: bool
    n_missing: int
    band: str | None
    severity: Severity | None
    subscales: dict[str, int | None]
    counts: dict[str, int]
    screen_positive: bool | None
    flags: list[str]
    risk_positive: list[str]
    risk_zero: list[str]
    rules_version: str
    review: list[str]  # met rules that flag the clinician (e.g. "asq.acute_positive")


class ScoreResponse(TypedDict):
    safety: Safety
    score: Score


def dump_score(score: ScoreResult) -> Score:
    return {
        "instrument": score.instrument,
        "total": score.total,
        "complete": score.complete,
        "prorated": score.prorated,
        "n_missing": score.n_missing,
        "band": score.band,
        "severity": score.severity,
        "subscales": dict(score.subscales),
        "counts": dict(score.counts),
        "screen_positive": score.screen_positive,
        "flags": list(score.flags),
        "risk_positive": list(score.risk_positive),
        "risk_zero": list(score.risk_zero),
        "rules_version": score.rules_version,
        "review": list(score.review),
    }


def dump_score_response(
    catalog: Catalog, score: ScoreResult, safety: SafetyResult
) -> ScoreResponse:
    return {"safety": dump_safety(catalog, safety), "score": dump_score(score)}
