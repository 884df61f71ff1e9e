"""Scoring as published: the test vectors of research/instruments.md §18, the missing-item
policy, the safety item, and errors that name the field."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

import pytest

from bothand.catalog import CONTENT_DIR, load_instruments
from bothand.domain.assess.instruments import Instrument
from bothand.domain.assess.scoring import Score, parse_answer, score
from bothand.domain.errors import InputError


def phq9_answers(items_1_to_8: list[int], item_9: int) -> list[int | None]:
    """A PHQ-9 answer list, with the safety question (item 9) written apart."""
    return [*items_1_to_8, item_9]


def pcl5_answers(b: list[int], c: list[int], d: list[int], e: list[int]) -> list[int | None]:
    """A PCL-5 answer list written by DSM-5 cluster: B 1-5, C 6-7, D 8-14, E 15-20."""
    return [*b, *c, *d, *e]


@cache
def _instruments() -> dict[str, Instrument]:
    instruments, _ = load_instruments(CONTENT_DIR / "instruments", None)
    return instruments


def scored(instrument_id: str, answers: Sequence[int | None]) -> Score:
    return score(_instruments()[instrument_id], answers)


# --- §18 test vectors ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("instrument_id", "total", "band", "severity", "answers"),
    # The total and band come first: an answer list followed by its result would repeat the
    # research notes' table word for word (tests/content/test_own_words.py).
    [
        # 1: HL7 US Core QuestionnaireResponse phq-9-example
        ("phq9", 12, "Moderate", "moderate", phq9_answers([2, 2, 2, 2, 1, 1, 2, 0], item_9=0)),
        # 2: HL7 Personal Health Record IG
        ("phq9", 3, "None-minimal", "minimal", phq9_answers([0, 0, 1, 1, 1, 0, 0, 0], item_9=0)),
        # 3: HL7 Personal Health Record IG
        ("gad7", 3, "Minimal", "minimal", [0, 0, 1, 1, 0, 1, 0]),
        # 4: awell-score test data
        ("phq9", 10, "Moderate", "moderate", phq9_answers([3, 0, 1, 2, 0, 0, 1, 0], item_9=3)),
        # 5: awell-score test data
        ("gad7", 7, "Mild", "mild", [3, 0, 1, 2, 0, 0, 1]),
        # 8: MII PRO IG worst case
        ("phq9", 27, "Severe", "severe", [3] * 9),
        # 9: HL7 SDC example, which wrongly reports 13
        ("phq9", 10, "Moderate", "moderate", phq9_answers([0, 0, 0, 1, 2, 1, 3, 2], item_9=1)),
        # 10: bounds
        ("phq9", 0, "None-minimal", "minimal", [0] * 9),
        ("gad7", 0, "Minimal", "minimal", [0] * 7),
        ("gad7", 21, "Severe", "severe", [3] * 7),
    ],
)
def test_published_vectors(
    instrument_id: str, answers: list[int | None], total: int, band: str, severity: str
) -> None:
    result = scored(instrument_id, answers)
    assert result.total == total
    assert result.band == band
    assert result.severity == severity
    assert result.complete is True
    assert result.prorated is False
    assert result.n_missing == 0
    assert result.flags == ()


def test_vector_1_item9_zero_is_reported_as_zero_not_as_no_risk() -> None:
    result = scored("phq9", phq9_answers([2, 2, 2, 2, 1, 1, 2, 0], item_9=0))
    assert result.risk_positive == ()
    assert result.risk_zero == ("phq9.item9",)


def test_vector_4_item9_positive_is_a_risk_even_with_a_moderate_total() -> None:
    result = scored("phq9", phq9_answers([3, 0, 1, 2, 0, 0, 1, 0], item_9=3))
    assert result.total == 10
    assert result.risk_positive == ("phq9.item9",)
    assert result.risk_zero == ()


def test_vector_9_hl7_sdc_example_is_10_not_13_or_11() -> None:
    # The SDC CodeSystem weights "Nearly every day" as 4 (giving 11) and states 13.
    result = scored("phq9", phq9_answers([0, 0, 0, 1, 2, 1, 3, 2], item_9=1))
    assert result.total == 10
    assert result.total not in (11, 13)


def test_vector_6_pcl5_total_clusters_and_both_rules() -> None:
    answers = pcl5_answers(
        b=[4, 3, 1, 0, 3], c=[3, 4], d=[1, 2, 0, 3, 1, 0, 0], e=[1, 2, 4, 0, 0, 3]
    )
    result = scored("pcl5", answers)
    assert result.total == 35
    assert result.subscales == {
        "pcl5.cluster_b": 11,
        "pcl5.cluster_c": 7,
        "pcl5.cluster_d": 7,
        "pcl5.cluster_e": 10,
    }
    assert result.screen_positive is True  # 35 >= 33: probable PTSD
    assert "pcl5.probable_ptsd" in result.flags
    assert "pcl5.dsm5_provisional" in result.flags
    assert result.counts == {
        "pcl5.endorsed_b": 3,
        "pcl5.endorsed_c": 2,
        "pcl5.endorsed_d": 2,
        "pcl5.endorsed_e": 3,
    }
    assert result.band is None
    assert result.severity is None


def test_pcl5_dsm_rule_needs_every_cluster() -> None:
    # Same answers but cluster C below 2 on both items: DSM rule not met, total still >= 33.
    answers: list[int | None] = [4, 4, 4, 4, 4, 1, 1, 4, 4, 0, 0, 0, 0, 0, 4, 4, 0, 0, 0, 0]
    result = scored("pcl5", answers)
    assert result.total == 38
    assert result.screen_positive is True
    assert "pcl5.dsm5_provisional" not in result.flags


def test_pcl5_below_cut_off_is_negative() -> None:
    result = scored("pcl5", [1] * 20)
    assert result.total == 20
    assert result.screen_positive is False
    assert result.flags == ("pcl5.item16_risky_behaviour",)  # item 16 above 0: for review


def test_vector_7_asrs_part_a_two_shaded_is_negative() -> None:
    result = scored("asrs", [0, 4, 3, 1, 2, 1])
    assert result.counts == {"asrs.shaded": 2}
    assert result.screen_positive is False
    assert result.total == 11
    assert result.band == "High negative"
    assert result.severity is None


def test_asrs_per_item_thresholds() -> None:
    # Items 1-3 count at 2 ("sometimes"); items 4-6 only at 3 ("often").
    assert scored("asrs", [2, 2, 2, 2, 2, 2]).counts["asrs.shaded"] == 3
    assert scored("asrs", [2, 2, 2, 3, 2, 2]).screen_positive is True
    assert scored("asrs", [1, 1, 1, 3, 3, 3]).screen_positive is False


@pytest.mark.parametrize(
    ("instrument_id", "lowest", "highest"),
    [
        ("phq9", 0, 27),
        ("phq2", 0, 6),
        ("gad7", 0, 21),
        ("gad2", 0, 6),
        ("pcl5", 0, 80),
        ("ocir", 0, 72),
        ("asrs", 0, 24),
        ("wsas", 0, 40),
        ("mdq", 0, 13),
    ],
)
def test_bounds(instrument_id: str, lowest: int, highest: int) -> None:
    instrument = _instruments()[instrument_id]
    assert score(instrument, [item.min for item in instrument.items]).total == lowest
    assert score(instrument, [item.max for item in instrument.items]).total == highest


# --- screens and bands ---------------------------------------------------------------------


@pytest.mark.parametrize("instrument_id", ["phq2", "gad2"])
def test_two_item_screens_cut_off_at_3(instrument_id: str) -> None:
    assert scored(instrument_id, [1, 1]).screen_positive is False
    assert scored(instrument_id, [2, 1]).screen_positive is True
    assert scored(instrument_id, [2, 1]).flags == (f"{instrument_id}.screen_positive",)
    assert scored(instrument_id, [3, 3]).severity is None


def test_phq9_and_gad7_have_no_screen_result() -> None:
    assert scored("phq9", [1] * 9).screen_positive is None
    assert scored("gad7", [1] * 7).screen_positive is None


@pytest.mark.parametrize(
    ("total", "band"),
    [(0, "Below"), (9, "Below"), (10, "Significant"), (20, "Significant"), (21, "Marked")],
)
def test_wsas_bands(total: int, band: str) -> None:
    answers: list[int | None] = [min(8, max(0, total - 8 * i)) for i in range(5)]
    result = scored("wsas", answers)
    assert result.total == total
    assert result.band is not None and result.band.startswith(band)
    assert result.severity is None


def _mdq(yes: int, together: int | None, problem: int | None) -> list[int | None]:
    answers: list[int | None] = [1 if number <= yes else 0 for number in range(1, 14)]
    return [*answers, together, problem]


def test_mdq_three_part_rule() -> None:
    assert scored("mdq", _mdq(7, 1, 2)).screen_positive is True
    assert scored("mdq", _mdq(13, 1, 3)).screen_positive is True
    assert scored("mdq", _mdq(6, 1, 3)).screen_positive is False  # fewer than 7 "yes"
    assert scored("mdq", _mdq(13, 0, 3)).screen_positive is False  # not at the same time
    assert scored("mdq", _mdq(13, 1, 1)).screen_positive is False  # only a minor problem
    result = scored("mdq", _mdq(9, 1, 2))
    assert result.total == 9  # the total counts question 1 only
    assert result.counts == {"mdq.q1_yes": 9}
    assert result.band is None and result.severity is None


@pytest.mark.parametrize(
    ("total", "severity"),
    [(0, "mild"), (15, "mild"), (16, "moderate"), (27, "moderate"), (28, "severe"), (72, "severe")],
)
def test_ocir_bands(total: int, severity: str) -> None:
    answers: list[int | None] = [min(4, max(0, total - 4 * i)) for i in range(18)]
    assert scored("ocir", answers).severity == severity


def test_ocir_cut_off_21() -> None:
    assert scored("ocir", [1] * 18).screen_positive is False  # 18
    assert scored("ocir", [2] * 10 + [1] + [0] * 7).screen_positive is True  # 21


@pytest.mark.parametrize(
    ("subscale", "items"),
    [
        ("ocir.hoarding", (1, 7, 13)),
        ("ocir.checking", (2, 8, 14)),
        ("ocir.ordering", (3, 9, 15)),
        ("ocir.neutralising", (4, 10, 16)),
        ("ocir.washing", (5, 11, 17)),
        ("ocir.obsessing", (6, 12, 18)),
    ],
)
def test_ocir_subscale_mapping(subscale: str, items: tuple[int, ...]) -> None:
    # Pitfall 5: give 4 to exactly this subscale's items; only it may score.
    answers: list[int | None] = [4 if number in items else 0 for number in range(1, 19)]
    result = scored("ocir", answers)
    assert result.subscales[subscale] == 12
    assert sum(v or 0 for k, v in result.subscales.items() if k != subscale) == 0


def test_pcl5_has_no_severity_bands() -> None:
    # Pitfall 6: invented bands such as "0-20 minimal ... 61-80 severe" are not validated.
    instrument = _instruments()["pcl5"]
    assert instrument.bands == ()
    assert instrument.measures_severity is False
    for total in (0, 20, 40, 61, 80):
        answers: list[int | None] = [min(4, max(0, total - 4 * i)) for i in range(20)]
        result = score(instrument, answers)
        assert result.band is None and result.severity is None


# --- missing items -------------------------------------------------------------------------


def test_phq9_one_missing_item_is_prorated_and_rounded_half_up() -> None:
    # Answered: 1+1+1+1 = 4 over 8 items; 4 / 8 * 9 = 4.5 -> 5 (half up, not to even).
    result = scored("phq9", [1, 1, 1, 1, 0, 0, 0, None, 0])
    assert result.total == 5
    assert result.prorated is True
    assert result.complete is False
    assert result.n_missing == 1
    assert result.band == "Mild"
    assert "phq9.prorated" in result.flags


def test_phq9_prorating_rounds_down_below_half() -> None:
    # 7 / 8 * 9 = 7.875 -> 8; 3 / 8 * 9 = 3.375 -> 3.
    assert scored("phq9", [1, 1, 1, 1, 1, 1, 1, None, 0]).total == 8
    assert scored("phq9", [1, 1, 1, None, 0, 0, 0, 0, 0]).total == 3


def test_phq9_two_missing_items_give_no_total() -> None:
    result = scored("phq9", [1, None, 1, 1, None, 1, 1, 1, 0])
    assert result.total is None
    assert result.band is None and result.severity is None
    assert result.prorated is False
    assert result.n_missing == 2
    assert "phq9.incomplete" in result.flags


def test_phq9_missing_item9_is_refused_never_imputed() -> None:
    with pytest.raises(InputError) as caught:
        scored("phq9", [1, 1, 1, 1, 1, 1, 1, 1, None])
    assert caught.value.field == "answers[8]"
    assert "safety question" in caught.value.problem
    assert "must be answered" in caught.value.problem


def test_gad7_one_missing_item_is_prorated() -> None:
    # 6 / 6 * 7 = 7
    result = scored("gad7", [1, 1, 1, None, 1, 1, 1])
    assert result.total == 7
    assert result.flags == ("gad7.prorated",)
    assert scored("gad7", [1, None, 1, None, 1, 1, 1]).total is None


@pytest.mark.parametrize("instrument_id", ["phq2", "gad2"])
def test_two_item_screens_need_both_items(instrument_id: str) -> None:
    result = scored(instrument_id, [3, None])
    assert result.total is None
    assert result.screen_positive is None
    assert result.flags == (f"{instrument_id}.incomplete",)


def test_pcl5_prorated_with_18_of_20_and_clusters_only_when_complete() -> None:
    answers: list[int | None] = [2] * 20
    answers[0] = None  # cluster B
    answers[7] = None  # cluster D
    result = scored("pcl5", answers)
    assert result.total == 40  # 36 / 18 * 20
    assert result.prorated is True
    assert result.subscales == {
        "pcl5.cluster_b": None,
        "pcl5.cluster_c": 4,
        "pcl5.cluster_d": None,
        "pcl5.cluster_e": 12,
    }
    assert result.screen_positive is True
    assert "pcl5.prorated" in result.flags
    # The DSM rule is already met by the answered items of every cluster.
    assert "pcl5.dsm5_provisional" in result.flags


def test_pcl5_three_missing_give_no_total() -> None:
    answers: list[int | None] = [2] * 20
    answers[0] = answers[1] = answers[2] = None
    result = scored("pcl5", answers)
    assert result.total is None
    assert result.screen_positive is None
    assert "pcl5.incomplete" in result.flags


def test_wsas_nhs_rule() -> None:
    # Item 1 "not applicable" (retired): mean of the other four replaces it.
    result = scored("wsas", [None, 4, 5, 6, 7])
    assert result.total == 28  # 22 / 4 * 5 = 27.5 -> 28
    assert result.prorated is True
    assert scored("wsas", [None, None, 5, 6, 7]).total is None


@pytest.mark.parametrize(
    ("answers", "expected"),
    [
        ([2, 2, 2, 3, None, 0], True),  # 4 shaded already: cannot change
        ([0, 0, 0, 0, None, None], False),  # at most 2 shaded: cannot reach 4
        ([2, 2, 2, None, None, 0], None),  # could go either way
    ],
)
def test_asrs_screen_with_missing_items_only_when_settled(
    answers: list[int | None], expected: bool | None
) -> None:
    result = scored("asrs", answers)
    assert result.total is None
    assert result.screen_positive is expected


def test_mdq_missing_is_settled_only_when_it_cannot_matter() -> None:
    answers = _mdq(13, 1, 3)
    answers[0] = None
    assert scored("mdq", answers).screen_positive is True  # 12 "yes" already
    answers = _mdq(5, 1, 3)
    answers[12] = None
    assert scored("mdq", answers).screen_positive is False  # 6 at most
    answers = _mdq(13, None, 3)
    assert scored("mdq", answers).screen_positive is None


def test_ocir_missing_keeps_complete_subscales() -> None:
    answers: list[int | None] = [1] * 18
    answers[0] = None  # hoarding
    result = scored("ocir", answers)
    assert result.total is None
    assert result.subscales["ocir.hoarding"] is None
    assert result.subscales["ocir.checking"] == 3


# --- bad input -----------------------------------------------------------------------------


def test_wrong_number_of_answers_names_the_field() -> None:
    with pytest.raises(InputError) as caught:
        scored("phq9", [0] * 8)
    assert caught.value.field == "answers"
    assert caught.value.problem == "expected 9 answers for the PHQ-9, got 8"


@pytest.mark.parametrize(
    ("instrument_id", "index", "value", "problem"),
    [
        ("phq9", 3, 4, "4 is out of range 0-3"),
        ("phq9", 0, -1, "-1 is out of range 0-3"),
        ("pcl5", 19, 5, "5 is out of range 0-4"),
        ("wsas", 2, 9, "9 is out of range 0-8"),
        ("mdq", 14, 4, "4 is out of range 0-3"),
        ("mdq", 3, 2, "2 is out of range 0-1"),
    ],
)
def test_out_of_range_names_the_item_and_the_real_range(
    instrument_id: str, index: int, value: int, problem: str
) -> None:
    instrument = _instruments()[instrument_id]
    answers: list[int | None] = [item.min for item in instrument.items]
    answers[index] = value
    with pytest.raises(InputError) as caught:
        score(instrument, answers)
    assert caught.value.field == f"answers[{index}]"
    assert caught.value.problem == problem


@pytest.mark.parametrize("bad", [True, 1.0, "1"])
def test_non_integer_answers_are_refused(bad: object) -> None:
    answers: list[object] = [0] * 9
    answers[2] = bad
    with pytest.raises(InputError) as caught:
        scored("phq9", answers)  # type: ignore[arg-type]
    assert caught.value.field == "answers[2]"


def test_a_string_is_not_a_list_of_answers() -> None:
    with pytest.raises(InputError) as caught:
        scored("phq2", "12")  # type: ignore[arg-type]
    assert caught.value.field == "answers"


def test_risk_lists() -> None:
    assert scored("phq9", [0] * 8 + [1]).risk_positive == ("phq9.item9",)
    assert scored("phq9", [0] * 8 + [0]).risk_positive == ()
    assert scored("phq2", [3, 3]).risk_positive == ()
    assert scored("phq2", [3, 3]).risk_zero == ()


def test_rules_version_names_the_definition() -> None:
    assert scored("phq9", [0] * 9).rules_version == "phq9@1.0"


# --- parse_answer --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        ("3", 3),
        (" 0 ", 0),
        ("several days", 1),
        ("Several Days", 1),
        ("NOT AT ALL", 0),
        ("nearly", 3),
        ("more", 2),
        ("more than  half the days", 2),
    ],
)
def test_parse_answer_accepts_numbers_and_option_text(raw: str, value: int) -> None:
    assert parse_answer(_instruments()["phq9"], 0, raw) == value


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        ("4", "4 is out of range 0-3"),
        ("n", "more than one option"),  # "Not at all" or "Nearly every day"
        ("sometimes", "not one of the answers"),
        ("", "expected an answer 0-3"),
        ("2.5", "not one of the answers"),
    ],
)
def test_parse_answer_refuses_anything_else(raw: str, problem: str) -> None:
    with pytest.raises(InputError) as caught:
        parse_answer(_instruments()["phq9"], 4, raw)
    assert caught.value.field == "answers[4]"
    assert problem in caught.value.problem


def test_parse_answer_pcl5_labels() -> None:
    pcl5 = _instruments()["pcl5"]
    assert parse_answer(pcl5, 0, "quite") == 3
    assert parse_answer(pcl5, 0, "a little bit") == 1
    assert parse_answer(pcl5, 0, "extremely") == 4


def test_parse_answer_without_wording_takes_numbers_only() -> None:
    asrs = _instruments()["asrs"]
    assert parse_answer(asrs, 5, "4") == 4
    with pytest.raises(InputError) as caught:
        parse_answer(asrs, 5, "often")
    assert caught.value.problem == "expected a number 0-4"


def test_parse_answer_item_outside_the_form() -> None:
    with pytest.raises(InputError) as caught:
        parse_answer(_instruments()["phq2"], 2, "1")
    assert caught.value.field == "answers[2]"
    assert "items 1-2" in caught.value.problem
