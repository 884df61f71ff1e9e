"""Plain-text rendering of results for a terminal: safety first, then scores, options, plan.

It renders the contract's JSON objects (``bothand.contract``: ``Recommendation``, ``Safety``,
``Plan``, ``Explainer``), so the terminal shows exactly what ``--json`` gives. Every string a
person reads comes from content (labels, reasons, explainers); this module only arranges it. It
never prints answers back except the person's own total score.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping
from typing import Any

from bothand import services
from bothand.catalog import Catalog

WIDTH = 78


def wrap(text: str, indent: str = "") -> str:
    return textwrap.fill(text, WIDTH, initial_indent=indent, subsequent_indent=indent) + "\n"


def render_safety(safety: Mapping[str, Any], catalog: Catalog) -> str:
    """A ``contract.Safety``: the crisis box, shown only when urgent."""
    labels = catalog.labels
    out = ""
    if safety["urgent"]:
        out += "=" * WIDTH + "\n"
        out += wrap(labels["heading.safety"].upper())
        out += wrap(safety["message"])
        for resource in safety["resources"]:
            out += wrap(f"{resource['name']}: {resource['contact']}. {resource['detail']}", "  ")
        out += "=" * WIDTH + "\n\n"
    return out


def render_recommendation(result: Mapping[str, Any], catalog: Catalog) -> str:
    """A ``contract.Recommendation``."""
    labels = catalog.labels
    out = render_safety(result["safety"], catalog)
    out += labels["heading.assessments"] + "\n"
    for a in result["assessments"]:
        name = services.condition_names(catalog)[a["condition"]]
        severity = labels[f"severity.{a['severity']}"]
        if a["instrument"] is None:
            out += wrap(f"{name}: {severity} ({labels['rated_by.clinician']})", "  ")
        else:
            instrument = catalog.instruments[a["instrument"]]
            total = "-" if a["total"] is None else str(a["total"])
            band = f", {a['band']}" if a.get("band") else ""
            out += wrap(
                f"{name}: {instrument.name} {labels['score.total'].lower()} {total}{band}", "  "
            )
            if a.get("prorated"):
                out += wrap(labels["score.prorated"], "    ")
    for note in result["safety"]["notes"]:
        out += wrap(note, "  ")
    out += "\n" + labels["heading.options"] + "\n" + wrap(labels["heading.options_note"])
    for number, option in enumerate(result["options"], start=1):
        out += f"\n{number}. {option['name']} - {labels['fit.' + option['fit']]}\n"
        out += wrap(option["summary"], "   ")
        for reason in option["reasons"]:
            out += wrap(f"- {reason['text']} [{', '.join(reason['sources'])}]", "   ")
    plan = result["plan"]
    out += "\n" + render_plan(plan, catalog)
    if not result["safety"]["urgent"]:
        out += "\n" + wrap(result["safety"]["message"])
        for resource in result["safety"]["resources"]:
            out += wrap(f"{resource['name']}: {resource['contact']}", "  ")
    out += "\n" + wrap(labels["disclaimer"])
    out += wrap(
        f"{labels['content.version']}: {result['content']['version']} "
        f"({result['content']['reviewed']})"
    )
    return out


def render_plan(plan: Mapping[str, Any], catalog: Catalog) -> str:
    """A ``contract.Plan``."""
    labels = catalog.labels
    names = {info.id: info.name for info in catalog.explainers.options}
    out = (
        f"{labels['heading.plan']} ({labels['option.for_plan'].lower()}: {names[plan['option']]})\n"
    )
    for milestone in plan["milestones"]:
        if milestone.get("date_from"):
            when = (
                milestone["date_from"]
                if milestone["date_from"] == milestone["date_to"]
                else (f"{milestone['date_from']} to {milestone['date_to']}")
            )
        elif milestone["day_from"] == milestone["day_to"]:
            when = f"{labels['plan.day']} {milestone['day_from']}"
        else:
            when = f"{labels['plan.days']} {milestone['day_from']}-{milestone['day_to']}"
        out += wrap(f"{when}: {milestone['title']}", "  ")
        out += wrap(milestone["text"], "      ")
    return out


def render_explainer(item_id: str, catalog: Catalog) -> str:
    found = services.explain(catalog, item_id)
    out: str = found["title"] + "\n"
    for heading, text in found["sections"]:
        out += "\n" + (f"{heading}\n" if heading else "") + wrap(text, "  ")
    out += "\n" + catalog.labels["heading.sources"] + "\n"
    for citation in found["citations"]:
        out += wrap(f"- {citation}", "  ")
    return out
