"""What a review point finds (issue 12, section 2): the four kinds, read with the published
reliable-change values (NHS Talking Therapies: PHQ-9 6 points, GAD-7 4 points; PCL-5 from
the Jacobson-Truax profile, 16.5 points), on done points of the kinds that read scores.

Expected kinds are worked out by hand from those thresholds, not from this program's output.
"""

from __future__ import annotations

import datetime as dt

import pytest

from bothand.catalog import Catalog
from bothand.domain.review.finding import find, finding_kind, findings
from bothand.domain.review.points import ReviewPoint, ReviewStatus

START = dt.date(2026, 3, 2)


def day(n: int) -> dt.date:
    return START + dt.timedelta(days=n)


def point(
    kind: str = "check_progress",
    status: ReviewStatus = "done",
    window: tuple[int, int] = (28, 42),
    milestone: str = "milestone.check_progress",
) -> ReviewPoint:
    return ReviewPoint(
        milestone, kind, "Is it helping?", day(window[0]), day(window[1]), status, day(window[0])
    )


@pytest.mark.parametrize(
    ("change", "threshold", "expected"),
    [
        (-6, 6, "reliable_improvement"),  # "6 or more" is reliable
        (-9, 6, "reliable_improvement"),
        (-5, 6, "some_change"),
        (-3, 6, "some_change"),  # half the threshold
        (-2, 6, "no_reliable_change"),
        (0, 6, "no_reliable_change"),
        (5, 6, "no_reliable_change"),  # a rise short of reliable is not "worse"
        (6, 6, "worse"),
        (-4, 4, "reliable_improvement"),  # GAD-7
        (-2, 4, "some_change"),
        (-1, 4, "no_reliable_change"),
        (-16, 16.5, "some_change"),  # PCL-5 (Jacobson-Truax): 16 is short of 16.5
        (-17, 16.5, "reliable_improvement"),
    ],
)
def test_the_kind_of_a_change(change: int, threshold: float, expected: str) -> None:
    assert finding_kind(change, threshold, 0.5) == expected


def test_a_threshold_must_be_positive() -> None:
    with pytest.raises(ValueError):
        finding_kind(-3, 0, 0.5)


def test_medicine_for_four_weeks_with_no_reliable_change(catalog: Catalog) -> None:
    series = {"phq9": [(day(0), 17), (day(14), 16), (day(28), 15)]}
    found = find(point(), series, ["phq9"], catalog.outcomes, START)
    assert found is not None
    assert (found.kind, found.too_little) == ("no_reliable_change", True)
    assert (found.instrument, found.profile, found.threshold) == (
        "phq9",
        "nhs_talking_therapies",
        6,
    )
    assert (found.baseline.total, found.latest.total, found.change) == (17, 15, -2)
    assert found.weeks == 4


def test_a_reliable_fall_is_not_too_little(catalog: Catalog) -> None:
    series = {"phq9": [(day(0), 17), (day(30), 10)]}
    found = find(point(), series, ["phq9"], catalog.outcomes, START)
    assert found is not None
    assert (found.kind, found.too_little) == ("reliable_improvement", False)


def test_some_change_is_not_too_little_but_worse_is(catalog: Catalog) -> None:
    some = find(point(), {"phq9": [(day(0), 17), (day(30), 13)]}, [], catalog.outcomes)
    worse = find(point(), {"phq9": [(day(0), 12), (day(30), 19)]}, [], catalog.outcomes)
    assert some is not None and (some.kind, some.too_little) == ("some_change", False)
    assert worse is not None and (worse.kind, worse.too_little) == ("worse", True)


def test_scores_after_the_window_are_left_for_later_points(catalog: Catalog) -> None:
    series = {"phq9": [(day(0), 17), (day(29), 16), (day(60), 5)]}
    found = find(point(), series, ["phq9"], catalog.outcomes)
    assert found is not None and found.latest.total == 16


@pytest.mark.parametrize("status", ["upcoming", "due", "overdue"])
def test_only_a_done_point_has_a_finding(catalog: Catalog, status: ReviewStatus) -> None:
    series = {"phq9": [(day(0), 17), (day(20), 16)]}
    assert find(point(status=status), series, ["phq9"], catalog.outcomes) is None


def test_a_point_that_does_not_read_scores_has_no_finding(catalog: Catalog) -> None:
    series = {"phq9": [(day(0), 17), (day(30), 16)]}
    assert find(point(kind="remeasure"), series, ["phq9"], catalog.outcomes) is None


def test_a_single_score_has_no_finding(catalog: Catalog) -> None:
    assert find(point(), {"phq9": [(day(30), 16)]}, ["phq9"], catalog.outcomes) is None


def test_the_decisions_instrument_comes_first(catalog: Catalog) -> None:
    series = {
        "phq9": [(day(0), 12), (day(30), 11)],
        "gad7": [(day(0), 15), (day(30), 8)],
    }
    by_gad = find(point(), series, ["gad7", "phq9"], catalog.outcomes)
    by_phq = find(point(), series, ["phq9", "gad7"], catalog.outcomes)
    assert by_gad is not None and (by_gad.instrument, by_gad.kind) == (
        "gad7",
        "reliable_improvement",
    )
    assert by_phq is not None and (by_phq.instrument, by_phq.kind) == (
        "phq9",
        "no_reliable_change",
    )


def test_an_instrument_not_scored_in_the_window_gives_way(catalog: Catalog) -> None:
    series = {
        "phq9": [(day(0), 12), (day(10), 11)],  # nothing inside days 28-42
        "gad7": [(day(0), 15), (day(30), 14)],
    }
    found = find(point(), series, ["phq9", "gad7"], catalog.outcomes)
    assert found is not None and found.instrument == "gad7"


def test_the_pcl5_is_read_with_the_fallback_profile(catalog: Catalog) -> None:
    # The NHS profile gives no PCL-5 value; Jacobson-Truax gives 16.5 points.
    series = {"pcl5": [(day(0), 52), (day(40), 44)]}
    found = find(point(), series, ["pcl5"], catalog.outcomes)
    assert found is not None
    assert (found.profile, found.threshold, found.kind) == (
        "jacobson_truax",
        16.5,
        "no_reliable_change",
    )


def test_an_instrument_without_any_threshold_has_no_finding(catalog: Catalog) -> None:
    series = {"asrs": [(day(0), 5), (day(40), 1)]}
    assert find(point(), series, ["asrs"], catalog.outcomes) is None


def test_findings_are_keyed_by_milestone(catalog: Catalog) -> None:
    points = [
        point(),
        point(kind="full_effect", window=(42, 56), milestone="milestone.full_effect"),
        point(kind="remeasure", window=(0, 0), milestone="milestone.remeasure_baseline"),
    ]
    series = {"phq9": [(day(0), 20), (day(30), 18), (day(50), 9)]}
    found = findings(points, series, ["phq9"], catalog.outcomes, START)
    assert set(found) == {"milestone.check_progress", "milestone.full_effect"}
    assert found["milestone.check_progress"].kind == "no_reliable_change"
    assert found["milestone.full_effect"].kind == "reliable_improvement"
    assert found["milestone.full_effect"].weeks == 7
