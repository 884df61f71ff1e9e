"""The JSON API. Errors are RFC 9457 problem details with a 4xx status naming the field."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any, TypeVar

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, StrictInt, ValidationError

from bothand import services
from bothand.catalog import Catalog
from bothand.domain.assess.safety import assess_safety
from bothand.domain.assess.scoring import score
from bothand.domain.case import Case, input_error
from bothand.domain.errors import InputError
from bothand.domain.vocab import OptionId

router = APIRouter(prefix="/api", tags=["api"])
M = TypeVar("M", bound=BaseModel)
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


def _schema_body(model: type[BaseModel]) -> dict[str, Any]:
    """Document a JSON body that the route validates itself (once, through the contract)."""
    return {
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": model.model_json_schema()}},
        }
    }


async def _json_body(request: Request) -> Any:
    if "application/json" not in request.headers.get("content-type", ""):
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


def _json(data: Any) -> Response:
    """Compact, deterministic JSON (the C encoder; ``indent`` would use the slow one)."""
    body = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return Response(body, media_type="application/json")


@router.post("/recommend", responses=PROBLEM_RESPONSES, openapi_extra=_schema_body(Case))
async def recommend(request: Request) -> Response:
    """The case contract: every option with its fit, reasons and sources, a plan and a trace."""
    data = await _json_body(request)
    return _json(services.recommend(_catalog(request), data))


def _validated(model: type[M], data: Any) -> M:
    """Validate a parsed body as ``model``; the first problem becomes one line naming the field."""
    if not isinstance(data, dict):
        raise InputError("(body)", "expected a JSON object")
    try:
        return model.model_validate(data)
    except ValidationError as error:
        raise input_error(error) from None


@router.post(
    "/score/{instrument}", responses=PROBLEM_RESPONSES, openapi_extra=_schema_body(Answers)
)
async def score_instrument(request: Request, instrument: str) -> Response:
    """Score one questionnaire. A positive risk answer makes ``safety.urgent`` true."""
    catalog = _catalog(request)
    found = catalog.instruments.get(instrument)
    if found is None:
        raise InputError(
            "instrument",
            f"{instrument!r} is not an instrument; "
            f"use one of {', '.join(sorted(catalog.instruments))}",
        )
    body = _validated(Answers, await _json_body(request))
    result = score(found, body.answers)
    safety = assess_safety([result], catalog.crisis.for_locale(body.locale))
    return _json({"safety": safety.to_contract(), "score": result.to_dict()})


@router.post("/plan", responses=PROBLEM_RESPONSES, openapi_extra=_schema_body(PlanBody))
async def plan(request: Request) -> Response:
    """The timeline of one option for a case, dated when ``start`` is given."""
    body = _validated(PlanBody, await _json_body(request))
    data = body.case.model_dump(mode="json", exclude_unset=True)
    found = services.care_plan(_catalog(request), data, body.option, body.start)
    return _json(found.to_contract())


@router.get("/instruments")
def instruments(request: Request) -> list[dict[str, Any]]:
    """Every questionnaire, whether it can be used here, and why not when it cannot."""
    return services.list_instruments(_catalog(request))


@router.get("/health", include_in_schema=False)
def health() -> dict[str, str]:
    return {"status": "ok"}
