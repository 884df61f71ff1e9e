"""`bothand start` follows the intake (content/intake.yaml) as the web flow does: the same
questionnaire or rating per condition, then age and history, which reach the case and so the
age rules and the high-relapse plan. Typed input it cannot read is asked again; nothing crashes.

The session is driven with a StringIO for stdin; ``services.recommend`` and ``care_plan`` are
wrapped (not replaced) so a test can see the case the session built.
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any

import pytest

from bothand import services
from bothand.catalog import Catalog
from bothand.cli.session import run_session
from bothand.contract import dump_plan
from bothand.domain.clock import FixedClock
from bothand.domain.errors import InputError
from bothand.domain.vocab import CONDITIONS, OPTION_IDS, SEVERITIES
from bothand.services import intake

START = "2027-01-04"  # a fixed start date: the tests never read the wall clock


class Seen:
    """What the session passed to the use-cases, and what it printed."""

    def __init__(self) -> None:
        self.case: dict[str, Any] = {}
        self.result: dict[str, Any] = {}
        self.plan: dict[str, Any] = {}
        self.text = ""


@pytest.fixture
def seen(monkeypatch: pytest.MonkeyPatch) -> Seen:
    record = Seen()
    recommend, care_plan = services.recommend, services.care_plan

    def recording_recommend(catalog: Catalog, case: dict[str, Any]) -> dict[str, Any]:
        record.case = case
        record.result = recommend(catalog, case)
        return record.result

    def recording_care_plan(catalog: Catalog, case: Any, option: str, start: Any) -> Any:
        plan = care_plan(catalog, case, option, start)
        record.plan = dump_plan(plan)
        return plan

    monkeypatch.setattr(services, "recommend", recording_recommend)
    monkeypatch.setattr(services, "care_plan", recording_care_plan)
    return record


CLOCK = FixedClock(dt.datetime(2027, 3, 1, 9, 30, tzinfo=dt.UTC))


def session(catalog: Catalog, seen: Seen, lines: list[str], folder: Path | None = None) -> Seen:
    """Run the session on ``lines``; the calendar offer saves in ``folder`` (a test's tmp
    folder) or is declined by the last line ("no", from ``ending``)."""
    out = io.StringIO()
    status = run_session(catalog, io.StringIO("\n".join(lines) + "\n"), out, CLOCK, folder)
    assert status == 0
    seen.text = out.getvalue()
    return seen


def number_of(catalog: Catalog, condition: str) -> str:
    ids: list[str] = [info.id for info in catalog.explainers.conditions]
    return str(ids.index(condition) + 1)


def rating(catalog: Catalog, severity: str) -> str:
    """The number to type for a severity in the rating list (severities, then Not sure)."""
    severities: list[str] = list(SEVERITIES)
    return str(severities.index(severity) + 1)


def episodes(catalog: Catalog, value: int) -> str:
    values = [choice.value for choice in catalog.intake.previous_episodes]
    return str(values.index(value) + 1)


SKIP_VALUES = [""] * 7  # six things that may matter, then the leaning: all skipped
SKIP_READINESS = [""] * 4  # the four readiness questions, skipped


def ending(option: str | None = None, save: str = "no") -> list[str]:
    """What matters (skipped), preferences (Enter: open), engage (Enter: yes), readiness
    (skipped), the option (Enter: the plan's), the start date, and the calendar offer."""
    options: list[str] = list(OPTION_IDS)
    number = str(options.index(option) + 1) if option else ""
    return [*SKIP_VALUES, "", "", "", *SKIP_READINESS, number, START, save]


SKIP_INTAKE = ["", "", "", ""]  # age, earlier episodes, medicine before, therapy before
ASQ_NO = ["no"] * 4  # the ASQ, asked on every path without the PHQ-9: four "no" answers


# --- the questionnaire or the rating: the intake's rule, as on the web -----------------------


@pytest.mark.parametrize("condition", ["panic", "social_anxiety"])
def test_panic_and_social_anxiety_get_the_rating_as_on_the_web(
    catalog: Catalog, seen: Seen, condition: str
) -> None:
    assert intake.questionnaire_for(catalog, condition) is None  # the content's decision
    lines = ["", number_of(catalog, condition), rating(catalog, "moderate"), *ASQ_NO]
    session(catalog, seen, lines + SKIP_INTAKE + ending())
    assert seen.case["concerns"] == [{"condition": condition, "severity": "moderate"}]
    assert catalog.instruments["gad7"].name not in seen.text


@pytest.mark.parametrize("condition", CONDITIONS)
def test_every_condition_gets_what_the_intake_names(
    catalog: Catalog, seen: Seen, condition: str
) -> None:
    instrument = intake.questionnaire_for(catalog, condition)
    if instrument is None:
        answers = [""]  # the rating: Enter is "Not sure"
    else:  # "1" answers every item and shows (and picks the first answer of) every extra item
        answers = ["1"] * (len(instrument.items) + len(instrument.extra_items))
    asq = ASQ_NO if intake.risk_screen_for(catalog, [condition]) else []
    lines = ["", number_of(catalog, condition), *answers, *asq, *SKIP_INTAKE, *ending()]
    session(catalog, seen, lines)
    (concern,) = seen.case["concerns"]
    assert ("risk_screen" in seen.case) is (condition != "depression")  # risk on every path
    assert concern.get("instrument") == (instrument.id if instrument else None)


# --- age and history reach the case, and the rules ---------------------------------------------


def test_the_intake_asks_in_the_order_the_content_lists(catalog: Catalog, seen: Seen) -> None:
    labels = catalog.labels
    session(catalog, seen, ["", number_of(catalog, "adhd"), "", *ASQ_NO, *SKIP_INTAKE, *ending()])
    keys = {
        "age": catalog.intake.age.label,
        "history.previous_episodes": "intake.episodes",
        "history.medication": "intake.history.medication",
        "history.therapy": "intake.history.therapy",
        "able_to_engage_in_therapy": "session.engage",
    }
    flat = " ".join(seen.text.split())
    places = [flat.index(" ".join(labels[keys[field]].split())) for field in catalog.intake.asks]
    assert places == sorted(places)


def test_a_child_under_5_with_adhd_reaches_the_age_rule(catalog: Catalog, seen: Seen) -> None:
    lines = ["", number_of(catalog, "adhd"), rating(catalog, "moderate"), *ASQ_NO, "4", "", "", ""]
    session(catalog, seen, lines + ending())
    assert seen.case["age"] == 4
    medication = next(o for o in seen.result["options"] if o["id"] == "medication")
    assert "reason.adhd.young_child_medicine" in [r["id"] for r in medication["reasons"]]
    assert medication["fit"] == "not_advised"


def test_an_adult_with_adhd_does_not(catalog: Catalog, seen: Seen) -> None:
    lines = ["", number_of(catalog, "adhd"), rating(catalog, "moderate"), *ASQ_NO, "34", "", "", ""]
    session(catalog, seen, lines + ending())
    assert seen.case["age"] == 34
    medication = next(o for o in seen.result["options"] if o["id"] == "medication")
    assert "reason.adhd.young_child_medicine" not in [r["id"] for r in medication["reasons"]]


@pytest.mark.parametrize("skip", ["", "I would rather not say", "i would"])
def test_prefer_not_to_say_leaves_age_out(catalog: Catalog, seen: Seen, skip: str) -> None:
    lines = ["", number_of(catalog, "adhd"), rating(catalog, "moderate"), *ASQ_NO, skip, "", "", ""]
    session(catalog, seen, lines + ending())
    assert "age" not in seen.case
    assert "history" not in seen.case  # skipped history stays out too


def _high_relapse_text(catalog: Catalog) -> str:
    milestone = next(
        m for m in catalog.timeline.milestones if m.id == "milestone.continue_taper_stop"
    )
    variant = next(v for v in milestone.variants if "high_relapse_risk" in v.when.facts_used())
    assert variant.text is not None
    return " ".join(variant.text.split())


# CG90 1.9.1: two or more episodes, the current one counted: one earlier episode is enough
@pytest.mark.parametrize(("value", "high"), [(2, True), (1, True), (0, False)])
def test_one_or_more_earlier_episodes_reach_the_high_relapse_plan(
    catalog: Catalog, seen: Seen, value: int, high: bool
) -> None:
    lines = [
        "",
        number_of(catalog, "depression"),
        *["2"] * 9,  # PHQ-9 total 18: moderately severe
        "1",  # how hard it made things (asked as published, not kept)
        "",  # age: rather not say
        episodes(catalog, value),
        "2",  # medicine before: yes, and it did not help enough
        "1",  # therapy before: yes, and it helped
    ]
    session(catalog, seen, lines + ending("combined"))
    assert seen.case["history"] == {
        "previous_episodes": value,
        "medication": "did_not_help",
        "therapy": "helped",
    }
    assert seen.plan["option"] == "combined"
    texts = " ".join(" ".join(m["text"].split()) for m in seen.plan["milestones"])
    assert (_high_relapse_text(catalog) in texts) is high


# --- typed input it cannot read is asked again ---------------------------------------------------


@pytest.mark.parametrize("bad", ["121", "-3", "four", "4.5", "²", "9" * 5000])
def test_an_age_it_cannot_read_is_asked_again(catalog: Catalog, seen: Seen, bad: str) -> None:
    lines = ["", number_of(catalog, "adhd"), rating(catalog, "moderate"), *ASQ_NO, bad, "30"]
    lines += ["", "", ""]
    session(catalog, seen, lines + ending())
    assert seen.case["age"] == 30
    assert seen.text.count(catalog.labels["intake.age_error"]) == 1


def test_choices_it_cannot_read_are_asked_again(catalog: Catalog, seen: Seen) -> None:
    lines = [
        "",
        "²",  # a Unicode digit is not a concern number
        number_of(catalog, "panic"),
        "9",  # no rating 9
        rating(catalog, "mild"),
        *ASQ_NO,
        "",
        "7",  # no such choice of earlier episodes
        episodes(catalog, 1),
        "",
        "",
    ]
    session(
        catalog,
        seen,
        [
            *lines,
            *SKIP_VALUES,
            "",
            "",
            "",
            *SKIP_READINESS,
            "",
            "2027-02-30",
            "9999-12-31",
            START,
            "no",
        ],
    )
    assert seen.case["concerns"] == [{"condition": "panic", "severity": "mild"}]
    assert seen.case["history"] == {"previous_episodes": 1}
    assert seen.text.count(catalog.labels["intake.start_error"]) == 2
    assert seen.plan["milestones"][0]["date_from"] == START


def test_input_that_ends_in_the_intake_is_bad_input_not_a_crash(catalog: Catalog) -> None:
    lines = ["", number_of(catalog, "adhd"), "", "40"]
    with pytest.raises(InputError, match="input ended"):
        run_session(catalog, io.StringIO("\n".join(lines) + "\n"), io.StringIO())


def test_no_raw_source_ids_words_unbroken_and_the_calendar_saved(
    catalog: Catalog, seen: Seen, tmp_path: Path
) -> None:
    from icalendar import Calendar

    lines = ["2", number_of(catalog, "panic"), rating(catalog, "mild"), *ASQ_NO, *SKIP_INTAKE]
    session(catalog, seen, lines + ending(save=""), folder=tmp_path)
    assert "nice_ng222" not in seen.text and "guide_bothand" not in seen.text
    assert "988" not in seen.text  # the UK was chosen: no US line shown
    calendar = Calendar.from_ical((tmp_path / "bothand-plan.ics").read_bytes())
    assert calendar.walk("VEVENT")


def test_i_would_like_it_is_a_choice_for_medicine_and_therapy(catalog: Catalog, seen: Seen) -> None:
    prefer = str(catalog.intake.preferences.index("prefer") + 1)
    lines = ["", number_of(catalog, "panic"), rating(catalog, "mild"), *ASQ_NO, *SKIP_INTAKE]
    tail = [*SKIP_VALUES, prefer, prefer, "", *SKIP_READINESS, "", START, "no"]
    session(catalog, seen, lines + tail)
    assert seen.case["preferences"] == {"medication": "prefer", "therapy": "prefer"}
    assert catalog.labels["preference.prefer"] in seen.text


# --- risk asked on every path (the ASQ) ------------------------------------------------------


def test_a_yes_on_the_asq_prints_crisis_help_first_and_reaches_the_case(
    catalog: Catalog, seen: Seen
) -> None:
    lines = ["2", number_of(catalog, "ptsd"), *["0"] * 20, "no", "yes", "no", "no", "no"]
    session(catalog, seen, lines + SKIP_INTAKE + ending())
    assert seen.case["risk_screen"] == {"instrument": "asq", "answers": [0, 1, 0, 0, 0]}
    assert seen.result["safety"]["urgent"] is True
    text = " ".join(seen.text.split())
    asq = text.index(" ".join((catalog.instruments["asq"].items[1].text or "").split()))
    crisis = text.index(catalog.labels["heading.safety"].upper(), asq)
    age = text.index(" ".join(catalog.labels[catalog.intake.age.label].split()), asq)
    assert crisis < age  # crisis help before any further question
    assert "Samaritans" in text[crisis:age]


def test_four_no_answers_skip_question_5_and_the_status_is_never_no_risk(
    catalog: Catalog, seen: Seen
) -> None:
    lines = ["", number_of(catalog, "ocd"), "", *ASQ_NO, *SKIP_INTAKE]
    session(catalog, seen, lines + ending())
    assert seen.case["risk_screen"]["answers"] == [0, 0, 0, 0, None]
    assert (catalog.instruments["asq"].items[4].text or "") not in seen.text
    flat = " ".join(seen.text.split())
    assert " ".join(catalog.labels["flow.risk.asked"].split()) in flat
    assert "no risk" not in flat.lower()


def test_with_the_phq9_the_asq_is_not_asked(catalog: Catalog, seen: Seen) -> None:
    lines = ["", number_of(catalog, "depression"), *["0"] * 9, *SKIP_INTAKE]
    session(catalog, seen, lines + ending())
    assert "risk_screen" not in seen.case
    assert (catalog.instruments["asq"].items[0].text or "") not in seen.text
