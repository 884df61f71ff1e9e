"""The geometry of a trajectory chart: one instrument's scores over an episode, drawn by
``templates/clinic/_chart.html`` as inline SVG. Pure: plain numbers, dates and words in,
coordinates out. It knows nothing of the catalog, the record or storage (``trajectory.py``
gathers what it needs), and it draws nothing itself.

The picture, in the SVG's own units (``WIDTH`` wide; it scales to the page, about 0.6 px a
unit in an episode card on a 390 px phone, so 24 units of text is about 14 px there):

- the y axis runs from 0 at the bottom to the instrument's highest total at the top;
- the x axis runs by date from the first thing drawn to the last: a few days ("14 Sep") over
  half a year or less, the first days of months over longer spans;
- each band is a lightly shaded strip, named where its name fits;
- the response line (a fall of at least the profile's share below the first score) and the
  remission line (below the cut-off) are drawn dashed and named, with their numbers;
- each review point is a dotted line from its status's shape (in a strip above the plot, on
  as many rows as keep the shapes apart) down through the plot at its date; points due from
  the same day share a line; a key under the dates gives the word for each shape drawn
  (words over every line did not fit a phone once a plan had a dozen points);
- the scores are dots joined by a line, the first and the latest named with their totals.

Names are placed where they cover least of what is drawn: a word or a number counts most, a
dot less, the course least (names carry a light halo over it). The estimate of a text's
width is generous (no font metrics on the server).

Decisions:

- Totals are whole numbers, so every boundary is drawn halfway between two of them: a band
  of 5-9 covers 4.5 to 9.5, the remission line of "below 5" lies at 4.5, and the response
  line for a first score of 18 (a fall of at least half: 9 or less) lies at 9.5. No dot ever
  sits on a boundary, and a dot below a line meets it. The y range is -0.5 to top + 0.5 so
  the bands fill it exactly.
- The response line needs a change, so one score draws no response line; the remission line
  is a fixed cut-off and is drawn from the first score on. No cut-off, no line; no bands, no
  shading.
- A single date (one score and no review point) is drawn in the middle of the axis.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from fractions import Fraction

WIDTH = 520
LEFT = 50  # room for the score labels of the y axis
RIGHT = WIDTH - 8
STRIP_TOP = 8  # the review points' shapes sit in a strip above the plot
PLOT_HEIGHT = 300
INSET = 18  # dots are kept this far inside the left and right edges of the plot
FONT = 24
CHAR = 0.56  # a generous average width of a character, as a share of the font size
TICK_GAP = 28  # from the bottom of the plot to the baseline of the date labels
MARK_ROW_HEIGHT = 30
KEY_GAP = 38  # from the date labels to the key to the review points' shapes
KEY_ROW_HEIGHT = 30
GLYPH_HALF = 9  # about half the width of a status shape
LINE_LABEL_GAP = 7  # between a line and the name written above or below it
DOT = 7  # a score's radius, down to DOT_MIN when many scores share the width
DOT_MIN = 4
# The shapes of clinic/_macros.html's review_status, so the picture and the lists agree.
STATUS_GLYPHS = {"upcoming": "○", "due": "◆", "done": "✓", "overdue": "!"}

_Scale = Callable[[float], float]  # a score to its y
_Dates = Callable[[dt.date], float]  # a date to its x


def text_width(text: str, font: float = FONT) -> float:
    """A generous estimate of how wide ``text`` is drawn (no font metrics here)."""
    return len(text) * font * CHAR


@dataclass(frozen=True)
class BandRange:
    """A published band of totals, ``low`` to ``high`` inclusive, with its name."""

    low: int
    high: int
    name: str


@dataclass(frozen=True)
class ReviewMark:
    """A review point to mark: the first day of its window, its status, the word for the
    status and its title (for the table and a hover tip)."""

    on: dt.date
    status: str
    word: str
    title: str


@dataclass(frozen=True)
class LineWords:
    """The words that name the two lines: "Response", "or less", "Remission", "below"."""

    response: str
    or_less: str
    remission: str
    below: str


@dataclass(frozen=True)
class BandShape:
    name: str
    y: float  # top edge
    height: float
    shade: float  # fill opacity: light for the lowest band, a little darker for each above
    label_y: float | None  # None: the band is too narrow to hold its name
    label_x: float
    anchor: str


@dataclass(frozen=True)
class LineShape:
    kind: str  # "response" or "remission"
    value: float  # the boundary in score units (halfway between two totals)
    y: float
    label: str
    label_y: float
    label_x: float
    anchor: str


@dataclass(frozen=True)
class PointShape:
    on: dt.date
    total: int
    x: float
    y: float


@dataclass(frozen=True)
class ValueLabel:
    text: str
    x: float
    y: float
    anchor: str


@dataclass(frozen=True)
class Tick:
    text: str
    x: float
    y: float
    anchor: str


@dataclass(frozen=True)
class MarkShape:
    on: dt.date
    status: str  # the most pressing status of the points due from this day
    label: str  # the shape of each status found that day, most pressing first
    title: str  # the points' names (a hover tip; the table lists them)
    x: float
    row: int
    label_y: float  # the baseline of the shapes, in the strip above the plot
    label_x: float
    anchor: str
    parts: tuple[tuple[str, str], ...] = ()  # (status, its shape) making up label


@dataclass(frozen=True)
class KeyItem:
    """One entry of the key to the review points' shapes: the shape and the word."""

    status: str
    text: str
    x: float
    y: float


@dataclass(frozen=True)
class Trajectory:
    """Everything the template draws, in viewBox units."""

    width: int
    height: int
    left: float
    right: float
    top: float
    bottom: float
    bands: tuple[BandShape, ...]
    lines: tuple[LineShape, ...]
    points: tuple[PointShape, ...]
    path: str  # "M x y L x y ..."; empty with fewer than two scores
    dot: float  # the radius of a score's dot: smaller when many share the width
    values: tuple[ValueLabel, ...]  # the first and the latest total, beside their dots
    y_ticks: tuple[Tick, ...]
    x_ticks: tuple[Tick, ...]
    marks: tuple[MarkShape, ...]
    key: tuple[KeyItem, ...]  # the words for the shapes of the review points drawn


def response_limit(baseline: int, fraction: float) -> int | None:
    """The highest whole total that is at least ``fraction`` below ``baseline`` (None when
    no total can be: a baseline of 0)."""
    if baseline <= 0:
        return None
    return math.floor(Fraction(baseline) * (1 - Fraction(str(fraction))))


def remission_limit(below: float) -> int:
    """The highest whole total below ``below``."""
    return math.ceil(below) - 1


def trajectory(
    series: Sequence[tuple[dt.date, int]],
    top: int,
    *,
    bands: Sequence[BandRange] = (),
    response_fraction: float | None = None,
    remission_below: float | None = None,
    marks: Sequence[ReviewMark] = (),
    words: LineWords,
) -> Trajectory:
    """The chart of ``series`` (``(taken_on, total)`` in the order taken, at least one; the
    first is the baseline) on a scale of 0 to ``top``; ``words`` name the lines (from the
    locale)."""
    if not series:
        raise ValueError("a trajectory needs at least one score")
    if top <= 0:
        raise ValueError("the highest total must be above 0")
    days = [on for on, _ in series] + [mark.on for mark in marks]
    start, end = min(days), max(days)
    span = (end - start).days

    def x_of(day: dt.date) -> float:
        if span == 0:
            return round((LEFT + RIGHT) / 2, 1)
        share = (day - start).days / span
        return round(LEFT + INSET + share * (RIGHT - LEFT - 2 * INSET), 1)

    placed = _place_marks(marks, x_of)
    rows = 1 + max((mark.row for mark in placed), default=-1)
    plot_top = STRIP_TOP + rows * MARK_ROW_HEIGHT + (8 if rows else 10)
    bottom = plot_top + PLOT_HEIGHT
    low, high = -0.5, top + 0.5

    def y_of(value: float) -> float:
        clamped = min(max(value, low), high)
        return round(bottom - (clamped - low) / (high - low) * PLOT_HEIGHT, 1)

    frame = _Frame(plot_top, bottom)
    points = tuple(PointShape(on, total, x_of(on), y_of(total)) for on, total in series)
    path = ""
    if len(points) > 1:
        path = "M" + " L".join(f"{p.x} {p.y}" for p in points)
    spacing = (RIGHT - LEFT - 2 * INSET) / max(len(points) - 1, 1)
    dot = round(max(DOT_MIN, min(DOT, spacing / 2.4)), 1)
    obstacles = _obstacles(points, dot)
    values = _values(points, frame)
    obstacles += [(*_box(v.text, v.x, v.y, v.anchor), TEXT_WEIGHT) for v in values]
    lines = _lines(series, response_fraction, remission_below, words, y_of, frame, obstacles)
    obstacles += [
        (*_box(line.label, line.label_x, line.label_y, line.anchor), TEXT_WEIGHT) for line in lines
    ]
    key = _key(marks, bottom + TICK_GAP + KEY_GAP)
    return Trajectory(
        width=WIDTH,
        height=round((key[-1].y if key else bottom + TICK_GAP) + 10),
        left=LEFT,
        right=RIGHT,
        top=plot_top,
        bottom=bottom,
        bands=_bands(bands, top, y_of, obstacles),
        lines=lines,
        points=points,
        path=path,
        dot=dot,
        values=values,
        y_ticks=_y_ticks(bands, top, y_of),
        x_ticks=_x_ticks(start, end, x_of, bottom + TICK_GAP),
        marks=tuple(
            replace(mark, label_y=round(plot_top - 9 - mark.row * MARK_ROW_HEIGHT, 1))
            for mark in placed
        ),
        key=key,
    )


@dataclass(frozen=True)
class _Frame:
    top: float
    bottom: float


_Box = tuple[float, float, float, float]  # left, top, right, bottom
# An obstacle is a box and how much covering it matters: a word or a number most, a dot less,
# a short stretch of the course least (a name over a thin line stays readable).
_Obstacle = tuple[float, float, float, float, int]
TEXT_WEIGHT, DOT_WEIGHT, COURSE_WEIGHT = 20, 5, 1


def _box(text: str, x: float, y: float, anchor: str) -> _Box:
    """Where ``text`` drawn at baseline ``y`` with ``anchor`` is, generously."""
    wide = text_width(text)
    left = x if anchor == "start" else x - wide if anchor == "end" else x - wide / 2
    return (left - 3, y - FONT * 0.85, left + wide + 3, y + FONT * 0.3)


def _obstacles(points: tuple[PointShape, ...], dot: float) -> list[_Obstacle]:
    """The dots, and the line between them sampled every few units."""
    found: list[_Obstacle] = [
        (p.x - dot - 2, p.y - dot - 2, p.x + dot + 2, p.y + dot + 2, DOT_WEIGHT) for p in points
    ]
    for a, b in itertools.pairwise(points):
        steps = max(1, int(math.hypot(b.x - a.x, b.y - a.y) // 6))
        for n in range(1, steps):
            x = a.x + (b.x - a.x) * n / steps
            y = a.y + (b.y - a.y) * n / steps
            found.append((x - 2, y - 2, x + 2, y + 2, COURSE_WEIGHT))
    return found


def _bands(
    bands: Sequence[BandRange], top: int, y_of: _Scale, obstacles: Sequence[_Obstacle]
) -> tuple[BandShape, ...]:
    """Shaded strips, lightest at the bottom; each named where its name fits: at the right,
    else at the first place along the band not taken by a dot or a word."""
    shapes = []
    drawn = [band for band in bands if band.low <= top]
    # Names are drawn over the course with a light halo, so only dots and words count.
    marks = [o for o in obstacles if o[4] != COURSE_WEIGHT]
    for n, band in enumerate(drawn):
        upper, lower = y_of(min(band.high, top) + 0.5), y_of(band.low - 0.5)
        height = round(lower - upper, 1)
        shade = round(0.06 + 0.16 * n / max(len(drawn) - 1, 1), 3)
        label_x, anchor, label_y = RIGHT - 8.0, "end", None
        if height >= FONT + 6:
            middle = round(upper + height / 2 + FONT * 0.35, 1)
            label_x, label_y, anchor = _free_spot(band.name, [middle], marks, prefer_right=True)
        shapes.append(BandShape(band.name, upper, height, shade, label_y, label_x, anchor))
    return tuple(shapes)


def _lines(
    series: Sequence[tuple[dt.date, int]],
    response_fraction: float | None,
    remission_below: float | None,
    words: LineWords,
    y_of: _Scale,
    frame: _Frame,
    obstacles: list[_Obstacle],
) -> tuple[LineShape, ...]:
    found: list[tuple[str, float, str]] = []
    if response_fraction is not None and len(series) > 1:
        limit = response_limit(series[0][1], response_fraction)
        if limit is not None and limit >= 0:
            label = f"{words.response}: {limit} {words.or_less}"
            found.append(("response", limit + 0.5, label))
    if remission_below is not None:
        limit = remission_limit(remission_below)
        if limit >= 0:
            label = f"{words.remission}: {words.below} {_number(remission_below)}"
            found.append(("remission", limit + 0.5, label))
    # The higher line is named above itself and the lower below, so two close lines keep
    # their names apart; a name that would leave the plot goes to the other side. It starts
    # at the left, or at the first place along the line (then on its other side) not taken
    # by a dot, the course or another name.
    found.sort(key=lambda line: -line[1])
    shapes = []
    # A line's name has a halo and is drawn over the course, so only dots and words count.
    taken = [o for o in obstacles if o[4] != COURSE_WEIGHT]
    for n, (kind, value, label) in enumerate(found):
        y = y_of(value)
        over = round(y - LINE_LABEL_GAP, 1)
        under = round(y + LINE_LABEL_GAP + FONT * 0.75, 1)
        sides = [over, under] if n == 0 else [under, over]
        inside = [b for b in sides if frame.top < b - FONT * 0.8 and b < frame.bottom - 2]
        label_x, label_y, anchor = _free_spot(label, inside or sides[:1], taken, prefer_right=False)
        taken.append((*_box(label, label_x, label_y, anchor), TEXT_WEIGHT))
        shapes.append(LineShape(kind, value, y, label, label_y, label_x, anchor))
    return tuple(shapes)


def _free_spot(
    text: str, baselines: Sequence[float], obstacles: Sequence[_Obstacle], *, prefer_right: bool
) -> tuple[float, float, str]:
    """(x, baseline, anchor) for ``text``: on the first of ``baselines``, at the preferred end
    of the plot, else the other end, else one of a few places between them, the first where
    it touches nothing; then the same on the next baseline. Where every place is taken, the
    one that covers least (by weight: words, then dots, then the course)."""
    right, left = (RIGHT - 8.0, "end"), (LEFT + 8.0, "start")
    ends = [right, left] if prefer_right else [left, right]
    wide = text_width(text)
    inner = [
        (LEFT + 8.0 + wide / 2 + share * (RIGHT - LEFT - 16.0 - wide), "middle")
        for share in (0.5, 0.25, 0.75, 0.125, 0.375, 0.625, 0.875)
        if wide < RIGHT - LEFT - 16.0
    ]
    spots = [(x, y, anchor) for y in baselines for x, anchor in (*ends, *inner)]
    return min(spots, key=lambda spot: _touching(_box(text, *spot), obstacles))


def _touching(box: _Box, obstacles: Sequence[_Obstacle]) -> int:
    """How much of what is drawn ``box`` would cover, by weight."""
    left, top, right, bottom = box
    return sum(
        weight
        for b_left, b_top, b_right, b_bottom, weight in obstacles
        if left < b_right and b_left < right and top < b_bottom and b_top < bottom
    )


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def _values(points: tuple[PointShape, ...], frame: _Frame) -> tuple[ValueLabel, ...]:
    """The first and the latest total above their dots (below, where above would leave the
    plot)."""
    chosen = [points[0]] if len(points) == 1 else [points[0], points[-1]]
    labels = []
    for point in chosen:
        above = point.y - DOT - 6
        y = above if above - FONT * 0.8 > frame.top else point.y + DOT + 4 + FONT * 0.8
        labels.append(ValueLabel(str(point.total), point.x, round(y, 1), "middle"))
    return tuple(labels)


def _y_ticks(bands: Sequence[BandRange], top: int, y_of: _Scale) -> tuple[Tick, ...]:
    """The lowest total of each band (or even steps without bands), and the top."""
    if bands:
        values = sorted({band.low for band in bands if 0 <= band.low <= top} | {0})
    else:
        step = next(s for s in (1, 2, 5, 10, 20, 25, 50, 100, 10**9) if top / s <= 6)
        values = list(range(0, top + 1, step))
    kept: list[int] = []
    for value in [*values, top]:
        if value in kept:
            continue
        # The top always shows; a step that would crowd it gives way.
        if kept and abs(y_of(value) - y_of(kept[-1])) < FONT:
            if value != top:
                continue
            kept.pop()
        kept.append(value)
    return tuple(Tick(str(v), LEFT - 8, round(y_of(v) + FONT * 0.35, 1), "end") for v in kept)


def _x_ticks(start: dt.date, end: dt.date, x_of: _Dates, y: float) -> tuple[Tick, ...]:
    """Dates under the axis: up to five evenly spaced days ("14 Sep") over half a year or
    less; the first days of months ("Oct", with the year on the first and on each January)
    over longer spans. A label that would crowd the one before it is left out."""
    span = (end - start).days
    if span == 0:
        return (Tick(f"{start.day} {start:%b}", x_of(start), y, "middle"),)
    wanted: list[tuple[dt.date, str]]
    if span <= 183:
        days = sorted({start + dt.timedelta(days=round(i * span / 4)) for i in range(5)})
        wanted = [(day, f"{day.day} {day:%b}") for day in days]
    else:
        firsts = []
        month = dt.date(start.year, start.month, 1)
        while month <= end:
            if month >= start:
                firsts.append(month)
            month = dt.date(month.year + month.month // 12, month.month % 12 + 1, 1)
        step = next(k for k in (1, 2, 3, 6, 12, 24, 60) if len(firsts) / k <= 5)
        kept = [d for d in firsts if (d.year * 12 + d.month - 1) % step == 0] or firsts[:1]
        wanted = [
            (d, f"{d:%b} {d.year}" if n == 0 or d.month == 1 else f"{d:%b}")
            for n, d in enumerate(kept)
        ]
    ticks: list[Tick] = []
    last_right = -math.inf
    for day, text in wanted:
        x = x_of(day)
        wide = text_width(text)
        anchor = "middle"
        if x - wide / 2 < LEFT:
            anchor = "start"
        elif x + wide / 2 > WIDTH - 2:
            anchor = "end"
        left = x if anchor == "start" else x - wide if anchor == "end" else x - wide / 2
        if left < last_right + 12:
            if day != wanted[-1][0] or len(ticks) < 2:
                continue  # too close to the one before: that date says enough
            ticks.pop()  # the last date shows; the one before it gives way
        ticks.append(Tick(text, x, y, anchor))
        last_right = left + wide
    return tuple(ticks)


_URGENCY = ("overdue", "due", "upcoming", "done")


def _place_marks(marks: Sequence[ReviewMark], x_of: _Dates) -> list[MarkShape]:
    """Review points in the strip above the plot, one line per date (points due from the
    same day share it): the shape of each status found that day, most pressing first,
    centred over the line, on the lowest row where it overlaps no other shape and no line of
    a mark above crosses it. The words for the shapes are in the key under the axis."""
    by_day: dict[dt.date, list[ReviewMark]] = {}
    for mark in sorted(marks, key=lambda m: m.on):
        by_day.setdefault(mark.on, []).append(mark)
    rows: list[list[tuple[float, float]]] = []
    placed = []
    for on, group in by_day.items():
        x = x_of(on)
        statuses = sorted({mark.status for mark in group}, key=_rank)
        parts = tuple((status, STATUS_GLYPHS.get(status, "")) for status in statuses)
        label = "".join(glyph for _, glyph in parts)
        half = len(label) * GLYPH_HALF
        row = _free_row(rows, x - half, x + half, x, gap=3)
        title = "; ".join(mark.title for mark in group)
        placed.append(MarkShape(on, statuses[0], label, title, x, row, 0.0, x, "middle", parts))
    return placed


def _key(marks: Sequence[ReviewMark], y: float) -> tuple[KeyItem, ...]:
    """The key to the review points' shapes: each status drawn, with its word, left to right
    under the date labels, on a new row where the next would not fit."""
    words: dict[str, str] = {}
    for mark in marks:
        words.setdefault(mark.status, mark.word)
    items = []
    x = 4.0
    for status in sorted(words, key=_rank):
        text = f"{STATUS_GLYPHS.get(status, '')} {words[status]}"
        wide = text_width(text)
        if x > 4.0 and x + wide > WIDTH - 4:
            x, y = 4.0, y + KEY_ROW_HEIGHT
        items.append(KeyItem(status, text, round(x, 1), round(y, 1)))
        x += wide + 24
    return tuple(items)


def _rank(status: str) -> int:
    return _URGENCY.index(status) if status in _URGENCY else len(_URGENCY)


def _free_row(
    rows: list[list[tuple[float, float]]], left: float, right: float, x: float, gap: float = 10
) -> int:
    """The lowest row (0 is next to the plot) where [left, right] is free, preferring one
    where the mark's line would cross no word in the rows below it; the line then crosses
    those rows, so x is taken there from now on."""

    def free(n: int, a: float, b: float) -> bool:
        return n >= len(rows) or all(b + gap < c or a > d + gap for c, d in rows[n])

    candidates = range(len(rows) + 1)
    row = next(
        (
            n
            for n in candidates
            if free(n, left, right) and all(free(m, x - 3, x + 3) for m in range(n))
        ),
        next(n for n in candidates if free(n, left, right)),
    )
    if row == len(rows):
        rows.append([])
    rows[row].append((left, right))
    for m in range(row):
        rows[m].append((x - 3, x + 3))
    return row
