"""What the clinician's patient page shows of an episode's follow-up: each review point's
finding (in plain words for the person, in numbers for the clinician), and the first decision
beside every re-decision (options with fits, what changed, why, sources, the trace). One plain
context object per episode, built without a request (``templates/clinic/_findings.html`` and
``_redecisions.html`` render it). Words come from the locale files; nothing here is logged.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from bothand.catalog import Catalog
from bothand.contract.record import dump_finding
from bothand.domain.record import Episode, Redecision
from bothand.domain.review import ReviewPoint
from bothand.domain.review.finding import Finding


@dataclass(frozen=True)
class FindingView:
    milestone: str
    title: str
    kind: str
    words: str  # for the person
    instrument: str  # short name
    instrument_name: str
    baseline: int
    latest: int
    baseline_on: str
    latest_on: str
    change: int
    threshold: str
    profile: str
    weeks: int
    too_little: bool


@dataclass(frozen=True)
class ReasonView:
    text: str
    sources: tuple[str, ...]
    new: bool = False


@dataclass(frozen=True)
class OptionView:
    id: str
    name: str
    fit: str  # the fit's id (for the shape) and its words
    fit_words: str
    was: str | None = None
    was_words: str | None = None
    moved: int = 0  # steps up (+) or down (-) since the first decision
    reasons: tuple[ReasonView, ...] = ()


@dataclass(frozen=True)
class DecisionView:
    id: str
    day: str
    heading: str
    milestone: str | None = None  # the review point's title, for a re-decision
    finding: FindingView | None = None
    options: tuple[OptionView, ...] = ()
    changes: tuple[ReasonView, ...] = ()
    trace: tuple[dict[str, Any], ...] = ()


@dataclass(frozen=True)
class ReviewView:
    findings: tuple[FindingView, ...] = ()
    decisions: tuple[DecisionView, ...] = field(default_factory=tuple)  # the first, then again

    @property
    def decided_again(self) -> bool:
        return len(self.decisions) > 1


FIT_ORDER = ("not_advised", "less_suited", "reasonable", "usual_start")


def review_view(
    catalog: Catalog,
    episode: Episode,
    points: Sequence[ReviewPoint],
    findings: Mapping[str, Finding],
    redecisions: Sequence[Redecision],
    zone: str,
) -> ReviewView:
    labels = catalog.labels.text
    titles = _titles(episode)
    shown = tuple(
        _finding(catalog, findings[point.milestone], titles)
        for point in points
        if point.milestone in findings
    )
    first = DecisionView(
        id="first",
        day=_day(episode.created_at, zone),
        heading=labels["redecide.first"],
        options=tuple(
            _option(labels, option)
            for option in episode.decision.get("recommendation", {}).get("options", [])
            if isinstance(option, dict)
        ),
    )
    again = tuple(_again(catalog, r, titles, zone) for r in redecisions)
    return ReviewView(shown, (first, *again) if again else (first,))


def _titles(episode: Episode) -> dict[str, str]:
    plan = episode.plan or {}
    return {
        str(m.get("id")): str(m.get("short_title") or m.get("title") or m.get("id"))
        for m in plan.get("milestones", [])
        if isinstance(m, dict)
    }


def _day(moment: dt.datetime, zone: str) -> str:
    return moment.astimezone(ZoneInfo(zone)).date().isoformat()


def _finding(catalog: Catalog, finding: Finding, titles: Mapping[str, str]) -> FindingView:
    # The same shape as a stored re-decision's finding (the API's), read by one function.
    return _finding_of(catalog, dump_finding(finding), finding.milestone, titles)


def _finding_of(
    catalog: Catalog, data: Mapping[str, Any], milestone: str, titles: Mapping[str, str]
) -> FindingView:
    labels = catalog.labels.text
    instrument = catalog.instruments.get(str(data.get("instrument")))
    try:
        profile = catalog.outcomes.profile(str(data.get("profile"))).name
    except KeyError:
        profile = str(data.get("profile"))
    threshold = float(data.get("threshold") or 0)
    kind = str(data.get("kind"))
    return FindingView(
        milestone=milestone,
        title=titles.get(milestone, milestone),
        kind=kind,
        words=labels.get(f"finding.{kind}", kind),
        instrument=instrument.short_name if instrument else str(data.get("instrument")),
        instrument_name=instrument.name if instrument else str(data.get("instrument")),
        baseline=int(data["baseline"]["total"]),
        latest=int(data["latest"]["total"]),
        baseline_on=str(data["baseline"]["on"]),
        latest_on=str(data["latest"]["on"]),
        change=int(data.get("change") or 0),
        threshold=f"{threshold:g}",
        profile=profile,
        weeks=int(data.get("weeks") or 0),
        too_little=bool(data.get("too_little")),
    )


def _option(labels: Mapping[str, str], option: Mapping[str, Any]) -> OptionView:
    fit = str(option.get("fit"))
    was = option.get("was")
    moved = 0
    if was in FIT_ORDER and fit in FIT_ORDER:
        moved = FIT_ORDER.index(fit) - FIT_ORDER.index(str(was))
    return OptionView(
        id=str(option.get("id")),
        name=str(option.get("name", option.get("id"))),
        fit=fit,
        fit_words=labels.get(f"fit.{fit}", fit),
        was=str(was) if was is not None else None,
        was_words=labels.get(f"fit.{was}", str(was)) if was is not None else None,
        moved=moved,
        reasons=tuple(
            ReasonView(str(r.get("text")), tuple(r.get("sources") or ()), bool(r.get("new")))
            for r in option.get("reasons", [])
            if isinstance(r, dict)
        ),
    )


def _again(
    catalog: Catalog, redecision: Redecision, titles: Mapping[str, str], zone: str
) -> DecisionView:
    body = redecision.decision
    labels = catalog.labels.text
    return DecisionView(
        id=redecision.id,
        day=_day(redecision.made_at, zone),
        heading=labels["redecide.again"],
        milestone=titles.get(redecision.milestone, redecision.milestone),
        finding=_finding_of(catalog, redecision.finding, redecision.milestone, titles),
        options=tuple(_option(labels, option) for option in body.get("options", [])),
        changes=tuple(
            ReasonView(str(c.get("text")), tuple(c.get("sources") or ()))
            for c in body.get("changes", [])
        ),
        trace=tuple(body.get("trace", [])),
    )
