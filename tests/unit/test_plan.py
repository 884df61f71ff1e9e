"""The care-plan timeline: content checks, the timings of each option, dating and errors."""

from __future__ import annotations

import copy
import datetime as dt
import itertools
import re
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from bothand.catalog import CONTENT_DIR, parse, read_yaml
from bothand.contract import dump_plan
from bothand.domain.errors import ContentError, InputError
from bothand.domain.knowledge.readability import flesch_kincaid_grade
from bothand.domain.plan.plan import Milestone, Plan, PlanRequest
from bothand.domain.plan.planner import build_plan
from bothand.domain.plan.timeline import MEDICATION_KINDS, Timeline
from bothand.domain.vocab import CONDITIONS, OPTION_IDS

TIMELINE_PATH = CONTENT_DIR / "timeline.yaml"
ALLOWED_SOURCES = {
    "guide_bothand",
    "nice_ng222",
    "nice_cg90",
    "nice_ng134",
    "nice_cg113",
    "nice_cg159",
    "nice_cg31",
    "nice_ng116",
    "nice_cg185",
    "nice_cg178",
    "nice_ng87",
    "taylor_2006",
    "mayo_dmc",
    "healthwise_antidepressant",
    "gautam_2020_cbt",
    "hansen_2002",
    "guo_2015_mbc",
    "clark_2018_iapt",
    "nhs_tt_manual",
    "lewis_2021_antler",
    "geddes_2003",
    "hollon_2005",
    "cuijpers_2013_relapse_cbt",
}


@cache
def raw_timeline() -> Any:
    return read_yaml(TIMELINE_PATH)


@cache
def timeline() -> Timeline:
    return parse(Timeline, raw_timeline(), str(TIMELINE_PATH))


def plan(
    option: str,
    *concerns: tuple[str, str],
    age: int | None = 40,
    at_risk: bool = False,
    high_relapse_risk: bool = False,
) -> Plan:
    request = PlanRequest.model_validate(
        {
            "option": option,
            "concerns": list(concerns) or [("depression", "moderate")],
            "age": age,
            "at_risk": at_risk,
            "high_relapse_risk": high_relapse_risk,
        }
    )
    return build_plan(timeline(), request)


def by_id(result: Plan) -> dict[str, Milestone]:
    return {m.id: m for m in result.milestones}


def window(result: Plan, milestone_id: str) -> tuple[int, int]:
    found = by_id(result)[milestone_id]
    return found.day_from, found.day_to


# --- content ------------------------------------------------------------------------------


def test_content_carries_provenance() -> None:
    meta = timeline().meta
    assert meta.version == "2026.12.0"
    assert meta.reviewed == dt.date(2026, 11, 27)


def test_content_uses_only_known_sources() -> None:
    used = {s for m in timeline().milestones for v in m.variants for s in v.sources}
    used |= {s for c in timeline().courses for s in c.sources}
    assert used <= ALLOWED_SOURCES
    assert set(timeline().meta.sources) <= ALLOWED_SOURCES


def test_clinical_numbers_are_in_content_not_code() -> None:
    folder = Path(__file__).parents[2].joinpath("src/bothand/domain/plan")
    modules = sorted(folder.glob("*.py"))
    assert modules
    for module in modules:
        code = module.read_text()
        for number in ("14", "28", "42", "56", "84", "182", "365", "730"):
            assert not re.search(rf"\b{number}\b", code), (module.name, number)


def _mutated(change: Any) -> Any:
    data = copy.deepcopy(raw_timeline())
    change(data)
    return data


def _template(data: Any, milestone_id: str) -> Any:
    return next(m for m in data["milestones"] if m["id"] == milestone_id)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["therapy_names"].pop("emdr"), "therapy_names"),
        (
            lambda d: _template(d, "milestone.full_effect")["options"].append("therapy"),
            "only for options with medicine",
        ),
        (
            lambda d: _template(d, "milestone.full_effect")["variants"].reverse(),
            "last variant",
        ),
        (
            lambda d: _template(d, "milestone.therapy_start")["variants"][0].update(
                text="Sessions of {therapie} start."
            ),
            "unknown placeholder",
        ),
        (
            lambda d: _template(d, "milestone.continue_taper_stop")["variants"][0]["window"].update(
                after="milestone.no_such_step"
            ),
            "not an earlier milestone",
        ),
        (
            lambda d: _template(d, "milestone.add_therapy")["variants"][0]["window"].update(
                after="milestone.therapy_start"
            ),
            "not in every plan",
        ),
        (
            lambda d: d["therapy_choice"].pop(1),
            "no row holds for condition depression, severity moderate",
        ),
        # a ``when``: a typo in the short form, a value outside the vocabulary, a fact its
        # place does not supply, ages the wrong way round, and the grammar's own shape
        (
            lambda d: d["therapy_choice"][0]["when"].update(severity=["mild"]),
            "therapy_choice.0.when: Value error, unknown key 'severity'",
        ),
        (
            lambda d: d["therapy_choice"][0]["when"].update(conditions=["depresion"]),
            "fact 'condition' cannot be 'depresion'",
        ),
        (
            lambda d: d["therapy_choice"][0]["when"].update(options=["therapy"]),
            "therapy_choice[0].when (guided_self_help) may test only",
        ),
        (
            lambda d: _template(d, "milestone.first_medication_review")["variants"][1][
                "when"
            ].update(age_from=30),
            "age_from 30 is above age_to 17",
        ),
        (
            lambda d: _template(d, "milestone.first_medication_review")["variants"][1].update(
                when={"fact": "medication_preference", "op": "eq", "value": "open"}
            ),
            "variants[1].when may test only",
        ),
        (
            lambda d: _template(d, "milestone.first_medication_review")["variants"][1].update(
                when={"fact": "age", "op": "eq", "value": 18}
            ),
            "fact 'age' is a number: use op 'ge' or 'le'",
        ),
        (lambda d: d["courses"].pop(), "no row without 'when'"),
        (lambda d: d["courses"][0].update(sessions=[7, 5]), "second must be larger"),
        (lambda d: d["courses"][0].update(set_by_clinician=True), "set_by_clinician"),
        (lambda d: d["milestones"][0].update(colour="red"), "Extra inputs"),
        (
            lambda d: _template(d, "milestone.first_medication_review")["variants"][0][
                "window"
            ].update(days=[9, 3]),
            "end before they start",
        ),
        (
            lambda d: [
                m["options"].remove("monitor")
                for m in d["milestones"]
                if m["id"] == "milestone.remeasure_baseline"
            ],
            "no remeasure milestone for option 'monitor'",
        ),
    ],
)
def test_content_mistakes_are_named(change: Any, message: str) -> None:
    with pytest.raises(ContentError, match=re.escape(message)):
        parse(Timeline, _mutated(change), "timeline.yaml")


# --- medicine timings ---------------------------------------------------------------------


def test_first_medicine_review_is_at_about_two_weeks() -> None:
    assert window(plan("medication", age=40), "milestone.first_medication_review") == (10, 14)


@pytest.mark.parametrize("age", [18, 21, 25])
def test_first_medicine_review_is_at_about_one_week_for_ages_18_to_25(age: int) -> None:
    assert window(plan("medication", age=age), "milestone.first_medication_review")[1] == 7


@pytest.mark.parametrize("age", [None, 26, 70])
def test_other_ages_keep_the_two_week_review(age: int | None) -> None:
    assert window(plan("medication", age=age), "milestone.first_medication_review")[1] == 14


@pytest.mark.parametrize("age", [9, 15, 17])
def test_under_18_first_review_at_one_week_then_weekly(age: int) -> None:
    # NG134 (and NG116, CG31, NG87 for their conditions): closer contact early for under-18s
    for condition in ("depression", "ptsd", "ocd", "adhd"):
        result = plan("medication", (condition, "moderate"), age=age)
        assert window(result, "milestone.first_medication_review")[1] == 7
        assert window(result, "milestone.medication_check_week2") == (14, 14)
        assert window(result, "milestone.medication_check_week3") == (21, 21)


@pytest.mark.parametrize("condition", ["generalized_anxiety", "panic", "social_anxiety", "ocd"])
@pytest.mark.parametrize("age", [18, 26, 29])
def test_anxiety_and_ocd_under_30_review_at_one_week_then_weekly(condition: str, age: int) -> None:
    # CG113 / CKS OCD: under 30, a review after about a week, then weekly for the first month
    result = plan("medication", (condition, "moderate"), age=age)
    assert window(result, "milestone.first_medication_review")[1] == 7
    assert window(result, "milestone.medication_check_week2") == (14, 14)


@pytest.mark.parametrize("age", [30, 45])
def test_depression_at_26_and_anxiety_from_30_have_no_weekly_checks(age: int) -> None:
    for condition in ("depression", "panic"):
        years = age if condition == "panic" else 26
        result = plan("medication", (condition, "moderate"), age=years)
        assert "milestone.medication_check_week2" not in {m.id for m in result.milestones}
        assert window(result, "milestone.first_medication_review")[1] == 14


def test_urgent_therapy_plans_have_a_first_week_contact() -> None:
    for option in ("therapy", "therapy_first", "monitor"):
        urgent = plan(option, ("depression", "severe"), age=40, at_risk=True)
        assert window(urgent, "milestone.early_contact") == (0, 7)
        calm = plan(option, ("depression", "severe"), age=40)
        assert "milestone.early_contact" not in {m.id for m in calm.milestones}


def test_ocd_medicine_is_judged_from_12_weeks() -> None:
    # CG31: benefit from an SSRI for OCD can take 12 weeks or more
    for option in ("medication", "medication_first"):
        result = plan(option, ("ocd", "moderate"), age=40)
        assert window(result, "milestone.check_progress")[0] >= 84


def test_a_positive_safety_item_brings_the_first_review_to_one_week() -> None:
    result = plan("combined", age=50, at_risk=True)
    review = by_id(result)["milestone.first_medication_review"]
    assert (review.day_from, review.day_to) == (5, 7)
    assert "safety question" in review.text
    assert window(result, "milestone.remeasure_week2") == (5, 7)


def test_is_it_helping_is_at_four_weeks_for_medicine() -> None:
    assert window(plan("medication"), "milestone.check_progress") == (24, 28)
    assert window(plan("medication_first"), "milestone.check_progress") == (24, 28)


@pytest.mark.parametrize("option", ["combined", "therapy", "therapy_first"])
def test_is_it_helping_is_at_four_to_six_weeks_with_therapy(option: str) -> None:
    result = plan(option, ("depression", "moderate"))
    check = by_id(result)["milestone.check_progress"]
    assert (check.day_from, check.day_to) == (28, 42)
    assert "CBT" in check.text


def test_full_effect_takes_six_to_eight_weeks() -> None:
    assert window(plan("medication"), "milestone.full_effect") == (42, 56)


def test_ocd_full_effect_takes_twelve_weeks_or_more() -> None:
    day_from, _ = window(plan("medication", ("ocd", "moderate")), "milestone.full_effect")
    assert day_from >= 84


def test_adhd_medicine_is_judged_after_six_weeks() -> None:
    full = by_id(plan("medication", ("adhd", "moderate")))["milestone.full_effect"]
    assert full.day_from == 42
    assert "six weeks" in full.text


def test_medicine_talk_comes_six_months_or_more_after_expected_remission() -> None:
    result = plan("medication", ("depression", "moderate"))
    remission_from, remission_to = window(result, "milestone.full_effect")
    talk = by_id(result)["milestone.continue_taper_stop"]
    assert talk.day_from - remission_from >= 180
    assert talk.day_to - remission_to <= 366
    assert "slowly" in talk.text
    assert "prescriber" in talk.text


def test_higher_relapse_risk_moves_the_medicine_talk_later() -> None:
    usual = by_id(plan("medication"))["milestone.continue_taper_stop"]
    higher = by_id(plan("medication", high_relapse_risk=True))["milestone.continue_taper_stop"]
    assert higher.day_from > usual.day_from
    assert higher.day_to - window(plan("medication"), "milestone.full_effect")[1] >= 700
    assert "two years" in higher.text


# NG222 1.8: relapse risk factors besides recurrent episodes include residual symptoms and a
# severe past episode. The talk about the medicine after months of feeling well names them
# (written from the guideline's list, not from the planner's output).


@pytest.mark.parametrize("severity", ["moderately_severe", "severe"])
def test_a_more_severe_depression_is_named_as_a_relapse_risk_in_the_medicine_talk(
    severity: str,
) -> None:
    result = plan("medication", ("depression", severity))
    talk = by_id(result)["milestone.continue_taper_stop"]
    usual = by_id(plan("medication", ("depression", "moderate")))["milestone.continue_taper_stop"]
    assert (talk.day_from, talk.day_to) == (usual.day_from, usual.day_to)  # the same 6+ months
    assert "more severe" in talk.text
    assert "longer" in talk.text
    assert "not gone away" in talk.text  # residual symptoms
    assert {"nice_ng222", "nice_cg90"} <= set(talk.sources)


@pytest.mark.parametrize("severity", ["mild", "moderate", "unrated"])
def test_every_depression_medicine_talk_asks_about_residual_symptoms_and_a_severe_past_episode(
    severity: str,
) -> None:
    talk = by_id(plan("combined", ("depression", severity)))["milestone.continue_taper_stop"]
    assert "not gone away" in talk.text
    assert "past episode was severe" in talk.text
    assert "nice_ng222" in talk.sources


def test_higher_relapse_risk_talk_asks_about_residual_symptoms_too() -> None:
    talk = by_id(plan("medication", high_relapse_risk=True))["milestone.continue_taper_stop"]
    assert "at least two years" in talk.text
    assert "not gone away" in talk.text


@pytest.mark.parametrize("condition", ["generalized_anxiety", "panic", "ptsd"])
def test_other_conditions_keep_the_general_medicine_talk(condition: str) -> None:
    """NG222's risk factors are for depression: they are not told to someone with anxiety."""
    talk = by_id(plan("medication", (condition, "severe")))["milestone.continue_taper_stop"]
    assert "depression" not in talk.text
    assert "six months or more" in talk.text


def test_with_depression_and_anxiety_the_depression_talk_is_given() -> None:
    both = plan("medication", ("generalized_anxiety", "moderate"), ("depression", "severe"))
    assert "more severe" in by_id(both)["milestone.continue_taper_stop"].text


def test_ocd_medicine_talk_comes_after_at_least_a_year() -> None:
    result = plan("medication", ("ocd", "severe"))
    talk_from, _ = window(result, "milestone.continue_taper_stop")
    assert talk_from - window(result, "milestone.full_effect")[0] >= 365


@pytest.mark.parametrize("condition", ["bipolar", "schizophrenia"])
def test_bipolar_and_schizophrenia_get_the_continue_and_review_talk(condition: str) -> None:
    result = plan("combined", (condition, "severe"))
    kinds = {m.kind for m in result.milestones}
    assert "continue_and_review" in kinds
    assert "continue_taper_stop" not in kinds
    review = by_id(result)["milestone.long_term_medicine_review"]
    assert "long term" in review.text
    assert "lower it" not in review.text and "come off" not in review.text


def test_one_concern_with_long_term_medicine_sets_the_talk_for_the_plan() -> None:
    result = plan("medication", ("depression", "moderate"), ("bipolar", "moderate"))
    kinds = [m.kind for m in result.milestones]
    assert kinds.count("continue_and_review") == 1
    assert "continue_taper_stop" not in kinds


def test_medicine_text_never_tells_anyone_to_stop() -> None:
    for option in OPTION_IDS:
        for condition in CONDITIONS:
            for m in plan(option, (condition, "moderate"), high_relapse_risk=True).milestones:
                lowered = m.text.lower()
                assert "stop your medicine" not in lowered
                assert "stop taking" not in lowered
                assert not re.search(r"\d\s*mg\b|\bdose\b", lowered)


# --- therapy, monitoring and the add-the-other decision -----------------------------------


def test_therapy_only_has_no_medicine_milestones() -> None:
    result = plan("therapy", ("depression", "moderate"))
    assert not {m.kind for m in result.milestones} & MEDICATION_KINDS
    assert not [m for m in result.milestones if "medicine" in m.title.lower()]
    kinds = {m.kind for m in result.milestones}
    assert {"therapy_start", "therapy_course", "relapse_prevention", "remeasure"} <= kinds


def test_monitor_has_rechecks_and_nothing_about_treatment() -> None:
    result = plan("monitor", ("depression", "mild"))
    rechecks = [m for m in result.milestones if m.kind == "monitor_recheck"]
    assert [(m.day_from, m.day_to) for m in rechecks] == [(14, 14), (28, 28)]
    assert {m.kind for m in result.milestones} == {"remeasure", "monitor_recheck"}
    assert "decide" in rechecks[-1].text


def test_therapy_first_adds_medicine_at_the_end_of_the_course() -> None:
    result = plan("therapy_first", ("depression", "mild"))
    course = by_id(result)["milestone.therapy_course"]
    add = by_id(result)["milestone.add_medication"]
    assert add.kind == "add_other_treatment"
    assert (add.day_from, add.day_to) == (course.day_from, course.day_to + 14)
    assert "guided self-help" in add.text
    assert "adding medicine" in by_id(result)["milestone.check_progress"].text
    assert not {m.kind for m in result.milestones} & MEDICATION_KINDS


def test_medication_first_checks_for_room_for_therapy_at_four_to_eight_weeks() -> None:
    result = plan("medication_first", ("ptsd", "severe"))
    add = by_id(result)["milestone.add_therapy"]
    assert (add.kind, add.day_from, add.day_to) == ("add_other_treatment", 28, 56)
    assert "trauma-focused therapy" in add.text
    assert "therapy_start" not in {m.kind for m in result.milestones}


@pytest.mark.parametrize(
    ("concern", "age", "name", "length"),
    [
        (("depression", "mild"), 40, "guided self-help", "about 6 to 8 sessions"),
        (("depression", "severe"), 40, "CBT", "16 sessions or more"),
        (("generalized_anxiety", "mild"), 40, "guided self-help", "about 5 to 7 sessions"),
        (("social_anxiety", "moderate"), 40, "CBT", "about 14 to 16 sessions"),
        (("ptsd", "moderate"), 40, "trauma-focused therapy", "about 8 to 12 sessions"),
        (("ocd", "mild"), 40, "(ERP)", "set by your therapist"),
        (("schizophrenia", "unrated"), 40, "CBT for psychosis", "16 sessions or more"),
        (("bipolar", "moderate"), 40, "bipolar education", "set by your therapist"),
        (("adhd", "moderate"), 9, "parent training", "set by your therapist"),
        (("adhd", "moderate"), 12, "CBT", "about 8 to 16 sessions"),
        (("adhd", "moderate"), None, "CBT", "about 8 to 16 sessions"),
    ],
)
def test_the_therapy_course_is_named_with_its_length(
    concern: tuple[str, str], age: int | None, name: str, length: str
) -> None:
    start = by_id(plan("therapy", concern, age=age))["milestone.therapy_start"]
    assert name in start.text
    assert length in start.text


@pytest.mark.parametrize(
    ("option", "concern"),
    [
        ("therapy", ("depression", "mild")),
        ("therapy", ("depression", "severe")),
        ("combined", ("ptsd", "moderate")),
        ("therapy_first", ("social_anxiety", "moderate")),
    ],
)
def test_the_check_at_each_session_lasts_the_whole_course(
    option: str, concern: tuple[str, str]
) -> None:
    """The questionnaire at every session runs from the first session to the course's end,
    not only the first two weeks (NHS Talking Therapies: a measure at each session)."""
    result = plan(option, concern)
    each = window(result, "milestone.remeasure_each_session")
    start = window(result, "milestone.therapy_start")
    course = window(result, "milestone.therapy_course")
    assert each == (start[0], course[1])
    assert each[1] > start[1]


def test_the_course_end_follows_the_course_length() -> None:
    severe = plan("therapy", ("depression", "severe"))
    start_from, start_to = window(severe, "milestone.therapy_start")
    assert window(severe, "milestone.therapy_course") == (start_from + 16 * 7, start_to + 24 * 7)
    sources = by_id(severe)["milestone.therapy_course"].sources
    assert "hansen_2002" in sources
    # the session ranges come from the practice-guideline table, not a dose-effect study
    assert "gautam_2020_cbt" in sources
    assert "howard_1986" not in sources


# --- several concerns ---------------------------------------------------------------------


def test_several_concerns_take_the_most_demanding_window() -> None:
    both = plan("combined", ("depression", "moderate"), ("ocd", "mild"), age=22)
    alone = plan("combined", ("depression", "moderate"), age=40)
    assert window(both, "milestone.full_effect")[0] >= 84
    assert window(both, "milestone.first_medication_review") == (5, 7)
    assert (
        window(both, "milestone.continue_taper_stop")[0]
        > window(alone, "milestone.continue_taper_stop")[0]
    )
    assert "OCD" in by_id(both)["milestone.full_effect"].text


def test_several_concerns_name_the_therapy_with_the_longest_course() -> None:
    result = plan("therapy", ("depression", "mild"), ("schizophrenia", "moderate"))
    assert "CBT for psychosis" in by_id(result)["milestone.therapy_course"].text


def test_the_order_of_concerns_does_not_matter() -> None:
    one = plan("combined", ("ptsd", "severe"), ("depression", "mild"), ("ocd", "moderate"))
    two = plan("combined", ("ocd", "moderate"), ("depression", "mild"), ("ptsd", "severe"))
    assert dump_plan(one) == dump_plan(two)


# --- dates and the contract ---------------------------------------------------------------


def test_dated_adds_the_days_to_the_start() -> None:
    start = dt.date(2026, 12, 30)
    dated = plan("combined").dated(start)
    assert dated.is_dated
    for m in dated.milestones:
        assert m.date_from == start + dt.timedelta(days=m.day_from)
        assert m.date_to == start + dt.timedelta(days=m.day_to)
    assert not plan("combined").is_dated


def test_contract_shape() -> None:
    undated = dump_plan(plan("therapy"))
    assert undated["option"] == "therapy"
    first = undated["milestones"][0]
    assert list(first) == ["id", "kind", "day_from", "day_to", "title", "text", "sources"]
    dated = dump_plan(plan("therapy").dated(dt.date(2026, 1, 1)))
    assert dated["milestones"][0]["date_from"] == "2026-01-01"
    assert all(isinstance(m["date_to"], str) for m in dated["milestones"])


def test_milestones_are_sorted_by_day_then_id() -> None:
    keys = [(m.day_from, m.id) for m in plan("combined").milestones]
    assert keys == sorted(keys)


# --- bad input ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"option": "pills"}, "option"),
        ({"concerns": []}, "concerns"),
        ({"concerns": [("grief", "mild")]}, "concerns[0][0]"),
        ({"concerns": [("depression", "awful")]}, "concerns[0][1]"),
        ({"concerns": [("depression", "mild"), ("depression", "severe")]}, "concerns[1]"),
        ({"age": -3}, "age"),
        ({"age": "40"}, "age"),
        ({"at_risk": "yes"}, "at_risk"),
        ({"extra": 1}, "extra"),
    ],
)
def test_bad_requests_name_the_field(change: dict[str, Any], field: str) -> None:
    data: dict[str, Any] = {
        "option": "therapy",
        "concerns": [("depression", "mild")],
        "age": 30,
        "at_risk": False,
    } | change
    with pytest.raises(InputError) as caught:
        PlanRequest.model_validate(data)
    assert caught.value.field == field


def test_safety_and_age_must_be_given() -> None:
    with pytest.raises(InputError) as caught:
        PlanRequest.model_validate({"option": "therapy", "concerns": [("ocd", "mild")]})
    assert caught.value.field in {"age", "at_risk"}


def test_build_plan_rejects_an_unchecked_bad_option() -> None:
    request = PlanRequest.model_construct(
        option="pills", concerns=(("depression", "mild"),), age=None, at_risk=False
    )
    with pytest.raises(InputError) as caught:
        build_plan(timeline(), request)
    assert caught.value.field == "option"


def test_dated_needs_a_date() -> None:
    with pytest.raises(InputError) as caught:
        plan("therapy").dated(dt.datetime(2026, 1, 1, 9, 0))
    assert caught.value.field == "start"


# --- words --------------------------------------------------------------------------------


def test_every_text_a_plan_can_show_reads_at_grade_8_or_lower() -> None:
    contexts = ((9, False, False), (20, True, True), (None, False, False))
    seen: set[str] = set()
    for option, condition, severity, (age, at_risk, high) in itertools.product(
        OPTION_IDS, CONDITIONS, ("mild", "severe", "unrated"), contexts
    ):
        result = plan(
            option, (condition, severity), age=age, at_risk=at_risk, high_relapse_risk=high
        )
        seen.update(text for m in result.milestones for text in (m.title, m.text))
    grades = {text: flesch_kincaid_grade(text) for text in seen}
    assert {text: grade for text, grade in grades.items() if grade > 8} == {}
    assert len(seen) > 40
