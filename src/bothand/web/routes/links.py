"""The pages a person reaches through a link the clinic sent: an invitation (the decision
flow, then sharing its result with the clinic) and a check-in (the questionnaires due).

- ``GET /invite/{secret}``: a usable invitation starts the decision flow afresh with the
  secret kept in the flow cookie (``FlowAnswers.invitation``) and shows a short welcome.
  Opening it writes nothing but the audit event; the link is used only when the person shares.
- ``GET /share``, ``POST /share``: what sharing sends, and sending it. Only with an invitation
  in the cookie, only when the person presses the button (never automatic), and only once:
  the decision becomes an episode (``Record.share``), with what the case cannot hold (what
  matters, the leaning, the readiness check, unscored extra answers) under
  ``decision["flow"]``. Then the invitation leaves the cookie. Without an invitation nothing
  is stored, ever: the flow stays stateless.
- ``GET /check-in/{secret}``, ``POST /check-in/{secret}``: the questionnaires due, word for
  word, as radio groups; every shown question must be answered (the form comes back with the
  message beside each missing one, answers kept, nothing stored); then one measurement per
  questionnaire (``Record.submit_check_in``, all or none) and a thank-you page with crisis
  help first when a risk answer was positive.

A link that is unknown, used or expired is a plain 404 page saying so, with crisis help one
tap away. Nothing here logs a secret, an answer or a score.

CSRF: the share form is part of the decision flow and posts the flow cookie's token
(``deps.FormDep``), as every flow form does. The check-in form posts a token tied to its link
instead: an HMAC of the link's secret under the app's secret key (``check_in_token``). The
check-in is not part of a flow: the flow cookie lives a day, a check-in link a week, so a page
left open overnight would otherwise be refused, and a browser that keeps no cookies could not
send it at all. A forged post from another site cannot carry the token without the link's
secret, and whoever holds the secret can open the form anyway, so nothing is lost. A missing
or wrong token gets the friendly 403 page and stores nothing.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import re
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import FormData

from bothand.catalog import Catalog
from bothand.contract import dump_safety
from bothand.domain.assess.instruments import Instrument
from bothand.domain.assess.safety import urgent_safety
from bothand.domain.errors import InputError
from bothand.domain.record import Link, Patient
from bothand.services.record import CheckIn
from bothand.settings import Settings
from bothand.web.dates import date_text
from bothand.web.deps import FlowDep, FormDep, RecordDep, SettingsDep
from bothand.web.flowstate import LOCALES, FlowAnswers, choice_id, gate
from bothand.web.pages import FlowPage, FormErrors, int_in

router = APIRouter(include_in_schema=False)

# What a link's secret looks like (``secrets.token_urlsafe``); anything else is not looked up.
_SECRET = re.compile(r"[A-Za-z0-9_-]{16,100}")
TO_DISCUSS = "to_discuss"


def _usable_secret(secret: str) -> bool:
    return _SECRET.fullmatch(secret) is not None


def _gone(
    flow: FlowPage, title: str = "links.gone.title", text: str = "links.gone.text"
) -> Response:
    """The plain page of a link that no longer works (404): what happened, what to do, and
    crisis help one tap away. The flow cookie is left as it was."""
    return flow.render("links/gone.html", status_code=404, write=False, title=title, text=text)


def _until(link: Link, patient: Patient, locale: str | None) -> str:
    """The last day the link works, in the patient's time zone, in words."""
    last = link.expires_at.astimezone(ZoneInfo(patient.timezone)) - dt.timedelta(microseconds=1)
    return date_text(last.date(), locale or _country(patient))


def _country(patient: Patient) -> str:
    """The patient's country for dates: en-GB or en-US (the default)."""
    return "en-GB" if patient.locale.lower().replace("_", "-") == "en-gb" else LOCALES[0]


# --- the invitation -------------------------------------------------------------------------


@router.get("/invite/{secret}", response_class=HTMLResponse)
def invitation(secret: str, flow: FlowDep, record: RecordDep) -> Response:
    found = record.invitation(secret) if _usable_secret(secret) else None
    if found is None:
        return _gone(flow)
    link, patient = found
    if flow.state.invitation != secret:
        # Today's flow for this person: earlier answers in this browser are not carried over
        # into something the clinic may see. Opening the same link again keeps the answers.
        flow.state = FlowAnswers.fresh().but(invitation=secret)
    return flow.render(
        "links/invite.html",
        until=_until(link, patient, flow.state.locale),
        has_answers=flow.state.answered_anything,
    )


# --- sharing --------------------------------------------------------------------------------


def share_context(flow: FlowPage) -> dict[str, Any]:
    """What the share box says will be sent as the choice: the option and start date the
    person chose on the plan page, or None (the clinic sees "to discuss")."""
    state = flow.state
    if state.option is None or state.start is None:
        return {"share_choice": None, "share_start": None}
    names = {info.id: info.name for info in flow.catalog.explainers.options}
    return {
        "share_choice": names.get(state.option, state.option),
        "share_start": date_text(state.start, state.locale or LOCALES[0]),
    }


def flow_extra(state: FlowAnswers) -> dict[str, Any]:
    """What the decision flow knew beyond the case, stored with the shared decision: what
    matters (0-3), the leaning, the readiness check before and after the options, the
    unscored extra answers, the country of the help lines, and the choice (or "to discuss").
    Unanswered parts are left out, never filled in."""
    extra: dict[str, Any] = {
        "values": dict(state.values),
        "leaning": state.leaning,
        "sure_before": dict(state.sure_before),
        "sure_after": dict(state.sure_after),
        "extras": {condition: dict(found) for condition, found in state.extras.items() if found},
        "country": state.locale,
        "choice": state.option if state.option and state.start else TO_DISCUSS,
    }
    return {key: value for key, value in extra.items() if value not in (None, {}, ())}


def _no_invitation(flow: FlowPage) -> Response:
    return _gone(flow, "links.share.none_title", "links.share.none_text")


@router.get("/share", response_class=HTMLResponse)
def share_page(flow: FlowDep) -> Response:
    if flow.state.invitation is None:
        return _no_invitation(flow)
    if moved := gate(flow.catalog, flow.state, "plan"):
        return flow.see(moved)
    return flow.render("links/share.html", compact_crisis=True, **share_context(flow))


@router.post("/share", response_class=HTMLResponse)
def share_post(form: FormDep, flow: FlowDep, record: RecordDep) -> Response:
    """Share, once, when the person presses the button (the CSRF token checked first)."""
    state = flow.state
    secret = state.invitation
    if secret is None:
        return _no_invitation(flow)
    if moved := gate(flow.catalog, state, "plan"):
        return flow.see(moved)
    case = flow.case().model_dump(mode="json", exclude_none=True)
    chosen = state.option is not None and state.start is not None
    try:
        record.share(
            secret,
            case,
            state.option if chosen else None,
            state.start if chosen else None,
            flow_extra(state),
        )
    except InputError as error:
        if error.field != "link":
            raise
        # Used or expired: nothing was written. The dead link leaves the cookie.
        flow.state = state.but(invitation=None)
        return flow.render(
            "links/gone.html",
            status_code=404,
            title="links.share.used_title",
            text="links.share.used_text",
        )
    flow.state = state.but(invitation=None)
    return flow.render("links/shared.html", compact_crisis=True)


# --- the check-in ---------------------------------------------------------------------------


def check_in_token(settings: Settings, secret: str) -> str:
    """The check-in form's CSRF token: an HMAC of the link's secret under the app's key."""
    mac = hmac.new(
        settings.secret_key.encode(), b"bothand.check-in\0" + secret.encode(), hashlib.sha256
    )
    return base64.urlsafe_b64encode(mac.digest()).decode().rstrip("=")


def _token_ok(settings: Settings, secret: str, posted: object) -> bool:
    return isinstance(posted, str) and hmac.compare_digest(
        check_in_token(settings, secret).encode(), posted.encode("utf-8", "surrogatepass")
    )


def _forms(catalog: Catalog, link: Link) -> list[Instrument]:
    return [catalog.instruments[i] for i in link.instruments if i in catalog.instruments]


def read_answers(instrument: Instrument, form: FormData) -> tuple[list[int | None], list[int]]:
    """The posted answers to ``instrument`` (None where unanswered or not offered) and the
    indexes of the questions that must be answered but were not. A question asked only after
    a "yes" (the ASQ's question 5) is not needed after all "no" answers, and is then dropped
    unless it was answered "yes". Nothing is ever filled in."""
    answers = [
        int_in(form.get(item.id), (o.value for o in instrument.options_for(item)))
        for item in instrument.items
    ]
    said_yes = any(answers[i] for i, item in enumerate(instrument.items) if item.show == "always")
    missing: list[int] = []
    for index, item in enumerate(instrument.items):
        if item.show != "always" and not said_yes:
            if not answers[index]:
                answers[index] = None
            continue
        if answers[index] is None:
            missing.append(index)
    return answers, missing


def _positive_risk(forms: list[Instrument], answers: dict[str, list[int | None]]) -> list[str]:
    return [
        item.id
        for instrument in forms
        for item, value in zip(instrument.items, answers.get(instrument.id, ()), strict=False)
        if item.risk and value
    ]


def _check_in_page(
    flow: FlowPage,
    settings: Settings,
    secret: str,
    found: CheckIn,
    saved: dict[str, int | None] | None = None,
    errors: FormErrors | None = None,
    urgent: dict[str, Any] | None = None,
    status_code: int = 200,
) -> Response:
    """The check-in form. The flow cookie is neither needed nor written."""
    more: dict[str, Any] = {"urgent": urgent, "full_banner": True} if urgent else {}
    return flow.render(
        "links/check_in.html",
        status_code=status_code,
        write=False,
        csrf=check_in_token(settings, secret),
        forms=_forms(flow.catalog, found.link),
        action=flow.request.url.path,
        saved=saved or {},
        errors=errors,
        until=_until(found.link, found.patient, None),
        **more,
    )


async def posted_form(request: Request) -> FormData:
    return await request.form()


PostedForm = Annotated[FormData, Depends(posted_form)]


@router.get("/check-in/{secret}", response_class=HTMLResponse)
def check_in_page(secret: str, flow: FlowDep, record: RecordDep, settings: SettingsDep) -> Response:
    found = record.check_in(secret) if _usable_secret(secret) else None
    if found is None:
        return _gone(flow)
    return _check_in_page(flow, settings, secret, found)


@router.post("/check-in/{secret}", response_class=HTMLResponse)
def check_in_post(
    secret: str, form: PostedForm, flow: FlowDep, record: RecordDep, settings: SettingsDep
) -> Response:
    if not _token_ok(settings, secret, form.get("csrf")):
        return flow.forbidden()
    found = record.check_in(secret) if _usable_secret(secret) else None
    if found is None:
        return _gone(flow)
    catalog = flow.catalog
    forms = _forms(catalog, found.link)
    responses: dict[str, list[int | None]] = {}
    saved: dict[str, int | None] = {}
    errors = FormErrors(catalog)
    ask = catalog.labels["flow.errors.answer_question"]
    for instrument in forms:
        answers, missing = read_answers(instrument, form)
        responses[instrument.id] = answers
        saved.update(
            (item.id, value) for item, value in zip(instrument.items, answers, strict=True)
        )
        for index in missing:
            item = instrument.items[index]
            anchor = choice_id(item.id, instrument.options_for(item)[0].value)
            summary = f"{instrument.short_name}: {ask} {item.number}"
            errors.add(item.id, anchor, "flow.errors.choose_answer", summary)
    if errors:
        # Nothing is stored. A "yes" to a risk question still brings crisis help first.
        positive = _positive_risk(forms, responses)
        crisis = catalog.crisis.for_locale(found.patient.locale)
        urgent = dict(dump_safety(catalog, urgent_safety(positive, crisis))) if positive else None
        return _check_in_page(flow, settings, secret, found, saved, errors, urgent, status_code=422)
    try:
        recorded = record.submit_check_in(secret, responses)
    except InputError as error:
        if error.field != "link":
            raise
        return _gone(flow)
    urgent_one = next((r for r in recorded if r.safety.urgent), None)
    more: dict[str, Any] = (
        {"urgent": dict(dump_safety(catalog, urgent_one.safety)), "full_banner": True}
        if urgent_one is not None
        else {}
    )
    return flow.render(
        "links/checked_in.html",
        write=False,
        risk_positive=urgent_one is not None,
        told=any(r.alerts for r in recorded),
        crisis=catalog.crisis.for_locale(found.patient.locale),
        **more,
    )
