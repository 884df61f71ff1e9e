"""Choosing: what matters to the person (values), the options side by side, and the plan of
the chosen option from a start date. Each request runs the pipeline once (``FlowPage``'s
``pipeline``); the options and plans come from ``services``.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import FormData

from bothand import services
from bothand.domain.vocab import OPTION_IDS
from bothand.web.dates import date_text, parse_typed_start
from bothand.web.deps import FormDep, step
from bothand.web.flowstate import LEANINGS, LOCALES, MATTERS, SURE_AREAS, choice_id
from bothand.web.pages import FlowPage, FormErrors, one_of
from bothand.web.views import figures_for, numbers_for, risk_status, timeline_chart

router = APIRouter(include_in_schema=False)

MATTER_SCALE = ("0", "1", "2", "3")
YES_NO = ("yes", "no")
PREFERENCE_REASON = "reason.preference."

ValuesStep = Annotated[FlowPage, Depends(step("values"))]
OptionsStep = Annotated[FlowPage, Depends(step("options"))]
PlanStep = Annotated[FlowPage, Depends(step("plan"))]


def state_feelings(flow: FlowPage) -> tuple[str, ...]:
    """The choices of how a person feels about medicine and therapy, from the intake."""
    return flow.catalog.intake.preferences


def _read_sure(form: FormData) -> dict[str, str]:
    return {
        area: answer
        for area in SURE_AREAS
        if (answer := one_of(form.get(f"sure_{area}"), YES_NO)) is not None
    }


# --- values ------------------------------------------------------------------------------


def _values_page(flow: FlowPage, **more: Any) -> HTMLResponse:
    state = flow.state
    return flow.render(
        "values.html",
        values=state.values,
        leaning=state.leaning,
        preferences=state.preferences,
        engage=None if state.engage is None else ("yes" if state.engage else "no"),
        sure=state.sure_before,
        matters=MATTERS,
        matter_scale=MATTER_SCALE,
        leanings=LEANINGS,
        feelings=state_feelings(flow),
        sure_areas=SURE_AREAS,
        **more,
    )


@router.get("/values", response_class=HTMLResponse)
def values_page(flow: ValuesStep) -> Response:
    return _values_page(flow)


@router.post("/values", response_class=HTMLResponse)
def values_post(form: FormDep, flow: ValuesStep) -> Response:
    values = {
        m: int(weight)
        for m in MATTERS
        if (weight := one_of(form.get(f"matter_{m}"), MATTER_SCALE)) is not None
    }
    preferences = {
        n: feeling
        for n in ("medication", "therapy")
        if (feeling := one_of(form.get(n), state_feelings(flow))) is not None
    }
    engage = one_of(form.get("engage"), YES_NO)
    flow.state = flow.state.but(
        values=values,
        leaning=one_of(form.get("leaning"), LEANINGS),
        preferences=preferences,
        engage=None if engage is None else engage == "yes",
        sure_before=_read_sure(form),
    )
    errors = FormErrors(flow.catalog)
    for name in ("medication", "therapy"):
        if name not in preferences:
            errors.add(name, choice_id(name, state_feelings(flow)[0]), f"flow.values.error_{name}")
    if engage is None:
        errors.add("engage", choice_id("engage", YES_NO[0]), "flow.values.error_engage")
    if errors:
        return _values_page(flow, status_code=422, errors=errors)
    return flow.see("/options")


# --- options -----------------------------------------------------------------------------


def _reasons_once(reasons: list[dict[str, Any]]) -> dict[str, Any]:
    """An option's reasons with none repeated (by id or by words), and the one that matters
    most to this person: the first about what they told us, else the first reason."""
    seen: set[str] = set()
    once = []
    for reason in reasons:
        if reason["id"] in seen or reason["text"] in seen:
            continue
        seen.update((reason["id"], reason["text"]))
        once.append(reason)
    personal = [r for r in once if r["id"].startswith(PREFERENCE_REASON)]
    top = (personal or once)[0] if once else None
    return {"reasons": once, "top_reason": top}


@router.get("/options", response_class=HTMLResponse)
def options_page(flow: OptionsStep) -> Response:
    catalog, state = flow.catalog, flow.state
    case = flow.case()
    conditions = [concern.condition for concern in case.concerns]
    info = {option.id: option for option in catalog.explainers.options}
    result = flow.pipeline.result(case)
    options = [
        {**option, "info": info[option["id"]], **_reasons_once(option["reasons"])}
        for option in result["options"]
    ]
    return flow.render(
        "options.html",
        compact_crisis=True,
        options=options,
        concerns=conditions,
        icon_patterns="ia",  # one copy of the icon arrays' patterns for the whole page
        risk=risk_status(catalog, result["safety"], state),
        numbers=numbers_for(catalog, conditions),
        figures=figures_for(catalog, conditions),
        names=services.condition_names(catalog),
        several=len(conditions) > 1,
        option_names={option.id: option.name for option in catalog.explainers.options},
        values=state.values,
        leaning=state.leaning,
        preferences=state.preferences,
        engage=state.engage is not False,
        sure=state.sure_after,
        sure_areas=SURE_AREAS,
        matters=MATTERS,
    )


@router.post("/options", response_class=HTMLResponse)
def options_post(form: FormDep, flow: OptionsStep) -> Response:
    """The readiness check again, after the options were seen; then on to the plan."""
    flow.state = flow.state.but(sure_after=_read_sure(form))
    return flow.see("/plan")


# --- plan --------------------------------------------------------------------------------


def _plan_page(
    flow: FlowPage,
    option: str | None,
    start: dt.date | None,
    start_text: str | None = None,
    **more: Any,
) -> HTMLResponse:
    state = flow.state
    case = flow.case()
    result = flow.pipeline.result(case)
    chosen = option if option in OPTION_IDS else result["plan"]["option"]
    start = start or flow.clock.today()
    plan = flow.pipeline.plan(case, chosen, start)
    locale = state.locale or LOCALES[0]
    return flow.render(
        "plan.html",
        compact_crisis=True,
        options=result["options"],
        chosen=chosen,
        chosen_name=next(o["name"] for o in result["options"] if o["id"] == chosen),
        start=start,
        start_text=start.isoformat() if start_text is None else start_text,
        milestones=plan.milestones,
        chart=timeline_chart(plan.milestones, flow.catalog.timeline.short_titles),
        date_text=lambda day: date_text(day, locale),
        sure_before=state.sure_before,
        sure_after=state.sure_after,
        sure_areas=SURE_AREAS,
        # The share box (templates/links/_share_box.html), only for a flow a clinic's
        # invitation started: the choice it would send, or None ("to discuss").
        invited=state.invitation is not None,
        share_choice=next((o["name"] for o in result["options"] if o["id"] == state.option), None)
        if state.start
        else None,
        share_start=date_text(state.start, locale) if state.start and state.option else None,
        **more,
    )


@router.get("/plan", response_class=HTMLResponse)
def plan_page(flow: PlanStep) -> Response:
    return _plan_page(flow, flow.state.option, flow.state.start)


@router.post("/plan", response_class=HTMLResponse)
def plan_post(form: FormDep, flow: PlanStep) -> Response:
    option, raw_start = one_of(form.get("option"), OPTION_IDS), form.get("start")
    start = parse_typed_start(raw_start, flow.state.locale or LOCALES[0])
    errors = FormErrors(flow.catalog)
    if option is None:
        errors.add("option", choice_id("option", OPTION_IDS[0]), "flow.plan.error_option")
    if start is None:
        errors.add("start", "start", "flow.plan.error_start")
    if errors or option is None or start is None:
        typed = raw_start[:40] if isinstance(raw_start, str) else ""
        return _plan_page(
            flow,
            option or flow.state.option,
            flow.state.start,
            typed,
            status_code=422,
            errors=errors,
        )
    flow.state = flow.state.but(option=option, start=start)
    return flow.see("/plan")
