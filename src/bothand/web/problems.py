"""RFC 9457 problem details: every error over HTTP is a 4xx (or, for a bug, a bare 500) with
``application/problem+json``, one line naming the field, and never a traceback."""

from __future__ import annotations

import json
from typing import Any

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from bothand.domain.case import dotted
from bothand.domain.errors import InputError

PROBLEM = "application/problem+json"
PROBLEM_SCHEMA = {"$ref": "#/components/schemas/ProblemDetails"}  # web/openapi.py adds it
DESCRIPTIONS = {
    401: "No valid API token (problem details)",
    403: "Not allowed for this user's role (problem details)",
    404: "Not found (problem details)",
    413: "Body too large (problem details)",
    415: "Body not sent as application/json (problem details)",
    422: "Bad input (problem details naming the field)",
}


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` for the errors an endpoint can give: each an
    ``application/problem+json`` body of the contract's ``ProblemDetails``."""
    return {
        status: {
            "description": DESCRIPTIONS[status],
            "content": {PROBLEM: {"schema": PROBLEM_SCHEMA}},
        }
        for status in statuses
    }


class ProblemResponse(JSONResponse):
    media_type = PROBLEM

    def render(self, content: Any) -> bytes:
        # ASCII-escaped, so any text quoted back from bad input (a lone surrogate, say) encodes.
        return json.dumps(content, ensure_ascii=True, separators=(",", ":")).encode("ascii")


def problem(status: int, title: str, detail: str, **extra: Any) -> JSONResponse:
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail, **extra}
    return ProblemResponse(body, status_code=status)


async def on_input_error(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, InputError)
    return problem(422, "Unprocessable input", str(error), field=error.field)


async def on_validation_error(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, RequestValidationError)
    first = error.errors()[0] if error.errors() else {"loc": (), "msg": "invalid request"}
    location = tuple(part for part in first.get("loc", ()) if part != "body")
    field = dotted(location) or "(body)"
    message = str(first.get("msg", "invalid")).removeprefix("Value error, ")
    if first.get("type") == "json_invalid":
        field, message = "(body)", "is not valid JSON"
    return problem(422, "Unprocessable input", f"{field}: {message}", field=field)


async def on_http_error(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, HTTPException)
    titles = {
        401: "Not signed in",
        403: "Forbidden",
        404: "Not found",
        405: "Method not allowed",
        413: "Too large",
        415: "Unsupported media type",
    }
    title = titles.get(error.status_code, "Request error")
    return problem(error.status_code, title, str(error.detail))


async def on_unexpected(request: Request, error: Exception) -> JSONResponse:
    # A bug, not bad input: no details leak, and nothing about the request is logged.
    return problem(500, "Internal error", "something went wrong; nothing was saved")
