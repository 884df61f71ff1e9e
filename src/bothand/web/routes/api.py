"""The JSON API. Errors are RFC 9457 problem details with a 4xx status naming the field."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Body, Request
from pydantic import BaseModel, ConfigDict, StrictInt

from bothand import services
from bothand.catalog import Catalog
from bothand.domain.case import Case
from bothand.domain.errors import InputError
from bothand.domain.safety import assess_safety
from bothand.domain.scoring import score
from bothand.domain.vocab import OptionId

router = APIRouter(prefix="/api", tags=["api"])
PROBLEM_RESPONSES: dict[int | str, dict[str, Any]] = {
    413: {"description": "Body too large (problem details)"},
    422: {"description": "Bad input (problem details naming the field)"},
}


class Answers(BaseModel):
    model_config = ConfigDict(extra="forbid")

    answers: list[StrictInt | None]
    locale: str = "en"


class PlanBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    case: Case
    option: OptionId
    start: dt.date | None = None


def _catalog(request: Request) -> Catalog:
    catalog: Catalog = request.app.state.catalog
    return catalog


@router.post("/recommend", responses=PROBLEM_RESPONSES)
def recommend(request: Request, case: Annotated[Case, Body()]) -> dict[str, Any]:
    """The case contract: every option with its fit, reasons and sources, a plan and a trace."""
    return services.recommend(_catalog(request), case.model_dump(mode="json", exclude_unset=True))


@router.post("/score/{instrument}", responses=PROBLEM_RESPONSES)
def score_instrument(request: Request, instrument: str, body: Answers) -> dict[str, Any]:
    """Score one questionnaire. A positive risk answer makes ``safety.urgent`` true."""
    catalog = _catalog(request)
    found = catalog.instruments.get(instrument)
    if found is None:
        raise InputError(
            "instrument",
            f"'{instrument}' is not an instrument; "
            f"use one of {', '.join(sorted(catalog.instruments))}",
        )
    result = score(found, body.answers)
    safety = assess_safety([result], catalog.crisis.for_locale(body.locale))
    return {"safety": safety.to_contract(), "score": result.model_dump(mode="json")}


@router.post("/plan", responses=PROBLEM_RESPONSES)
def plan(request: Request, body: PlanBody) -> dict[str, Any]:
    """The timeline of one option for a case, dated when ``start`` is given."""
    data = body.case.model_dump(mode="json", exclude_unset=True)
    return services.care_plan(_catalog(request), data, body.option, body.start).to_contract()


@router.get("/instruments")
def instruments(request: Request) -> list[dict[str, Any]]:
    """Every questionnaire, whether it can be used here, and why not when it cannot."""
    return services.list_instruments(_catalog(request))


@router.get("/health", include_in_schema=False)
def health() -> dict[str, str]:
    return {"status": "ok"}
