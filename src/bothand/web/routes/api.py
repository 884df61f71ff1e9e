"""The JSON API. Each endpoint declares its response model (``bothand.contract``), so the
served OpenAPI document shows every 200 schema; the body is made by the contract's ``dump_*``
functions and written as compact JSON by the model's serializer, never validated again.
Errors are RFC 9457 problem details with a 4xx status naming the field (``web/problems.py``),
documented on every endpoint.

A request body must be sent as ``application/json``: the media type is parsed (RFC 9110
§8.3.1), so ``Application/JSON; charset=utf-8`` is JSON and ``text/plain; x=application/json``
is not. A ``charset``, when given, must be ``utf-8`` (RFC 8259 JSON is UTF-8). Other
``+json`` media types (``application/merge-patch+json``, ...) name formats of their own, which
this API does not speak: 415.
"""

from __future__ import annotations

import json
import re
from typing import Any, TypeVar

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, StrictInt, ValidationError

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
from bothand.domain.case import Case, input_error
from bothand.domain.errors import InputError
from bothand.domain.vocab import OptionId
from bothand.web.deps import CatalogDep
from bothand.web.problems import problem_responses

router = APIRouter(prefix="/api", tags=["api"])
M = TypeVar("M", bound=BaseModel)
BODY_PROBLEMS = problem_responses(413, 415, 422)
REQUEST_MODELS: list[type[BaseModel]] = []  # documented as request bodies (web/openapi.py)
_TOKEN = r"[!#$%&'*+.^_`|~0-9A-Za-z-]+"
_MEDIA_TYPE = re.compile(rf"\s*({_TOKEN})/({_TOKEN})\s*")
_PARAMETER = re.compile(rf"\s*({_TOKEN})=({_TOKEN}|\"[^\"\\]*\")\s*")


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
    REQUEST_MODELS.append(model)
    schema = {"$ref": f"#/components/schemas/{model.__name__}"}
    return {"requestBody": {"required": True, "content": {"application/json": {"schema": schema}}}}


def is_json(content_type: str) -> bool:
    """Whether a Content-Type header names JSON: ``application/json``, with parameters only
    of the form ``name=value`` and a charset, if any, of utf-8."""
    media_type, *parameters = content_type.split(";")
    found = _MEDIA_TYPE.fullmatch(media_type)
    if found is None or (found[1].lower(), found[2].lower()) != ("application", "json"):
        return False
    for parameter in parameters:
        match = _PARAMETER.fullmatch(parameter)
        if match is None:
            return False
        if match[1].lower() == "charset" and match[2].strip('"').lower() != "utf-8":
            return False
    return True


async def _json_body(request: Request) -> Any:
    if not is_json(request.headers.get("content-type", "")):
        raise HTTPException(415, "(body): send JSON with Content-Type: application/json")
    raw = await request.body()
    if not raw.strip():
        raise InputError("(body)", "is empty; expected a case as JSON")
    try:
        return json.loads(raw, parse_constant=_no_constant)
    except (ValueError, RecursionError):
        raise InputError("(body)", "is not valid JSON") from None


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _json(model: Any, data: Any) -> Response:
    """Compact, deterministic JSON of a contract model."""
    return Response(to_compact_json(model, data), media_type="application/json")


def _validated(model: type[M], data: Any) -> M:
    """Validate a parsed body as ``model``; the first problem becomes one line naming the field."""
    if not isinstance(data, dict):
        raise InputError("(body)", "expected a JSON object")
    try:
        return model.model_validate(data)
    except ValidationError as error:
        raise input_error(error) from None


@router.post(
    "/recommend",
    response_model=Recommendation,
    responses=BODY_PROBLEMS,
    openapi_extra=_request_body(Case),
)
async def recommend(request: Request, catalog: CatalogDep) -> Response:
    """The case contract: every option with its fit, reasons and sources, a plan and a trace."""
    data = await _json_body(request)
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
    body = _validated(Answers, await _json_body(request))
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
    body = _validated(PlanBody, await _json_body(request))
    found = services.plan_case(catalog, body.case, body.option, body.start)
    return _json(Plan, dump_plan(found))


@router.get("/instruments", response_model=list[InstrumentListing])
def instruments(catalog: CatalogDep) -> Response:
    """Every questionnaire, whether it can be used here, and why not when it cannot."""
    return _json(list[InstrumentListing], services.list_instruments(catalog))


@router.get("/health", include_in_schema=False)
def health() -> dict[str, str]:
    return {"status": "ok"}
