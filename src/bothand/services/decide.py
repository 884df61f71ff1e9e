"""Use-case: decide. The whole pipeline for one case (score, decide, plan): ``run`` gives the
domain results, ``recommend`` the contract's response made from them (``contract`` holds the
mapping). The rule book is compiled once per loaded catalog, like loading it. No terminal or
HTTP types here, and nothing about a person is logged.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any, NamedTuple, cast

from bothand.catalog import Catalog
from bothand.contract.recommendation import dump_recommendation
from bothand.domain.assess.safety import Safety
from bothand.domain.case import Case, parse_case
from bothand.domain.decide.engine import ConcernFacts, Decision, Engine, PersonFacts, compile_engine
from bothand.domain.plan.plan import Plan
from bothand.services.assess import Assessment, assess, safety_for
from bothand.services.plan import plan_for
from bothand.services.wording import condition_names


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
        catalog.rules.age_bands.band_of(case.age),
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
    """Forget every result memoised from earlier cases. Nothing about a case is memoised any
    more, so there is nothing to forget; kept so callers (the benchmark's cold path) still
    say what they mean. What was compiled from the content stays, as loading it does: the
    rule book (``engine``) and the timeline (``Timeline.planner``)."""


def first_choice(decision: Decision) -> str:
    """The option the plan in a recommendation is drawn for: the first usual start (the fit
    order is ``plan_option`` in rules.yaml)."""
    return decision.plan_option()


def lead_of(decision: Decision) -> str | None:
    """The concern whose therapy the plan names when a guideline's precedence chose the floor
    (PTSD before depression, NG116); None leaves the choice to the timeline."""
    return decision.floor if decision.led_by is not None else None


class Outcome(NamedTuple):
    """Everything the pipeline worked out for one case (score, decide, plan), before it is
    turned into the contract's JSON."""

    case: Case
    assessments: list[Assessment]
    safety: Safety
    decision: Decision
    plan: Plan


def run(catalog: Catalog, data: Any) -> Outcome:
    """Score, decide and plan one case given as raw JSON-like data."""
    return run_case(catalog, parse_case(data))


def run_case(catalog: Catalog, case: Case) -> Outcome:
    """Score, decide and plan one validated case."""
    assessments = assess(catalog, case)
    safety = safety_for(catalog, case, assessments)
    decision = decide_case(catalog, case, assessments, safety)
    plan = plan_for(catalog, case, assessments, safety, first_choice(decision), lead_of(decision))
    return Outcome(case, assessments, safety, decision, plan)


def recommend(catalog: Catalog, data: Any) -> dict[str, Any]:
    """The whole pipeline for one case: the contract's response (``contract.Recommendation``),
    as plain data."""
    outcome = run(catalog, data)
    found = dump_recommendation(
        catalog, outcome.assessments, outcome.safety, outcome.decision, outcome.plan
    )
    # Typed as a plain dict for the pages that read it as one; contract.Recommendation says
    # what it holds.
    return cast(dict[str, Any], found)
