"""What a person takes away from the flow, built from the flow cookie (nothing is stored):

- ``GET /summary``: one page to show a clinician: crisis help first when a risk answer is
  positive, concerns and scores, what matters to the person, their leaning, every option with
  its fit and reasons, questions to ask, and the dated plan of the chosen option. Prints
  cleanly (``static/css/print.css``).
- ``GET /summary.pdf``: the same page as a tagged PDF (PDF/UA-1), as an attachment.
- ``GET /plan.ics?option=ID&start=YYYY-MM-DD``: the plan's milestones as iCalendar. A bad
  option or date is an ``InputError`` naming the field (422 problem details).

The state's keys are the flow's (documented in ``routes/flow.py``), and the case is built by
the flow's own ``case_from_state``. ``build_summary`` makes the page's one context object
without a request, so it can be tested on its own.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from bothand import services
from bothand.catalog import Catalog
from bothand.domain.errors import InputError
from bothand.domain.knowledge.sources import Source
from bothand.domain.plan.timeline import Plan
from bothand.domain.vocab import OPTION_IDS
from bothand.reports.ics import plan_to_ics
from bothand.reports.summary import html_to_pdf
from bothand.web.flowstate import case_from_state
from bothand.web.routes.learn import long_date, source_labels

router = APIRouter(include_in_schema=False)

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"
PDF_STYLESHEETS = ("css/summary-pdf.css",)
PDF_NAME = "bothand-summary.pdf"
ICS_NAME = "bothand-plan.ics"
QUESTION_PREFIX = "summary.question."
UNSURE = ("unsure", "not_sure")
LEANING_OPTIONS = {"both": "combined"}  # the flow's leaning words that name an option
# A start date outside these years is a typo, and would overflow date arithmetic near 9999.
FIRST_YEAR, LAST_YEAR = 2000, 2100
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


# --- the flow state ---------------------------------------------------------------------------
# The state's keys are documented in ``routes/flow.py``, which writes them; the case is built
# by its ``case_from_state`` so the summary shows exactly what the flow pages showed.


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, dict) else {}


def _label(catalog: Catalog, keys: tuple[str, ...], fallback: str) -> str:
    """The first of ``keys`` that content has, else ``fallback``. The flow's words live in its
    own label file, under names the flow chooses; the summary never fails for want of one."""
    text = catalog.labels.text
    return next((text[key] for key in keys if key in text), fallback)


def _readable(value_id: str) -> str:
    plain = value_id.replace("_", " ").strip()
    return plain[:1].upper() + plain[1:]


# --- query values -----------------------------------------------------------------------------


def parse_option(value: str) -> str:
    if value not in OPTION_IDS:
        raise InputError(
            "option", f"{value!r} is not an option; use one of {', '.join(OPTION_IDS)}"
        )
    return value


def parse_start(value: str) -> dt.date:
    try:
        if not _ISO_DATE.match(value):
            raise ValueError(value)
        day = dt.date.fromisoformat(value)
    except ValueError:
        raise InputError("start", "must be a date written YYYY-MM-DD, such as 2026-01-31") from None
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise InputError("start", f"must be a date between {FIRST_YEAR} and {LAST_YEAR}")
    return day


def _state_option(state: Mapping[str, Any]) -> str | None:
    value = state.get("option")
    return value if isinstance(value, str) and value in OPTION_IDS else None


def _state_start(state: Mapping[str, Any]) -> dt.date | None:
    value = state.get("start")
    if not isinstance(value, str):
        return None
    try:
        return parse_start(value)
    except InputError:
        return None  # a stale or odd cookie value: fall back to today, as the page says


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
    ics_url: str = ""
    cited: tuple[Source, ...] = ()
    labels: dict[str, str] = field(default_factory=dict)


def questions(catalog: Catalog) -> tuple[str, ...]:
    """The question list, in the order content gives it."""
    return tuple(
        text for key, text in catalog.labels.text.items() if key.startswith(QUESTION_PREFIX)
    )


def build_summary(catalog: Catalog, state: Mapping[str, Any], today: dt.date) -> Summary:
    """The summary of ``state`` as it stands on ``today`` (the default start of the plan)."""
    made_on_text, version = long_date(today), catalog.version
    case = case_from_state(catalog, dict(state))
    if case is None:
        return Summary("empty", today, made_on_text, version)
    try:
        result = services.recommend(catalog, case)
        option = _state_option(state) or result["plan"]["option"]
        start = _state_start(state) or today
        plan = services.care_plan(catalog, case, option, start)
    except InputError:
        return Summary("unreadable", today, made_on_text, version)

    option_names: dict[str, str] = {info.id: info.name for info in catalog.explainers.options}
    condition_titles: dict[str, str] = {c.id: c.name for c in catalog.explainers.conditions}
    values = _mapping(state.get("values"))
    raw_leaning = state.get("leaning") or values.get("leaning")
    leaning = LEANING_OPTIONS.get(raw_leaning, raw_leaning) if isinstance(raw_leaning, str) else ""
    preferences = {"medication": "open", "therapy": "open", **case.get("preferences", {})}
    return Summary(
        status="ready",
        made_on=today,
        made_on_text=made_on_text,
        version=version,
        safety=result["safety"],
        concerns=tuple(_concern_row(catalog, a, condition_titles) for a in result["assessments"]),
        preferences=preferences,
        engage=case.get("able_to_engage_in_therapy", True),
        matters=_matters(catalog, _mapping(values.get("matter", values))),
        leaning=option_names.get(leaning),
        leaning_unsure=leaning in UNSURE,
        readiness=_readiness(catalog, state),
        options=tuple(result["options"]),
        questions=questions(catalog),
        plan_option=option,
        plan_option_name=option_names[option],
        plan_start=start,
        plan_start_text=long_date(start),
        plan=_plan_rows(plan),
        ics_url=f"/plan.ics?option={option}&start={start.isoformat()}",
        cited=_cited(catalog, result["options"], plan),
        labels=source_labels(catalog),
    )


def _concern_row(
    catalog: Catalog, assessment: dict[str, Any], titles: dict[str, str]
) -> ConcernRow:
    instrument = catalog.instruments.get(assessment.get("instrument") or "")
    return ConcernRow(
        name=titles[assessment["condition"]],
        instrument=instrument.short_name if instrument else None,
        total=assessment.get("total"),
        total_max=instrument.total_max if instrument else None,
        severity=assessment["severity"],
        rated_by_clinician=assessment.get("rated_by") == "clinician",
        prorated=bool(assessment.get("prorated")),
    )


def _matters(catalog: Catalog, weights: Mapping[str, Any]) -> tuple[tuple[str, str], ...]:
    """What matters to the person and how much (the flow's 0-3 scale), most first."""
    rated = [(k, v) for k, v in weights.items() if isinstance(v, int) and not isinstance(v, bool)]
    rated.sort(key=lambda pair: -pair[1])
    return tuple(
        (
            _label(catalog, (f"flow.value.{what}", f"flow.matter.{what}"), _readable(what)),
            _label(
                catalog, (f"flow.value.scale_{weight}", f"flow.matter.scale_{weight}"), str(weight)
            ),
        )
        for what, weight in rated
    )


def _readiness(catalog: Catalog, state: Mapping[str, Any]) -> tuple[tuple[str, str], ...]:
    """The readiness check as last answered (after the options, else before them)."""
    answers = _mapping(state.get("sure_after")) or _mapping(state.get("sure_before"))
    words = {"yes": catalog.labels["answer.yes"], "no": catalog.labels["answer.no"]}
    return tuple(
        (_label(catalog, (f"flow.sure.{area}",), _readable(area)), words[answer])
        for area, answer in answers.items()
        if answer in words
    )


def _plan_rows(plan: Plan) -> tuple[PlanRow, ...]:
    rows = []
    for milestone in plan.milestones:
        first, last = milestone.date_from, milestone.date_to
        if first is None or last is None:  # care_plan was given a start: never happens
            continue
        when = long_date(first) if first == last else f"{long_date(first)} – {long_date(last)}"
        rows.append(PlanRow(milestone.title, milestone.text, first, last, when, milestone.sources))
    return tuple(rows)


def _cited(catalog: Catalog, options: list[dict[str, Any]], plan: Plan) -> tuple[Source, ...]:
    used = {s for option in options for reason in option["reasons"] for s in reason["sources"]}
    used |= {s for milestone in plan.milestones for s in milestone.sources}
    return tuple(s for s in catalog.bibliography.sources if s.id in used)


# --- routes -----------------------------------------------------------------------------------


def _catalog(request: Request) -> Catalog:
    catalog: Catalog = request.app.state.catalog
    return catalog


def _summary_for(request: Request) -> Summary:
    state = request.app.state.flow.read(request)
    return build_summary(_catalog(request), state, dt.date.today())


def _render(request: Request, summary: Summary, pdf: bool) -> str:
    template = request.app.state.templates.get_template("summary.html")
    html: str = template.render(
        request=request, s=summary, pdf=pdf, lang=summary.safety.get("locale", "en")[:2]
    )
    return html


@router.get("/summary", response_class=HTMLResponse)
def summary_page(request: Request) -> HTMLResponse:
    return HTMLResponse(_render(request, _summary_for(request), pdf=False))


@router.get("/summary.pdf")
def summary_pdf(request: Request) -> Response:
    html = _render(request, _summary_for(request), pdf=True)
    pdf = html_to_pdf(
        html,
        base_url=str(request.base_url),
        static_dir=STATIC_DIR,
        stylesheets=PDF_STYLESHEETS,
    )
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"content-disposition": f'attachment; filename="{PDF_NAME}"'},
    )


@router.get("/plan.ics")
def plan_ics(request: Request, option: str | None = None, start: str | None = None) -> Response:
    """The plan as a calendar file: ``option`` and ``start`` default to the person's choice
    in the flow, then to the recommendation's plan and today."""
    chosen = parse_option(option) if option is not None else None
    day = parse_start(start) if start is not None else None
    catalog = _catalog(request)
    state = request.app.state.flow.read(request)
    case = case_from_state(catalog, dict(state))
    if case is None:
        raise InputError("concerns", "there are no answers yet to make a plan from; start at /")
    if chosen is None:
        chosen = _state_option(state) or services.recommend(catalog, case)["plan"]["option"]
    day = day or _state_start(state) or dt.date.today()
    plan = services.care_plan(catalog, case, chosen, day)
    body = plan_to_ics(plan, stamp=dt.datetime.now(dt.UTC))
    return Response(
        body,
        media_type="text/calendar; charset=utf-8",
        headers={"content-disposition": f'attachment; filename="{ICS_NAME}"'},
    )
