"""The NIMH Ask Suicide-Screening Questions (ASQ): wording as recorded in
asq.provenance.json, scoring as published (NIMH toolkit: "yes" to any of questions 1-4 is a
positive screen; then "yes" to question 5 is an acute positive screen), and the safety result
(a "yes" is urgent exactly as PHQ-9 item 9 above 0; no risk answer at all is "risk not
assessed", never "no risk"). Expected values are written from the toolkit, not from output."""

from __future__ import annotations

import json

import pytest

from bothand.catalog import CONTENT_DIR, Catalog
from bothand.domain.assess.safety import RISK_NOT_ASSESSED, assess_safety
from bothand.domain.assess.scoring import score
from bothand.domain.errors import InputError

PROVENANCE = CONTENT_DIR / "instruments" / "asq.provenance.json"


def test_wording_is_exactly_the_recorded_toolkit_wording(catalog: Catalog) -> None:
    recorded = json.loads(PROVENANCE.read_text(encoding="utf-8"))
    asq = catalog.instruments["asq"]
    assert [item.text for item in asq.items] == [item["text"] for item in recorded["items"]]
    assert [option.text for option in asq.options] == ["No", "Yes"]
    assert set(recorded["answer_options"]) == {"Yes", "No"}
    assert asq.licence.ships_wording and "NIMH" in asq.licence.attribution


@pytest.mark.parametrize(
    ("answers", "positive", "acute"),
    [
        ([0, 0, 0, 0, None], False, False),  # negative: question 5 is not asked
        ([0, 0, 0, 0, 0], False, False),
        ([1, 0, 0, 0, 0], True, False),  # non-acute positive
        ([0, 1, 0, 0, 0], True, False),
        ([0, 0, 1, 0, 0], True, False),
        ([0, 0, 0, 1, 0], True, False),  # a past attempt alone is a positive screen
        ([1, 1, 1, 1, 0], True, False),
        ([0, 0, 1, 0, 1], True, True),  # acute positive
    ],
)
def test_scoring_as_published(
    catalog: Catalog, answers: list[int | None], positive: bool, acute: bool
) -> None:
    result = score(catalog.instruments["asq"], answers)
    assert result.complete and result.n_missing == 0
    assert result.screen_positive is positive
    assert ("asq.positive_screen" in result.flags) is positive
    assert ("asq.acute_positive" in result.flags) is acute
    assert ("asq.acute_positive" in result.review) is acute
    assert "asq.incomplete" not in result.flags


def test_question_5_is_never_filled_in_after_a_yes(catalog: Catalog) -> None:
    with pytest.raises(InputError) as caught:
        score(catalog.instruments["asq"], [0, 1, 0, 0, None])
    assert caught.value.field == "answers[4]"
    with pytest.raises(InputError):  # and questions 1-4 are always needed
        score(catalog.instruments["asq"], [0, None, 0, 0, None])


def test_question_5_yes_alone_is_still_urgent(catalog: Catalog) -> None:
    """Not a published path (question 5 follows a yes), but a yes to "right now" is never
    set aside: it is urgent."""
    result = score(catalog.instruments["asq"], [0, 0, 0, 0, 1])
    safety = assess_safety([result], catalog.crisis.for_locale("en-US"))
    assert safety.urgent and safety.flags == ("asq.item5",)


@pytest.mark.parametrize("locale", ["en-US", "en-GB"])
def test_any_yes_is_urgent_exactly_as_phq9_item9(catalog: Catalog, locale: str) -> None:
    crisis = catalog.crisis.for_locale(locale)
    asq = assess_safety([score(catalog.instruments["asq"], [1, 0, 0, 0, 0])], crisis)
    phq9 = assess_safety([score(catalog.instruments["phq9"], [0] * 8 + [1])], crisis)
    for safety in (asq, phq9):
        assert safety.urgent and safety.clinician_flag and safety.risk_assessed
        assert safety.message == crisis.urgent_message
        assert safety.resources == crisis.resources
    assert asq.flags == ("asq.item1",)
    assert asq.review_flags == ("asq.positive_screen",)
    acute = assess_safety([score(catalog.instruments["asq"], [1, 1, 1, 0, 1])], crisis)
    assert acute.review_flags == ("asq.acute_positive", "asq.positive_screen")


def test_all_no_is_assessed_but_never_no_risk(catalog: Catalog) -> None:
    crisis = catalog.crisis.for_locale("en-GB")
    safety = assess_safety([score(catalog.instruments["asq"], [0, 0, 0, 0, None])], crisis)
    assert not safety.urgent and safety.risk_assessed and not safety.clinician_flag
    assert safety.notes == (crisis.zero_is_not_no_risk,)
    assert safety.flags == () and safety.review_flags == ()


def test_no_risk_question_means_risk_not_assessed(catalog: Catalog) -> None:
    crisis = catalog.crisis.for_locale("en-US")
    gad7 = score(catalog.instruments["gad7"], [1] * 7)
    for scores in ([], [gad7]):
        safety = assess_safety(scores, crisis)
        assert not safety.risk_assessed and not safety.urgent
        assert safety.review_flags == (RISK_NOT_ASSESSED,) and safety.clinician_flag
        assert safety.notes == (crisis.not_assessed,)
    with_asq = assess_safety([gad7, score(catalog.instruments["asq"], [0] * 5)], crisis)
    assert with_asq.risk_assessed and RISK_NOT_ASSESSED not in with_asq.review_flags


def test_pcl5_item16_above_zero_flags_the_clinician_but_is_not_urgent(catalog: Catalog) -> None:
    """PCL-5 item 16 (risky or self-destructive behaviour) is not a suicide question: flagged
    for review, not a crisis on its own."""
    crisis = catalog.crisis.for_locale("en-US")
    pcl5 = catalog.instruments["pcl5"]
    asq = score(catalog.instruments["asq"], [0, 0, 0, 0, None])
    for value in (1, 4):
        answers = [0] * 15 + [value] + [0] * 4
        result = score(pcl5, answers)
        assert "pcl5.item16_risky_behaviour" in result.review
        safety = assess_safety([result, asq], crisis)
        assert not safety.urgent and safety.clinician_flag
        assert safety.review_flags == ("pcl5.item16_risky_behaviour",)
    quiet = score(pcl5, [1] * 15 + [0] + [1] * 4)
    assert quiet.review == ()
