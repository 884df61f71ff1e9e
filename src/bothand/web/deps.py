"""``Annotated`` dependencies of the routes: what the app made in ``create_app`` (settings,
catalog, clock, templates, the flow cookie) and, per request, the flow's answers and page
helpers (``FlowDep``), a form whose CSRF token checked out (``FormDep``), and the gate of a
flow step (``step("values")``); for the clinic record, its use-cases (``AccountsDep``,
``RecordDep``), the signed-in clinician's session (``SignedInDep``, with its CSRF-checked
``ClinicFormDep``), and the actor of an API token (``ApiActorDep``).

The record's dependencies are plain ``def``: they wait on the database, so FastAPI runs them
in a worker thread rather than on the event loop.

The dependencies that only read what ``create_app`` made, or the cookie, are ``async def``
on purpose: FastAPI runs a plain ``def`` dependency in a worker thread, and a page asked for
about two dozen such hand-offs (a fifth of ``/options``'s server time).
"""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable
from typing import Annotated
from urllib.parse import quote

from fastapi import Depends, HTTPException, Request, Response
from fastapi.responses import RedirectResponse
from fastapi.templating import Jinja2Templates
from starlette.datastructures import FormData

from bothand.catalog import Catalog
from bothand.domain.clock import Clock
from bothand.domain.record import Actor
from bothand.services.accounts import Accounts, SessionInfo
from bothand.services.record import Record
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


# --- the clinic record --------------------------------------------------------------------

SESSION_COOKIE = "bothand_session"
SIGN_IN = "/clinic/sign-in"
TOTP_SETUP = "/clinic/account/totp"


def get_accounts(request: Request) -> Accounts:
    accounts: Accounts = request.app.state.accounts
    return accounts


def get_record(request: Request) -> Record:
    record: Record = request.app.state.record
    return record


AccountsDep = Annotated[Accounts, Depends(get_accounts)]
RecordDep = Annotated[Record, Depends(get_record)]


def get_signed_in(request: Request, accounts: AccountsDep) -> SessionInfo:
    """The signed-in user's session. Without one, the request ends with a 303 to sign-in
    (coming back here afterwards); when the clinic requires TOTP and the user has not set it
    up, every page but the set-up page sends them there first."""
    info = accounts.session(request.cookies.get(SESSION_COOKIE, ""))
    if info is None:
        back = request.url.path if request.method == "GET" else "/clinic"
        raise Answered(RedirectResponse(f"{SIGN_IN}?next={quote(back, safe='/')}", 303))
    if info.clinic.require_totp and not info.user.totp_enabled and request.url.path != TOTP_SETUP:
        raise Answered(RedirectResponse(TOTP_SETUP, 303))
    return info


SignedInDep = Annotated[SessionInfo, Depends(get_signed_in)]


async def get_clinic_form(request: Request, info: SignedInDep) -> FormData:
    """A posted clinic form whose ``csrf`` field matches the session's token; otherwise 403."""
    form = await request.form()
    token = form.get("csrf")
    if not isinstance(token, str) or not secrets.compare_digest(
        info.csrf.encode(), token.encode("utf-8", "surrogatepass")
    ):
        raise HTTPException(403, "the form's security token did not match; reload the page")
    return form


ClinicFormDep = Annotated[FormData, Depends(get_clinic_form)]


def get_api_actor(request: Request, accounts: AccountsDep) -> Actor:
    """The actor of the request's bearer token; 401 (problem details) without a valid one."""
    scheme, _, secret = request.headers.get("authorization", "").partition(" ")
    actor = accounts.token_actor(secret.strip()) if scheme.lower() == "bearer" else None
    if actor is None:
        raise HTTPException(
            401,
            "Authorization: give a valid API token as 'Bearer TOKEN'",
            headers={"www-authenticate": "Bearer"},
        )
    return actor


ApiActorDep = Annotated[Actor, Depends(get_api_actor)]
