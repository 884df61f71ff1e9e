"""The recommendation (``bothand recommend --json``, ``POST /api/recommend``,
``bothand.recommend``): safety first, then each concern assessed, every option with its fit
and reasons, the plan of the first usual start, and the trace of every rule considered."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import WithJsonSchema
from typing_extensions import TypedDict

from bothand.catalog import Catalog
from bothand.contract.plan import Plan, dump_plan
from bothand.contract.safety import Safety, dump_safety
from bothand.domain.vocab import SEVERITIES, UNRATED, Condition, Fit, OptionId

if TYPE_CHECKING:
    from bothand.domain.assess.safety import Safety as SafetyResult
    from bothand.domain.assess.scoring import Score as ScoreResult
    from bothand.domain.case import Concern
    from bothand.domain.decide.engine import Decision
    from bothand.domain.knowledge.explainers import OptionInfo
    from bothand.domain.plan.plan import Plan as PlanResult

CONTRACT_VERSION = "1"
# A Severity, or "unrated" when no rating could be made (vocab.UNRATED).
AssessedSeverity = Annotated[
    str, WithJsonSchema({"type": "string", "enum": [*SEVERITIES, UNRATED]})
]


class RatedAssessment(TypedDict):
    """A concern rated by a clinician (``severity`` given), or not rated at all."""

    condition: Condition
    instrument: None
    rated_by: Literal["clinician", "unrated"]
    total: None
    severity: AssessedSeverity


class ScoredAssessment(TypedDict):
    """A concern the person rated by answering an instrument."""

    condition: Condition
    instrument: str
    rated_by: Literal["self_report"]
    total: int | None
    severity: AssessedSeverity
    band: str | None
    complete: bool
    prorated: bool
    subscales: dict[str, int | None]
    screen_positive: bool | None
    flags: list[str]


Assessment = RatedAssessment | ScoredAssessment


class Reason(TypedDict):
    """Why an option has its fit, in plain words, with the sources that say so."""

    id: str
    text: str
    sources: list[str]
    concern: Condition | None


class Option(TypedDict):
    """Every option is given, never hidden; ``fit`` says how well it suits this case."""

    id: OptionId
    name: str
    fit: Fit
    summary: str
    reasons: list[Reason]


class TraceEntry(TypedDict):
    """One rule considered for one concern: whether it fired, why, and what it changed."""

    rule: str
    concern: Condition
    fired: bool
    because: str
    effect: str


class ContentVersion(TypedDict):
    version: str
    reviewed: Annotated[str, WithJsonSchema({"type": "string", "format": "date"})]


class Recommendation(TypedDict):
    """The case contract's response (DESIGN.md)."""

    safety: Safety
    assessments: list[Assessment]
    options: list[Option]
    floor: Condition
    plan: Plan
    trace: list[TraceEntry]
    content: ContentVersion
    contract_version: str


def dump_recommendation(
    catalog: Catalog,
    assessments: Sequence[tuple[Concern, ScoreResult | None, str]],
    safety: SafetyResult,
    decision: Decision,
    plan: PlanResult,
) -> Recommendation:
    """The response for one case, from what the pipeline worked out (services.run)."""
    options = _options_info(catalog)
    return {
        "safety": dump_safety(catalog, safety),
        "assessments": [dump_assessment(*assessment) for assessment in assessments],
        "options": [
            {
                "id": option.id,
                "name": options[option.id].name,
                "fit": option.fit,
                "summary": options[option.id].summary,
                "reasons": [
                    {"id": r.id, "text": r.text, "sources": list(r.sources), "concern": r.concern}
                    for r in option.reasons
                ],
            }
            for option in decision.options
        ],
        "floor": decision.floor,
        "plan": dump_plan(plan),
        "trace": [
            {
                "rule": entry.rule,
                "concern": entry.concern,
                "fired": entry.fired,
                "because": entry.because,
                "effect": entry.effect,
            }
            for entry in decision.trace
        ],
        "content": {
            "version": catalog.version,
            "reviewed": catalog.bibliography.meta.reviewed.isoformat(),
        },
        "contract_version": CONTRACT_VERSION,
    }


def dump_assessment(concern: Concern, score: ScoreResult | None, severity: str) -> Assessment:
    """One concern as assessed: the score's fields when answers were given."""
    if score is None:
        return {
            "condition": concern.condition,
            "instrument": None,
            "rated_by": "clinician" if concern.severity else "unrated",
            "total": None,
            "severity": severity,
        }
    return {
        "condition": concern.condition,
        "instrument": score.instrument,
        "rated_by": "self_report",
        "total": score.total,
        "severity": severity,
        "band": score.band,
        "complete": score.complete,
        "prorated": score.prorated,
        "subscales": dict(score.subscales),
        "screen_positive": score.screen_positive,
        "flags": list(score.flags),
    }


@lru_cache(maxsize=8)
def _options_info(catalog: Catalog) -> dict[str, OptionInfo]:
    return {info.id: info for info in catalog.explainers.options}
