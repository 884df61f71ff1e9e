"""JSON request bodies, shared by the API routers (which must not import each other): the
media type check, reading the body, validating it against a request model with one line naming
the first bad field, and documenting a body the route validates itself in OpenAPI.

A request body must be sent as ``application/json``: the media type is parsed (RFC 9110
§8.3.1), so ``Application/JSON; charset=utf-8`` is JSON and ``text/plain; x=application/json``
is not. A ``charset``, when given, must be ``utf-8`` (RFC 8259 JSON is UTF-8). Other
``+json`` media types name formats of their own, which this API does not speak: 415.
"""

from __future__ import annotations

import json
import re
from typing import Any, TypeVar

from fastapi import HTTPException, Request
from pydantic import BaseModel, ValidationError

from bothand.domain.case import input_error
from bothand.domain.errors import InputError

M = TypeVar("M", bound=BaseModel)
_TOKEN = r"[!#$%&'*+.^_`|~0-9A-Za-z-]+"
_MEDIA_TYPE = re.compile(rf"\s*({_TOKEN})/({_TOKEN})\s*")
_PARAMETER = re.compile(rf"\s*({_TOKEN})=({_TOKEN}|\"[^\"\\]*\")\s*")


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


async def json_body(request: Request, expected: str = "a case", optional: bool = False) -> Any:
    """The parsed JSON body. ``optional``: an empty body (with any or no Content-Type) reads
    as ``{}``; a body that is there must still be JSON."""
    raw = await request.body()
    if optional and not raw.strip():
        return {}
    if not is_json(request.headers.get("content-type", "")):
        raise HTTPException(415, "(body): send JSON with Content-Type: application/json")
    if not raw.strip():
        raise InputError("(body)", f"is empty; expected {expected} as JSON")
    try:
        return json.loads(raw, parse_constant=_no_constant)
    except (ValueError, RecursionError):
        raise InputError("(body)", "is not valid JSON") from None


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def validated(model: type[M], data: Any, unknown: str = "is not a field of the case contract") -> M:
    """Validate a parsed body as ``model``; the first problem becomes one line naming the
    field. ``unknown``: what is said of a field the model does not have (at its top level)."""
    if not isinstance(data, dict):
        raise InputError("(body)", "expected a JSON object")
    try:
        return model.model_validate(data)
    except ValidationError as error:
        first = error.errors()[0]
        if first["type"] == "extra_forbidden" and len(first["loc"]) == 1:
            raise InputError(str(first["loc"][0]), unknown) from None
        raise input_error(error) from None


def request_body(model: type[BaseModel], registry: list[type[BaseModel]]) -> dict[str, Any]:
    """Document a JSON body that the route validates itself (once); ``registry`` collects the
    models so that web/openapi.py puts their schemas in the document."""
    registry.append(model)
    schema = {"$ref": f"#/components/schemas/{model.__name__}"}
    return {"requestBody": {"required": True, "content": {"application/json": {"schema": schema}}}}
