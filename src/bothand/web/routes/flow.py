"""The start of the decision flow: the start page, help now, starting again, the concerns and
the short "about you" step (the intake's age and history questions, all optional).

Nothing about the person is kept on the server. Every answer lives in the signed flow cookie
(``web/state.py``, read as ``FlowAnswers``); nothing here logs an answer or puts one in a URL.
Every POST checks the CSRF token (``deps.FormDep``: 403 and a friendly page when it is
missing or wrong, the answers left as they were), then either redirects (303,
POST-redirect-GET) or shows its form again with an error summary (422) and every answer kept.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from bothand.domain.vocab import CONDITIONS
from bothand.web.deps import FlowDep, FormDep, step
from bothand.web.flowstate import AGE_UNSAID, LOCALES, FlowAnswers, choice_id
from bothand.web.pages import FlowPage, FormErrors, int_in, one_of

router = APIRouter(include_in_schema=False)

HISTORY_OUTCOMES = ("helped", "did_not_help", "not_tried")
TREATMENT_KINDS = ("medication", "therapy")
_AGE = re.compile(r"[0-9]{1,3}")


@router.get("/", response_class=HTMLResponse)
def start(flow: FlowDep) -> HTMLResponse:
    return flow.render("start.html", has_answers=flow.state.answered_anything)


@router.post("/reset", response_class=HTMLResponse)
def reset(form: FormDep, flow: FlowDep) -> Response:
    flow.state = FlowAnswers.fresh()
    return flow.see("/")


_LANGUAGE_TAG = re.compile(r"^[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*$")


def country_from_accept_language(header: str | None) -> str | None:
    """The country of the first ``Accept-Language`` tag (by q-value, then order) that names
    one of ``LOCALES`` (``en-GB``, ``en-US``; ``en-UK`` read as ``en-GB``, ``_`` as ``-``), or
    None: a bare ``en`` or another country says nothing about which crisis lines are right."""
    tags: list[tuple[float, int, str]] = []
    for position, part in enumerate((header or "")[:500].split(",")[:20]):
        tag, _, params = part.strip().partition(";")
        tag = tag.strip().replace("_", "-")  # en_GB, as some systems write it
        weight = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name.strip().lower() == "q":
                try:
                    weight = float(value)
                except ValueError:
                    weight = 0.0
        if _LANGUAGE_TAG.match(tag) and weight > 0:
            tags.append((-weight, position, tag.lower()))
    known = {locale.lower(): locale for locale in LOCALES} | {"en-uk": "en-GB"}
    for _, _, tag in sorted(tags):
        if tag in known:
            return known[tag]
    return None


@router.get("/help", response_class=HTMLResponse)
def help_now(request: Request, flow: FlowDep, country: str | None = None) -> HTMLResponse:
    """Crisis help. The country is the one chosen here (``?country=``: links that work
    without JavaScript), else the one chosen in the flow, else the browser's
    ``Accept-Language`` (en-GB: the UK, en-US: the US); when none says, both countries'
    lines are shown. A switch to the other country is always on the page."""
    chosen = one_of(country, LOCALES) or flow.state.locale
    picked = chosen or country_from_accept_language(request.headers.get("accept-language"))
    shown = [picked] if picked else list(LOCALES)
    entries = [flow.catalog.crisis.for_locale(locale) for locale in shown]
    return flow.render(
        "help.html",
        crisis=entries[0],
        entries=entries,
        picked=picked,
        from_header=picked is not None and chosen is None,
        countries=LOCALES,
    )


# --- concerns ----------------------------------------------------------------------------


def _concerns_page(
    flow: FlowPage, chosen: Sequence[str], locale: object, **more: Any
) -> HTMLResponse:
    conditions = [(info.id, info.name) for info in flow.catalog.explainers.conditions]
    locale = locale if locale in LOCALES else None
    return flow.render("concerns.html", conditions=conditions, chosen=chosen, locale=locale, **more)


def browser_country(accept_language: str | None) -> str:
    """The country to preselect on a first visit: the one ``Accept-Language`` names (as for
    ``/help``), else the first locale. The person sees it chosen on the form and can change
    it; nothing else uses it."""
    return country_from_accept_language(accept_language) or LOCALES[0]


@router.get("/concerns", response_class=HTMLResponse)
def concerns_page(flow: FlowDep) -> HTMLResponse:
    header = flow.request.headers.get("accept-language")
    return _concerns_page(flow, flow.state.concerns, flow.state.locale or browser_country(header))


@router.post("/concerns", response_class=HTMLResponse)
def concerns_post(form: FormDep, flow: FlowDep) -> Response:
    picked = set(form.getlist("concern"))
    chosen = [c for c in CONDITIONS if c in picked]
    locale = one_of(form.get("locale"), LOCALES)
    errors = FormErrors(flow.catalog)
    if not chosen:
        errors.add("concern", choice_id("concern", CONDITIONS[0]), "flow.concerns.error")
    if locale is None:
        errors.add("locale", choice_id("locale", LOCALES[0]), "flow.locale.error")
    if errors:
        return _concerns_page(flow, chosen, locale, status_code=422, errors=errors)
    state = flow.state
    flow.state = state.but(
        concerns=chosen,
        locale=locale,
        results_seen=state.results_seen and tuple(chosen) == state.concerns,
        **{
            key: {c: v for c, v in getattr(state, key).items() if c in chosen}
            for key in ("answers", "instruments", "extras", "severity")
        },
    )
    return flow.see("/about")


# --- about you (the intake's age and history) --------------------------------------------


def _about_page(flow: FlowPage, typed_age: str | None = None, **more: Any) -> HTMLResponse:
    intake = flow.catalog.intake
    state = flow.state
    age = state.age
    return flow.render(
        "about.html",
        asks=intake.asks,
        age_question=intake.age,
        age=typed_age if typed_age is not None else (age if isinstance(age, int) else ""),
        age_unsaid=age == AGE_UNSAID,
        episodes=[(str(c.value), flow.catalog.labels[c.label]) for c in intake.previous_episodes],
        saved_episodes=state.episodes,
        outcomes=HISTORY_OUTCOMES,
        tried=state.tried,
        next_url=f"/questions/{state.concerns[0]}",
        **more,
    )


@router.get("/about", response_class=HTMLResponse)
def about_page(flow: Annotated[FlowPage, Depends(step("about"))]) -> HTMLResponse:
    return _about_page(flow)


@router.post("/about", response_class=HTMLResponse)
def about_post(form: FormDep, flow: Annotated[FlowPage, Depends(step("about"))]) -> Response:
    """Every question here may be skipped; only an age that is not a whole number in range
    comes back with an error."""
    intake = flow.catalog.intake
    raw_age = form.get("age")
    typed = raw_age.strip() if isinstance(raw_age, str) else ""
    age: int | str | None = None
    errors = FormErrors(flow.catalog)
    if form.get("age_unsaid") == "yes":
        age = AGE_UNSAID
    elif typed:
        number = int(typed) if _AGE.fullmatch(typed) else None
        if number is None or not intake.age.low <= number <= intake.age.high:
            errors.add("age", "age", "intake.age_error")
        else:
            age = number
    episodes = int_in(form.get("episodes"), (c.value for c in intake.previous_episodes))
    tried = {
        kind: value
        for kind in TREATMENT_KINDS
        if (value := one_of(form.get(f"tried_{kind}"), HISTORY_OUTCOMES)) is not None
    }
    flow.state = flow.state.but(
        age=age if not errors else flow.state.age, episodes=episodes, tried=tried
    )
    if errors:
        return _about_page(flow, typed_age=typed[:20], status_code=422, errors=errors)
    return flow.see(f"/questions/{flow.state.concerns[0]}")
