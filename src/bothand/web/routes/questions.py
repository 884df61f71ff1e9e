"""The questionnaires (or a severity rating, when no questionnaire can be asked for a
concern), their autosave, and the results page. The answers live in the flow cookie; what
each concern is asked comes from the intake (``services.intake.questionnaire_for``). A
missing answer is never filled in, a risk item least of all.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException

from bothand import services
from bothand.catalog import Catalog
from bothand.domain.assess.instruments import Instrument, ScreenRule
from bothand.domain.vocab import CONDITIONS, SEVERITIES
from bothand.services import intake
from bothand.services.intake import questionnaire_for, risk_screen_for
from bothand.web.deps import FlowDep, FormDep, SavedFormDep, step
from bothand.web.flowstate import (
    NOT_SURE,
    RISK_PAGE,
    FlowAnswers,
    choice_id,
    saved_answers,
    saved_extras,
)
from bothand.web.pages import FlowPage, FormErrors, int_in, one_of
from bothand.web.views import risk_status

router = APIRouter(include_in_schema=False)


def _known(condition: str) -> None:
    if condition not in CONDITIONS:
        raise HTTPException(404)


def _question_page(
    flow: FlowPage, condition: str, errors: FormErrors | None = None, status_code: int = 200
) -> HTMLResponse:
    catalog, state = flow.catalog, flow.state
    instrument = questionnaire_for(catalog, condition)
    common: dict[str, Any] = {
        "status_code": status_code,
        "condition": condition,
        "condition_name": services.condition_names(catalog)[condition],
        "position": state.concerns.index(condition) + 1,
        "total": len(state.concerns),
        "errors": errors,
    }
    if instrument is None:
        return flow.render(
            "severity.html",
            saved=state.severity.get(condition),  # type: ignore[call-overload]
            severities=(*SEVERITIES, NOT_SURE),
            reason=intake.unavailable_reason(catalog, condition),
            **common,
        )
    answers = saved_answers(state, condition, instrument)
    saved: dict[str, int | None] = {
        item.id: value for item, value in zip(instrument.items, answers, strict=True)
    }
    saved.update(saved_extras(state, condition))
    # A paper form's instruction ("circle one of the numbers") stays word for word; the page
    # adds a note of its own on how to answer on a screen.
    paper_note = "circle" in (instrument.instructions or "").lower()
    return flow.render(
        "questions.html", instrument=instrument, saved=saved, paper_note=paper_note, **common
    )


@router.get("/questions/{condition}", response_class=HTMLResponse)
def questions_page(condition: str, flow: FlowDep) -> Response:
    _known(condition)
    if condition not in flow.state.concerns:
        return flow.see("/concerns")
    return _question_page(flow, condition)


def _save_answers(
    catalog: Catalog, state: FlowAnswers, condition: str, form: FormData
) -> tuple[FlowAnswers, FormErrors]:
    """The answers with what was posted for ``condition`` kept, and what is missing. Nothing
    is ever filled in: a risk item left out is missing like any other."""
    errors = FormErrors(catalog)
    instrument = questionnaire_for(catalog, condition)
    if instrument is None:
        severity = one_of(form.get("severity"), (*SEVERITIES, NOT_SURE))
        if severity is None:
            errors.add("severity", choice_id("severity", SEVERITIES[0]), "flow.severity.error")
            return state.but(results_seen=False), errors
        return state.but(
            results_seen=False, severity={**state.severity, condition: severity}
        ), errors
    answers = [
        int_in(form.get(item.id), (o.value for o in instrument.options_for(item)))
        for item in instrument.items
    ]
    extras = {
        extra.id: value
        for extra in instrument.extra_items
        if (value := int_in(form.get(extra.id), (o.value for o in extra.options))) is not None
    }
    ask = catalog.labels["flow.errors.answer_question"]
    for item, value in zip(instrument.items, answers, strict=True):
        if value is None:
            anchor = choice_id(item.id, instrument.options_for(item)[0].value)
            summary = f"{ask} {item.number}: {item.text}"
            errors.add(item.id, anchor, "flow.errors.choose_answer", summary)
    saved = state.but(
        results_seen=False,
        answers={**state.answers, condition: answers},
        instruments={**state.instruments, condition: instrument.id},
        extras={**state.extras, condition: extras},
    )
    return saved, errors


@router.post("/questions/{condition}", response_class=HTMLResponse)
def questions_post(condition: str, form: FormDep, flow: FlowDep) -> Response:
    _known(condition)
    if condition not in flow.state.concerns:
        return flow.see("/concerns")
    flow.state, errors = _save_answers(flow.catalog, flow.state, condition, form)
    if errors:
        return _question_page(flow, condition, errors, status_code=422)
    concerns = flow.state.concerns
    following = concerns[concerns.index(condition) + 1 :]
    if following:
        return flow.see(f"/questions/{following[0]}")
    return flow.see(RISK_PAGE if risk_screen_for(flow.catalog, concerns) else "/results")


@router.post("/questions/{condition}/save")
def questions_autosave(condition: str, form: SavedFormDep, flow: FlowDep) -> Response:
    """Progressive enhancement (htmx): keep answers as they are chosen, so a reload keeps
    them before the form is sent. Nothing is checked for completeness here."""
    _known(condition)
    if condition in flow.state.concerns:
        flow.state, _ = _save_answers(flow.catalog, flow.state, condition, form)
    response = Response(status_code=204)
    flow.cookie.write(response, flow.state)
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
def results_page(flow: Annotated[FlowPage, Depends(step("results"))]) -> Response:
    catalog = flow.catalog
    result = flow.pipeline.result(flow.case())
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
            row["extras"] = _extra_texts(instrument, saved_extras(flow.state, condition))
            row["has_risk_items"] = bool(instrument.risk_items)
        rows.append(row)
    flow.state = flow.state.but(results_seen=True)
    return flow.render(
        "results.html",
        rows=rows,
        safety=result["safety"],
        risk=risk_status(catalog, result["safety"], flow.state),
        full_banner=True,
    )
