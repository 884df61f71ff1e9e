"""Plain-text rendering of results for a terminal: safety first, then scores, options, plan.

It renders the contract's JSON objects (``bothand.contract``: ``Recommendation``, ``Safety``,
``Plan``, ``Explainer``), so the terminal shows exactly what ``--json`` gives. Every string a
person reads comes from content (labels, reasons, explainers); this module only arranges it. It
never prints answers back except the person's own total score.
"""

from __future__ import annotations

import shutil
import textwrap
from collections.abc import Mapping
from typing import Any

from bothand import services
from bothand.catalog import Catalog

WIDTH = 78  # the widest line, even on a wider terminal: long lines are hard to read
NARROWEST = 20


def width() -> int:
    """The terminal's width (80 when it cannot be told, as when output is piped), capped at
    ``WIDTH`` and never below ``NARROWEST``."""
    columns = shutil.get_terminal_size(fallback=(80, 24)).columns
    return max(NARROWEST, min(WIDTH, columns - 1))


def wrap(text: str, indent: str = "", hang: int = 0) -> str:
    """``text`` filled to the terminal width, broken only between words: a word longer than
    the line (a web address) overflows rather than being cut in two. Lines after the first
    are indented ``hang`` more, so a list item's text lines up after its marker."""
    return (
        textwrap.fill(
            " ".join(text.split()),
            width(),
            initial_indent=indent,
            subsequent_indent=indent + " " * hang,
            break_long_words=False,
            break_on_hyphens=False,
        )
        + "\n"
    )


def rule() -> str:
    return "=" * width() + "\n"


def render_safety(safety: Mapping[str, Any], catalog: Catalog) -> str:
    """A ``contract.Safety``: the crisis box, shown only when urgent."""
    labels = catalog.labels
    out = ""
    if safety["urgent"]:
        out += rule()
        out += wrap(labels["heading.safety"].upper())
        out += wrap(safety["message"])
        for resource in safety["resources"]:
            out += wrap(f"{resource['name']}: {resource['contact']}. {resource['detail']}", "  ")
        out += rule() + "\n"
    return out


def render_risk_status(safety: Mapping[str, Any], catalog: Catalog, indent: str = "  ") -> str:
    """Whether risk was asked (never silence, never "no risk"): "risk not assessed" when no
    risk question was answered, the notes, and the clinician's review flags in words."""
    labels = catalog.labels
    if not safety.get("risk_assessed", True):
        out = wrap(labels["flow.risk.not_assessed"], indent)
    elif safety["urgent"]:
        out = wrap(labels["flow.risk.urgent"], indent)
    else:
        out = wrap(labels["flow.risk.asked"], indent)
    for note in safety["notes"]:
        out += wrap(note, indent)
    flags = [services.review_flag_text(catalog, flag) for flag in safety.get("review_flags", ())]
    if flags:
        out += wrap(f"{labels['flow.risk.for_clinician']} {'; '.join(flags)}.", indent)
    return out


def render_recommendation(result: Mapping[str, Any], catalog: Catalog) -> str:
    """A ``contract.Recommendation``."""
    labels = catalog.labels
    sources = Sources(catalog)
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
    out += "\n" + labels["flow.risk.status_heading"] + "\n"
    out += render_risk_status(result["safety"], catalog)
    out += "\n" + labels["heading.options"] + "\n" + wrap(labels["heading.options_note"])
    for number, option in enumerate(result["options"], start=1):
        out += f"\n{number}. {option['name']} - {labels['fit.' + option['fit']]}\n"
        out += wrap(option["summary"], "   ")
        for reason in option["reasons"]:
            out += wrap(f"- {reason['text']} {sources.cite(reason['sources'])}", "   ", hang=2)
    plan = result["plan"]
    out += "\n" + render_plan(plan, catalog)
    if not result["safety"]["urgent"]:
        out += "\n" + wrap(result["safety"]["message"])
        for resource in result["safety"]["resources"]:
            out += wrap(f"{resource['name']}: {resource['contact']}", "  ")
    out += sources.render(labels["heading.sources"])
    out += "\n" + wrap(labels["disclaimer"])
    out += wrap(
        f"{labels['content.version']}: {result['content']['version']} "
        f"({result['content']['reviewed']})"
    )
    return out


class Sources:
    """Sources numbered in the order they are first cited: a reason shows ``[1, 2]`` and the
    list at the end gives each number's citation, so no raw source id is ever printed."""

    def __init__(self, catalog: Catalog) -> None:
        self._citations = {s.id: s.citation for s in catalog.bibliography.sources}
        self._numbers: dict[str, int] = {}

    def cite(self, ids: list[str]) -> str:
        numbers = [self._numbers.setdefault(i, len(self._numbers) + 1) for i in ids]
        return f"[{', '.join(str(n) for n in numbers)}]" if numbers else ""

    def render(self, heading: str = "") -> str:
        if not self._numbers:
            return ""
        out = "\n" + (heading or "Sources") + "\n"
        for source_id, number in self._numbers.items():
            label = f"[{number}] "
            out += wrap(label + self._citations.get(source_id, source_id), "  ", len(label))
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


def render_summary(
    catalog: Catalog,
    result: Mapping[str, Any],
    case: Mapping[str, Any],
    values: Any,
    plan: Mapping[str, Any],
) -> str:
    """The front sheet of the web summary, as text: concerns and scores, risk status, what
    matters, the leaning, readiness, the chosen option with its next three dates, and the
    questions to ask. ``values`` has ``matters``, ``leaning`` and ``sure`` (the session's)."""
    labels = catalog.labels
    names = services.condition_names(catalog)
    options = {info.id: info.name for info in catalog.explainers.options}
    out = rule() + wrap(labels["summary.title"].upper()) + rule()
    out += "\n" + labels["summary.concerns_heading"] + "\n"
    for a in result["assessments"]:
        severity = labels[f"severity.{a['severity']}"]
        if a["instrument"] is None:
            out += wrap(f"{names[a['condition']]}: {severity}", "  ")
        else:
            instrument = catalog.instruments[a["instrument"]]
            total = labels["summary.no_score"] if a["total"] is None else str(a["total"])
            out += wrap(
                f"{names[a['condition']]}: {instrument.short_name} {total} "
                f"{labels['summary.out_of']} {instrument.total_max}, {severity}",
                "  ",
            )
            given = next(
                (
                    c.get("answers")
                    for c in case["concerns"]
                    if c.get("instrument") == a["instrument"]
                ),
                None,
            )
            if given:
                items = ", ".join(f"{n}: {v}" for n, v in enumerate(given, start=1))
                out += wrap(f"{labels['session.item_answers']} {items}", "    ")
    safety = result["safety"]
    out += "\n" + labels["summary.help_heading"] + "\n"
    if safety["urgent"]:
        out += wrap(labels["summary.clinician_flag"], "  ")
    for resource in safety["resources"]:
        out += wrap(f"{resource['name']}: {resource['contact']}", "  ")
    out += "\n" + labels["summary.risk_heading"] + "\n"
    out += render_risk_status(safety, catalog)
    out += "\n" + labels["summary.matters_heading"] + "\n"
    for what, weight in sorted(values.matters.items(), key=lambda pair: -pair[1]):
        out += wrap(f"{labels[f'flow.value.{what}']}: {labels[f'flow.value.scale_{weight}']}", "  ")
    preferences = case["preferences"]
    out += wrap(
        f"{labels['summary.medicine_feeling']}: "
        f"{labels['preference.' + preferences['medication']]}",
        "  ",
    )
    out += wrap(
        f"{labels['summary.therapy_feeling']}: {labels['preference.' + preferences['therapy']]}",
        "  ",
    )
    engage = case.get("able_to_engage_in_therapy", True)
    out += wrap(
        f"{labels['summary.engage']} {labels['answer.' + ('yes' if engage else 'no')]}", "  "
    )
    out += "\n" + labels["summary.leaning_heading"] + "\n"
    if values.leaning == "unsure":
        out += wrap(labels["summary.leaning_unsure"], "  ")
    elif values.leaning:
        out += wrap(labels[f"flow.leaning.{values.leaning}"], "  ")
    else:
        out += wrap(labels["summary.leaning_none"], "  ")
    if values.sure:
        out += "\n" + labels["summary.readiness_heading"] + "\n"
        for area, answer in values.sure.items():
            out += wrap(f"{labels[f'flow.sure.{area}']} {labels['answer.' + answer]}", "  ")
    out += "\n" + labels["summary.plan_heading"] + "\n"
    out += wrap(f"{labels['summary.plan_for']} {options[plan['option']]}", "  ")
    for milestone in plan["milestones"][:3]:
        first, last = milestone.get("date_from"), milestone.get("date_to")
        when = first if first == last else f"{first} to {last}"
        out += wrap(f"{when}: {milestone['title']}", "  ")
    out += "\n" + labels["summary.questions_heading"] + "\n"
    for key, text in labels.text.items():
        if key.startswith("summary.question."):
            out += wrap(f"- {text}", "  ", hang=2)
    return out
