"""The JSON API. Each endpoint declares its response model (``bothand.contract``), so the
served OpenAPI document shows every 200 schema; the body is made by the contract's ``dump_*``
functions and written as compact JSON by the model's serializer, never validated again.
Errors are RFC 9457 problem details with a 4xx status naming the field (``web/problems.py``),
documented on every endpoint.

A request body must be sent as ``application/json`` (``web/jsonbody.py`` says what that
means, and reads and validates the body).
"""

from __future__ import annotations

from typing import Any, TypeVar

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, StrictInt

from bothand import services
from bothand.contract import (
    InstrumentListing,
    Plan,
    Recommendation,
    ScoreResponse,
    StartDay,
    dump_plan,
    dump_score_response,
    to_compact_json,
)
from bothand.domain.case import Case
from bothand.domain.vocab import OptionId
from bothand.web.deps import CatalogDep
from bothand.web.jsonbody import json_body, request_body, validated
from bothand.web.problems import problem_responses

router = APIRouter(prefix="/api", tags=["api"])
M = TypeVar("M", bound=BaseModel)
BODY_PROBLEMS = problem_responses(413, 415, 422)
REQUEST_MODELS: list[type[BaseModel]] = []  # documented as request bodies (web/openapi.py)


class Answers(BaseModel):
    """The answers to one instrument, in item order; null for an item not answered."""

    model_config = ConfigDict(extra="forbid")

    answers: list[StrictInt | None]
    locale: str = "en"


class PlanBody(BaseModel):
    """A case, the option to plan, and the day it starts (no ``start``: days, not dates)."""

    model_config = ConfigDict(extra="forbid")

    case: Case
    option: OptionId
    start: StartDay | None = None


def _request_body(model: type[BaseModel]) -> dict[str, Any]:
    """Document a JSON body that the route validates itself (once, through the contract)."""
    return request_body(model, REQUEST_MODELS)


def _json(model: Any, data: Any) -> Response:
    """Compact, deterministic JSON of a contract model."""
    return Response(to_compact_json(model, data), media_type="application/json")


def _validated(model: type[M], data: Any) -> M:
    """Validate a parsed body as ``model``; the first problem becomes one line naming the field."""
    return validated(model, data)


@router.post(
    "/recommend",
    response_model=Recommendation,
    responses=BODY_PROBLEMS,
    openapi_extra=_request_body(Case),
)
async def recommend(request: Request, catalog: CatalogDep) -> Response:
    """The case contract: every option with its fit, reasons and sources, a plan and a trace."""
    data = await json_body(request)
    return _json(Recommendation, services.recommend(catalog, data))


@router.post(
    "/score/{instrument}",
    response_model=ScoreResponse,
    responses=BODY_PROBLEMS,
    openapi_extra=_request_body(Answers),
)
async def score_instrument(request: Request, instrument: str, catalog: CatalogDep) -> Response:
    """Score one questionnaire. A positive risk answer makes ``safety.urgent`` true. An
    instrument that is not known is a 422 naming ``instrument``."""
    services.find_instrument(catalog, instrument)  # an unknown one is named before the body
    body = _validated(Answers, await json_body(request))
    found = services.score_form(catalog, instrument, body.answers, body.locale)
    return _json(ScoreResponse, dump_score_response(catalog, found.score, found.safety))


@router.post(
    "/plan",
    response_model=Plan,
    responses=BODY_PROBLEMS,
    openapi_extra=_request_body(PlanBody),
)
async def plan(request: Request, catalog: CatalogDep) -> Response:
    """The timeline of one option for a case, dated when ``start`` is given (YYYY-MM-DD,
    from 2000-01-01 to 2100-12-31)."""
    body = _validated(PlanBody, await json_body(request))
    found = services.plan_case(catalog, body.case, body.option, body.start)
    return _json(Plan, dump_plan(found))


@router.get("/instruments", response_model=list[InstrumentListing])
def instruments(catalog: CatalogDep) -> Response:
    """Every questionnaire, whether it can be used here, and why not when it cannot."""
    return _json(list[InstrumentListing], services.list_instruments(catalog))


@router.get("/health", include_in_schema=False)
def health() -> dict[str, str]:
    return {"status": "ok"}
