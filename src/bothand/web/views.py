"""View helpers shared by the pages: the short label of each source, the evidence about a
condition and option (the one place evidence is filtered), and the geometry of the timeline
drawing. Pure functions of content and plan; dates are in ``dates.py``."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from bothand.catalog import Catalog
from bothand.domain.knowledge.evidence import Arm, Figure, Gap, RelativeFinding
from bothand.domain.knowledge.sources import Source
from bothand.domain.plan.plan import Milestone
from bothand.domain.vocab import OPTION_IDS
from bothand.services import review_flag_text
from bothand.web.flowstate import FlowAnswers


@dataclass
class Numbers:
    """What the evidence says about one option for one condition."""

    condition: str
    arms: list[tuple[Figure, Arm]] = field(default_factory=list)
    relative: list[RelativeFinding] = field(default_factory=list)
    gaps: list[Gap] = field(default_factory=list)


def numbers_for(catalog: Catalog, conditions: Sequence[str]) -> dict[str, list[Numbers]]:
    """Option id -> per condition: figure arms, relative findings and gaps, in content
    order. A condition with nothing for an option is left out for that option."""
    table: dict[str, list[Numbers]] = {option: [] for option in OPTION_IDS}
    for option in OPTION_IDS:
        for condition in conditions:
            view = evidence_for(catalog, condition, option)
            if not view.empty:
                arms = [(f, arm) for f in view.figures for arm in f.arms if arm.option == option]
                table[option].append(Numbers(condition, arms, list(view.findings), list(view.gaps)))
    return table


def figures_for(catalog: Catalog, conditions: Sequence[str]) -> list[Figure]:
    """Every figure about any of ``conditions``, in content order."""
    return [f for f in catalog.evidence.figures if f.condition in conditions]


@dataclass(frozen=True)
class EvidenceView:
    """Figures (natural frequencies), comparisons told in words, and honest gaps."""

    figures: tuple[Figure, ...] = ()
    findings: tuple[RelativeFinding, ...] = ()
    gaps: tuple[Gap, ...] = ()

    @property
    def empty(self) -> bool:
        return not (self.figures or self.findings or self.gaps)


def evidence_for(catalog: Catalog, condition: str, option: str | None = None) -> EvidenceView:
    """The evidence about ``condition``; with ``option``, only what speaks about that option."""
    evidence = catalog.evidence

    def about(options: tuple[str, ...]) -> bool:
        return option is None or option in options

    return EvidenceView(
        figures=tuple(
            f
            for f in evidence.figures
            if f.condition == condition and about(tuple(arm.option for arm in f.arms))
        ),
        findings=tuple(
            r for r in evidence.relative if r.condition == condition and about(r.options)
        ),
        gaps=tuple(g for g in evidence.gaps if g.condition == condition and about(g.options)),
    )


# --- sources ----------------------------------------------------------------------------------

_ACRONYM = re.compile(r"\(([A-Z][A-Z/]{1,9})\)")


@lru_cache(maxsize=8)
def source_labels(catalog: Catalog) -> dict[str, str]:
    """A short, unique label per source id for links ("NICE 2022", "Cuijpers et al. 2013a").

    Built from the citation: an acronym in brackets wins ("(NICE)"), then the first author's
    surname, else the organisation. Labels that would repeat get a, b, c in bibliography order,
    as in a printed reference list, so no two links with the same words lead to different
    places."""
    plain = {source.id: _short_label(source) for source in catalog.bibliography.sources}
    counts: dict[str, int] = {}
    for label in plain.values():
        counts[label] = counts.get(label, 0) + 1
    seen: dict[str, int] = {}
    labels = {}
    for source_id, label in plain.items():
        if counts[label] > 1:
            index = seen.get(label, 0)
            seen[label] = index + 1
            label = f"{label}{'abcdefghijklmnopqrstuvwxyz'[index % 26]}"
        labels[source_id] = label
    return labels


def _short_label(source: Source) -> str:
    head = source.citation.split(". ")[0].strip().rstrip(".")
    acronym = _ACRONYM.search(head)
    if acronym:
        who = acronym.group(1)
    elif re.match(r"^[A-Z][\w'-]+ [A-Z]{1,4}(,|$)", head):  # "Cuijpers P, Noma H, ..."
        authors = [part for part in head.split(",") if part.strip() not in ("", "...", "et al")]
        surname = authors[0].split()[0]
        who = surname if len(authors) == 1 else f"{surname} et al."
        if len(authors) == 2 and "et al" not in head:
            who = f"{surname} and {authors[1].split()[0]}"
    else:
        # "Shout 85258 (United Kingdom), run by ...": the name, without place or aside
        who = re.sub(r"\s*\([^)]*\)", "", head).split(",")[0]
    return f"{who} {source.year}" if source.year else who


# The plan's picture, in the SVG's own units: 640 wide, scaled to the page (about 350 px on
# a 390 px phone, so 1 unit is about 0.55 px there; 26 units of text is then about 14 px).
CHART_WIDTH = 640
CHART_EDGE = 8  # room kept at each side
CHART_TOP = 44  # below the month labels
CHART_ROW = 40  # one bar with its name beside it
CHART_STACKED_ROW = 64  # a name that fits on neither side goes above its bar
CHART_FONT = 26  # names and month labels
CHART_CHAR = 0.56  # a generous average width of a character, as a share of the font size
DAYS_PER_MONTH = 365.25 / 12


def text_width(text: str, font: float = CHART_FONT) -> float:
    """A generous estimate of how wide ``text`` is drawn (no font metrics here)."""
    return len(text) * font * CHART_CHAR


def timeline_chart(
    milestones: Sequence[Milestone], names: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """Coordinates for the plan's picture: one bar per milestone on a scale of months from the
    start, at most about six month marks, each bar with its short name (``names``, by
    milestone id; the milestone's title otherwise) beside it: to the right where it fits, else
    to the left, else on a line of its own above the bar. Nothing is drawn outside the
    picture, and no name is drawn over a bar."""
    names = names or {}
    left, right = CHART_EDGE, CHART_WIDTH - CHART_EDGE
    last = max([m.day_to for m in milestones] + [31])  # at least one month
    scale = (right - left) / last
    months = last / DAYS_PER_MONTH
    every = next((step for step in (1, 2, 3, 6, 12) if months / step <= 6), 24)
    ticks: list[dict[str, Any]] = []
    for month in range(0, int(months) + 1, every):
        x = round(left + month * DAYS_PER_MONTH * scale, 1)
        anchor = "start" if month == 0 else "middle"
        if x + text_width(str(month)) / 2 > right:
            anchor = "end"
        ticks.append({"x": x, "month": month, "anchor": anchor})
    bars = []
    y = CHART_TOP
    for n, milestone in enumerate(milestones, start=1):
        name = names.get(milestone.id, milestone.title)
        x = round(left + milestone.day_from * scale, 1)
        width = round(max((milestone.day_to - milestone.day_from) * scale, 8), 1)
        wide = text_width(name)
        if x + width + 8 + wide <= right:
            label = {"x": round(x + width + 8, 1), "anchor": "start", "stacked": False}
        elif x - 8 - wide >= left:
            label = {"x": round(x - 8, 1), "anchor": "end", "stacked": False}
        else:
            start = min(x, right - wide)
            label = {"x": round(max(start, left), 1), "anchor": "start", "stacked": True}
        height = CHART_STACKED_ROW if label["stacked"] else CHART_ROW
        bar_y = y + height - 34
        bars.append(
            {
                "n": n,
                "name": name,
                "x": x,
                "y": bar_y,
                "width": width,
                "label_x": label["x"],
                "label_y": bar_y - 8 if label["stacked"] else bar_y + 20,
                "anchor": label["anchor"],
            }
        )
        y += height
    return {"width": CHART_WIDTH, "height": y + 8, "left": left, "ticks": ticks, "bars": bars}


def risk_status(
    catalog: Catalog, safety: dict[str, Any], answers: FlowAnswers | None = None
) -> dict[str, Any]:
    """What the risk status partial (``_risk_status.html``) shows: whether risk was assessed
    (never "no risk"), each risk answer given with its words, the notes, and the clinician's
    review flags in words."""
    given: list[tuple[str, int, str, str]] = []  # (instrument, item number, question, answer)
    for instrument, values in answers.risk_forms(catalog) if answers is not None else ():
        for item, value in zip(instrument.items, values, strict=True):
            if not item.risk or (value is None and item.show == "always"):
                continue
            words = catalog.labels["flow.risk.not_asked"]
            for option in instrument.options_for(item):
                if option.value == value:
                    words = f"{option.text} ({value})" if option.text else str(value)
            given.append((instrument.short_name, item.number, item.text or "", words))
    return {
        "assessed": safety.get("risk_assessed", True),
        "urgent": safety.get("urgent", False),
        "notes": list(safety.get("notes", ())),
        "answers": given,
        "flags": [review_flag_text(catalog, flag) for flag in safety.get("review_flags", ())],
    }
