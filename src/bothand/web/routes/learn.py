"""Decision-aid pages (``/learn/...``): one page per condition, treatment and option, the
bibliography (``/learn/sources``, one anchor per source id) and ``/learn/about`` (the IPDAS
certification items: who made it and who pays, dates, update policy, how evidence was chosen).

Pages are built from the catalog alone. They describe; they never give a fit, because a fit
needs a person's answers (that is the flow's job, through ``services.recommend``). Every
statement is shown with its source ids, linked to the bibliography, and every page shows the
content version, the review date and the update policy.

Each page gets one small context object built here (``LearnPage`` and the page-specific
dataclasses); templates only lay it out.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from bothand.catalog import Catalog
from bothand.domain.knowledge.explainers import ConditionInfo, OptionInfo, TreatmentInfo
from bothand.domain.knowledge.sources import Source
from bothand.domain.vocab import CONDITIONS
from bothand.services import condition_names
from bothand.web.dates import long_date
from bothand.web.views import EvidenceView, evidence_for, source_labels

T = TypeVar("T")
router = APIRouter(include_in_schema=False)

# Bibliography sections, in the order a reader meets them (ids are the Source.kind vocabulary).
SOURCE_KINDS = (
    "guideline",
    "review",
    "trial",
    "study",
    "instrument",
    "guide",
    "service",
    "standard",
)


# --- shared pieces ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Provenance:
    """What every decision-aid page shows about itself (IPDAS C3, C4, C6)."""

    version: str
    reviewed: dt.date
    reviewed_text: str  # "27 November 2026"
    update_policy: str
    funding: str


def provenance(catalog: Catalog) -> Provenance:
    bibliography = catalog.bibliography
    return Provenance(
        version=catalog.version,
        reviewed=bibliography.meta.reviewed,
        reviewed_text=long_date(bibliography.meta.reviewed),
        update_policy=bibliography.update_policy,
        funding=bibliography.funding,
    )


@dataclass(frozen=True)
class LearnPage:
    """What every learn page's template receives, besides its own ``page`` object."""

    provenance: Provenance
    labels: dict[str, str]  # source id -> short link label
    option_names: dict[str, str]
    condition_names: dict[str, str]  # as titles ("Depression (low mood that lasts)")
    treatment_names: dict[str, str]


def learn_page(catalog: Catalog) -> LearnPage:
    explainers = catalog.explainers
    return LearnPage(
        provenance=provenance(catalog),
        labels=source_labels(catalog),
        option_names={info.id: info.name for info in explainers.options},
        condition_names={info.id: info.name for info in explainers.conditions},
        treatment_names={info.id: info.name for info in explainers.treatments},
    )


def in_sentence(name: str) -> str:
    """A condition's name for use inside a sentence, without its aside in brackets:
    "depression (low mood that lasts)" becomes "depression"."""
    return re.sub(r"\s*\([^)]*\)", "", name).strip() or name


def figure_anchor(figure_id: str) -> str:
    return "fig-" + figure_id.replace(".", "-")


# --- page objects -----------------------------------------------------------------------------


@dataclass(frozen=True)
class OptionCard:
    """One of the six options on a condition page: the same fields for each (IPDAS C1)."""

    info: OptionInfo
    has_figures: bool
    has_gap: bool


@dataclass(frozen=True)
class ConditionPage:
    info: ConditionInfo
    therapies: tuple[TreatmentInfo, ...]
    medicines: tuple[TreatmentInfo, ...]
    options: tuple[OptionCard, ...]
    evidence: EvidenceView
    sentence_name: str  # "depression", "OCD": for use inside a sentence


@dataclass(frozen=True)
class OptionPage:
    info: OptionInfo
    by_condition: tuple[tuple[ConditionInfo, EvidenceView], ...]


@dataclass(frozen=True)
class TreatmentPage:
    info: TreatmentInfo
    conditions: tuple[ConditionInfo, ...]


@dataclass(frozen=True)
class SourceGroup:
    kind: str
    sources: tuple[Source, ...] = field(default_factory=tuple)


def condition_page(catalog: Catalog, info: ConditionInfo) -> ConditionPage:
    treatments = {t.id: t for t in catalog.explainers.treatments}
    evidence = evidence_for(catalog, info.id)
    cards = []
    for option in catalog.explainers.options:
        own = evidence_for(catalog, info.id, option.id)
        cards.append(OptionCard(option, bool(own.figures), bool(own.gaps)))
    return ConditionPage(
        info=info,
        therapies=tuple(treatments[t] for t in info.first_line_therapies),
        medicines=tuple(treatments[m] for m in info.medication_classes),
        options=tuple(cards),
        evidence=evidence,
        sentence_name=in_sentence(condition_names(catalog)[info.id]),
    )


def option_page(catalog: Catalog, info: OptionInfo) -> OptionPage:
    rows = []
    for condition in catalog.explainers.conditions:
        view = evidence_for(catalog, condition.id, info.id)
        if not view.empty:
            rows.append((condition, view))
    return OptionPage(info=info, by_condition=tuple(rows))


def treatment_page(catalog: Catalog, info: TreatmentInfo) -> TreatmentPage:
    by_id = {c.id: c for c in catalog.explainers.conditions}
    ordered = [c for c in CONDITIONS if c in info.conditions]
    return TreatmentPage(info=info, conditions=tuple(by_id[c] for c in ordered))


def source_groups(catalog: Catalog) -> tuple[SourceGroup, ...]:
    groups = []
    for kind in SOURCE_KINDS:
        found = tuple(s for s in catalog.bibliography.sources if s.kind == kind)
        if found:
            groups.append(SourceGroup(kind, found))
    return tuple(groups)


# --- routes -----------------------------------------------------------------------------------


def _catalog(request: Request) -> Catalog:
    catalog: Catalog = request.app.state.catalog
    return catalog


def render(request: Request, name: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    """One learn page: the shared ``learn`` object plus the page's own context."""
    catalog = _catalog(request)
    response: HTMLResponse = request.app.state.templates.TemplateResponse(
        request,
        name,
        {"learn": learn_page(catalog), "figure_anchor": figure_anchor, **context},
        status_code=status_code,
    )
    return response


def not_found(request: Request) -> HTMLResponse:
    """A friendly page (not problem details): people reach these pages by following links."""
    return render(request, "learn/not_found.html", status_code=404)


@router.get("/learn", response_class=HTMLResponse)
def index(request: Request) -> HTMLResponse:
    explainers = _catalog(request).explainers
    return render(
        request,
        "learn/index.html",
        conditions=explainers.conditions,
        options=explainers.options,
        therapies=tuple(t for t in explainers.treatments if t.kind == "therapy"),
        medicines=tuple(t for t in explainers.treatments if t.kind == "medication"),
        ideas=explainers.ideas,
    )


@router.get("/learn/sources", response_class=HTMLResponse)
def sources(request: Request) -> HTMLResponse:
    return render(request, "learn/sources.html", groups=source_groups(_catalog(request)))


@router.get("/learn/about", response_class=HTMLResponse)
def about(request: Request) -> HTMLResponse:
    return render(request, "learn/about.html")


def _by_id(items: Iterable[T], wanted: str) -> T | None:
    return next((item for item in items if getattr(item, "id", None) == wanted), None)


@router.get("/learn/treatments/{treatment_id}", response_class=HTMLResponse)
def treatment(request: Request, treatment_id: str) -> HTMLResponse:
    catalog = _catalog(request)
    if (info := _by_id(catalog.explainers.treatments, treatment_id)) is None:
        return not_found(request)
    return render(request, "learn/treatment.html", page=treatment_page(catalog, info))


@router.get("/learn/options/{option_id}", response_class=HTMLResponse)
def option(request: Request, option_id: str) -> HTMLResponse:
    catalog = _catalog(request)
    if (info := _by_id(catalog.explainers.options, option_id)) is None:
        return not_found(request)
    return render(request, "learn/option.html", page=option_page(catalog, info))


@router.get("/learn/{condition_id}", response_class=HTMLResponse)
def condition(request: Request, condition_id: str) -> HTMLResponse:
    catalog = _catalog(request)
    if (info := _by_id(catalog.explainers.conditions, condition_id)) is None:
        return not_found(request)
    return render(request, "learn/condition.html", page=condition_page(catalog, info))
