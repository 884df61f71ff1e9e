"""Properties of progress (issue 12, section 1), over every profile in content and every
instrument a profile names (scores drawn within each instrument's range)."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from bothand.catalog import load_catalog
from bothand.domain.knowledge.outcomes import OutcomeProfile
from bothand.domain.track.progress import paired_outcome, progress

CATALOG = load_catalog()
PROFILES = CATALOG.outcomes.profiles
START = dt.date(2026, 1, 5)
TOP = 80  # the largest total of the instruments profiles name (PCL-5)


@st.composite
def cases(draw: st.DrawFn, least: int = 1) -> tuple[OutcomeProfile, str, list[int]]:
    profile = draw(st.sampled_from(PROFILES))
    instrument = draw(st.sampled_from([e.instrument for e in profile.instruments]))
    totals = draw(st.lists(st.integers(0, TOP), min_size=least, max_size=12))
    return profile, instrument, totals


def dated(totals: list[int]) -> list[tuple[dt.date, int]]:
    return [(START + dt.timedelta(weeks=i), total) for i, total in enumerate(totals)]


@given(cases())
def test_improvement_and_deterioration_are_never_both_true(
    case: tuple[OutcomeProfile, str, list[int]],
) -> None:
    profile, instrument, totals = case
    result = progress(instrument, dated(totals), profile)
    assert not (result.reliable_improvement and result.reliable_deterioration)


@given(cases(least=2))
def test_a_series_that_only_falls_never_reads_as_deterioration(
    case: tuple[OutcomeProfile, str, list[int]],
) -> None:
    profile, instrument, totals = case
    falling = sorted(totals, reverse=True)
    assert progress(instrument, dated(falling), profile).reliable_deterioration is not True


@given(cases(least=2))
def test_response_implies_a_drop_of_at_least_half(
    case: tuple[OutcomeProfile, str, list[int]],
) -> None:
    profile, instrument, totals = case
    result = progress(instrument, dated(totals), profile)
    if result.response:
        assert result.change is not None
        assert 2 * (result.baseline.total - result.latest.total) >= result.baseline.total
        assert result.baseline.total > 0


@given(cases(least=2), st.data())
def test_stable_since_does_not_move_while_remission_continues(
    case: tuple[OutcomeProfile, str, list[int]], data: st.DataObject
) -> None:
    profile, instrument, totals = case
    entry = profile.for_instrument(instrument)
    assert entry is not None
    before = progress(instrument, dated(totals), profile)
    if entry.remission_below is None:
        assert before.stable_since is None
        return
    cut_off = int(entry.remission_below.value)
    if cut_off <= 0:
        return
    still = data.draw(st.integers(0, cut_off - 1))
    after = progress(instrument, dated([*totals, still]), profile)
    assert after.remission is True
    if before.remission:
        assert after.stable_since == before.stable_since
    else:
        assert after.stable_since == dated([*totals, still])[-1][0]


@given(cases(least=1), st.integers(0, TOP))
def test_a_single_measurement_gives_nulls(
    case: tuple[OutcomeProfile, str, list[int]], total: int
) -> None:
    profile, instrument, _ = case
    result = progress(instrument, [(START, total)], profile)
    assert result.baseline == result.latest
    assert result.profile == profile.id
    undefined = (
        result.change,
        result.percent_change,
        result.response,
        result.remission,
        result.reliable_improvement,
        result.reliable_deterioration,
        result.stable_since,
    )
    assert all(value is None for value in undefined)


@settings(max_examples=200)
@given(
    st.sampled_from(PROFILES),
    st.lists(st.tuples(st.integers(0, 27), st.integers(0, 21)), min_size=1, max_size=8),
)
def test_paired_improvement_and_deterioration_are_never_both_true(
    profile: OutcomeProfile, pairs: list[tuple[int, int]]
) -> None:
    result = paired_outcome(
        dated([phq for phq, _ in pairs]), dated([gad for _, gad in pairs]), profile
    )
    assert not (result.reliable_improvement and result.reliable_deterioration)
    if result.reliable_recovery:
        assert result.recovery and result.reliable_improvement and result.caseness_at_start
    if result.caseness_at_start is False:
        assert result.recovery is None and result.reliable_recovery is None
