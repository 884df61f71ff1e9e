"""View helpers of the options and plan pages: the evidence numbers for each option, dates
in words, and the geometry of the timeline drawing. Pure functions of content and plan."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from bothand.catalog import Catalog
from bothand.domain.knowledge.evidence import Arm, Figure, Gap, RelativeFinding
from bothand.domain.plan.timeline import Milestone
from bothand.domain.vocab import OPTION_IDS

FIRST_YEAR, LAST_YEAR = 2000, 2100  # a start date outside these is a typo


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
    evidence = catalog.evidence
    table: dict[str, list[Numbers]] = {option: [] for option in OPTION_IDS}
    for option in OPTION_IDS:
        for condition in conditions:
            found = Numbers(
                condition,
                arms=[
                    (figure, arm)
                    for figure in evidence.figures
                    if figure.condition == condition
                    for arm in figure.arms
                    if arm.option == option
                ],
                relative=[
                    r for r in evidence.relative if r.condition == condition and option in r.options
                ],
                gaps=[g for g in evidence.gaps if g.condition == condition and option in g.options],
            )
            if found.arms or found.relative or found.gaps:
                table[option].append(found)
    return table


def parse_start(raw: object, locale: str) -> dt.date | None:
    """A start date as a date input sends it (2026-01-31), or as typed into the plain text
    box some browsers show instead: 31/1/2026 in the UK, 1/31/2026 in the US."""
    text = raw.strip() if isinstance(raw, str) else ""
    day: dt.date | None = None
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        parts = text.replace("-", "/").replace(".", "/").split("/")
        if len(parts) == 3 and all(p.isdigit() for p in parts) and len(parts[2]) == 4:
            first, second, year = (int(p) for p in parts)
            month, date = (second, first) if locale == "en-GB" else (first, second)
            try:
                day = dt.date(year, month, date)
            except ValueError:
                day = None
    return day if day is not None and FIRST_YEAR <= day.year <= LAST_YEAR else None


def date_text(day: dt.date, locale: str) -> str:
    """A date in words, the way people in the chosen country write it."""
    if locale == "en-GB":
        return f"{day.day} {day:%B %Y}"
    return f"{day:%B} {day.day}, {day.year}"


def timeline_chart(milestones: Sequence[Milestone]) -> dict[str, Any]:
    """Coordinates for the plan's picture: one numbered bar per milestone, on a week scale
    with at most about seven week marks."""
    left, right, top, row = 56, 620, 48, 40
    last = max([m.day_to for m in milestones] + [7])
    scale = (right - left) / last
    weeks = last / 7
    every = next((w for w in (1, 2, 4, 8, 13, 26, 52) if weeks / w <= 7), 104)
    return {
        "width": 640,
        "height": top + len(milestones) * row + 8,
        "left": left,
        "ticks": [
            {"x": round(left + week * 7 * scale, 1), "week": week}
            for week in range(0, int(weeks) + 1, every)
        ],
        "bars": [
            {
                "n": n,
                "y": top + (n - 1) * row,
                "x": round(left + m.day_from * scale, 1),
                "width": round(max((m.day_to - m.day_from) * scale, 8), 1),
            }
            for n, m in enumerate(milestones, start=1)
        ],
    }
