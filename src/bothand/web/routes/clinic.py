"""The clinician's pages: first-run setup, sign-in and sign-out, caseload, patients, episodes,
measurements, check-in links, users and the audit trail (admin), TOTP and API tokens.

Every page works without JavaScript; every form carries a CSRF token. Signed-in forms check
it against the server session (``ClinicFormDep``). The two forms before a session exists
(setup and sign-in) use the flow cookie's token instead: the GET writes the signed, HttpOnly
flow cookie holding a random token and puts the same token in the form; the POST must bring
both back and they must match. Another site can neither read the token nor forge the signed
cookie, so it cannot make a browser post these forms (a login-CSRF guard).

Nothing here logs answers, scores or email addresses. An id the user may not see is a 404,
exactly like one that does not exist (the services raise ``NotFoundError``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

import segno
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from markupsafe import Markup
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException

from bothand.catalog import Catalog
from bothand.domain.assess.instruments import Instrument
from bothand.domain.errors import InputError, NotFoundError
from bothand.domain.record import (
    ALERT_STATUSES,
    Alert,
    Episode,
    LatestScore,
    Link,
    Measurement,
    Patient,
)
from bothand.domain.review import ReviewPoint
from bothand.domain.vocab import CONDITIONS
from bothand.services.accounts import SessionInfo, SignInError
from bothand.services.caseload import (
    DIRECTIONS,
    FIRST_DIRECTION,
    SORT_KEYS,
    Direction,
    SortKey,
)
from bothand.services.intake import questionnaire_for
from bothand.services.record import Record, patient_today
from bothand.settings import Settings
from bothand.web.deps import (
    SESSION_COOKIE,
    AccountsDep,
    CatalogDep,
    ClinicFormDep,
    ClockDep,
    FlowDep,
    RecordDep,
    SettingsDep,
    SignedInDep,
    TemplatesDep,
)
from bothand.web.pages import FlowPage, int_in
from bothand.web.review_view import ReviewView, review_view
from bothand.web.state import FlowCookie
from bothand.web.trajectory import courses
from bothand.web.views import source_labels

router = APIRouter(include_in_schema=False)

CLINIC = "/clinic"
COMMON_ZONES = (
    "UTC",
    "Europe/London",
    "Europe/Dublin",
    "Europe/Paris",
    "Europe/Berlin",
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Los_Angeles",
    "America/Anchorage",
    "Pacific/Honolulu",
    "America/Toronto",
    "America/Vancouver",
    "Australia/Sydney",
    "Pacific/Auckland",
)


@dataclass
class Errors:
    """A form's errors: field name -> message (the service's words), in page order."""

    by_field: dict[str, str] = field(default_factory=dict)

    @property
    def summary(self) -> list[tuple[str, str]]:
        return [(f"f-{name}", message) for name, message in self.by_field.items()]

    def __bool__(self) -> bool:
        return bool(self.by_field)

    @classmethod
    def of(cls, error: InputError) -> Errors:
        return cls({error.field: error.problem})


def _text(form: FormData, name: str, limit: int = 2000) -> str:
    value = form.get(name)
    return value[:limit] if isinstance(value, str) else ""


def _page(
    request: Request,
    templates: TemplatesDep,
    name: str,
    info: SessionInfo | None,
    status_code: int = 200,
    banner: tuple[int, int] | None = None,
    **context: Any,
) -> HTMLResponse:
    # Every clinician page is headed by the open critical alerts of their patients (and all
    # their open alerts): ``banner`` when the page has counted them already, as the caseload.
    if banner is None:
        record: Record = request.app.state.record
        counts = record.open_alerts(info.actor) if info and info.user.is_clinician else {}
        banner = counts.get("critical", 0), sum(counts.values())
    page: HTMLResponse = templates.TemplateResponse(
        request,
        name,
        {
            "info": info,
            "csrf": info.csrf if info else context.pop("csrf", ""),
            "here": request.url.path,
            "open_critical": banner[0],
            "open_alerts": banner[1],
            **context,
        },
        status_code=status_code,
    )
    page.headers["cache-control"] = "no-store"
    return page


def _see(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def _absolute(request: Request, settings: Settings, path: str) -> str:
    base = settings.public_url or str(request.base_url)
    return base.rstrip("/") + path


def _qr(url: str, label: str, id_: str) -> Markup:
    """The link as an inline SVG QR code, named for assistive technology by its title."""
    svg = segno.make(url, error="m").svg_inline(
        scale=4, title=label, svgclass="qr", lineclass="qr-line", dark="#000", light="#fff"
    )
    svg = svg.replace("<svg ", f'<svg role="img" aria-labelledby="{id_}" focusable="false" ', 1)
    svg = svg.replace("<title>", f'<title id="{id_}">', 1)
    return Markup(svg)


def _flow_csrf(flow: FlowPage, form: FormData) -> None:
    if not FlowCookie.csrf_ok(flow.state, form.get("csrf")):
        raise HTTPException(403, "the form's security token did not match; reload the page")


def _flow_page(
    flow: FlowPage, templates: TemplatesDep, name: str, status_code: int = 200, **context: Any
) -> HTMLResponse:
    page = _page(flow.request, templates, name, None, status_code, csrf=flow.state.csrf, **context)
    flow.cookie.write(page, flow.state)
    return page


def _admin(info: SessionInfo) -> None:
    if not info.user.is_admin:
        raise HTTPException(403, "only an admin may see this page")


def _day(moment: dt.datetime, zone: str) -> dt.date:
    return moment.astimezone(ZoneInfo(zone)).date()


# --- first run ---------------------------------------------------------------------------


@router.get("/setup/{token}", response_class=HTMLResponse)
def setup_page(
    token: str, flow: FlowDep, accounts: AccountsDep, templates: TemplatesDep
) -> Response:
    if not accounts.setup_usable(token):
        return _flow_page(flow, templates, "clinic/setup_gone.html", status_code=404)
    return _flow_page(flow, templates, "clinic/setup.html", token=token, errors=Errors(), form={})


@router.post("/setup/{token}", response_class=HTMLResponse)
async def setup_post(
    token: str, flow: FlowDep, accounts: AccountsDep, templates: TemplatesDep
) -> Response:
    form = await flow.request.form()
    _flow_csrf(flow, form)
    values = {"clinic": _text(form, "clinic", 300), "email": _text(form, "email", 400)}
    try:
        _, user = accounts.complete_setup(
            token, values["clinic"], values["email"], _text(form, "password", 1100)
        )
    except InputError as error:
        if error.field == "link":
            return _flow_page(flow, templates, "clinic/setup_gone.html", status_code=404)
        return _flow_page(
            flow,
            templates,
            "clinic/setup.html",
            status_code=422,
            token=token,
            errors=Errors.of(error),
            form=values,
        )
    address = flow.request.client.host if flow.request.client else "unknown"
    signed = accounts.sign_in(user.email, _text(form, "password", 1100), address)
    response = _see(CLINIC)
    _set_session(response, flow.request.app.state.settings, signed.session_id)
    return response


# --- sign-in and sign-out ----------------------------------------------------------------


def _next(raw: object) -> str:
    """Where to go after sign-in: only a path of the clinic's own pages (no open redirect)."""
    if not isinstance(raw, str) or len(raw) > 500:
        return CLINIC
    ours = raw == CLINIC or raw.startswith((CLINIC + "/", CLINIC + "?"))
    if ours and "\\" not in raw and "//" not in raw and not any(c.isspace() for c in raw):
        return raw
    return CLINIC


def _set_session(response: Response, settings: Settings, session_id: str) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        session_id,
        httponly=True,
        samesite="lax",
        secure=settings.secure_cookies,
        path="/",
    )


@router.get("/clinic/sign-in", response_class=HTMLResponse)
def sign_in_page(flow: FlowDep, templates: TemplatesDep) -> Response:
    target = _next(flow.request.query_params.get("next"))
    return _flow_page(
        flow, templates, "clinic/sign_in.html", next=target, problem=None, email="", code=False
    )


@router.post("/clinic/sign-in", response_class=HTMLResponse)
async def sign_in_post(
    flow: FlowDep, accounts: AccountsDep, templates: TemplatesDep, settings: SettingsDep
) -> Response:
    form = await flow.request.form()
    _flow_csrf(flow, form)
    email = _text(form, "email", 400)
    target = _next(form.get("next"))
    address = flow.request.client.host if flow.request.client else "unknown"
    try:
        signed = accounts.sign_in(
            email, _text(form, "password", 1100), address, _text(form, "code", 20)
        )
    except SignInError as error:
        status = {"limited": 429, "code": 401, "wrong": 401}[error.reason]
        return _flow_page(
            flow,
            templates,
            "clinic/sign_in.html",
            status_code=status,
            next=target,
            problem=error.reason,
            email=email,
            code=error.reason == "code" or bool(_text(form, "code", 20)),
        )
    response = _see(target)
    _set_session(response, settings, signed.session_id)
    return response


@router.post("/clinic/sign-out")
def sign_out(request: Request, form: ClinicFormDep, accounts: AccountsDep) -> Response:
    accounts.sign_out(request.cookies.get(SESSION_COOKIE, ""))
    response = _see("/clinic/sign-in")
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


# --- caseload and patients ---------------------------------------------------------------


def _instrument(catalog: Catalog, instrument_id: str) -> Instrument | None:
    return catalog.instruments.get(instrument_id)


def _band(catalog: Catalog, measurement: Measurement) -> str:
    instrument = _instrument(catalog, measurement.instrument)
    band = instrument.band_for(measurement.total) if instrument else None
    return band.label if band else (measurement.severity or "")


def _short(catalog: Catalog, instrument_id: str) -> str:
    instrument = _instrument(catalog, instrument_id)
    return instrument.short_name if instrument else instrument_id


CASELOAD_SHOWN = 100  # rows on one page: about 0.6 KB each, so the page stays under 100 KB
CASELOAD_COLUMNS: tuple[SortKey, ...] = ("name", "alerts", "score", "trend", "review")
_TREND_SHAPE = {"better": "▼", "worse": "▲", "no_change": "▬", "no_threshold": "·", "first": "·"}


def _caseload_order(query: Mapping[str, str]) -> tuple[SortKey, Direction, int, bool]:
    """The caseload's sort key, direction and page from the query, and whether any of them
    was not one the page knows (then the usual order, first page, and a message)."""
    raw_key, raw_dir, raw_page = query.get("sort"), query.get("dir"), query.get("page")
    key = next((k for k in SORT_KEYS if k == raw_key), None)
    bad = raw_key is not None and key is None
    key = key or "name"
    direction = next((d for d in DIRECTIONS if d == raw_dir), None)
    bad = bad or (raw_dir is not None and direction is None)
    page = int_in(raw_page, range(1, 1000)) if raw_page is not None else 1
    bad = bad or page is None
    if bad:
        return "name", "asc", 1, True
    return key, direction or FIRST_DIRECTION[key], page or 1, False


def _signed(change: int) -> str:
    return f"+{change}" if change > 0 else f"−{-change}" if change < 0 else "0"


@router.get("/clinic", response_class=HTMLResponse)
def caseload(
    request: Request,
    info: SignedInDep,
    record: RecordDep,
    catalog: CatalogDep,
    templates: TemplatesDep,
) -> Response:
    """The caseload: open critical alerts first, then other open alerts, then the order the
    clinician chose (``?sort=name|score|trend|review|alerts&dir=asc|desc``, by column header
    links, no JavaScript). A value the page does not know is a 400 with a message, and the
    list in the usual order."""
    if not info.user.is_clinician:
        return _page(request, templates, "clinic/caseload.html", info, rows=None)
    key, direction, page, bad = _caseload_order(request.query_params)
    found = record.caseload_page(info.actor, key, direction, page, CASELOAD_SHOWN)
    words = catalog.labels.text
    shown = [
        {
            "patient": entry.patient,
            "latest": entry.latest,
            "short": _short(catalog, entry.latest.instrument) if entry.latest else "",
            "band": _latest_band(catalog, entry.latest) if entry.latest else "",
            "trend": entry.trend,
            "change": _signed(entry.trend.change) if entry.trend else "",
            "trend_word": words[f"clinic.caseload.trend.{entry.trend.word}"] if entry.trend else "",
            "trend_shape": _TREND_SHAPE[entry.trend.word] if entry.trend else "",
            "review": entry.next_review,
            "critical": entry.open_critical,
            "other_alerts": entry.open_alerts - entry.open_critical,
        }
        for entry in found.entries
    ]
    columns = [
        {
            "key": column,
            "sorted": column == key,
            "dir": ("desc" if direction == "asc" else "asc")
            if column == key
            else FIRST_DIRECTION[column],
        }
        for column in CASELOAD_COLUMNS
    ]
    return _page(
        request,
        templates,
        "clinic/caseload.html",
        info,
        400 if bad else 200,
        banner=(found.open_critical, found.open_alerts),
        rows=shown,
        columns=columns,
        sort=key,
        dir=direction,
        page=found.page,
        pages=found.pages,
        total=found.total,
        bad_order=bad,
    )


def _latest_band(catalog: Catalog, latest: LatestScore) -> str:
    instrument = _instrument(catalog, latest.instrument)
    band = instrument.band_for(latest.total) if instrument else None
    return band.label if band else (latest.severity or "")


def _locales(catalog: Catalog) -> list[tuple[str, str]]:
    return [(entry.locale, entry.region) for entry in catalog.crisis.locales]


def _new_patient_page(
    request: Request,
    templates: TemplatesDep,
    info: SessionInfo,
    catalog: Catalog,
    values: dict[str, str],
    errors: Errors,
    status_code: int = 200,
) -> HTMLResponse:
    return _page(
        request,
        templates,
        "clinic/patient_new.html",
        info,
        status_code,
        form=values,
        errors=errors,
        zones=COMMON_ZONES,
        locales=_locales(catalog),
    )


@router.get("/clinic/patients/new", response_class=HTMLResponse)
def new_patient_page(
    request: Request,
    info: SignedInDep,
    catalog: CatalogDep,
    settings: SettingsDep,
    templates: TemplatesDep,
) -> Response:
    default_locale = catalog.crisis.for_locale(catalog.crisis.default_locale).locale
    values = {"timezone": settings.time_zone, "locale": default_locale}
    return _new_patient_page(request, templates, info, catalog, values, Errors())


@router.post("/clinic/patients/new", response_class=HTMLResponse)
def new_patient_post(
    request: Request,
    info: SignedInDep,
    form: ClinicFormDep,
    record: RecordDep,
    catalog: CatalogDep,
    templates: TemplatesDep,
) -> Response:
    values = {
        name: _text(form, name, 400)
        for name in ("reference", "display_name", "timezone", "locale", "email")
    }
    try:
        patient = record.add_patient(
            info.actor,
            values["reference"],
            values["timezone"].strip(),
            values["locale"],
            values["display_name"] or None,
            values["email"].strip() or None,
        )
    except InputError as error:
        return _new_patient_page(
            request, templates, info, catalog, values, Errors.of(error), status_code=422
        )
    return _see(f"/clinic/patients/{patient.id}")


def _options(catalog: Catalog, episode: Episode) -> list[dict[str, str]]:
    options = episode.decision.get("recommendation", {}).get("options", [])
    labels = catalog.labels.text
    return [
        {
            "name": str(option.get("name", option.get("id", ""))),
            "fit": labels.get(f"fit.{option.get('fit')}", str(option.get("fit", ""))),
        }
        for option in options
        if isinstance(option, dict)
    ]


def _option_name(catalog: Catalog, option: str | None) -> str | None:
    if option is None:
        return None
    names: dict[str, str] = {info.id: info.name for info in catalog.explainers.options}
    return names.get(option, option)


def _milestones(
    episode: Episode, points: Sequence[ReviewPoint] = (), talks: Collection[str] = ()
) -> list[dict[str, str]]:
    """The plan's milestones with their dates and, as a review point, their status; the
    plan's words too for each milestone in ``talks`` (a talk that has become due: the
    continue / taper / stop or long-term review conversation the point prepares)."""
    plan = episode.plan or {}
    status = {point.milestone: point.status for point in points}
    return [
        {
            "title": str(m.get("title", "")),
            "from": str(m.get("date_from") or ""),
            "to": str(m.get("date_to") or ""),
            "status": status.get(str(m.get("id", "")), ""),
            "text": str(m.get("text", "")) if m.get("id") in talks else "",
        }
        for m in plan.get("milestones", [])
        if isinstance(m, dict)
    ]


def _talks(alerts: Sequence[Alert], episode: Episode) -> set[str]:
    """The milestones of ``episode`` whose talk has become due (a ``review_due`` alert about
    ``<milestone>/talk``, whatever its state)."""
    return {
        a.subject.removesuffix("/talk")
        for a in alerts
        if a.episode_id == episode.id and a.kind == "review_due" and a.subject
        if a.subject.endswith("/talk")
    }


def _crisis_lines(catalog: Catalog, patient: Patient) -> Any:
    return catalog.crisis.for_locale(patient.locale)


@router.get("/clinic/patients/{patient_id}", response_class=HTMLResponse)
def patient_page(
    patient_id: str,
    request: Request,
    info: SignedInDep,
    record: RecordDep,
    catalog: CatalogDep,
    templates: TemplatesDep,
) -> Response:
    found = record.patient(info.actor, patient_id)
    patient = found.patient
    zone = patient.timezone
    alerts = [
        {"day": _day(alert.raised_at, zone), "id": alert.id}
        for alert in found.alerts
        # Crisis lines stay on the patient's page until the alert is resolved.
        if alert.kind == "critical" and alert.status != "resolved"
    ]
    saved = request.query_params.get("saved")
    saved_risk = False
    episodes = []
    for episode in found.episodes:
        measurements = []
        for m in episode.measurements:
            if m.id == saved and m.risk_positive:
                saved_risk = True
            instrument = _instrument(catalog, m.instrument)
            measurements.append(
                {
                    "m": m,
                    "name": instrument.name if instrument else m.instrument,
                    "short": _short(catalog, m.instrument),
                    "band": _band(catalog, m),
                }
            )
        points = record.review_points(episode, patient)
        episodes.append(
            {
                "episode": episode,
                "day": _day(episode.created_at, zone),
                "option": _option_name(catalog, episode.option),
                "milestones": _milestones(episode, points, _talks(found.alerts, episode)),
                "options": _options(catalog, episode),
                "measurements": measurements,
                "courses": courses(
                    catalog, episode.id, episode.measurements, points, patient.locale
                ),
                "review": _review(catalog, record, episode, patient),
            }
        )
    return _page(
        request,
        templates,
        "clinic/patient.html",
        info,
        patient=patient,
        region=catalog.crisis.for_locale(patient.locale).region,
        alerts=alerts,
        crisis=_crisis_lines(catalog, patient) if alerts or saved_risk else None,
        saved_risk=saved_risk,
        saved=saved is not None,
        alert_rows=[_alert_row(catalog, alert, patient) for alert in found.alerts],
        episodes=episodes,
        conditions=_conditions(catalog),
        source_labels=source_labels(catalog),
    )


def _review(catalog: Catalog, record: Record, episode: Episode, patient: Patient) -> ReviewView:
    """What the episode's review points found and its decisions side by side (the episode
    was read and audited with the patient's record)."""
    now = record.follow_up(episode, patient)
    return review_view(
        catalog,
        episode,
        now.review_points,
        now.findings,
        record.redecisions(episode),
        patient.timezone,
    )


def _conditions(catalog: Catalog) -> list[tuple[str, str]]:
    names = {info.id: info.name for info in catalog.explainers.conditions}
    return [(c, names.get(c, c)) for c in CONDITIONS]


@router.post("/clinic/patients/{patient_id}/episodes")
def new_episode(
    patient_id: str, info: SignedInDep, form: ClinicFormDep, record: RecordDep
) -> Response:
    """An episode started in session: the concern is named; the decision is left to discuss
    (the options and their fits are worked out from the concern alone)."""
    record.patient(info.actor, patient_id)  # 404 before reading the form's choice
    condition = _text(form, "condition", 50)
    if condition not in CONDITIONS:
        raise HTTPException(422, "condition: choose one from the list")
    case = {
        "concerns": [{"condition": condition}],
        "preferences": {"medication": "open", "therapy": "open"},
    }
    record.create_episode(info.actor, patient_id, case, None, None)
    return _see(f"/clinic/patients/{patient_id}")


@router.post("/clinic/patients/{patient_id}/together")
def together(
    patient_id: str, info: SignedInDep, form: ClinicFormDep, record: RecordDep
) -> Response:
    """Go through the decision aid with the person now, on this device: an invitation opened
    here at once. At its end the person chooses whether to share, as with a link sent home."""
    link = record.invite(info.actor, patient_id)
    return RedirectResponse(f"/invite/{link.token}", status_code=303)


@router.post("/clinic/patients/{patient_id}/invite", response_class=HTMLResponse)
def invite(
    patient_id: str,
    request: Request,
    info: SignedInDep,
    form: ClinicFormDep,
    record: RecordDep,
    settings: SettingsDep,
    catalog: CatalogDep,
    templates: TemplatesDep,
) -> Response:
    link = record.invite(info.actor, patient_id)
    return _link_page(request, info, settings, catalog, templates, link, "invite")


@router.post("/clinic/episodes/{episode_id}/check-in", response_class=HTMLResponse)
def check_in(
    episode_id: str,
    request: Request,
    info: SignedInDep,
    form: ClinicFormDep,
    record: RecordDep,
    settings: SettingsDep,
    catalog: CatalogDep,
    templates: TemplatesDep,
) -> Response:
    link = record.check_in_link(info.actor, episode_id)  # names its patient itself
    return _link_page(request, info, settings, catalog, templates, link, "check_in")


def _link_page(
    request: Request,
    info: SessionInfo,
    settings: Settings,
    catalog: Catalog,
    templates: TemplatesDep,
    link: Link,
    kind: str,
) -> Response:
    """A link just made for the person (an invitation or a check-in): to copy, and as a QR
    code for their phone."""
    path = "/invite/" if kind == "invite" else "/check-in/"
    url = _absolute(request, settings, f"{path}{link.token}")
    return _page(
        request,
        templates,
        "clinic/link.html",
        info,
        kind=kind,
        url=url,
        qr=_qr(url, catalog.labels[f"clinic.link.qr_{kind}"], "qr-title"),
        expires=link.expires_at.date(),
        patient_id=link.patient_id,
    )


# --- measurements ------------------------------------------------------------------------


def _choices(catalog: Catalog, episode: Episode) -> list[Instrument]:
    """The episode's own questionnaires first, then every other one whose wording we hold."""
    first: list[str] = []
    for concern in episode.decision.get("case", {}).get("concerns", []):
        named = concern.get("instrument")
        if not named and concern.get("condition") in CONDITIONS:
            asked = questionnaire_for(catalog, concern["condition"])
            named = asked.id if asked else None
        if named and named in catalog.instruments and named not in first:
            first.append(named)
    rest = sorted(i for i in catalog.instruments if i not in first)
    return [catalog.instruments[i] for i in (*first, *rest) if catalog.instruments[i].has_wording]


def _measure_page(
    request: Request,
    templates: TemplatesDep,
    info: SessionInfo,
    catalog: Catalog,
    episode: Episode,
    patient: Patient,
    today: dt.date,
    instrument_id: str | None,
    supersedes: str | None,
    saved: dict[str, int | None] | None = None,
    taken_on: str = "",
    errors: Errors | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    choices = _choices(catalog, episode)
    instrument = next((i for i in choices if i.id == instrument_id), None)
    return _page(
        request,
        templates,
        "clinic/measure.html",
        info,
        status_code,
        episode=episode,
        patient=patient,
        choices=choices,
        instrument=instrument,
        supersedes=supersedes,
        saved=saved or {},
        taken_on=taken_on or today.isoformat(),
        errors=errors or Errors(),
    )


@router.get("/clinic/episodes/{episode_id}/measurements/new", response_class=HTMLResponse)
def measure_page(
    episode_id: str,
    request: Request,
    info: SignedInDep,
    record: RecordDep,
    catalog: CatalogDep,
    clock: ClockDep,
    templates: TemplatesDep,
) -> Response:
    episode, patient, _ = record.episode(info.actor, episode_id)
    query = request.query_params
    supersedes = query.get("supersedes") or None
    instrument_id = query.get("instrument")
    if supersedes is not None:
        old = next((m for m in episode.measurements if m.id == supersedes), None)
        if old is None:
            raise NotFoundError("measurement")
        instrument_id = old.instrument
    today = patient_today(patient, clock.now())
    return _measure_page(
        request, templates, info, catalog, episode, patient, today, instrument_id, supersedes
    )


@router.post("/clinic/episodes/{episode_id}/measurements/new", response_class=HTMLResponse)
def measure_post(
    episode_id: str,
    request: Request,
    info: SignedInDep,
    form: ClinicFormDep,
    record: RecordDep,
    catalog: CatalogDep,
    clock: ClockDep,
    templates: TemplatesDep,
) -> Response:
    episode, patient, _ = record.episode(info.actor, episode_id)
    today = patient_today(patient, clock.now())
    supersedes = _text(form, "supersedes", 100) or None
    instrument_id = _text(form, "instrument", 50)
    instrument = next((i for i in _choices(catalog, episode) if i.id == instrument_id), None)
    if instrument is None:
        raise HTTPException(422, "instrument: choose a questionnaire from the list")
    answers = [
        int_in(form.get(item.id), (o.value for o in instrument.options_for(item)))
        for item in instrument.items
    ]
    saved = {item.id: value for item, value in zip(instrument.items, answers, strict=True)}
    taken_raw = _text(form, "taken_on", 20)
    errors = Errors()
    for item, value in zip(instrument.items, answers, strict=True):
        if value is None and item.show == "always":
            errors.by_field[item.id] = catalog.labels["clinic.measure.missing"]
    taken_on: dt.date | None = None
    try:
        taken_on = dt.date.fromisoformat(taken_raw)
    except ValueError:
        errors.by_field["taken_on"] = catalog.labels["clinic.measure.bad_date"]
    if not errors and taken_on is not None:
        try:
            done = record.record(
                info.actor, episode_id, instrument.id, answers, taken_on, "in_session", supersedes
            )
        except InputError as error:
            errors = Errors.of(error)
        else:
            return _see(f"/clinic/patients/{patient.id}?saved={done.measurement.id}")
    return _measure_page(
        request,
        templates,
        info,
        catalog,
        episode,
        patient,
        today,
        instrument.id,
        supersedes,
        saved,
        taken_raw,
        errors,
        status_code=422,
    )


# --- alerts ------------------------------------------------------------------------------

ALERTS = "/clinic/alerts"
ALERTS_SHOWN = 50  # on one page: about 1.2 KB each


def _alert_row(catalog: Catalog, alert: Alert, patient: Patient) -> dict[str, Any]:
    """An alert as the pages show it: its kind and reason in words (the code itself for one
    the locale has no words for yet), moments in the patient's zone, to the minute."""
    zone = ZoneInfo(patient.timezone)
    words = catalog.labels.text

    def local(moment: dt.datetime | None) -> str | None:
        return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M") if moment else None

    return {
        "alert": alert,
        "patient": patient,
        "kind": words.get(f"clinic.alerts.kind.{alert.kind}", alert.kind),
        "reason": words.get(f"clinic.alerts.reason.{alert.reason}", alert.reason),
        "about": _about(catalog, alert),
        "raised": local(alert.raised_at),
        "acknowledged": local(alert.acknowledged_at),
        "resolved": local(alert.resolved_at),
    }


def _about(catalog: Catalog, alert: Alert) -> str | None:
    """What an alert is about, in words, from its subject: the review point's short title, the
    questionnaire's short name, or a check-in link."""
    subject = alert.subject
    if not subject:
        return None
    head = subject.split("/", 1)[0]
    if head == "link":
        return catalog.labels.text.get("clinic.alerts.about_link")
    titles = catalog.timeline.short_titles
    if head in titles:
        return titles[head]
    return _short(catalog, head) if head in catalog.instruments else None


def _alerts_page(
    request: Request,
    templates: TemplatesDep,
    info: SessionInfo,
    record: Record,
    status: str | None,
    failed: tuple[str, InputError] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    if not info.user.is_clinician:
        return _page(request, templates, "clinic/alerts.html", info, rows=None, status=None)
    catalog: Catalog = request.app.state.catalog
    found = record.alerts(info.actor, status)
    rows = [_alert_row(catalog, alert, patient) for alert, patient in found]
    if status is None:  # the inbox: what still needs someone; resolved ones on their own tab
        rows = [row for row in rows if row["alert"].status != "resolved"]
    # Open ones first, so those are the last left out; the page stays under 100 KB.
    hidden = max(0, len(rows) - ALERTS_SHOWN)
    rows = rows[:ALERTS_SHOWN]
    errors = {failed[0]: Errors.of(failed[1])} if failed else {}
    return _page(
        request,
        templates,
        "clinic/alerts.html",
        info,
        status_code,
        rows=rows,
        status=status,
        statuses=ALERT_STATUSES,
        errors=errors,
        hidden=hidden,
        done=request.query_params.get("done") in ALERT_STATUSES[1:],
    )


@router.get(ALERTS, response_class=HTMLResponse)
def alerts_page(
    request: Request, info: SignedInDep, record: RecordDep, templates: TemplatesDep
) -> Response:
    """The alerts inbox: open alerts first, then acknowledged ones; ``?status=`` shows one
    state only (resolved alerts are seen that way)."""
    status = request.query_params.get("status")
    if status not in ALERT_STATUSES:
        status = None
    return _alerts_page(request, templates, info, record, status)


def _back(raw: object) -> str:
    """Where a form on an alert returns: the inbox, or the patient page it was posted from."""
    target = _next(raw)
    return target if target.startswith((ALERTS, "/clinic/patients/")) else ALERTS


def _move_alert(
    alert_id: str,
    to: str,
    request: Request,
    info: SessionInfo,
    form: FormData,
    record: Record,
    templates: TemplatesDep,
) -> Response:
    note = _text(form, "note", 2000) or None
    try:
        if to == "acknowledged":
            record.acknowledge(info.actor, alert_id, note)
        else:
            record.resolve(info.actor, alert_id, note)
    except InputError as error:
        # The inbox again, with the message beside the note of the alert's form.
        return _alerts_page(
            request, templates, info, record, None, (alert_id, error), status_code=422
        )
    back = _back(form.get("back"))
    joiner = "&" if "?" in back else "?"
    return _see(f"{back}{joiner}done={to}#alert-{alert_id}" if back == ALERTS else back)


@router.post(ALERTS + "/{alert_id}/acknowledge", response_class=HTMLResponse)
def acknowledge_alert(
    alert_id: str,
    request: Request,
    info: SignedInDep,
    form: ClinicFormDep,
    record: RecordDep,
    templates: TemplatesDep,
) -> Response:
    return _move_alert(alert_id, "acknowledged", request, info, form, record, templates)


@router.post(ALERTS + "/{alert_id}/resolve", response_class=HTMLResponse)
def resolve_alert(
    alert_id: str,
    request: Request,
    info: SignedInDep,
    form: ClinicFormDep,
    record: RecordDep,
    templates: TemplatesDep,
) -> Response:
    return _move_alert(alert_id, "resolved", request, info, form, record, templates)


# --- users and the audit trail (admin) ---------------------------------------------------


def _users_page(
    request: Request,
    templates: TemplatesDep,
    info: SessionInfo,
    accounts: AccountsDep,
    values: dict[str, Any] | None = None,
    errors: Errors | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    return _page(
        request,
        templates,
        "clinic/users.html",
        info,
        status_code,
        users=accounts.users(info.actor),
        form=values or {"roles": ["clinician"]},
        errors=errors or Errors(),
    )


@router.get("/clinic/users", response_class=HTMLResponse)
def users_page(
    request: Request, info: SignedInDep, accounts: AccountsDep, templates: TemplatesDep
) -> Response:
    _admin(info)
    return _users_page(request, templates, info, accounts)


@router.post("/clinic/users", response_class=HTMLResponse)
def users_add(
    request: Request,
    info: SignedInDep,
    form: ClinicFormDep,
    accounts: AccountsDep,
    templates: TemplatesDep,
) -> Response:
    _admin(info)
    roles = [r for r in form.getlist("roles") if isinstance(r, str)][:4]
    email = _text(form, "email", 400)
    values: dict[str, Any] = {"email": email, "roles": roles}
    try:
        accounts.add_user(
            email,
            info.clinic.id,
            roles,
            _text(form, "password", 1100),
            info.actor,
        )
    except InputError as error:
        return _users_page(
            request, templates, info, accounts, values, Errors.of(error), status_code=422
        )
    return _see("/clinic/users")


@router.post("/clinic/users/{user_id}/active")
def users_active(
    user_id: str, info: SignedInDep, form: ClinicFormDep, accounts: AccountsDep
) -> Response:
    _admin(info)
    active = _text(form, "active", 10) == "yes"
    if user_id == info.user.id and not active:
        raise HTTPException(422, "active: you cannot turn off your own account")
    try:
        accounts.set_active(user_id, active, info.actor)
    except InputError:
        raise NotFoundError("user") from None
    return _see("/clinic/users")


@router.post("/clinic/users/require-totp")
def users_require_totp(info: SignedInDep, form: ClinicFormDep, accounts: AccountsDep) -> Response:
    _admin(info)
    accounts.set_require_totp(info.clinic.id, _text(form, "required", 10) == "yes", info.actor)
    return _see("/clinic/users")


@router.get("/clinic/audit", response_class=HTMLResponse)
def audit_page(
    request: Request, info: SignedInDep, record: RecordDep, templates: TemplatesDep
) -> Response:
    _admin(info)
    patient = request.query_params.get("patient", "").strip()[:100] or None
    events = record.trail(info.actor, patient)
    return _page(request, templates, "clinic/audit.html", info, events=events, patient=patient)


# --- the user's own account: TOTP and API tokens -----------------------------------------


def _totp_page(
    request: Request,
    templates: TemplatesDep,
    info: SessionInfo,
    accounts: AccountsDep,
    secret: str,
    errors: Errors | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    uri = accounts.totp_uri(secret, info.user.email, "Bothand " + info.clinic.name)
    label = request.app.state.catalog.labels["clinic.totp.qr"]
    return _page(
        request,
        templates,
        "clinic/totp.html",
        info,
        status_code,
        secret=secret,
        qr=_qr(uri, label, "qr-title"),
        errors=errors or Errors(),
        done=request.query_params.get("done") == "1",
    )


@router.get("/clinic/account/totp", response_class=HTMLResponse)
def totp_page(
    request: Request, info: SignedInDep, accounts: AccountsDep, templates: TemplatesDep
) -> Response:
    return _totp_page(request, templates, info, accounts, accounts.new_totp_secret())


@router.post("/clinic/account/totp", response_class=HTMLResponse)
def totp_post(
    request: Request,
    info: SignedInDep,
    form: ClinicFormDep,
    accounts: AccountsDep,
    templates: TemplatesDep,
) -> Response:
    secret = _text(form, "secret", 64).strip().upper()
    if not secret.isalnum() or len(secret) < 16:
        secret = accounts.new_totp_secret()
        return _totp_page(request, templates, info, accounts, secret, status_code=422)
    try:
        accounts.enable_totp(info.user, secret, _text(form, "code", 20))
    except InputError as error:
        return _totp_page(
            request, templates, info, accounts, secret, Errors.of(error), status_code=422
        )
    return _see("/clinic/account/totp?done=1")


def _tokens_page(
    request: Request,
    templates: TemplatesDep,
    info: SessionInfo,
    accounts: AccountsDep,
    new_token: str | None = None,
    errors: Errors | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    return _page(
        request,
        templates,
        "clinic/tokens.html",
        info,
        status_code,
        tokens=accounts.tokens(info.user),
        new_token=new_token,
        errors=errors or Errors(),
    )


@router.get("/clinic/account/tokens", response_class=HTMLResponse)
def tokens_page(
    request: Request, info: SignedInDep, accounts: AccountsDep, templates: TemplatesDep
) -> Response:
    return _tokens_page(request, templates, info, accounts)


@router.post("/clinic/account/tokens", response_class=HTMLResponse)
def tokens_create(
    request: Request,
    info: SignedInDep,
    form: ClinicFormDep,
    accounts: AccountsDep,
    templates: TemplatesDep,
) -> Response:
    try:
        token = accounts.create_token(info.user.email, _text(form, "name", 200), info.actor)
    except InputError as error:
        return _tokens_page(
            request, templates, info, accounts, errors=Errors.of(error), status_code=422
        )
    return _tokens_page(request, templates, info, accounts, new_token=token.token)


@router.post("/clinic/account/tokens/{token_id}/revoke")
def tokens_revoke(
    token_id: str, info: SignedInDep, form: ClinicFormDep, accounts: AccountsDep
) -> Response:
    if not accounts.revoke_token(info.user, token_id):
        raise NotFoundError("token")
    return _see("/clinic/account/tokens")


__all__ = ["router"]
