"""The ``safety`` object of every response: urgent or not, the flags, the message, and the
crisis resources of the person's locale, as links a phone can open."""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING, Literal, NotRequired

from typing_extensions import TypedDict

from bothand.catalog import Catalog

if TYPE_CHECKING:
    from bothand.domain.assess.safety import Safety as SafetyResult


class CrisisAction(TypedDict):
    """One tap on a phone: a ``tel:`` or ``sms:`` link and what it says."""

    kind: Literal["call", "text"]
    label: str
    href: str


class CrisisResource(TypedDict):
    """Where to get help now; ``url`` only when the resource has one."""

    name: str
    contact: str
    detail: str
    url: NotRequired[str]
    actions: list[CrisisAction]


class Safety(TypedDict):
    """Always first: ``urgent`` when any risk item was answered above 0 (``flags`` names them);
    a risk item answered 0 adds a note, never "no risk". ``risk_assessed`` is false when no
    risk question was answered: every view then says "risk not assessed" and
    ``review_flags`` holds ``risk_not_assessed``. ``review_flags`` names everything the
    clinician must look at (e.g. ``asq.acute_positive``, ``pcl5.item16_risky_behaviour``);
    ``clinician_flag`` is true when the result is urgent or has any review flag."""

    urgent: bool
    flags: list[str]
    clinician_flag: bool
    message: str
    resources: list[CrisisResource]
    notes: list[str]
    locale: str
    risk_assessed: bool
    review_flags: list[str]


def dump_safety(catalog: Catalog, safety: SafetyResult) -> Safety:
    return {
        "urgent": safety.urgent,
        "flags": list(safety.flags),
        "clinician_flag": safety.clinician_flag,
        "message": safety.message,
        "resources": [
            {**resource, "actions": [{**action} for action in resource["actions"]]}
            for resource in _resources(catalog, safety.locale)
        ],
        "notes": list(safety.notes),
        "locale": safety.locale,
        "risk_assessed": safety.risk_assessed,
        "review_flags": list(safety.review_flags),
    }


@lru_cache(maxsize=64)
def _resources(catalog: Catalog, locale: str) -> tuple[CrisisResource, ...]:
    """The crisis resources of a locale, made once per catalog (each response gets a copy)."""
    resources: list[CrisisResource] = []
    for r in catalog.crisis.for_locale(locale).resources:
        actions: list[CrisisAction] = [
            {"kind": action.kind, "label": action.label, "href": action.href}
            for action in r.actions
        ]
        resource: CrisisResource
        if r.url:
            resource = {
                "name": r.name,
                "contact": r.contact,
                "detail": r.detail,
                "url": r.url,
                "actions": actions,
            }
        else:
            resource = {
                "name": r.name,
                "contact": r.contact,
                "detail": r.detail,
                "actions": actions,
            }
        resources.append(resource)
    return tuple(resources)
