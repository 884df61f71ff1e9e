"""``create_app(settings)``: the FastAPI app. Settings, the catalog, the clock and templates
are made here, never at import; routes get them through ``deps.py``. Routes live in
``routes/``, one module per area (none imports another); they call ``services`` and hold no
SQL.

Every GET page also answers HEAD; a 405 names the allowed methods in ``Allow``; a bug is
logged by type and request id and shown as an HTML page to a person (``security.py``)."""

from __future__ import annotations

import re
from functools import partial
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.routing import APIRoute
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.exceptions import HTTPException
from starlette.middleware.gzip import GZipMiddleware

from bothand import services
from bothand.catalog import Catalog, load_catalog
from bothand.domain.clock import Clock, SystemClock
from bothand.domain.errors import InputError, NotAllowedError, NotFoundError
from bothand.services.accounts import Accounts
from bothand.services.record import Record
from bothand.settings import Settings
from bothand.storage import Database
from bothand.web import openapi, problems
from bothand.web.pages import Answered
from bothand.web.routes.takeaway import PdfLimit
from bothand.web.security import BodyLimit, SecurityHeaders
from bothand.web.state import FlowCookie

HERE = Path(__file__).parent
DOCS_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Bothand API</title>
<link rel="stylesheet" href="/static/docs/swagger-ui.css?v={version}">
<link rel="stylesheet" href="/static/docs/contrast.css?v={version}">
<link rel="icon" href="/static/favicon.svg?v={version}" type="image/svg+xml">
</head><body><main><div id="swagger-ui"></div></main>
<script src="/static/docs/swagger-ui-bundle.js?v={version}"></script>
<script src="/static/docs/init.js?v={version}"></script>
</body></html>"""


class CachedStatic(StaticFiles):
    """Static files with a long cache life: URLs carry the content version, so they change."""

    def file_response(self, *args: Any, **kwargs: Any) -> Response:
        response = super().file_response(*args, **kwargs)
        response.headers["cache-control"] = "public, max-age=31536000, immutable"
        return response


def create_app(
    settings: Settings | None = None,
    catalog: Catalog | None = None,
    clock: Clock | None = None,
    database: Database | None = None,
) -> FastAPI:
    """The app. ``database``: the clinic record's (default: ``settings.database``, opened
    lazily; ``bothand serve`` has migrated and checked it before the app starts)."""
    settings = settings or Settings.from_env()
    catalog = catalog or load_catalog(settings.content_dir, settings.wording_dir)
    clock = clock or SystemClock(settings.zone)
    database = database or Database(settings.database)
    services.prepare(catalog)
    app = FastAPI(
        title="Bothand",
        version=catalog.version,
        description="Therapy, medication, or both: the decision-aid API. It supports a "
        "conversation with a clinician; it does not diagnose or prescribe.",
        docs_url=None,  # served below from vendored files: no CDN, no inline script
        redoc_url=None,
    )
    templates = Jinja2Templates(directory=HERE / "templates")
    templates.env.globals.update(
        t=catalog.labels.__getitem__,
        part_label=partial(services.part_label, catalog),
        content_version=catalog.version,
        content_reviewed=catalog.bibliography.meta.reviewed.isoformat(),
        static_version=catalog.version,
    )
    app.state.settings = settings
    app.state.catalog = catalog
    app.state.templates = templates
    app.state.clock = clock
    app.state.flow = FlowCookie(settings, clock)
    app.state.pdf_limit = PdfLimit(settings.pdf_workers)
    app.state.database = database
    app.state.accounts = Accounts(database, clock)
    app.state.record = Record(catalog, database, clock)

    from bothand.web.routes import (
        api,
        choices,
        clinic,
        flow,
        learn,
        links,
        questions,
        records_api,
        risk,
        takeaway,
    )

    allowed: list[tuple[re.Pattern[str], set[str]]] = []
    areas = (api, records_api, flow, questions, risk, choices, learn, takeaway, clinic, links)
    for area in areas:
        for route in area.router.routes:
            if isinstance(route, APIRoute) and route.methods:
                if "GET" in route.methods and not route.include_in_schema:
                    route.methods.add("HEAD")  # pages answer HEAD (the API's schema is kept)
                allowed.append((route.path_regex, route.methods))
        app.include_router(area.router)
    app.state.allowed = allowed

    @app.get("/static", include_in_schema=False)
    def static_root() -> RedirectResponse:
        # A relative redirect: the Host header is never echoed back.
        return RedirectResponse("/static/", status_code=307)

    models = [*api.REQUEST_MODELS, *records_api.REQUEST_MODELS]
    openapi.install(app, models)  # every $ref resolves within /openapi.json
    # Static files are compressed (they hold no secrets); pages are not, as they carry the
    # CSRF token next to text a person typed (BREACH).
    static = GZipMiddleware(CachedStatic(directory=HERE / "static"), minimum_size=512)
    app.mount("/static", static, name="static")

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return HTMLResponse(DOCS_PAGE.replace("{version}", catalog.version))

    app.add_exception_handler(Answered, _answered)
    app.add_exception_handler(InputError, problems.on_input_error)
    app.add_exception_handler(RequestValidationError, problems.on_validation_error)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(NotFoundError, _not_found)
    app.add_exception_handler(NotAllowedError, _not_allowed)
    app.add_exception_handler(Exception, problems.on_unexpected)
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes)
    error_page = templates.get_template("error.html").render(status=500).encode()
    app.add_middleware(SecurityHeaders, error_page=lambda: error_page)
    return app


async def _answered(request: Request, error: Exception) -> Response:
    assert isinstance(error, Answered)
    return error.response


async def _not_found(request: Request, error: Exception) -> Response:
    """Another clinic's record, one not shared with the user, and one that does not exist all
    look the same: 404."""
    return await _http_error(request, HTTPException(404, "not found"))


async def _not_allowed(request: Request, error: Exception) -> Response:
    return await _http_error(request, HTTPException(403, str(error)))


def _allowed(request: Request) -> str:
    """Every method some route accepts at this path (a path may have several routes)."""
    methods: set[str] = set()
    for pattern, route_methods in request.app.state.allowed:
        if pattern.match(request.url.path):
            methods |= route_methods
    return ", ".join(sorted(methods))


async def _http_error(request: Request, error: Exception) -> Response:
    """Problem details for the API; a plain page for a person who followed a bad link."""
    assert isinstance(error, HTTPException)
    headers = dict(error.headers or {})
    if error.status_code == 405:
        headers["allow"] = _allowed(request)
    response: Response
    if request.url.path.startswith("/api/") or "text/html" not in request.headers.get("accept", ""):
        response = await problems.on_http_error(request, error)
    else:
        templates: Jinja2Templates = request.app.state.templates
        page = templates.get_template("error.html").render(
            status=error.status_code, request=request
        )
        response = HTMLResponse(page, status_code=error.status_code)
    response.headers.update(headers)
    return response
