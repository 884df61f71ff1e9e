"""The decision flow pages: start, concerns, questions, results, values, options and plan.

Nothing about the person is kept on the server. Every answer lives in the signed flow cookie
(``web/state.py``); nothing here logs an answer or puts one in a URL. Every POST checks the
CSRF token (403 and a friendly page when it is missing or wrong, the state left as it was),
then either redirects (303, POST-redirect-GET) or shows its form again with an error summary
(422) and every answer kept. Scores, options and plans come from ``services``.

The state (a small JSON object; every key but ``csrf`` is optional). ``routes/takeaway.py``
reads the same keys for the summary and the calendar file:

- ``locale``: ``"en-US"`` or ``"en-GB"``, which help lines to show;
- ``concerns``: condition ids, in the canonical order;
- ``answers``: condition -> item values in order (null where unanswered);
- ``instruments``: condition -> the instrument those answers belong to;
- ``extras``: condition -> {extra item id: value} (unscored questions, such as the PHQ-9's
  difficulty question);
- ``severity``: condition -> a severity or ``"unsure"`` (the clinician-rated path);
- ``results_seen``: true once /results was shown for the current answers;
- ``values``: what matters -> how much, 0-3 (``speed``, ``daily_pill``, ``skills``,
  ``time_cost``, ``side_effects``, ``waiting``);
- ``leaning``: ``"therapy"``, ``"medication"``, ``"combined"`` or ``"unsure"``;
- ``preferences``: ``{"medication": ..., "therapy": ...}``, each ``open``,
  ``prefer_to_avoid`` or ``unsure``;
- ``engage``: true or false, able to take part in weekly therapy now;
- ``sure_before``, ``sure_after``: the readiness check, area -> ``"yes"`` or ``"no"``;
- ``option``, ``start``: the option and start date (YYYY-MM-DD) chosen for the plan.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException

from bothand import services
from bothand.catalog import Catalog
from bothand.domain.assess.instruments import Instrument, ScreenRule
from bothand.domain.vocab import CONDITIONS, OPTION_IDS, SEVERITIES
from bothand.web.flowstate import (
    NOT_SURE,
    choice_id,
    gate,
    questionnaire_for,
    ready_case,
    saved_answers,
    saved_extras,
    unavailable_reason,
    urgent_safety,
)
from bothand.web.routes.learn import source_labels
from bothand.web.state import FlowState
from bothand.web.views import date_text, numbers_for, parse_start, timeline_chart

router = APIRouter(include_in_schema=False)

LOCALES = ("en-US", "en-GB")
MATTERS = ("speed", "daily_pill", "skills", "time_cost", "side_effects", "waiting")
MATTER_SCALE = ("0", "1", "2", "3")
LEANINGS = ("therapy", "medication", "combined", "unsure")
FEELINGS = ("open", "prefer_to_avoid", "unsure")
YES_NO = ("yes", "no")
SURE_AREAS = ("sure", "understand", "risks", "support")
STEPS = ("concerns", "questions", "results", "values", "options", "plan")
PREFERENCE_REASON = "reason.preference."


# --- rendering ---------------------------------------------------------------------------


def _catalog(request: Request) -> Catalog:
    catalog: Catalog = request.app.state.catalog
    return catalog


def _flow(request: Request) -> FlowState:
    flow: FlowState = request.app.state.flow
    return flow


def render(
    request: Request,
    name: str,
    state: dict[str, Any] | None = None,
    *,
    status_code: int = 200,
    write: bool = True,
    **context: Any,
) -> HTMLResponse:
    """Render one page with the flow state, its CSRF token and, when a risk answer is
    positive, the urgent safety result (every flow page shows it first)."""
    flow = _flow(request)
    state = flow.read(request) if state is None else state
    catalog = _catalog(request)
    page: HTMLResponse = request.app.state.templates.TemplateResponse(
        request,
        name,
        {
            "state": state,
            "csrf": state["csrf"],
            "catalog": catalog,
            "urgent": urgent_safety(catalog, state),
            "steps": STEPS,
            "source_labels": source_labels(catalog),
            **context,
        },
        status_code=status_code,
    )
    if write:
        flow.write(page, state)
    return page


def _see(url: str, request: Request, state: dict[str, Any]) -> RedirectResponse:
    """303 See Other to ``url``, saving the state."""
    response = RedirectResponse(url, status_code=303)
    _flow(request).write(response, state)
    return response


async def _posted(request: Request) -> tuple[dict[str, Any], FormData] | None:
    """The state and the posted form, or None when the CSRF token is missing or wrong."""
    state = _flow(request).read(request)
    form = await request.form()
    token = form.get("csrf")
    if not FlowState.csrf_ok(state, token if isinstance(token, str) else None):
        return None
    return state, form


def _forbidden(request: Request) -> HTMLResponse:
    """403: a friendly page, and the cookie is not touched."""
    return render(request, "forbidden.html", status_code=403, write=False, back=request.url.path)


@dataclass
class Errors:
    """Form errors in page order: field name -> message, and the summary's (anchor, text)."""

    catalog: Catalog
    by_field: dict[str, str] = field(default_factory=dict)
    summary: list[tuple[str, str]] = field(default_factory=list)

    def add(self, name: str, anchor: str, key: str, summary: str | None = None) -> None:
        message = self.catalog.labels[key]
        self.by_field[name] = message
        self.summary.append((anchor, summary or message))

    def __bool__(self) -> bool:
        return bool(self.summary)


@router.get("/", response_class=HTMLResponse)
def start(request: Request) -> HTMLResponse:
    state = _flow(request).read(request)
    return render(request, "start.html", state, has_answers=len(state) > 1)


@router.post("/reset", response_class=HTMLResponse)
async def reset(request: Request) -> Response:
    if await _posted(request) is None:
        return _forbidden(request)
    return _see("/", request, {"csrf": secrets.token_urlsafe(24)})


@router.get("/help", response_class=HTMLResponse)
def help_now(request: Request) -> HTMLResponse:
    catalog = _catalog(request)
    locale = _flow(request).read(request).get("locale", "en")
    return render(request, "help.html", crisis=catalog.crisis.for_locale(locale))


def _concerns_page(
    request: Request, state: dict[str, Any], chosen: Sequence[str], locale: object, **more: Any
) -> HTMLResponse:
    conditions = [(info.id, info.name) for info in _catalog(request).explainers.conditions]
    locale = locale if locale in LOCALES else None
    return render(
        request, "concerns.html", state, conditions=conditions, chosen=chosen, locale=locale, **more
    )


@router.get("/concerns", response_class=HTMLResponse)
def concerns_page(request: Request) -> HTMLResponse:
    state = _flow(request).read(request)
    return _concerns_page(
        request, state, state.get("concerns", []), state.get("locale", LOCALES[0])
    )


@router.post("/concerns", response_class=HTMLResponse)
async def concerns_post(request: Request) -> Response:
    posted = await _posted(request)
    if posted is None:
        return _forbidden(request)
    state, form = posted
    picked = set(form.getlist("concern"))
    chosen = [c for c in CONDITIONS if c in picked]
    locale = form.get("locale")
    errors = Errors(_catalog(request))
    if not chosen:
        errors.add("concern", choice_id("concern", CONDITIONS[0]), "flow.concerns.error")
    if locale not in LOCALES:
        errors.add("locale", choice_id("locale", LOCALES[0]), "flow.locale.error")
    if errors:
        return _concerns_page(request, state, chosen, locale, status_code=422, errors=errors)
    if chosen != state.get("concerns"):
        state["results_seen"] = False
    state["concerns"] = chosen
    state["locale"] = locale
    for key in ("answers", "instruments", "extras", "severity"):
        state[key] = {c: v for c, v in state.get(key, {}).items() if c in chosen}
    return _see(f"/questions/{chosen[0]}", request, state)


# --- questions ---------------------------------------------------------------------------


def _known(condition: str) -> None:
    if condition not in CONDITIONS:
        raise HTTPException(404)


def _int_in(raw: object, allowed: Iterable[int]) -> int | None:
    if isinstance(raw, str) and raw.strip().lstrip("-").isdigit():
        value = int(raw)
        return value if value in set(allowed) else None
    return None


def _question_page(
    request: Request,
    state: dict[str, Any],
    condition: str,
    errors: Errors | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    catalog = _catalog(request)
    instrument = questionnaire_for(catalog, condition)
    concerns: list[str] = state["concerns"]
    common: dict[str, Any] = {
        "status_code": status_code,
        "condition": condition,
        "condition_name": services.condition_names(catalog)[condition],
        "position": concerns.index(condition) + 1,
        "total": len(concerns),
        "errors": errors,
    }
    if instrument is None:
        return render(
            request,
            "severity.html",
            state,
            saved=state.get("severity", {}).get(condition),
            severities=(*SEVERITIES, NOT_SURE),
            reason=unavailable_reason(catalog, condition),
            **common,
        )
    answers = saved_answers(state, condition, instrument)
    saved: dict[str, int | None] = {
        item.id: value for item, value in zip(instrument.items, answers, strict=True)
    }
    saved.update(saved_extras(state, condition))
    return render(request, "questions.html", state, instrument=instrument, saved=saved, **common)


@router.get("/questions/{condition}", response_class=HTMLResponse)
def questions_page(request: Request, condition: str) -> Response:
    _known(condition)
    state = _flow(request).read(request)
    if condition not in state.get("concerns", []):
        return _see("/concerns", request, state)
    return _question_page(request, state, condition)


def _save_answers(
    catalog: Catalog, state: dict[str, Any], condition: str, form: FormData
) -> Errors:
    """Keep what was posted for ``condition``, and list what is missing. Nothing is ever
    filled in: a risk item left out is missing like any other."""
    errors = Errors(catalog)
    state["results_seen"] = False
    instrument = questionnaire_for(catalog, condition)
    if instrument is None:
        severity = form.get("severity")
        if severity in (*SEVERITIES, NOT_SURE):
            state.setdefault("severity", {})[condition] = severity
        else:
            errors.add("severity", choice_id("severity", SEVERITIES[0]), "flow.severity.error")
        return errors
    answers = [
        _int_in(form.get(item.id), (o.value for o in instrument.options_for(item)))
        for item in instrument.items
    ]
    extras = {
        extra.id: value
        for extra in instrument.extra_items
        if (value := _int_in(form.get(extra.id), (o.value for o in extra.options))) is not None
    }
    state.setdefault("answers", {})[condition] = answers
    state.setdefault("instruments", {})[condition] = instrument.id
    state.setdefault("extras", {})[condition] = extras
    ask = catalog.labels["flow.errors.answer_question"]
    for item, value in zip(instrument.items, answers, strict=True):
        if value is None:
            anchor = choice_id(item.id, instrument.options_for(item)[0].value)
            summary = f"{ask} {item.number}: {item.text}"
            errors.add(item.id, anchor, "flow.errors.choose_answer", summary)
    return errors


@router.post("/questions/{condition}", response_class=HTMLResponse)
async def questions_post(request: Request, condition: str) -> Response:
    _known(condition)
    posted = await _posted(request)
    if posted is None:
        return _forbidden(request)
    state, form = posted
    if condition not in state.get("concerns", []):
        return _see("/concerns", request, state)
    errors = _save_answers(_catalog(request), state, condition, form)
    if errors:
        return _question_page(request, state, condition, errors, status_code=422)
    following = state["concerns"][state["concerns"].index(condition) + 1 :]
    return _see(f"/questions/{following[0]}" if following else "/results", request, state)


@router.post("/questions/{condition}/save")
async def questions_autosave(request: Request, condition: str) -> Response:
    """Progressive enhancement (htmx): keep answers as they are chosen, so a reload keeps
    them before the form is sent. Nothing is checked for completeness here."""
    _known(condition)
    posted = await _posted(request)
    if posted is None:
        return Response(status_code=403)
    state, form = posted
    if condition in state.get("concerns", []):
        _save_answers(_catalog(request), state, condition, form)
    response = Response(status_code=204)
    _flow(request).write(response, state)
    return response


# --- results -----------------------------------------------------------------------------


def _rules_met(instrument: Instrument, assessment: dict[str, Any]) -> list[ScreenRule]:
    flags = assessment.get("flags", ())
    screen_met = bool(assessment.get("screen_positive"))
    return [
        rule
        for rule in instrument.rules
        if rule.id in flags or (rule is instrument.screen and screen_met)
    ]


def _extra_texts(instrument: Instrument, extras: dict[str, int]) -> list[tuple[str, str]]:
    """(question, chosen answer) for the unscored extra questions that were answered."""
    return [
        (extra.text or "", option.text or str(option.value))
        for extra in instrument.extra_items
        for option in extra.options
        if extras.get(extra.id) == option.value
    ]


@router.get("/results", response_class=HTMLResponse)
def results_page(request: Request) -> Response:
    catalog = _catalog(request)
    state = _flow(request).read(request)
    if moved := gate(catalog, state, "results"):
        return _see(moved, request, state)
    result = services.recommend(catalog, ready_case(catalog, state))
    titles = {info.id: info.name for info in catalog.explainers.conditions}
    rows = []
    for assessment in result["assessments"]:
        condition = assessment["condition"]
        instrument = catalog.instruments.get(assessment["instrument"] or "")
        row: dict[str, Any] = {"condition": condition, "title": titles[condition]}
        row.update(assessment=assessment, instrument=instrument)
        if instrument is not None:
            total = assessment["total"]
            row["band"] = instrument.band_for(total) if total is not None else None
            row["rules"] = _rules_met(instrument, assessment)
            row["extras"] = _extra_texts(instrument, saved_extras(state, condition))
            row["has_risk_items"] = bool(instrument.risk_items)
        rows.append(row)
    state["results_seen"] = True
    return render(
        request, "results.html", state, rows=rows, safety=result["safety"], full_banner=True
    )


# --- values ------------------------------------------------------------------------------


def _read_sure(form: FormData) -> dict[str, str]:
    return {a: str(form.get(f"sure_{a}")) for a in SURE_AREAS if form.get(f"sure_{a}") in YES_NO}


def _values_page(request: Request, state: dict[str, Any], **more: Any) -> HTMLResponse:
    engage = state.get("engage")
    return render(
        request,
        "values.html",
        state,
        values=state.get("values", {}),
        leaning=state.get("leaning"),
        preferences=state.get("preferences", {}),
        engage=None if engage is None else ("yes" if engage else "no"),
        sure=state.get("sure_before", {}),
        matters=MATTERS,
        matter_scale=MATTER_SCALE,
        leanings=LEANINGS,
        feelings=FEELINGS,
        sure_areas=SURE_AREAS,
        **more,
    )


@router.get("/values", response_class=HTMLResponse)
def values_page(request: Request) -> Response:
    state = _flow(request).read(request)
    if moved := gate(_catalog(request), state, "values"):
        return _see(moved, request, state)
    return _values_page(request, state)


@router.post("/values", response_class=HTMLResponse)
async def values_post(request: Request) -> Response:
    posted = await _posted(request)
    if posted is None:
        return _forbidden(request)
    state, form = posted
    catalog = _catalog(request)
    if moved := gate(catalog, state, "values"):
        return _see(moved, request, state)
    state["values"] = {
        m: int(str(form.get(f"matter_{m}")))
        for m in MATTERS
        if form.get(f"matter_{m}") in MATTER_SCALE
    }
    leaning = form.get("leaning")
    state["leaning"] = leaning if leaning in LEANINGS else None
    preferences = {
        n: str(form.get(n)) for n in ("medication", "therapy") if form.get(n) in FEELINGS
    }
    state["preferences"] = preferences
    engage = form.get("engage")
    state["engage"] = engage == "yes" if engage in YES_NO else None
    state["sure_before"] = _read_sure(form)
    errors = Errors(catalog)
    for name in ("medication", "therapy"):
        if name not in preferences:
            errors.add(name, choice_id(name, FEELINGS[0]), f"flow.values.error_{name}")
    if state["engage"] is None:
        errors.add("engage", choice_id("engage", YES_NO[0]), "flow.values.error_engage")
    if errors:
        return _values_page(request, state, status_code=422, errors=errors)
    return _see("/options", request, state)


# --- options -----------------------------------------------------------------------------


@router.get("/options", response_class=HTMLResponse)
def options_page(request: Request) -> Response:
    catalog = _catalog(request)
    state = _flow(request).read(request)
    if moved := gate(catalog, state, "options"):
        return _see(moved, request, state)
    case = ready_case(catalog, state)
    conditions = [concern["condition"] for concern in case["concerns"]]
    info = {option.id: option for option in catalog.explainers.options}
    options = [
        {
            **option,
            "info": info[option["id"]],
            "preference_reasons": [
                r for r in option["reasons"] if r["id"].startswith(PREFERENCE_REASON)
            ],
        }
        for option in services.recommend(catalog, case)["options"]
    ]
    return render(
        request,
        "options.html",
        state,
        options=options,
        numbers=numbers_for(catalog, conditions),
        figures=[f for f in catalog.evidence.figures if f.condition in conditions],
        names=services.condition_names(catalog),
        several=len(conditions) > 1,
        option_names={option.id: option.name for option in catalog.explainers.options},
        values=state.get("values", {}),
        leaning=state.get("leaning"),
        preferences=state.get("preferences", {}),
        engage=state.get("engage") is not False,
        sure=state.get("sure_after", {}),
        sure_areas=SURE_AREAS,
        matters=MATTERS,
    )


@router.post("/options", response_class=HTMLResponse)
async def options_post(request: Request) -> Response:
    """The readiness check again, after the options were seen; then on to the plan."""
    posted = await _posted(request)
    if posted is None:
        return _forbidden(request)
    state, form = posted
    state["sure_after"] = _read_sure(form)
    return _see("/plan", request, state)


# --- plan --------------------------------------------------------------------------------


def _plan_page(
    request: Request,
    state: dict[str, Any],
    option: object,
    start: dt.date | None,
    start_text: str | None = None,
    **more: Any,
) -> HTMLResponse:
    catalog = _catalog(request)
    case = ready_case(catalog, state)
    result = services.recommend(catalog, case)
    chosen = option if isinstance(option, str) and option in OPTION_IDS else None
    chosen = chosen or result["plan"]["option"]
    start = start or dt.date.today()
    plan = services.care_plan(catalog, case, chosen, start)
    locale = state.get("locale", LOCALES[0])
    return render(
        request,
        "plan.html",
        state,
        options=result["options"],
        chosen=chosen,
        chosen_name=next(o["name"] for o in result["options"] if o["id"] == chosen),
        start=start,
        start_text=start.isoformat() if start_text is None else start_text,
        milestones=plan.milestones,
        chart=timeline_chart(plan.milestones),
        date_text=lambda day: date_text(day, locale),
        sure_before=state.get("sure_before", {}),
        sure_after=state.get("sure_after", {}),
        sure_areas=SURE_AREAS,
        **more,
    )


def _saved_start(state: dict[str, Any]) -> dt.date | None:
    return parse_start(state.get("start"), "")


@router.get("/plan", response_class=HTMLResponse)
def plan_page(request: Request) -> Response:
    state = _flow(request).read(request)
    if moved := gate(_catalog(request), state, "plan"):
        return _see(moved, request, state)
    return _plan_page(request, state, state.get("option"), _saved_start(state))


@router.post("/plan", response_class=HTMLResponse)
async def plan_post(request: Request) -> Response:
    posted = await _posted(request)
    if posted is None:
        return _forbidden(request)
    state, form = posted
    catalog = _catalog(request)
    if moved := gate(catalog, state, "plan"):
        return _see(moved, request, state)
    option, raw_start = form.get("option"), form.get("start")
    start = parse_start(raw_start, state.get("locale", LOCALES[0]))
    errors = Errors(catalog)
    if option not in OPTION_IDS:
        errors.add("option", choice_id("option", OPTION_IDS[0]), "flow.plan.error_option")
    if start is None:
        errors.add("start", "start", "flow.plan.error_start")
    if errors or start is None:
        typed = raw_start if isinstance(raw_start, str) else ""
        chosen = option if option in OPTION_IDS else state.get("option")
        return _plan_page(
            request, state, chosen, _saved_start(state), typed, status_code=422, errors=errors
        )
    state["option"], state["start"] = option, start.isoformat()
    return _see("/plan", request, state)
