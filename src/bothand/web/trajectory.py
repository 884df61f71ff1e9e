"""The patient page's picture of each course: per episode, one trajectory chart for each
instrument measured, with the words and the table that say the same thing
(``templates/clinic/_chart.html``). Reads content only (the instrument's bands and highest
total, the default outcome profile's response share and remission cut-off, the timeline's
short titles, the interface words) and an episode the caller has already read and audited;
no storage, no clock. The geometry is ``chart.py``'s.

Decisions:

- Only measurements in force are drawn and listed (a superseded one is left out), ordered as
  ``services.record.progress_of`` orders them (date taken, then when recorded), so the chart
  and the progress numbers start from the same first score.
- A risk screen (every item in its total a risk item: the ASQ) gets no chart: its total
  counts "yes" answers, and a positive one is already a critical flag on the page.
- Review points drawn: every one that is due, done or overdue, and the next one coming up
  if it opens within 13 weeks of the latest score; the later ones are in the plan's list
  above and would squeeze the scores to one side.
- Whether the latest score meets response or remission is read by ``domain.track.progress``
  with the same profile the lines come from, so the words and the picture agree.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from bothand.catalog import Catalog
from bothand.domain.record import Measurement
from bothand.domain.review import ReviewPoint
from bothand.domain.track.progress import progress
from bothand.web.chart import BandRange, LineWords, ReviewMark, Trajectory, trajectory
from bothand.web.dates import date_text

MINUS = "\u2212"
# The next review point is drawn when it opens within this long after the latest score; one
# further off (a yearly check) would squeeze months of scores into a corner.
NEXT_WITHIN = dt.timedelta(days=91)


@dataclass(frozen=True)
class ScoreRow:
    on: dt.date
    day: str  # the date as the table shows it ("14 Sep 2026"; it wraps at the year)
    total: int
    band: str
    change: str  # from the first score, signed, with the percentage where it is defined


@dataclass(frozen=True)
class PointRow:
    title: str
    due_from: dt.date
    due_to: dt.date
    due: str  # the window as the table shows it ("12 Oct to 26 Oct 2026")
    status: str


@dataclass(frozen=True)
class Course:
    """One instrument's chart in one episode, with its words and table rows."""

    key: str  # unique on the page: used for element ids
    short: str
    title: str
    summary: str
    chart: Trajectory
    banded: bool
    rows: tuple[ScoreRow, ...]
    points: tuple[PointRow, ...]


def courses(
    catalog: Catalog,
    key: str,
    measurements: Sequence[Measurement],
    points: Sequence[ReviewPoint],
    locale: str,
) -> list[Course]:
    """The courses of one episode (``key``: its id), one per instrument measured, in the
    order each was first measured."""
    in_force = sorted(
        (m for m in measurements if m.superseded_by is None),
        key=lambda m: (m.taken_on, m.recorded_at, m.id),
    )
    grouped: dict[str, list[Measurement]] = {}
    for m in in_force:
        if not _risk_screen(catalog, m.instrument):
            grouped.setdefault(m.instrument, []).append(m)
    if not in_force:
        return []
    shown = _shown_points(points, in_force[-1].taken_on)
    return [
        _course(catalog, f"{key}-{instrument}", instrument, series, shown, locale)
        for instrument, series in grouped.items()
    ]


def _risk_screen(catalog: Catalog, instrument_id: str) -> bool:
    """Whether every item counted in the instrument's total is a risk item (the ASQ): its
    total counts "yes" answers to risk questions, not a course to follow."""
    instrument = catalog.instruments.get(instrument_id)
    if instrument is None:
        return False
    risky = {item.number for item in instrument.risk_items}
    return all(item.number in risky for item in instrument.total_items)


def _shown_points(points: Sequence[ReviewPoint], latest: dt.date) -> list[ReviewPoint]:
    ordered = sorted(points, key=lambda p: (p.due_from, p.milestone))
    shown = [p for p in ordered if p.status != "upcoming"]
    soon = [p for p in ordered if p.status == "upcoming" and p.due_from <= latest + NEXT_WITHIN]
    return sorted(shown + soon[:1], key=lambda p: (p.due_from, p.milestone))


def _course(
    catalog: Catalog,
    key: str,
    instrument_id: str,
    measured: list[Measurement],
    points: list[ReviewPoint],
    locale: str,
) -> Course:
    t = catalog.labels.__getitem__
    instrument = catalog.instruments.get(instrument_id)
    short = instrument.short_name if instrument else instrument_id
    bands = [BandRange(b.min, b.max, b.label) for b in instrument.bands] if instrument else []
    top = instrument.total_max if instrument else max(m.total for m in measured)
    profile = catalog.outcomes.profile()
    entry = profile.for_instrument(instrument_id)
    response = entry.response_fraction.value if entry and entry.response_fraction else None
    remission = entry.remission_below.value if entry and entry.remission_below else None
    series = [(m.taken_on, m.total) for m in measured]
    short_titles = catalog.timeline.short_titles
    titles = [short_titles.get(p.milestone, p.title) for p in points]
    marks = [
        ReviewMark(p.due_from, p.status, t(f"clinic.review.{p.status}"), title)
        for p, title in zip(points, titles, strict=True)
    ]
    words = LineWords(
        t("clinic.chart.response"),
        t("clinic.chart.or_less"),
        t("clinic.chart.remission"),
        t("clinic.chart.below"),
    )
    chart = trajectory(
        series,
        max(top, max(total for _, total in series)),
        bands=bands,
        response_fraction=response,
        remission_below=remission,
        marks=marks,
        words=words,
    )
    baseline = measured[0].total

    def band(m: Measurement) -> str:
        found = instrument.band_for(m.total) if instrument else None
        return found.label if found else (m.severity or "")

    rows = tuple(
        ScoreRow(
            m.taken_on,
            day_text(m.taken_on),
            m.total,
            band(m),
            t("clinic.chart.first") if n == 0 else _change(m.total - baseline, baseline),
        )
        for n, m in enumerate(measured)
    )
    title = f"{short} {t('clinic.chart.title_after')}"
    summary = _summary(catalog, short, rows, points, locale, instrument_id, series)
    point_rows = tuple(
        PointRow(
            title, p.due_from, p.due_to, window_text(p.due_from, p.due_to, t("clinic.to")), p.status
        )
        for p, title in zip(points, titles, strict=True)
    )
    return Course(key, short, title, summary, chart, bool(bands), rows, point_rows)


def day_text(day: dt.date, year: bool = True) -> str:
    """A short date for the tables: "14 Sep 2026" (day and month never split)."""
    text = f"{day.day}\u00a0{day:%b}"
    return f"{text} {day.year}" if year else text


def window_text(begins: dt.date, ends: dt.date, to: str) -> str:
    """A due window for the tables: "12 Oct to 26 Oct 2026", or one day."""
    if ends == begins:
        return day_text(begins)
    return f"{day_text(begins, begins.year != ends.year)} {to} {day_text(ends)}"


def _change(change: int, baseline: int) -> str:
    sign = MINUS if change < 0 else "+" if change > 0 else ""
    text = f"{sign}{abs(change)}"
    if baseline > 0:
        percent = round(100 * abs(change) / baseline)
        text += f" ({sign}{percent}%)"
    return text


def _summary(
    catalog: Catalog,
    short: str,
    rows: tuple[ScoreRow, ...],
    points: list[ReviewPoint],
    locale: str,
    instrument_id: str,
    series: list[tuple[dt.date, int]],
) -> str:
    """The course in words, for the chart's description: from the first score to the latest,
    how many, the latest band, response and remission where defined, and the review points
    drawn, counted by status."""
    t = catalog.labels.__getitem__
    first, last = rows[0], rows[-1]
    on = t("clinic.chart.on")
    if len(rows) == 1:
        parts = [
            f"{short} {first.total} {on} {date_text(first.on, locale)}.",
            t("clinic.chart.only"),
        ]
    else:
        parts = [
            f"{short} {t('clinic.chart.from')} {first.total} {on} {date_text(first.on, locale)}"
            f" {t('clinic.to')} {last.total} {on} {date_text(last.on, locale)},"
            f" {len(rows)} {t('clinic.chart.scores')}."
        ]
    if last.band:
        parts.append(f"{t('clinic.chart.latest_band')} {last.band}.")
    read = progress(instrument_id, series, catalog.outcomes.profile())
    if read.response is not None:
        parts.append(t(f"clinic.chart.response_{'yes' if read.response else 'no'}"))
    if read.remission is not None:
        parts.append(t(f"clinic.chart.remission_{'yes' if read.remission else 'no'}"))
    if points:
        counts: dict[str, int] = {}
        for p in points:
            counts[p.status] = counts.get(p.status, 0) + 1
        told = ", ".join(f"{t(f'clinic.review.{status}')} {n}" for status, n in counts.items())
        parts.append(f"{t('clinic.chart.points')}: {told}.")
    return " ".join(parts)
