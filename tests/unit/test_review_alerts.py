"""Which follow-up alerts an episode calls for (``domain.review.alerts``), pure: deterioration
by the NHS Talking Therapies threshold (PHQ-9: a rise of 6 points or more), one at a time per
instrument; a too-little finding once per review point; the continue / taper / stop talk only
after its window has opened AND six months (182 days, ``alerts.yaml``) of remission; the
continue-and-review talk with its window alone; a review point where a score is expected
overdue only after its window, with no score since it opened; an unused check-in link with
nothing measured since it was made."""

from __future__ import annotations

import datetime as dt

import pytest

from bothand.catalog import Catalog
from bothand.domain.knowledge.alerts import AlertRules
from bothand.domain.knowledge.outcomes import FindingKind
from bothand.domain.review.alerts import (
    AlertCall,
    ExpiredLink,
    deterioration,
    on_measurement,
    on_sweep,
    overdue_link,
    overdue_point,
    talk_due,
    talks,
    too_little,
)
from bothand.domain.review.finding import Finding
from bothand.domain.review.points import ReviewPoint, ReviewStatus
from bothand.domain.track.progress import Progress, Score, progress

START = dt.date(2026, 3, 2)
PHQ9 = frozenset({"phq9"})


def day(n: int) -> dt.date:
    return START + dt.timedelta(days=n)


@pytest.fixture(scope="module")
def rules(catalog: Catalog) -> AlertRules:
    return catalog.alerts


def phq9(catalog: Catalog, *scores: tuple[int, int]) -> Progress:
    """PHQ-9 progress from (day, total) pairs, by the default profile."""
    return progress("phq9", [(day(d), t) for d, t in scores], catalog.outcomes.profile())


def point(
    kind: str,
    window: tuple[int, int],
    status: ReviewStatus,
    milestone: str | None = None,
) -> ReviewPoint:
    done = day(window[0]) if status == "done" else None
    return ReviewPoint(
        milestone or f"milestone.{kind}", kind, "", day(window[0]), day(window[1]), status, done
    )


def finding(
    kind: FindingKind, too_little: bool, milestone: str = "milestone.check_progress"
) -> Finding:
    return Finding(
        milestone, kind, too_little, "phq9", "nhs_talking_therapies", 6, Score(15, day(0)),
        Score(15, day(28)), 0, 4,
    )  # fmt: skip


# --- deterioration ----------------------------------------------------------------------


def test_a_rise_of_the_threshold_raises_the_first_deterioration(
    catalog: Catalog, rules: AlertRules
) -> None:
    call = deterioration(phq9(catalog, (0, 10), (14, 16)), {}, rules)  # +6: reliable
    assert call == AlertCall("deterioration", "reliable_deterioration", "phq9/1")


def test_a_rise_short_of_the_threshold_raises_nothing(catalog: Catalog, rules: AlertRules) -> None:
    assert deterioration(phq9(catalog, (0, 10), (14, 15)), {}, rules) is None  # +5


def test_an_improving_series_never_raises(catalog: Catalog, rules: AlertRules) -> None:
    for later in range(0, 21):
        series = phq9(catalog, (0, 20), (14, min(20, later + 6)), (28, later))
        if series.latest.total <= 20:
            assert deterioration(series, {}, rules) is None


def test_one_at_a_time_then_the_next_number_once_resolved(
    catalog: Catalog, rules: AlertRules
) -> None:
    worse = phq9(catalog, (0, 8), (14, 20))
    for status in ("open", "acknowledged"):
        assert deterioration(worse, {("deterioration", "phq9/1"): status}, rules) is None
    raised = {("deterioration", "phq9/1"): "resolved", ("deterioration", "phq9/2"): "resolved"}
    assert deterioration(worse, raised, rules) == AlertCall(
        "deterioration", "reliable_deterioration", "phq9/3"
    )
    # Another instrument's alert does not count.
    assert deterioration(worse, {("deterioration", "gad7/1"): "open"}, rules) is not None


def test_a_single_score_defines_no_deterioration(catalog: Catalog, rules: AlertRules) -> None:
    assert deterioration(phq9(catalog, (0, 27)), {}, rules) is None


def test_on_measurement_reads_only_the_instrument_measured(
    catalog: Catalog, rules: AlertRules
) -> None:
    worse = phq9(catalog, (0, 8), (14, 20))
    assert on_measurement("gad7", [worse], {}, {}, rules) == []
    assert [c.subject for c in on_measurement("phq9", [worse], {}, {}, rules)] == ["phq9/1"]


# --- review due: too little -----------------------------------------------------------------


def test_too_little_is_raised_once_per_point(rules: AlertRules) -> None:
    found = [finding("no_reliable_change", True), finding("worse", True, "milestone.full_effect")]
    assert too_little(found, {}, rules) == [
        AlertCall("review_due", "review_no_reliable_change", "milestone.check_progress"),
        AlertCall("review_due", "review_worse", "milestone.full_effect"),
    ]
    raised = {("review_due", "milestone.check_progress"): "resolved"}
    assert [c.subject for c in too_little(found, raised, rules)] == ["milestone.full_effect"]
    assert too_little([finding("some_change", False)], {}, rules) == []


# --- review due: the talks ------------------------------------------------------------------

TALK = point("continue_taper_stop", (224, 421), "due", "milestone.continue_taper_stop")
LONG_TERM = point("continue_and_review", (224, 421), "due", "milestone.long_term_medicine_review")


def test_the_taper_talk_waits_for_its_window(catalog: Catalog, rules: AlertRules) -> None:
    stable = [phq9(catalog, (0, 18), (28, 4), (56, 3))]  # remission from day 28
    assert not talk_due(TALK, day(223), stable, PHQ9, rules)  # 195 days of remission, too soon
    assert talk_due(TALK, day(224), stable, PHQ9, rules)


def test_the_taper_talk_waits_for_six_months_of_remission(
    catalog: Catalog, rules: AlertRules
) -> None:
    # Remission since day 100 (the score of 6 on day 80 broke an earlier run).
    scores = phq9(catalog, (0, 18), (40, 4), (80, 6), (100, 4), (200, 2))
    assert scores.stable_since == day(100)
    assert not talk_due(TALK, day(281), [scores], PHQ9, rules)  # 181 days
    assert talk_due(TALK, day(282), [scores], PHQ9, rules)  # 182 days: six months


def test_no_taper_talk_out_of_remission(catalog: Catalog, rules: AlertRules) -> None:
    unwell = [phq9(catalog, (0, 18), (28, 4), (200, 12))]
    assert not talk_due(TALK, day(400), unwell, PHQ9, rules)
    only_baseline = [phq9(catalog, (0, 18))]
    assert not talk_due(TALK, day(400), only_baseline, PHQ9, rules)


def test_without_a_remission_cut_off_the_window_decides(
    catalog: Catalog, rules: AlertRules
) -> None:
    gad7 = progress("gad7", [(day(0), 15), (day(40), 3)], catalog.outcomes.profile())
    assert talk_due(TALK, day(224), [gad7], PHQ9, rules)
    assert not talk_due(TALK, day(223), [gad7], PHQ9, rules)


def test_continue_and_review_comes_with_its_window_in_its_own_words(
    catalog: Catalog, rules: AlertRules
) -> None:
    unwell = [phq9(catalog, (0, 18), (200, 15))]
    assert not talk_due(LONG_TERM, day(223), unwell, PHQ9, rules)
    calls = talks([LONG_TERM], day(224), unwell, PHQ9, {}, rules)
    assert calls == [
        AlertCall(
            "review_due", "talk_continue_and_review", "milestone.long_term_medicine_review/talk"
        )
    ]
    words = catalog.labels.text[f"clinic.alerts.reason.{calls[0].reason}"]
    assert "continue and review, not to taper" in words
    assert "lower" not in words and "stop" not in words


def test_a_talk_is_raised_once(catalog: Catalog, rules: AlertRules) -> None:
    stable = [phq9(catalog, (0, 18), (28, 4))]
    first = talks([TALK], day(300), stable, PHQ9, {}, rules)
    assert [c.subject for c in first] == ["milestone.continue_taper_stop/talk"]
    assert first[0].reason == "talk_continue_taper_stop"
    raised = {("review_due", "milestone.continue_taper_stop/talk"): "resolved"}
    assert talks([TALK], day(300), stable, PHQ9, raised, rules) == []
    # A too-little finding at the same point is another alert (another subject).
    raised = {("review_due", "milestone.continue_taper_stop"): "open"}
    assert len(talks([TALK], day(300), stable, PHQ9, raised, rules)) == 1


# --- overdue --------------------------------------------------------------------------------

WEEK4 = point("remeasure", (28, 28), "overdue", "milestone.remeasure_week4")


def test_overdue_only_after_the_window_without_a_score(rules: AlertRules) -> None:
    due = point("remeasure", (28, 28), "due", "milestone.remeasure_week4")
    assert overdue_point([due], day(28), [day(0)], {}, rules) is None
    assert overdue_point([WEEK4], day(29), [day(0)], {}, rules) == AlertCall(
        "overdue", "review_point_missed", "milestone.remeasure_week4"
    )


def test_a_late_score_answers_the_point(rules: AlertRules) -> None:
    assert overdue_point([WEEK4], day(31), [day(0), day(30)], {}, rules) is None


def test_points_where_no_score_is_expected_are_never_overdue(rules: AlertRules) -> None:
    for kind in ("therapy_start", "medication_review", "therapy_course", "continue_taper_stop"):
        late = point(kind, (0, 14), "overdue")
        assert overdue_point([late], day(60), [day(0)], {}, rules) is None


def test_only_the_latest_overdue_point_and_once(rules: AlertRules) -> None:
    check = point("check_progress", (24, 28), "overdue")
    full = point("full_effect", (42, 56), "overdue")
    call = overdue_point([check, WEEK4, full], day(60), [day(0)], {}, rules)
    assert call is not None and call.subject == "milestone.full_effect"
    raised = {("overdue", "milestone.full_effect"): "resolved"}
    assert overdue_point([check, WEEK4, full], day(60), [day(0)], raised, rules) is None


def test_an_unused_link_with_nothing_measured_since_is_overdue(rules: AlertRules) -> None:
    at = dt.datetime(2026, 4, 1, tzinfo=dt.UTC)
    old = ExpiredLink("a" * 32, at, measured_since=False)
    new = ExpiredLink("b" * 32, at + dt.timedelta(days=7), measured_since=False)
    answered = ExpiredLink("c" * 32, at + dt.timedelta(days=14), measured_since=True)
    call = overdue_link([old, new, answered], {}, rules)
    assert call == AlertCall("overdue", "check_in_expired", "link/" + "b" * 32)
    assert overdue_link([answered], {}, rules) is None
    assert overdue_link([new], {("overdue", "link/" + "b" * 32): "open"}, rules) is None


def test_the_sweep_puts_it_together(catalog: Catalog, rules: AlertRules) -> None:
    stable = [phq9(catalog, (0, 18), (28, 4))]
    calls = on_sweep(
        day(300),
        [WEEK4, TALK],
        stable,
        {"milestone.check_progress": finding("worse", True)},
        [day(0), day(28)],
        [],
        PHQ9,
        {},
        rules,
    )
    assert [(c.kind, c.subject) for c in calls] == [
        ("review_due", "milestone.check_progress"),
        ("review_due", "milestone.continue_taper_stop/talk"),
    ]  # week 4 was scored on day 28: not overdue
