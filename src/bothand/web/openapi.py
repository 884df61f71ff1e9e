"""The served OpenAPI document (``/openapi.json``, shown by ``/docs``): FastAPI's, plus the
schemas the API validates itself (request bodies, problem details), all under
``#/components/schemas`` so that every ``$ref`` resolves within the document (a ``#/$defs/``
reference, as a model's own JSON schema has, is left to no tool to guess)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from pydantic import BaseModel, TypeAdapter

from bothand.contract import ProblemDetails

REF_TEMPLATE = "#/components/schemas/{model}"
BEARER = {
    "type": "http",
    "scheme": "bearer",
    "description": "An API token made with `bothand token create EMAIL`; it acts as its user.",
}


def install(app: FastAPI, request_models: Iterable[type[BaseModel]]) -> None:
    """Serve ``document(app, request_models)``, built on the first request for it."""
    models = tuple(request_models)

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = document(app, models)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def document(app: FastAPI, request_models: Iterable[type[BaseModel]]) -> dict[str, Any]:
    found = get_openapi(
        title=app.title,
        version=app.version,
        openapi_version=app.openapi_version,
        description=app.description,
        routes=app.routes,
    )
    components = found.setdefault("components", {})
    operations = [op for item in found.get("paths", {}).values() for op in item.values()]
    if any("security" in op for op in operations if isinstance(op, dict)):
        components["securitySchemes"] = {"bearer": BEARER}  # the record API's tokens
    schemas: dict[str, Any] = components.setdefault("schemas", {})
    adapters: list[tuple[str, Any, TypeAdapter[Any]]] = [
        (model.__name__, "validation", TypeAdapter(model)) for model in request_models
    ]
    adapters.append(("ProblemDetails", "serialization", TypeAdapter(ProblemDetails)))
    _, definitions = TypeAdapter.json_schemas(adapters, ref_template=REF_TEMPLATE)
    for name, schema in definitions.get("$defs", {}).items():
        if schemas.setdefault(name, schema) != schema:
            raise RuntimeError(f"two different schemas are both called {name!r}")
    unresolved = sorted(_refs(found) - {REF_TEMPLATE.format(model=name) for name in schemas})
    if unresolved:
        raise RuntimeError(f"the OpenAPI document refers to what it does not hold: {unresolved}")
    return found


def _refs(node: Any) -> set[str]:
    """Every ``$ref`` in a JSON document."""
    if isinstance(node, dict):
        found = {node["$ref"]} if isinstance(node.get("$ref"), str) else set()
        for value in node.values():
            found |= _refs(value)
        return found
    if isinstance(node, list):
        return set().union(*(_refs(value) for value in node)) if node else set()
    return set()
