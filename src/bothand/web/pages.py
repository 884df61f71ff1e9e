"""One flow request's context (``FlowPage``): the person's answers read once from the cookie,
the case built from them and the pipeline run at most once per case, and the ways a flow
page answers (render a page, see another page, refuse a form). Route modules get it through
``deps.FlowDep``; they never import each other.

Short answers that end a request early (a skipped step, a refused form) are raised as
``Answered`` with the response to send; the app returns it as it is.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from bothand import services
from bothand.catalog import Catalog
from bothand.contract import dump_recommendation, dump_safety
from bothand.domain.assess.safety import urgent_safety
from bothand.domain.case import Case
from bothand.domain.clock import Clock
from bothand.domain.plan.plan import Plan
from bothand.web.flowstate import LOCALES, FlowAnswers
from bothand.web.state import FlowCookie
from bothand.web.views import source_labels

STEPS = ("concerns", "about", "questions", "results", "values", "options", "plan")


class Answered(Exception):  # noqa: N818 (not an error: a response that ends the request early)
    """End the request with ``response`` (a redirect, a refusal)."""

    def __init__(self, response: Response) -> None:
        super().__init__()
        self.response = response


@dataclass
class Pipeline:
    """The pipeline for one request: each distinct case is run once, however many parts of
    the page ask (the plan page asks for the options, the plan and the safety banner)."""

    catalog: Catalog
    _outcomes: dict[Case, services.Outcome] = field(default_factory=dict)
    _contracts: dict[Case, dict[str, Any]] = field(default_factory=dict)

    def outcome(self, case: Case) -> services.Outcome:
        if case not in self._outcomes:
            self._outcomes[case] = services.run_case(self.catalog, case)
        return self._outcomes[case]

    def result(self, case: Case) -> dict[str, Any]:
        """The contract's response for ``case`` (what the pages lay out)."""
        if case not in self._contracts:
            found = self.outcome(case)
            self._contracts[case] = dict(
                dump_recommendation(
                    self.catalog, found.assessments, found.safety, found.decision, found.plan
                )
            )
        return self._contracts[case]

    def plan(self, case: Case, option: str, start: dt.date | None) -> Plan:
        """The plan of ``option``: the outcome's own when it is the first choice."""
        outcome = self.outcome(case)
        if option == outcome.plan.option:
            plan = outcome.plan
        else:
            plan = services.plan_for(
                self.catalog,
                case,
                outcome.assessments,
                outcome.safety,
                option,
                services.lead_of(outcome.decision),
            )
        return plan.dated(start) if start is not None else plan

    def urgent(self, answers: FlowAnswers) -> dict[str, Any] | None:
        """The safety result when any risk answer is above 0, even in an unfinished form."""
        if not answers.has_positive_risk_answer(self.catalog):
            return None
        case = answers.to_case(self.catalog, partial=True)
        safety = self.outcome(case).safety if case is not None else None
        if safety is None or not safety.urgent:  # a risk screen "yes", the page unfinished
            positive = answers.risk_screen_positive(self.catalog)
            if not positive:
                return None
            crisis = self.catalog.crisis.for_locale(answers.locale or "en")
            safety = urgent_safety(positive, crisis)
        return dict(dump_safety(self.catalog, safety))


def crisis_compact(catalog: Catalog, locale: str | None) -> list[dict[str, Any]]:
    """The compact crisis box's lines, per country: the person's country, or both when it is
    unknown. Each group has the country's one or two ``top`` lines (shown as links) and its
    /help page (every line with its details, one tap away)."""
    shown = [locale] if locale in LOCALES else list(LOCALES)
    groups: list[dict[str, Any]] = []
    for code in shown:
        entry = catalog.crisis.for_locale(code)
        groups.append(
            {
                "locale": entry.locale,
                "region": entry.region,
                "top": entry.top_resources,
                "help_url": f"/help?country={entry.locale}",
            }
        )
    return groups


@dataclass
class FlowPage:
    """A flow request: its answers (``state``, replaced as a form changes them) and helpers."""

    request: Request
    catalog: Catalog
    cookie: FlowCookie
    templates: Jinja2Templates
    clock: Clock
    state: FlowAnswers
    pipeline: Pipeline

    def case(self) -> Case:
        """The case of answers that passed the gates (so at least one concern is chosen)."""
        case = self.state.to_case(self.catalog)
        if case is None:  # the gates send a person without concerns to /concerns first
            raise Answered(self.see("/concerns"))
        return case

    def render(
        self,
        name: str,
        *,
        status_code: int = 200,
        write: bool = True,
        compact_crisis: bool = False,
        **context: Any,
    ) -> HTMLResponse:
        """One page with the answers' CSRF token and, when a risk answer is positive, the
        urgent safety result (every flow page shows it first). ``compact_crisis``: a page
        after the results (options, plan) shows the compact crisis box instead of the full
        one, once the results page has shown the full box for these answers."""
        urgent = self.pipeline.urgent(self.state)
        compact = compact_crisis and urgent is not None and self.state.results_seen
        page: HTMLResponse = self.templates.TemplateResponse(
            self.request,
            name,
            {
                "csrf": self.state.csrf,
                "catalog": self.catalog,
                "urgent": urgent,
                "urgent_compact": crisis_compact(self.catalog, self.state.locale)
                if compact
                else None,
                "steps": STEPS,
                "source_labels": source_labels(self.catalog),
                **context,
            },
            status_code=status_code,
        )
        if write:
            self.cookie.write(page, self.state)
        return page

    def see(self, url: str) -> RedirectResponse:
        """303 See Other to ``url``, saving the answers."""
        response = RedirectResponse(url, status_code=303)
        self.cookie.write(response, self.state)
        return response

    def forbidden(self) -> HTMLResponse:
        """403: a friendly page, and the cookie is not touched."""
        return self.render(
            "forbidden.html", status_code=403, write=False, back=self.request.url.path
        )


@dataclass
class FormErrors:
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


_SMALL_INT = re.compile(r"-?[0-9]{1,3}")


def int_in(raw: object, allowed: Iterable[int]) -> int | None:
    """A posted whole number if it is one of ``allowed``, else None. ASCII digits only, and
    at most three: "²" or 5,000 digits is no answer, never an error."""
    if isinstance(raw, str) and _SMALL_INT.fullmatch(raw.strip()):
        value = int(raw)
        return value if value in set(allowed) else None
    return None


def one_of(raw: object, allowed: Iterable[str]) -> str | None:
    """A posted value if it is one of ``allowed``, else None."""
    return raw if isinstance(raw, str) and raw in set(allowed) else None
