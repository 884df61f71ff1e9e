"""The evidence data model: every figure says who, how many, what outcome, over what time and
who the count includes; published ranges hold their point and stay inside the denominator."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from bothand.catalog import Catalog
from bothand.domain.knowledge.evidence import Figure, Ratio


def figure(**changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "id": "depression.test",
        "condition": "depression",
        "outcome": "relapse",
        "headline": "A headline.",
        "reference_group": "Adults.",
        "time_frame": "One year.",
        "design": "trial",
        "people": 100,
        "denominator": "Everyone who took part.",
        "arms": [
            {"option": "medication", "label": "Kept it", "events": 39},
            {"option": "medication", "label": "Stopped", "events": 56},
        ],
        "uncertainty": "One study.",
        "sources": ["lewis_2021_antler"],
    }
    base.update(changes)
    return base


def test_a_range_that_holds_its_point_is_accepted() -> None:
    arms = [{"option": "therapy", "label": "x", "events": 31, "interval": {"low": 20, "high": 45}}]
    assert Figure.model_validate(figure(arms=arms)).arms[0].interval is not None


@pytest.mark.parametrize(
    ("low", "high"),
    [(32, 45), (10, 30), (20, 101), (45, 20)],
    ids=["low above point", "high below point", "high above denominator", "reversed"],
)
def test_a_range_that_does_not_hold_its_point_is_refused(low: int, high: int) -> None:
    band = {"low": low, "high": high}
    arms = [{"option": "therapy", "label": "x", "events": 31, "interval": band}]
    with pytest.raises(ValidationError, match="range"):
        Figure.model_validate(figure(arms=arms))


def test_a_ratio_outside_its_range_is_refused() -> None:
    with pytest.raises(ValidationError, match="ratio range"):
        Ratio.model_validate(
            {"kind": "hazard_ratio", "point": 2.9, "low": 1.56, "high": 2.70, "words": "x"}
        )


def test_a_ratio_needs_two_arms() -> None:
    ratio = {"kind": "hazard_ratio", "point": 2.06, "low": 1.56, "high": 2.70, "words": "x"}
    one_arm = [{"option": "medication", "label": "x", "events": 39}]
    with pytest.raises(ValidationError, match="two arms"):
        Figure.model_validate(figure(arms=one_arm, ratio=ratio))


@pytest.mark.parametrize("field", ["design", "denominator", "time_frame", "reference_group"])
def test_a_figure_without_how_it_was_counted_is_refused(field: str) -> None:
    data = figure()
    del data[field]
    with pytest.raises(ValidationError, match=field):
        Figure.model_validate(data)


def test_every_shipped_figure_says_who_what_when_and_who_is_counted(catalog: Catalog) -> None:
    for f in catalog.evidence.figures:
        assert f.reference_group and f.time_frame and f.denominator and f.outcome, f.id
        for arm in f.arms:
            band = arm.interval
            assert band is None or band.low <= arm.events <= band.high <= f.per, f.id


def test_records_and_models_are_never_called_a_trial(catalog: Catalog) -> None:
    # NHS Talking Therapies figures are service records of finishers (audit item 8); the
    # natural-course figure is a model from cohorts (Whiteford 2013).
    designs = {f.id: f.design for f in catalog.evidence.figures}
    assert designs["depression.recovery_nhs_talking_therapies"] == "observational"
    assert designs["depression.without_treatment"] == "cohort_model"
    for f in catalog.evidence.figures:
        if f.design == "observational":
            assert "finished" in f.denominator, f.id


def test_the_removed_and_corrected_figures(catalog: Catalog) -> None:
    by_id = {f.id: f for f in catalog.evidence.figures}
    assert "depression.first_medicine_helps" not in by_id  # decision-aid card, no comparator
    assert [a.events for a in by_id["depression.first_medicine_stard"].arms] == [28]
    hollon = by_id["depression.relapse_after_stopping"]
    assert [a.events for a in hollon.arms] == [31, 76, 47]
    assert hollon.people == 104
    antler = by_id["depression.relapse_slow_stop"].ratio
    assert antler is not None and (antler.point, antler.low, antler.high) == (2.06, 1.56, 2.70)


def test_no_therapy_page_repeats_the_rejected_eight_sessions_figure(catalog: Catalog) -> None:
    for treatment in catalog.explainers.treatments:
        assert "8 sessions" not in treatment.time_to_help.text, treatment.id


def test_natural_course_is_told_for_every_condition(catalog: Catalog) -> None:
    # IPDAS QL1: what happens with no treatment, from a counted study where one was found,
    # and a plain "no study, no number" where none was (audit item 13).
    for info in catalog.explainers.conditions:
        if info.without_treatment is None:
            said = info.without_treatment_unknown or ""
            assert "no study" in said and "no number" in said, info.id
    told = {c.id for c in catalog.explainers.conditions if c.without_treatment is not None}
    assert {"depression", "generalized_anxiety", "panic", "social_anxiety", "ptsd"} <= told


def test_natural_course_figures_are_models_of_untreated_people(catalog: Catalog) -> None:
    by_id = {f.id: f for f in catalog.evidence.figures}
    ptsd = by_id["ptsd.without_treatment"]
    assert ptsd.design == "cohort_model" and ptsd.people == 81642
    assert [(a.option, a.events, a.interval) for a in ptsd.arms] == [("monitor", 44, None)]
    for fid in ("depression.without_treatment", "ptsd.without_treatment"):
        assert all(arm.option == "monitor" for arm in by_id[fid].arms), fid


def test_the_schizophrenia_course_is_not_passed_off_as_untreated(catalog: Catalog) -> None:
    (info,) = [c for c in catalog.explainers.conditions if c.id == "schizophrenia"]
    assert info.without_treatment is not None
    assert info.without_treatment.text.startswith("We found no study")


# Each figure below gives every option it covers on one outcome, one time frame and one
# denominator from one randomised trial, with a dummy-pill group to compare where the trial
# had one (IPDAS QL6/QL7).
# The numbers are the trials' published rates, rounded to whole people (abstracts read
# 2026-12-06; see sources.yaml).
SAME_OUTCOME = {
    "depression.response_8_weeks": {"therapy": [43], "medication": [50], "monitor": [25]},
    "depression.response_chronic_12_weeks": {"therapy": [48], "medication": [48], "combined": [73]},
    "generalized_anxiety.response_medicine_10_weeks": {"medication": [59], "monitor": [48]},
    "ptsd.response_medicine_12_weeks": {"medication": [60], "monitor": [38]},
    "ptsd.recovery_14_weeks": {"therapy": [77, 73, 43], "monitor": [7]},
    "panic.response_3_months": {"therapy": [49], "medication": [46], "monitor": [22]},
    "social_anxiety.response_14_weeks": {
        "therapy": [52, 51],
        "medication": [51],
        "combined": [54],
        "monitor": [32],
    },
    "ocd.response_12_weeks": {
        "therapy": [62],
        "medication": [42],
        "combined": [70],
        "monitor": [8],
    },
}

WITHOUT_A_DUMMY_PILL = {"depression.response_chronic_12_weeks"}  # Keller 2000 had none
WAITING_LIST = {"ptsd.recovery_14_weeks"}  # Ehlers 2014 compared with a waiting list


@pytest.mark.parametrize("figure_id", sorted(SAME_OUTCOME))
def test_options_compared_on_one_outcome_with_a_no_treatment_group_where_one_exists(
    catalog: Catalog, figure_id: str
) -> None:
    (shipped,) = [f for f in catalog.evidence.figures if f.id == figure_id]
    assert shipped.design == "trial" and shipped.outcome in ("response", "recovery")
    by_option: dict[str, list[int]] = {}
    for arm in shipped.arms:
        by_option.setdefault(arm.option, []).append(arm.events)
    assert by_option == SAME_OUTCOME[figure_id]
    placebo = [arm for arm in shipped.arms if arm.option == "monitor"]
    if figure_id in WITHOUT_A_DUMMY_PILL:
        # No placebo arm in the trial: the figure must say so rather than leave it unsaid.
        assert not placebo and "no group on a dummy pill" in shipped.uncertainty
    else:
        # The row prints the option's name (wait and check) before the label, so the label
        # says first that this group had no real treatment, then what it had instead.
        kind = "waiting list" if figure_id in WAITING_LIST else "dummy pill"
        assert placebo and all(arm.label.startswith("No ") and kind in arm.label for arm in placebo)


# IPDAS C5: where a review published a 95% confidence interval for a ratio, the words give
# the range as well as the best guess (Cuijpers 2020, Furukawa 2006, Oud 2016).
RANGES = {
    "depression.both_versus_one": ("1.14", "1.39"),
    "panic.both_during_treatment": ("1.02", "1.52"),
    "panic.after_treatment": ("1.23", "2.11"),
    "bipolar.therapy_with_medicine": ("0.48", "0.92"),
}


@pytest.mark.parametrize("finding_id", sorted(RANGES))
def test_published_ranges_are_told_with_the_comparison(catalog: Catalog, finding_id: str) -> None:
    (finding,) = [r for r in catalog.evidence.relative if r.id == finding_id]
    low, high = RANGES[finding_id]
    assert low in finding.statement.text and high in finding.statement.text


# The options page's comparison rows show each option's first figure for the condition, in
# content order. These pins keep the rows on one trial and measure where a trial covers
# several options (audit item 8; IPDAS QL6/QL7), instead of relapse beside remission.
FIRST_FIGURE = {
    ("depression", "therapy"): "depression.response_chronic_12_weeks",
    ("depression", "medication"): "depression.response_chronic_12_weeks",
    ("depression", "combined"): "depression.response_chronic_12_weeks",
    ("depression", "monitor"): "depression.response_8_weeks",
    ("ptsd", "therapy"): "ptsd.recovery_14_weeks",
    ("ptsd", "monitor"): "ptsd.recovery_14_weeks",
    ("ptsd", "medication"): "ptsd.response_medicine_12_weeks",
}


@pytest.mark.parametrize(("condition", "option"), sorted(FIRST_FIGURE))
def test_the_first_figure_for_each_option_is_the_fairest_comparison(
    catalog: Catalog, condition: str, option: str
) -> None:
    first = next(
        f.id
        for f in catalog.evidence.figures
        if f.condition == condition and any(arm.option == option for arm in f.arms)
    )
    assert first == FIRST_FIGURE[(condition, option)]
