"""What a person takes away from the flow, built from the flow cookie (nothing is stored):

- ``GET /summary``: one page to show a clinician: crisis help first when a risk answer is
  positive, concerns and scores, what matters to the person, their leaning, every option with
  its fit and reasons, questions to ask, and the dated plan of the chosen option. Prints
  cleanly (``static/css/print.css``).
- ``GET /summary.pdf``: the same page as a tagged PDF (PDF/UA-1), as an attachment.
- ``GET /plan.ics?option=ID&start=YYYY-MM-DD``: the plan's milestones as iCalendar. A bad
  option or date is an ``InputError`` naming the field (422 problem details).

The answers are the flow's own ``FlowAnswers`` (``web/flowstate.py``), and the case is its
``to_case()``, so the summary shows exactly what the flow pages showed. ``build_summary``
makes the page's one context object without a request, so it can be tested on its own.

PDFs are rendered in a thread, at most ``Settings.pdf_workers`` at once; beyond that the
answer is 503 with ``Retry-After``, so a burst of PDFs cannot starve every other page.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, Response

from bothand.catalog import Catalog
from bothand.contract.dates import parse_day
from bothand.domain.errors import InputError
from bothand.domain.knowledge.sources import Source
from bothand.domain.plan.plan import Plan
from bothand.domain.vocab import OPTION_IDS
from bothand.reports.ics import plan_to_ics
from bothand.reports.summary import html_to_pdf
from bothand.web.dates import long_date
from bothand.web.deps import ClockDep, FlowDep, TemplatesDep
from bothand.web.flowstate import AGE_UNSAID, FlowAnswers
from bothand.web.pages import Pipeline, crisis_compact
from bothand.web.views import risk_status, source_labels, timeline_chart

router = APIRouter(include_in_schema=False)

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"
PDF_STYLESHEETS = ("css/summary-pdf.css",)
PDF_NAME = "bothand-summary.pdf"
ICS_NAME = "bothand-plan.ics"
QUESTION_PREFIX = "summary.question."
RETRY_AFTER_SECONDS = 5


def parse_option(value: str) -> str:
    if value not in OPTION_IDS:
        raise InputError(
            "option", f"{value!r} is not an option; use one of {', '.join(OPTION_IDS)}"
        )
    return value


# --- the summary ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ConcernRow:
    name: str
    instrument: str | None  # short name, e.g. "PHQ-9"
    total: int | None
    total_max: int | None
    severity: str  # a severity id or "unrated"
    rated_by_clinician: bool
    prorated: bool
    # per-item answers in item order: (item number, answer or None, a risk item)
    items: tuple[tuple[int, int | None, bool], ...] = ()
    screen_positive: bool = False  # a screen without bands whose cut-off was reached
    measures_severity: bool = True


@dataclass(frozen=True)
class PlanRow:
    title: str
    text: str
    date_from: dt.date
    date_to: dt.date
    when: str  # "4 December 2026", or "4 December 2026 – 18 December 2026"
    sources: tuple[str, ...]


@dataclass(frozen=True)
class Summary:
    """Everything ``summary.html`` shows. ``status`` is "empty" (no concern chosen yet),
    "unreadable" (the state could not be made into a case) or "ready"."""

    status: str
    made_on: dt.date
    made_on_text: str
    version: str
    safety: dict[str, Any] = field(default_factory=dict)
    concerns: tuple[ConcernRow, ...] = ()
    preferences: dict[str, str] = field(default_factory=dict)
    engage: bool = True
    about: tuple[tuple[str, str], ...] = ()  # the intake's age and history, as answered
    matters: tuple[tuple[str, str], ...] = ()  # (what, how much it matters), most first
    leaning: str | None = None  # an option's name
    leaning_unsure: bool = False
    readiness: tuple[tuple[str, str], ...] = ()  # (question, yes or no)
    options: tuple[dict[str, Any], ...] = ()
    questions: tuple[str, ...] = ()
    plan_option: str = ""
    plan_option_name: str = ""
    plan_start: dt.date | None = None
    plan_start_text: str = ""
    plan: tuple[PlanRow, ...] = ()
    next_dates: tuple[PlanRow, ...] = ()  # the plan's first three steps, for the front sheet
    chart: dict[str, Any] | None = None  # the plan's picture (views.timeline_chart)
    risk: dict[str, Any] = field(default_factory=dict)  # views.risk_status, for _risk_status.html
    ics_url: str = ""
    cited: tuple[Source, ...] = ()
    # The compact crisis box (pages.crisis_compact) when a risk answer is positive and the
    # results page has shown the full box; the PDF always prints the full list.
    crisis_compact: list[dict[str, Any]] | None = None
    labels: dict[str, str] = field(default_factory=dict)


def questions(catalog: Catalog) -> tuple[str, ...]:
    """The question list, in the order content gives it."""
    return tuple(
        text for key, text in catalog.labels.text.items() if key.startswith(QUESTION_PREFIX)
    )


def build_summary(catalog: Catalog, answers: FlowAnswers, today: dt.date) -> Summary:
    """The summary of ``answers`` as they stand on ``today`` (the default start of the plan)."""
    made_on_text, version = long_date(today), catalog.version
    case = answers.to_case(catalog)
    if case is None:
        return Summary("empty", today, made_on_text, version)
    pipeline = Pipeline(catalog)
    try:
        result = pipeline.result(case)
        option = answers.option or result["plan"]["option"]
        start = answers.start or today
        plan = pipeline.plan(case, option, start)
    except InputError:
        return Summary("unreadable", today, made_on_text, version)

    option_names: dict[str, str] = {info.id: info.name for info in catalog.explainers.options}
    condition_titles: dict[str, str] = {c.id: c.name for c in catalog.explainers.conditions}
    concerns = tuple(
        _concern_row(catalog, a, condition_titles, answers) for a in result["assessments"]
    )
    plan_rows = _plan_rows(plan)
    return Summary(
        status="ready",
        made_on=today,
        made_on_text=made_on_text,
        version=version,
        safety=result["safety"],
        concerns=concerns,
        preferences=case.preferences.model_dump(),
        engage=case.able_to_engage_in_therapy,
        about=_about(catalog, answers),
        matters=_matters(catalog, answers.values),
        leaning=option_names.get(answers.leaning or ""),
        leaning_unsure=answers.leaning == "unsure",
        readiness=_readiness(catalog, answers),
        options=tuple(result["options"]),
        questions=questions(catalog),
        plan_option=option,
        plan_option_name=option_names[option],
        plan_start=start,
        plan_start_text=long_date(start),
        plan=plan_rows,
        next_dates=plan_rows[:3],
        chart=timeline_chart(plan.milestones, catalog.timeline.short_titles),
        risk=risk_status(catalog, result["safety"], answers),
        ics_url=f"/plan.ics?option={option}&start={start.isoformat()}",
        cited=_cited(catalog, result["options"], plan),
        crisis_compact=crisis_compact(catalog, answers.locale)
        if result["safety"]["urgent"] and answers.results_seen
        else None,
        labels=source_labels(catalog),
    )


def _concern_row(
    catalog: Catalog, assessment: dict[str, Any], titles: dict[str, str], answers: FlowAnswers
) -> ConcernRow:
    instrument = catalog.instruments.get(assessment.get("instrument") or "")
    given = answers.answers.get(assessment["condition"], ()) if instrument else ()
    items = (
        tuple(
            (item.number, given[item.number - 1] if item.number <= len(given) else None, item.risk)
            for item in instrument.items
        )
        if instrument and given
        else ()
    )
    return ConcernRow(
        name=titles[assessment["condition"]],
        instrument=instrument.short_name if instrument else None,
        total=assessment.get("total"),
        total_max=instrument.total_max if instrument else None,
        severity=assessment["severity"],
        rated_by_clinician=assessment.get("rated_by") == "clinician",
        prorated=bool(assessment.get("prorated")),
        items=items,
        screen_positive=bool(assessment.get("screen_positive")),
        measures_severity=instrument.measures_severity if instrument else True,
    )


def _about(catalog: Catalog, answers: FlowAnswers) -> tuple[tuple[str, str], ...]:
    """The intake's age and history, as answered (question, answer); skipped ones are left
    out, so the clinician sees what was said and nothing assumed."""
    label = catalog.labels.__getitem__
    rows: list[tuple[str, str]] = []
    if answers.age is not None:
        rows.append(
            (label("intake.age"), label("intake.age_unsaid"))
            if answers.age == AGE_UNSAID
            else (label("intake.age"), str(answers.age))
        )
    if answers.episodes is not None:
        chosen = [c for c in catalog.intake.previous_episodes if c.value == answers.episodes]
        if chosen:
            rows.append((label("intake.episodes"), label(chosen[0].label)))
    for kind, outcome in sorted(answers.tried.items(), key=lambda pair: pair[0] != "medication"):
        rows.append((label(f"intake.history.{kind}"), label(f"intake.history.{outcome}")))
    return tuple(rows)


def _matters(catalog: Catalog, weights: Mapping[Any, int]) -> tuple[tuple[str, str], ...]:
    """What matters to the person and how much (the flow's 0-3 scale), most first."""
    rated = sorted(weights.items(), key=lambda pair: -pair[1])
    return tuple(
        (catalog.labels[f"flow.value.{what}"], catalog.labels[f"flow.value.scale_{weight}"])
        for what, weight in rated
    )


def _readiness(catalog: Catalog, answers: FlowAnswers) -> tuple[tuple[str, str], ...]:
    """The readiness check as last answered (after the options, else before them)."""
    given = answers.sure_after or answers.sure_before
    words = {"yes": catalog.labels["answer.yes"], "no": catalog.labels["answer.no"]}
    return tuple(
        (catalog.labels[f"flow.sure.{area}"], words[answer]) for area, answer in given.items()
    )


def _plan_rows(plan: Plan) -> tuple[PlanRow, ...]:
    rows = []
    for milestone in plan.milestones:
        first, last = milestone.date_from, milestone.date_to
        if first is None or last is None:  # the plan was given a start: never happens
            continue
        when = long_date(first) if first == last else f"{long_date(first)} – {long_date(last)}"
        rows.append(PlanRow(milestone.title, milestone.text, first, last, when, milestone.sources))
    return tuple(rows)


def _cited(catalog: Catalog, options: list[dict[str, Any]], plan: Plan) -> tuple[Source, ...]:
    used = {s for option in options for reason in option["reasons"] for s in reason["sources"]}
    used |= {s for milestone in plan.milestones for s in milestone.sources}
    return tuple(s for s in catalog.bibliography.sources if s.id in used)


# --- routes -----------------------------------------------------------------------------------


def _render(
    request: Request, templates: Any, summary: Summary, pdf: bool, invited: bool = False
) -> str:
    """``invited``: the flow came from a clinic's invitation, so the page links to sharing."""
    template = templates.get_template("summary.html")
    html: str = template.render(
        request=request,
        s=summary,
        pdf=pdf,
        invited=invited,
        lang=summary.safety.get("locale", "en")[:2],
    )
    return html


@router.get("/summary", response_class=HTMLResponse)
def summary_page(flow: FlowDep, clock: ClockDep, templates: TemplatesDep) -> HTMLResponse:
    summary = build_summary(flow.catalog, flow.state, clock.today())
    invited = flow.state.invitation is not None
    return HTMLResponse(_render(flow.request, templates, summary, pdf=False, invited=invited))


class PdfLimit:
    """At most ``workers`` PDFs made at once (each in a thread, so pages and the API stay
    quick); a request that finds them all busy is refused at once with 503 and
    ``Retry-After`` instead of queueing."""

    def __init__(self, workers: int) -> None:
        self.workers = workers
        self._busy = 0

    async def run(self, make: Callable[[], bytes]) -> bytes | None:
        if self._busy >= self.workers:
            return None
        self._busy += 1  # one event loop: no await between the check and this line
        try:
            return await run_in_threadpool(make)
        finally:
            self._busy -= 1


@router.get("/summary.pdf")
async def summary_pdf(flow: FlowDep, clock: ClockDep, templates: TemplatesDep) -> Response:
    request = flow.request
    limit: PdfLimit = request.app.state.pdf_limit

    def make() -> bytes:
        summary = build_summary(flow.catalog, flow.state, clock.today())
        html = _render(request, templates, summary, pdf=True)
        pdf: bytes = html_to_pdf(
            html,
            base_url=str(request.base_url),
            static_dir=STATIC_DIR,
            stylesheets=PDF_STYLESHEETS,
        )
        return pdf

    pdf = await limit.run(make)
    if pdf is None:
        return HTMLResponse(
            templates.get_template("error.html").render(status=503, request=request),
            status_code=503,
            headers={"retry-after": str(RETRY_AFTER_SECONDS)},
        )
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"content-disposition": f'attachment; filename="{PDF_NAME}"'},
    )


@router.get("/plan.ics")
def plan_ics(
    flow: FlowDep, clock: ClockDep, option: str | None = None, start: str | None = None
) -> Response:
    """The plan as a calendar file: ``option`` and ``start`` default to the person's choice
    in the flow, then to the recommendation's plan and today."""
    chosen = parse_option(option) if option is not None else None
    day = parse_day(start, "start") if start is not None else None
    case = flow.state.to_case(flow.catalog)
    if case is None:
        raise InputError("concerns", "there are no answers yet to make a plan from; start at /")
    chosen = chosen or flow.state.option or flow.pipeline.result(case)["plan"]["option"]
    plan = flow.pipeline.plan(case, chosen, day or flow.state.start or clock.today())
    body = plan_to_ics(
        plan,
        stamp=clock.now().astimezone(dt.UTC),
        short_titles=flow.catalog.timeline.short_titles,
    )
    return Response(
        body,
        media_type="text/calendar; charset=utf-8",
        headers={"content-disposition": f'attachment; filename="{ICS_NAME}"'},
    )
