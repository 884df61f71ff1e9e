"""``create_app(settings)``: the FastAPI app. Settings, the catalog and templates are made
here, never at import. Routes live in ``routes/``; they call ``services`` and hold no SQL."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.exceptions import HTTPException
from starlette.middleware.gzip import GZipMiddleware

from bothand import services
from bothand.catalog import Catalog, load_catalog
from bothand.domain.errors import InputError
from bothand.web import openapi, problems
from bothand.web.security import BodyLimit, SecurityHeaders
from bothand.web.settings import Settings
from bothand.web.state import FlowState

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


def create_app(settings: Settings | None = None, catalog: Catalog | None = None) -> FastAPI:
    settings = settings or Settings.from_env()
    catalog = catalog or load_catalog(settings.content_dir)
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
        content_version=catalog.version,
        content_reviewed=catalog.bibliography.meta.reviewed.isoformat(),
        static_version=catalog.version,
    )
    app.state.settings = settings
    app.state.catalog = catalog
    app.state.templates = templates
    app.state.flow = FlowState(settings)

    from bothand.web.routes import api, flow, learn, takeaway

    app.include_router(api.router)
    openapi.install(app, api.REQUEST_MODELS)  # every $ref resolves within /openapi.json
    app.include_router(flow.router)
    app.include_router(learn.router)
    app.include_router(takeaway.router)
    # Static files are compressed (they hold no secrets); pages are not, as they carry the
    # CSRF token next to text a person typed (BREACH).
    static = GZipMiddleware(CachedStatic(directory=HERE / "static"), minimum_size=512)
    app.mount("/static", static, name="static")

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return HTMLResponse(DOCS_PAGE.replace("{version}", catalog.version))

    app.add_exception_handler(InputError, problems.on_input_error)
    app.add_exception_handler(RequestValidationError, problems.on_validation_error)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(Exception, problems.on_unexpected)
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes)
    app.add_middleware(SecurityHeaders)
    return app


async def _http_error(request: Request, error: Exception) -> Response:
    """Problem details for the API; a plain page for a person who followed a bad link."""
    assert isinstance(error, HTTPException)
    if request.url.path.startswith("/api/") or "text/html" not in request.headers.get("accept", ""):
        return await problems.on_http_error(request, error)
    templates: Jinja2Templates = request.app.state.templates
    page = templates.get_template("error.html").render(status=error.status_code, request=request)
    return HTMLResponse(page, status_code=error.status_code)
