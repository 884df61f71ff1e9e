"""The decision flow pages. State lives in the signed flow cookie (see ``web/state.py``)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from bothand.catalog import Catalog

router = APIRouter(include_in_schema=False)


def render(request: Request, name: str, **context: Any) -> HTMLResponse:
    """Render one page with the flow state and CSRF token in its context."""
    state = request.app.state.flow.read(request)
    catalog: Catalog = request.app.state.catalog
    page: HTMLResponse = request.app.state.templates.TemplateResponse(
        request, name, {"state": state, "csrf": state["csrf"], "catalog": catalog, **context}
    )
    request.app.state.flow.write(page, state)
    return page


@router.get("/", response_class=HTMLResponse)
def start(request: Request) -> HTMLResponse:
    return render(request, "start.html")


@router.get("/help", response_class=HTMLResponse)
def help_now(request: Request) -> HTMLResponse:
    catalog: Catalog = request.app.state.catalog
    locale = request.app.state.flow.read(request).get("locale", "en")
    return render(request, "help.html", crisis=catalog.crisis.for_locale(locale))
