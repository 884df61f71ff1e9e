"""Use-case: plan. The dated timeline of one option for a case, from the catalog's compiled
timeline. No terminal or HTTP types here.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from bothand.catalog import Catalog
from bothand.domain.assess.safety import Safety
from bothand.domain.case import Case, parse_case
from bothand.domain.errors import InputError
from bothand.domain.plan.plan import Plan
from bothand.domain.vocab import OPTION_IDS
from bothand.services.assess import Assessment, assess, safety_for


def plan_for(
    catalog: Catalog,
    case: Case,
    assessments: list[Assessment],
    safety: Safety,
    option: str,
    lead: str | None = None,
) -> Plan:
    """The plan of ``option`` for this case, from the catalog's compiled timeline. ``lead``:
    the concern a guideline says to treat first (the decision's floor when a precedence chose
    it), whose therapy the plan names."""
    if option not in OPTION_IDS:
        raise InputError(
            "option", f"'{option}' is not an option; use one of {', '.join(OPTION_IDS)}"
        )
    return catalog.timeline.planner.plan(
        option,
        [(a.concern.condition, a.severity) for a in assessments],
        case.age,
        safety.urgent,
        catalog.timeline.is_high_relapse_risk(case.history.previous_episodes),
        lead,
    )


def care_plan(catalog: Catalog, data: Any, option: str, start: dt.date | None) -> Plan:
    """The dated timeline of ``option`` for this case (relative days when ``start`` is None)."""
    return plan_case(catalog, parse_case(data), option, start)


def plan_case(catalog: Catalog, case: Case, option: str, start: dt.date | None) -> Plan:
    """``care_plan`` for a case already validated (the API's request body holds a ``Case``):
    no round trip through plain data."""
    assessments = assess(catalog, case)
    safety = safety_for(catalog, case, assessments)
    plan = plan_for(catalog, case, assessments, safety, option)
    return plan.dated(start) if start is not None else plan
