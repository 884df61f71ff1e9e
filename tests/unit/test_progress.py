"""Progress by named outcome profiles (issue 12, section 1).

The expected values are taken from the research notes on instruments (outcome definitions,
the NHS Talking Therapies worked examples A to E, the Jacobson-Truax table), not from this
program's output.
"""

from __future__ import annotations

import datetime as dt

import pytest

from bothand.catalog import Catalog
from bothand.domain.knowledge.outcomes import OutcomeProfile, Outcomes, ReliabilityBasis
from bothand.domain.track.progress import paired_outcome, progress

JAN = dt.date(2026, 1, 5)


def weeks(*totals: int) -> list[tuple[dt.date, int]]:
    """Scores a fortnight apart from JAN."""
    return [(JAN + dt.timedelta(weeks=2 * i), total) for i, total in enumerate(totals)]


@pytest.fixture(scope="module")
def nhs(catalog: Catalog) -> OutcomeProfile:
    return catalog.outcomes.profile("nhs_talking_therapies")


@pytest.fixture(scope="module")
def jt(catalog: Catalog) -> OutcomeProfile:
    return catalog.outcomes.profile("jacobson_truax")


# --- the profiles in content --------------------------------------------------------------


def test_the_default_profile_is_nhs_talking_therapies(catalog: Catalog) -> None:
    assert catalog.outcomes.default_profile == "nhs_talking_therapies"
    assert catalog.outcomes.profile().id == "nhs_talking_therapies"


def test_nhs_values_are_phq9_6_and_gad7_4_with_caseness_10_and_8(nhs: OutcomeProfile) -> None:
    phq9, gad7 = nhs.for_instrument("phq9"), nhs.for_instrument("gad7")
    assert phq9 is not None and gad7 is not None
    assert phq9.reliable_change_threshold == 6
    assert gad7.reliable_change_threshold == 4
    assert phq9.caseness_at_or_above is not None and phq9.caseness_at_or_above.value == 10
    assert gad7.caseness_at_or_above is not None and gad7.caseness_at_or_above.value == 8
    assert phq9.remission_below is not None and phq9.remission_below.value == 5
    assert phq9.response_fraction is not None and phq9.response_fraction.value == 0.5


@pytest.mark.parametrize(
    ("sd", "r", "expected"),
    [
        # The research notes' table of thresholds (RC at 95%).
        (5.0, 0.84, 5.5),
        (5.5, 0.84, 6.1),
        (6.0, 0.84, 6.7),
        (5.0, 0.89, 4.6),
        (4.5, 0.92, 3.5),
        (5.0, 0.92, 3.9),
        (4.5, 0.83, 5.1),
        (5.0, 0.83, 5.7),
        (14, 0.82, 16.5),
        (14, 0.94, 9.5),
        (8, 0.73, 11.5),
        (8, 0.85, 8.6),
    ],
)
def test_jacobson_truax_thresholds_match_the_research_table(
    sd: float, r: float, expected: float
) -> None:
    basis = ReliabilityBasis(sd=sd, reliability=r, sources=("jacobson_truax_1991",))
    assert basis.threshold == expected


def test_the_jacobson_truax_profile_gives_its_thresholds(jt: OutcomeProfile) -> None:
    thresholds = {e.instrument: e.reliable_change_threshold for e in jt.instruments}
    assert thresholds == {"phq9": 6.1, "gad7": 3.9, "pcl5": 16.5, "wsas": 11.5}


def test_a_profile_refuses_two_ways_of_giving_reliable_change() -> None:
    with pytest.raises(ValueError, match="not both"):
        OutcomeProfile.model_validate(
            {
                "id": "x",
                "name": "x",
                "description": "x",
                "sources": ["nhs_tt_manual"],
                "instruments": [
                    {
                        "instrument": "phq9",
                        "reliable_change": {"value": 6, "sources": ["nhs_tt_manual"]},
                        "jacobson_truax": {
                            "sd": 5,
                            "reliability": 0.8,
                            "sources": ["jacobson_truax_1991"],
                        },
                    }
                ],
            }
        )


def test_an_unknown_field_and_an_unknown_default_are_refused(catalog: Catalog) -> None:
    data = catalog.outcomes.model_dump()
    with pytest.raises(ValueError, match="default_profile"):
        Outcomes.model_validate({**data, "default_profile": "nope"})
    with pytest.raises(ValueError, match="extra"):
        Outcomes.model_validate({**data, "defaults": "nhs_talking_therapies"})


# --- one instrument -----------------------------------------------------------------------


def test_phq9_20_then_8(nhs: OutcomeProfile) -> None:
    # 8 is at most half of 20 (response), 12 points down (reliable), not below 5.
    result = progress("phq9", weeks(20, 8), nhs)
    assert result.profile == "nhs_talking_therapies"
    assert (result.baseline.total, result.baseline.on) == (20, JAN)
    assert result.latest.total == 8
    assert result.change == -12
    assert result.percent_change == -60.0
    assert result.response is True
    assert result.remission is False
    assert result.reliable_improvement is True
    assert result.reliable_deterioration is False
    assert result.stable_since is None


@pytest.mark.parametrize(
    ("first", "last", "response"),
    [(20, 10, True), (20, 11, False), (10, 5, True), (9, 5, False), (15, 7, True)],
)
def test_response_is_a_fall_of_at_least_half(
    nhs: OutcomeProfile, first: int, last: int, response: bool
) -> None:
    assert progress("phq9", weeks(first, last), nhs).response is response


@pytest.mark.parametrize(("last", "remission"), [(4, True), (5, False), (0, True)])
def test_remission_is_phq9_below_5(nhs: OutcomeProfile, last: int, remission: bool) -> None:
    assert progress("phq9", weeks(18, last), nhs).remission is remission


@pytest.mark.parametrize(
    ("first", "last", "improved", "worse"),
    [(16, 10, True, False), (16, 11, False, False), (10, 16, False, True), (10, 15, False, False)],
)
def test_phq9_reliable_change_is_6_points(
    nhs: OutcomeProfile, first: int, last: int, improved: bool, worse: bool
) -> None:
    result = progress("phq9", weeks(first, last), nhs)
    assert (result.reliable_improvement, result.reliable_deterioration) == (improved, worse)


def test_gad7_reliable_change_is_4_points_and_has_no_remission_rule(
    nhs: OutcomeProfile,
) -> None:
    result = progress("gad7", weeks(12, 8), nhs)
    assert result.reliable_improvement is True
    assert progress("gad7", weeks(12, 9), nhs).reliable_improvement is False
    # No source in the notes gives a GAD-7 remission or response rule.
    assert result.remission is None and result.response is None and result.stable_since is None


def test_jacobson_truax_phq9_needs_7_points(jt: OutcomeProfile) -> None:
    assert progress("phq9", weeks(16, 10), jt).reliable_improvement is False  # 6 < 6.1
    assert progress("phq9", weeks(16, 9), jt).reliable_improvement is True
    assert progress("phq9", weeks(16, 9), jt).profile == "jacobson_truax"


def test_pcl5_by_jacobson_truax(jt: OutcomeProfile, nhs: OutcomeProfile) -> None:
    assert progress("pcl5", weeks(50, 33), jt).reliable_improvement is True  # 17 >= 16.5
    assert progress("pcl5", weeks(50, 34), jt).reliable_improvement is False
    # The NHS profile has no confirmed PCL-5 value: the labels are not defined.
    result = progress("pcl5", weeks(50, 20), nhs)
    assert result.reliable_improvement is None and result.reliable_deterioration is None
    assert result.change == -30


def test_a_single_measurement_defines_nothing_but_baseline_and_latest(
    nhs: OutcomeProfile,
) -> None:
    result = progress("phq9", weeks(3), nhs)
    assert result.baseline == result.latest
    assert result.change is None and result.percent_change is None
    assert result.response is None and result.remission is None
    assert result.reliable_improvement is None and result.reliable_deterioration is None
    assert result.stable_since is None


def test_a_baseline_of_0_has_no_percent_change_or_response(nhs: OutcomeProfile) -> None:
    result = progress("phq9", weeks(0, 7), nhs)
    assert result.percent_change is None and result.response is None
    assert result.reliable_deterioration is True


def test_stable_since_is_the_start_of_the_unbroken_run_in_remission(
    nhs: OutcomeProfile,
) -> None:
    series = weeks(18, 4, 6, 3, 2, 4)
    result = progress("phq9", series, nhs)
    assert result.remission is True
    assert result.stable_since == series[3][0]  # the 3 after the break at 6
    assert progress("phq9", weeks(18, 12, 4), nhs).stable_since == weeks(18, 12, 4)[2][0]
    assert progress("phq9", weeks(18, 4, 6), nhs).stable_since is None


def test_scores_are_read_in_date_order(nhs: OutcomeProfile) -> None:
    later, earlier = JAN + dt.timedelta(days=30), JAN
    result = progress("phq9", [(later, 8), (earlier, 20)], nhs)
    assert (result.baseline.total, result.latest.total) == (20, 8)


def test_no_scores_is_an_error(nhs: OutcomeProfile) -> None:
    with pytest.raises(ValueError):
        progress("phq9", [], nhs)


# --- PHQ-9 with GAD-7, NHS Talking Therapies ------------------------------------------------

# Worked examples A-E of the research notes: (PHQ-9 first, last), (GAD-7 first, last),
# caseness at start, recovered, reliable improvement, reliable recovery (None: n/a).
WORKED = {
    "A": ((16, 8), (12, 7), True, True, True, True),
    "B": ((12, 9), (9, 7), True, True, False, False),
    "C": ((8, 6), (9, 4), True, True, True, True),
    "D": ((10, 17), (8, 6), True, False, False, False),
    "E": ((9, 3), (7, 2), False, None, True, None),
}


@pytest.mark.parametrize("case", sorted(WORKED))
def test_nhs_worked_examples(nhs: OutcomeProfile, case: str) -> None:
    phq, gad, caseness, recovered, improved, reliably_recovered = WORKED[case]
    result = paired_outcome(weeks(*phq), weeks(*gad), nhs)
    assert result.profile == "nhs_talking_therapies"
    assert result.pairs == 2
    assert result.caseness_at_start is caseness
    assert result.recovery is recovered
    assert result.reliable_improvement is improved
    assert result.reliable_recovery is reliably_recovered


def test_worked_example_d_is_a_reliable_deterioration(nhs: OutcomeProfile) -> None:
    result = paired_outcome(weeks(10, 17), weeks(8, 6), nhs)  # PHQ-9 +7
    assert result.reliable_deterioration is True


def test_opposite_reliable_changes_are_neither(nhs: OutcomeProfile) -> None:
    result = paired_outcome(weeks(20, 12), weeks(6, 12), nhs)  # PHQ-9 -8, GAD-7 +6
    assert result.reliable_improvement is False and result.reliable_deterioration is False


def test_pairs_are_made_by_date(nhs: OutcomeProfile) -> None:
    day = dt.timedelta(days=1)
    phq = [(JAN, 16), (JAN + 10 * day, 12), (JAN + 20 * day, 8)]
    gad = [(JAN, 12), (JAN + 11 * day, 3), (JAN + 20 * day, 7)]  # day 11 has no PHQ-9
    result = paired_outcome(phq, gad, nhs)
    assert result.pairs == 2
    assert result.last is not None and (result.last[0].total, result.last[1].total) == (8, 7)
    assert result.definitions is not None
    assert result.definitions.caseness_at_or_above == {"phq9": 10, "gad7": 8}
    assert result.definitions.reliable_change == {"phq9": 6, "gad7": 4}


def test_one_pair_gives_caseness_only_and_none_gives_nothing(nhs: OutcomeProfile) -> None:
    one = paired_outcome(weeks(12), weeks(5), nhs)
    assert one.caseness_at_start is True and one.recovery is None
    assert one.reliable_improvement is None
    none = paired_outcome(weeks(12), [(JAN + dt.timedelta(days=3), 5)], nhs)
    assert none.pairs == 0 and none.caseness_at_start is None and none.definitions is None
