"""``Annotated`` dependencies of the routes: what the app made in ``create_app`` (settings,
catalog, clock, templates, the flow cookie) and, per request, the flow's answers and page
helpers (``FlowDep``), a form whose CSRF token checked out (``FormDep``), and the gate of a
flow step (``step("values")``). The clinic record will add the database session and the
current user here.

The dependencies that only read what ``create_app`` made, or the cookie, are ``async def``
on purpose: FastAPI runs a plain ``def`` dependency in a worker thread, and a page asked for
about two dozen such hand-offs (a fifth of ``/options``'s server time).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, Request, Response
from fastapi.templating import Jinja2Templates
from starlette.datastructures import FormData

from bothand.catalog import Catalog
from bothand.domain.clock import Clock
from bothand.settings import Settings
from bothand.web.flowstate import gate
from bothand.web.pages import Answered, FlowPage, Pipeline
from bothand.web.state import FlowCookie


async def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def get_catalog(request: Request) -> Catalog:
    catalog: Catalog = request.app.state.catalog
    return catalog


async def get_clock(request: Request) -> Clock:
    clock: Clock = request.app.state.clock
    return clock


async def get_templates(request: Request) -> Jinja2Templates:
    templates: Jinja2Templates = request.app.state.templates
    return templates


async def get_cookie(request: Request) -> FlowCookie:
    cookie: FlowCookie = request.app.state.flow
    return cookie


SettingsDep = Annotated[Settings, Depends(get_settings)]
CatalogDep = Annotated[Catalog, Depends(get_catalog)]
ClockDep = Annotated[Clock, Depends(get_clock)]
TemplatesDep = Annotated[Jinja2Templates, Depends(get_templates)]
CookieDep = Annotated[FlowCookie, Depends(get_cookie)]


async def get_flow(
    request: Request,
    catalog: CatalogDep,
    cookie: CookieDep,
    templates: TemplatesDep,
    clock: ClockDep,
) -> FlowPage:
    return FlowPage(
        request, catalog, cookie, templates, clock, cookie.read(request), Pipeline(catalog)
    )


FlowDep = Annotated[FlowPage, Depends(get_flow)]


async def _form(flow: FlowPage) -> FormData | None:
    form = await flow.request.form()
    return form if flow.cookie.csrf_ok(flow.state, form.get("csrf")) else None


async def get_form(flow: FlowDep) -> FormData:
    """The posted form; a missing or wrong CSRF token ends the request with the friendly 403
    page, the cookie untouched."""
    form = await _form(flow)
    if form is None:
        raise Answered(flow.forbidden())
    return form


async def get_saved_form(flow: FlowDep) -> FormData:
    """The same for the script's autosave: a bare 403."""
    form = await _form(flow)
    if form is None:
        raise Answered(Response(status_code=403))
    return form


FormDep = Annotated[FormData, Depends(get_form)]
SavedFormDep = Annotated[FormData, Depends(get_saved_form)]


def step(name: str) -> Callable[[FlowPage], Awaitable[FlowPage]]:
    """A dependency for the flow step ``name``: the request's ``FlowPage`` once the earlier
    steps are done; otherwise the request ends with a 303 to the first unfinished one."""

    async def at_step(flow: FlowDep) -> FlowPage:
        if moved := gate(flow.catalog, flow.state, name):
            raise Answered(flow.see(moved))
        return flow

    return at_step
