"""The risk screen asked on every path: the NIMH Ask Suicide-Screening Questions (ASQ), on
one short page after the concerns' questionnaires, whenever no concern's questionnaire asks
about risk (``services.intake.risk_screen_for``; the PHQ-9 does, with item 9). The answers
live in the flow cookie (``FlowAnswers.risk``); a "yes" shows crisis help first at once.
Question 5 ("right now") is asked after a "yes" to any of 1-4, as on the NIMH form; without
JavaScript it is always on the page, marked as for those who said "yes", and it is ignored
after four "no" answers unless it was answered "yes".
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.responses import HTMLResponse, Response

from bothand.services.intake import RISK_SCREEN, risk_screen_for
from bothand.web.deps import FormDep, step
from bothand.web.flowstate import RISK_PAGE, choice_id
from bothand.web.pages import FlowPage, FormErrors, int_in

router = APIRouter(include_in_schema=False)

RiskStep = Annotated[FlowPage, Depends(step("risk"))]


def _page(flow: FlowPage, errors: FormErrors | None = None, status_code: int = 200) -> Response:
    instrument = flow.catalog.instruments[RISK_SCREEN]
    saved = dict(zip((item.id for item in instrument.items), flow.state.risk, strict=False))
    return flow.render(
        "risk.html",
        instrument=instrument,
        saved=saved,
        errors=errors,
        status_code=status_code,
    )


@router.get(RISK_PAGE, response_class=HTMLResponse)
def risk_page(flow: RiskStep) -> Response:
    if risk_screen_for(flow.catalog, flow.state.concerns) is None:
        return flow.see("/results")
    return _page(flow)


@router.post(RISK_PAGE, response_class=HTMLResponse)
def risk_post(form: FormDep, flow: RiskStep) -> Response:
    catalog = flow.catalog
    instrument = catalog.instruments[RISK_SCREEN]
    answers = [
        int_in(form.get(item.id), (o.value for o in instrument.options_for(item)))
        for item in instrument.items
    ]
    always = [i for i, item in enumerate(instrument.items) if item.show == "always"]
    said_yes = any(answers[i] for i in always)
    errors = FormErrors(catalog)
    ask = catalog.labels["flow.errors.answer_question"]
    for index, (item, value) in enumerate(zip(instrument.items, answers, strict=True)):
        if item.show != "always" and not said_yes:
            if not value:  # not asked after four "no" answers; a "yes" is always kept
                answers[index] = None
            continue
        if value is None:
            anchor = choice_id(item.id, instrument.options_for(item)[0].value)
            errors.add(item.id, anchor, "flow.errors.choose_answer", f"{ask} {item.number}")
    flow.state = flow.state.but(risk=tuple(answers), results_seen=False)
    if errors:
        return _page(flow, errors, status_code=422)
    return flow.see("/results")
