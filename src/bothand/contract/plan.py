"""The ``plan`` object (in a recommendation, and alone from ``/api/plan`` and ``bothand plan
--json``): the milestones of one option, in days from the start and, when a start date was
given, as dates."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, NotRequired

from pydantic import WithJsonSchema
from typing_extensions import TypedDict

from bothand.domain.vocab import OptionId

if TYPE_CHECKING:
    from bothand.domain.plan.plan import Milestone as MilestoneResult
    from bothand.domain.plan.plan import Plan as PlanResult

Day = Annotated[str, WithJsonSchema({"type": "string", "format": "date"})]


class Milestone(TypedDict):
    """One step of the plan. ``date_from`` and ``date_to`` only when the plan is dated."""

    id: str
    kind: str
    day_from: int
    day_to: int
    title: str
    text: str
    sources: list[str]
    date_from: NotRequired[Day]
    date_to: NotRequired[Day]


class Plan(TypedDict):
    """The milestones of one option, sorted by ``day_from`` and then ``id``."""

    option: OptionId
    milestones: list[Milestone]


def dump_plan(plan: PlanResult) -> Plan:
    return {"option": plan.option, "milestones": [_milestone(m) for m in plan.milestones]}


def _milestone(m: MilestoneResult) -> Milestone:
    data: Milestone = {
        "id": m.id,
        "kind": m.kind,
        "day_from": m.day_from,
        "day_to": m.day_to,
        "title": m.title,
        "text": m.text,
        "sources": list(m.sources),
    }
    if m.date_from is not None and m.date_to is not None:
        data["date_from"] = m.date_from.isoformat()
        data["date_to"] = m.date_to.isoformat()
    return data
