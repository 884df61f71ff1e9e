"""Use-cases: assess, decide, plan, explain. Each takes the loaded catalog and plain data and
returns plain data (the case contract), so the command line and the web app present the same
thing. No terminal or HTTP types here, and nothing about a person is logged.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from functools import lru_cache
from typing import Any, NamedTuple

from bothand.catalog import Catalog
from bothand.domain.case import Case, Concern, age_band, parse_case
from bothand.domain.errors import InputError, within
from bothand.domain.options import ConcernFacts, Decision, Engine, PersonFacts, compile_engine
from bothand.domain.plan import Plan
from bothand.domain.safety import Safety, assess_safety, clear_memo
from bothand.domain.scoring import Score, score
from bothand.domain.vocab import OPTION_IDS, UNRATED

CONTRACT_VERSION = "1"


class Assessment(NamedTuple):
    """One concern, assessed: the score when answers were given, and the severity fact."""

    concern: Concern
    score: Score | None
    severity: str

    def to_contract(self) -> dict[str, Any]:
        if self.score is None:
            return {
                "condition": self.concern.condition,
                "instrument": None,
                "rated_by": "clinician" if self.concern.severity else "unrated",
                "total": None,
                "severity": self.severity,
            }
        result = self.score
        return {
            "condition": self.concern.condition,
            "instrument": result.instrument,
            "rated_by": "self_report",
            "total": result.total,
            "severity": self.severity,
            "band": result.band,
            "complete": result.complete,
            "prorated": result.prorated,
            "subscales": dict(result.subscales),
            "screen_positive": result.screen_positive,
            "flags": list(result.flags),
        }


@lru_cache(maxsize=8)
def condition_names(catalog: Catalog) -> dict[str, str]:
    """Condition names for use inside a sentence ("depression", but "OCD")."""
    names: dict[str, str] = {}
    for info in catalog.explainers.conditions:
        name = info.name
        names[info.id] = name if name[1:2].isupper() else name[:1].lower() + name[1:]
    return names


def assess(catalog: Catalog, case: Case) -> list[Assessment]:
    """Score every concern given as answers; keep clinician ratings as they are."""
    assessments = []
    for index, concern in enumerate(case.concerns):
        instrument_id = concern.instrument
        if instrument_id is None:
            assessments.append(Assessment(concern, None, concern.severity or UNRATED))
            continue
        instrument = catalog.instruments.get(instrument_id)
        if instrument is None:
            known = ", ".join(sorted(catalog.instruments))
            raise InputError(
                f"concerns[{index}].instrument",
                f"'{instrument_id}' is not an instrument; use one of {known}",
            )
        fitting = _instruments_for(catalog).get(concern.condition, ())
        if instrument_id not in fitting:
            raise InputError(
                f"concerns[{index}].instrument",
                f"{instrument_id} does not measure {concern.condition}; "
                f"use one of {', '.join(fitting)} or a severity",
            )
        try:
            result = score(instrument, concern.answers or ())
        except InputError as error:
            raise within(f"concerns[{index}]", error) from None
        severity = result.severity if result.severity is not None else UNRATED
        assessments.append(Assessment(concern, result, severity))
    return assessments


@lru_cache(maxsize=8)
def _instruments_for(catalog: Catalog) -> dict[str, tuple[str, ...]]:
    """The instruments that measure each condition."""
    return {info.id: info.instruments for info in catalog.explainers.conditions}


def safety_for(catalog: Catalog, case: Case, assessments: list[Assessment]) -> Safety:
    scores = [a.score for a in assessments if a.score is not None]
    return assess_safety(scores, catalog.crisis.for_locale(case.locale))


def decide_case(
    catalog: Catalog, case: Case, assessments: list[Assessment], safety: Safety
) -> Decision:
    person = PersonFacts(
        case.preferences.medication,
        case.preferences.therapy,
        case.able_to_engage_in_therapy,
        case.history.medication,
        case.history.therapy,
        safety.urgent,
        age_band(case.age),
        len(case.concerns) > 1,
    )
    concerns = [ConcernFacts(a.concern.condition, a.severity) for a in assessments]
    return engine(catalog).decide(concerns, person)


@lru_cache(maxsize=8)
def engine(catalog: Catalog) -> Engine:
    """The catalog's rule book compiled for deciding: once per loaded catalog, like loading
    it (it depends on content only, never on a case)."""
    return compile_engine(catalog.rules, condition_names(catalog))


def prepare(catalog: Catalog) -> None:
    """Compile the catalog's rule book and timeline now (about 15 ms) rather than on the
    first case, so a server's first request is as quick as the others."""
    engine(catalog)
    catalog.timeline.planner  # noqa: B018 (a cached property: reading it builds it)


def clear_memos() -> None:
    """Forget every result memoised from earlier cases (today only the safety result of a
    combination of risk answers). What was compiled from the content stays, as loading it
    does: the rule book (``engine``) and the timeline (``Timeline.planner``)."""
    clear_memo()


def plan_for(
    catalog: Catalog, case: Case, assessments: list[Assessment], safety: Safety, option: str
) -> Plan:
    """The plan of ``option`` for this case, from the catalog's compiled timeline."""
    if option not in OPTION_IDS:
        raise InputError(
            "option", f"'{option}' is not an option; use one of {', '.join(OPTION_IDS)}"
        )
    return catalog.timeline.planner.plan(
        option,
        [(a.concern.condition, a.severity) for a in assessments],
        case.age,
        safety.urgent,
        case.history.previous_episodes >= 2,
    )


def first_choice(decision: Decision) -> str:
    """The option the plan in a recommendation is drawn for: the first usual start."""
    for fit in ("usual_start", "reasonable", "less_suited"):
        for option in decision.options:
            if option.fit == fit:
                return option.id
    return decision.options[0].id


class Outcome(NamedTuple):
    """Everything the pipeline worked out for one case (score, decide, plan), before it is
    turned into the contract's JSON."""

    case: Case
    assessments: list[Assessment]
    safety: Safety
    decision: Decision
    plan: Plan


def run(catalog: Catalog, data: Any) -> Outcome:
    """Score, decide and plan one case."""
    case = parse_case(data)
    assessments = assess(catalog, case)
    safety = safety_for(catalog, case, assessments)
    decision = decide_case(catalog, case, assessments, safety)
    plan = plan_for(catalog, case, assessments, safety, first_choice(decision))
    return Outcome(case, assessments, safety, decision, plan)


def recommend(catalog: Catalog, data: Any) -> dict[str, Any]:
    """The whole pipeline for one case: the contract's response, as plain data."""
    return to_contract(catalog, run(catalog, data))


def to_contract(catalog: Catalog, outcome: Outcome) -> dict[str, Any]:
    options_info = {info.id: info for info in catalog.explainers.options}
    decision = outcome.decision
    return {
        "safety": outcome.safety.to_contract(),
        "assessments": [a.to_contract() for a in outcome.assessments],
        "options": [
            {
                "id": option.id,
                "name": options_info[option.id].name,
                "fit": option.fit,
                "summary": options_info[option.id].summary,
                "reasons": [
                    {"id": r.id, "text": r.text, "sources": list(r.sources), "concern": r.concern}
                    for r in option.reasons
                ],
            }
            for option in decision.options
        ],
        "floor": decision.floor,
        "plan": outcome.plan.to_contract(),
        "trace": [entry.to_contract() for entry in decision.trace],
        "content": {
            "version": catalog.version,
            "reviewed": catalog.bibliography.meta.reviewed.isoformat(),
        },
        "contract_version": CONTRACT_VERSION,
    }


def care_plan(catalog: Catalog, data: Any, option: str, start: dt.date | None) -> Plan:
    """The dated timeline of ``option`` for this case (relative days when ``start`` is None)."""
    case = parse_case(data)
    assessments = assess(catalog, case)
    safety = safety_for(catalog, case, assessments)
    plan = plan_for(catalog, case, assessments, safety, option)
    return plan.dated(start) if start is not None else plan


def to_json(data: Mapping[str, Any]) -> str:
    """Deterministic JSON: the same case always gives byte-identical output."""
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def explain(catalog: Catalog, item_id: str) -> dict[str, Any]:
    """A condition, option, treatment, idea or term in plain words, with its full citations."""
    labels = catalog.labels
    explainers = catalog.explainers
    sections: list[tuple[str, str]] = []
    sources: list[str] = []

    def add(label_key: str, statement: Any) -> None:
        if statement is not None:
            sections.append((labels[label_key] if label_key else "", statement.text))
            sources.extend(statement.sources)

    title = ""
    for condition in explainers.conditions:
        if condition.id == item_id:
            title = condition.name
            add("explain.what_it_is", condition.what_it_is)
            add("explain.medication_does", condition.medication_does)
            add("explain.medication_does_not", condition.medication_does_not)
            add("explain.first_line", condition.first_line_note)
            add("explain.severity", condition.severity_judged)
            add("explain.without_treatment", condition.without_treatment)
            if condition.without_treatment_unknown:
                sections.append(
                    (labels["explain.without_treatment"], condition.without_treatment_unknown)
                )
    for option in explainers.options:
        if option.id == item_id:
            title = option.name
            sections.append(("", option.summary))
            add("explain.benefits", option.benefits)
            add("explain.harms", option.harms)
            add("explain.what_it_is_like", option.what_it_is_like)
    for treatment in explainers.treatments:
        if treatment.id == item_id:
            title = treatment.name
            add("explain.what_it_is", treatment.what_it_is)
            add("explain.good_at", treatment.good_at)
            add("explain.less_good_at", treatment.less_good_at)
            add("explain.what_it_is_like", treatment.what_it_is_like)
            add("explain.time_to_help", treatment.time_to_help)
            add("explain.typical_course", treatment.typical_course)
    for idea in explainers.ideas:
        if item_id in (idea.id, idea.id.removeprefix("idea.")):
            title = idea.title
            add("", idea.body)
    for term in explainers.terms:
        if item_id in (term.id, term.id.removeprefix("term.")):
            title = term.term
            add("", term.meaning)
    if not title:
        known = sorted(
            [c.id for c in explainers.conditions]
            + [o.id for o in explainers.options]
            + [t.id for t in explainers.treatments]
        )
        raise InputError("ID", f"'{item_id}' is not known; try one of {', '.join(known)}")
    by_id = {source.id: source for source in catalog.bibliography.sources}
    citations = [by_id[source_id].citation for source_id in dict.fromkeys(sources)]
    return {"id": item_id, "title": title, "sections": sections, "citations": citations}


def list_instruments(catalog: Catalog) -> list[dict[str, Any]]:
    """Every instrument with its availability; unavailable ones say why."""
    rows = []
    for instrument_id in sorted(set(catalog.instruments) | set(catalog.unavailable)):
        instrument = catalog.instruments.get(instrument_id)
        reason = catalog.unavailable.get(instrument_id)
        rows.append(
            {
                "id": instrument_id,
                "name": instrument.name if instrument else instrument_id,
                "items": len(instrument.items) if instrument else 0,
                "available": reason is None,
                "reason": reason,
            }
        )
    return rows
