"""The trajectory chart's geometry (``web/chart.py``): scores inside the picture and in the
right order, bands stacked from the lowest up and tiling the plot, the response and remission
lines halfway between the totals that meet them and those that do not, review points at their
dates, one score drawn as a dot, and nothing drawn that the content does not define."""

from __future__ import annotations

import datetime as dt
from itertools import pairwise

import pytest

from bothand.catalog import Catalog
from bothand.web.chart import (
    FONT,
    WIDTH,
    BandRange,
    LineWords,
    ReviewMark,
    Trajectory,
    remission_limit,
    response_limit,
    text_width,
    trajectory,
)

START = dt.date(2026, 3, 3)
WORDS = LineWords("Response", "or less", "Remission", "below")  # as in the locale file
PHQ9_BANDS = [
    BandRange(0, 4, "None-minimal"),
    BandRange(5, 9, "Mild"),
    BandRange(10, 14, "Moderate"),
    BandRange(15, 19, "Moderately severe"),
    BandRange(20, 27, "Severe"),
]


def weekly(*totals: int) -> list[tuple[dt.date, int]]:
    return [(START + dt.timedelta(weeks=n), total) for n, total in enumerate(totals)]


def phq9(*totals: int, **kwargs: object) -> Trajectory:
    return trajectory(
        weekly(*totals),
        27,
        bands=PHQ9_BANDS,
        response_fraction=0.5,
        remission_below=5,
        words=WORDS,
        **kwargs,  # type: ignore[arg-type]
    )


def y_of(chart: Trajectory, value: float, top: int = 27) -> float:
    """The chart's own scale, from two of its points: -0.5 at the bottom, top + 0.5 at the top."""
    share = (value + 0.5) / (top + 1)
    return chart.bottom - share * (chart.bottom - chart.top)


def test_the_bands_and_words_match_the_content(catalog: Catalog) -> None:
    bands = [(b.min, b.max, b.label) for b in catalog.instruments["phq9"].bands]
    assert bands == [(b.low, b.high, b.name) for b in PHQ9_BANDS]
    keys = ("response", "or_less", "remission", "below")
    assert LineWords(*(catalog.labels[f"clinic.chart.{key}"] for key in keys)) == WORDS


@pytest.mark.parametrize(
    "totals", [(18, 15, 12, 9, 7), (0, 27), (27, 0, 27), (5, 5, 5), tuple(range(28))]
)
def test_scores_are_inside_the_picture_and_in_order(totals: tuple[int, ...]) -> None:
    chart = phq9(*totals)
    assert chart.width == WIDTH
    for point in chart.points:
        assert chart.left < point.x < chart.right
        assert chart.top < point.y < chart.bottom
        assert 0 <= point.x <= chart.width and 0 <= point.y <= chart.height
        assert point.y == pytest.approx(y_of(chart, point.total), abs=0.1)
    for a, b in pairwise(chart.points):
        assert a.x < b.x  # later is further right
        assert (a.y > b.y) == (a.total < b.total)  # higher is higher up
    assert chart.path.startswith(f"M{chart.points[0].x} {chart.points[0].y}")
    assert chart.path.count("L") == len(totals) - 1
    for tick in (*chart.x_ticks, *chart.y_ticks):
        assert 0 <= tick.x <= chart.width and 0 < tick.y <= chart.height


def test_bands_stack_from_the_lowest_and_fill_the_plot() -> None:
    chart = phq9(18, 7)
    assert [b.name for b in chart.bands] == [b.name for b in PHQ9_BANDS]
    lowest, highest = chart.bands[0], chart.bands[-1]
    assert lowest.y + lowest.height == pytest.approx(chart.bottom, abs=0.2)
    assert highest.y == pytest.approx(chart.top, abs=0.2)
    for below, above in pairwise(chart.bands):
        assert above.y + above.height == pytest.approx(below.y, abs=0.2)  # no gap, no overlap
        assert above.shade > below.shade  # a little darker for each band up
    mild = chart.bands[1]
    assert mild.y == pytest.approx(y_of(chart, 9.5), abs=0.2)
    assert mild.y + mild.height == pytest.approx(y_of(chart, 4.5), abs=0.2)
    assert mild.label_y is not None and mild.y < mild.label_y < mild.y + mild.height


def test_a_band_too_narrow_for_its_name_is_shaded_but_not_named() -> None:
    bands = [BandRange(0, 0, "Zero"), BandRange(1, 40, "Above zero")]
    chart = trajectory(weekly(3, 2), 40, bands=bands, words=WORDS)
    assert chart.bands[0].label_y is None and chart.bands[1].label_y is not None


@pytest.mark.parametrize(("baseline", "limit"), [(18, 9), (19, 9), (10, 5), (1, 0), (27, 13)])
def test_the_response_line_lies_between_meeting_and_missing(baseline: int, limit: int) -> None:
    assert response_limit(baseline, 0.5) == limit
    chart = phq9(baseline, limit, limit + 1)
    line = next(line for line in chart.lines if line.kind == "response")
    assert line.value == limit + 0.5
    assert line.y == pytest.approx(y_of(chart, limit + 0.5), abs=0.2)
    meets, misses = chart.points[1], chart.points[2]
    assert meets.y > line.y > misses.y  # the score that meets it is below the line
    assert line.label == f"Response: {limit} or less"


def test_the_remission_line_lies_between_4_and_5() -> None:
    assert remission_limit(5) == 4 and remission_limit(4.5) == 4
    chart = phq9(12, 4, 5)
    line = next(line for line in chart.lines if line.kind == "remission")
    assert line.value == 4.5 and line.label == "Remission: below 5"
    assert chart.points[1].y > line.y > chart.points[2].y
    assert line.y == pytest.approx(chart.bands[0].y, abs=0.2)  # the top of "None-minimal"


def test_line_names_stay_inside_the_plot_and_apart() -> None:
    chart = phq9(10, 8)  # response at 5.5, remission at 4.5: one point apart
    response, remission = sorted(chart.lines, key=lambda line: -line.value)
    assert (response.kind, remission.kind) == ("response", "remission")
    assert response.label_y < response.y  # the higher line is named above itself
    assert remission.label_y > remission.y  # the lower below
    assert remission.label_y - response.label_y >= FONT
    for line in chart.lines:
        assert chart.top < line.label_y - FONT * 0.8 and line.label_y < chart.bottom


def test_one_score_is_a_dot_in_the_middle_with_no_response_line() -> None:
    chart = phq9(14)
    (point,) = chart.points
    assert point.x == pytest.approx((chart.left + chart.right) / 2, abs=0.1)
    assert chart.path == ""
    assert [line.kind for line in chart.lines] == ["remission"]
    assert [v.text for v in chart.values] == ["14"]
    assert len(chart.x_ticks) == 1 and chart.x_ticks[0].text == "3 Mar"


def test_no_cut_off_and_no_bands_draw_no_lines_and_no_shading() -> None:
    chart = trajectory(
        weekly(40, 30, 22), 80, words=WORDS
    )  # the PCL-5: no bands or rules in content
    assert chart.lines == () and chart.bands == ()
    assert [tick.text for tick in chart.y_ticks] == ["0", "20", "40", "60", "80"]
    only_remission = trajectory(weekly(12, 6), 21, remission_below=5, words=WORDS)
    assert [line.kind for line in only_remission.lines] == ["remission"]


def test_review_points_sit_at_their_dates_with_a_shape_and_a_key() -> None:
    marks = [
        ReviewMark(START, "done", "Done", "First questionnaire"),
        ReviewMark(START, "overdue", "Overdue", "First therapy session"),
        ReviewMark(START + dt.timedelta(days=14), "overdue", "Overdue", "Is it helping?"),
        ReviewMark(START + dt.timedelta(days=35), "upcoming", "Coming up", "Plan to stay well"),
    ]
    chart = phq9(18, 15, 12, 9, 7, marks=marks)  # scores on days 0 to 28
    first, helping, later = chart.marks  # two points on one day share a line
    assert first.x == chart.points[0].x
    assert first.label == "!✓" and first.status == "overdue"  # the most pressing first
    assert first.parts == (("overdue", "!"), ("done", "✓"))
    assert first.title == "First questionnaire; First therapy session"
    assert helping.x == chart.points[2].x and helping.label == "!"
    assert later.x > chart.points[-1].x and later.label == "○"  # the axis runs on to it
    for mark in chart.marks:
        assert 0 < mark.label_y < chart.top  # in the strip above the plot
        assert mark.anchor == "middle" and mark.label_x == mark.x
    # the key says each shape in words, under the dates, most pressing first
    assert [item.text for item in chart.key] == ["! Overdue", "○ Coming up", "✓ Done"]
    assert all(item.y > chart.x_ticks[0].y for item in chart.key)
    for item in chart.key:
        assert item.x >= 0 and item.x + text_width(item.text) <= chart.width
    assert chart.height >= chart.key[-1].y
    assert phq9(18, 7).key == ()  # no review points, no key


def test_review_point_shapes_that_would_overlap_go_on_another_row() -> None:
    close = [ReviewMark(START + dt.timedelta(days=n), "done", "Done", f"point {n}") for n in (0, 1)]
    chart = phq9(18, 15, 12, 9, 7, marks=close)
    assert sorted(mark.row for mark in chart.marks) == [0, 1]
    apart = [close[0], ReviewMark(START + dt.timedelta(days=14), "done", "Done", "later")]
    alone = phq9(18, 15, 12, 9, 7, marks=apart)
    assert [mark.row for mark in alone.marks] == [0, 0]
    assert chart.top - alone.top == pytest.approx(30)  # one more row above the plot
    assert chart.height - alone.height == pytest.approx(30)


def test_a_band_name_moves_off_the_latest_dot() -> None:
    chart = phq9(18, 15, 12, 9, 7)  # the latest dot (7) sits at the right of "Mild"
    mild = chart.bands[1]
    assert mild.anchor != "end"  # named further left instead
    assert mild.label_x + text_width("Mild") / 2 < chart.points[-1].x - chart.dot
    quiet = phq9(18, 15, 12, 9, 12)  # nothing at the right of "Mild" now
    assert quiet.bands[1].anchor == "end"


def test_no_scores_is_an_error() -> None:
    with pytest.raises(ValueError, match="at least one score"):
        trajectory([], 27, words=WORDS)


@pytest.mark.parametrize("days", [1, 20, 90, 183, 184, 400, 800])
def test_dates_under_the_axis_fit_and_never_overlap(days: int) -> None:
    series = [(START, 12), (START + dt.timedelta(days=days), 6)]
    chart = trajectory(series, 27, words=WORDS)
    assert 2 <= len(chart.x_ticks) <= 5
    spans = []
    for tick in chart.x_ticks:
        wide = text_width(tick.text)
        left = {"start": tick.x, "end": tick.x - wide, "middle": tick.x - wide / 2}[tick.anchor]
        assert left >= 0 and left + wide <= chart.width
        spans.append((left, left + wide))
    for (_, right), (left, _) in pairwise(spans):
        assert right < left  # in order, apart
    if days > 183:  # first days of months, the year on the first
        assert chart.x_ticks[0].text.endswith(str((START + dt.timedelta(days=31)).year))
    else:
        assert chart.x_ticks[0].text == "3 Mar"
        assert chart.x_ticks[-1].text == f"{series[1][0].day} {series[1][0]:%b}"
