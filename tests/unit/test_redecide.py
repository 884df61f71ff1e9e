"""The re-decision rules (``redecide.yaml``, ``domain/knowledge/redecide.py``) and the pure
re-read of a first case (``domain/review/redecide.py``): what each chosen option teaches, the
OCD window, re-rating from the latest score, the trace, and the comparison with the first
decision's options."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from bothand.catalog import CONTENT_DIR, Catalog, load_catalog
from bothand.domain.case import Case, parse_case
from bothand.domain.errors import ContentError, InputError
from bothand.domain.knowledge.redecide import Redecide, RedecideFacts, RedecideWhen
from bothand.domain.review.finding import Finding
from bothand.domain.review.redecide import RERATE_RULE, compare, reread
from bothand.domain.track.progress import Score
from bothand.domain.vocab import OPTION_IDS

START = dt.date(2026, 1, 5)
PHQ9_12 = [2, 2, 2, 2, 1, 1, 1, 1, 0]
PHQ9_16 = [2, 2, 2, 2, 2, 2, 2, 2, 0]


def finding(
    kind: str = "no_reliable_change",
    instrument: str = "phq9",
    baseline: int = 12,
    latest: int = 11,
    weeks: int = 4,
    too_little: bool = True,
) -> Finding:
    return Finding(
        milestone="milestone.check_progress",
        kind=kind,  # type: ignore[arg-type]
        too_little=too_little,
        instrument=instrument,
        profile="nhs_talking_therapies",
        threshold=6,
        baseline=Score(baseline, START),
        latest=Score(latest, START + dt.timedelta(weeks=weeks)),
        change=latest - baseline,
        weeks=weeks,
    )


def case(condition: str = "depression", **concern: Any) -> Case:
    rated = concern or {"instrument": "phq9", "answers": PHQ9_12}
    return parse_case({"concerns": [{"condition": condition, **rated}]})


def facts(**given: Any) -> RedecideFacts:
    values: dict[str, Any] = {
        "option": "medication",
        "finding": "no_reliable_change",
        "milestone_kind": "check_progress",
        "condition": "depression",
        "weeks": 4,
    }
    return RedecideFacts(**{**values, **given})


# --- the content model ------------------------------------------------------------------------


def test_a_row_with_no_key_always_holds() -> None:
    assert RedecideWhen().evaluate(facts()) == (True, "applies to every re-decision")


@pytest.mark.parametrize(
    ("row", "given", "holds"),
    [
        ({"options": ["medication"]}, {}, True),
        ({"options": ["therapy"]}, {}, False),
        ({"findings": ["worse"]}, {}, False),
        ({"findings": ["worse"]}, {"finding": "worse"}, True),
        ({"conditions": ["ocd"], "weeks_below": 12}, {"condition": "ocd", "weeks": 11}, True),
        ({"conditions": ["ocd"], "weeks_below": 12}, {"condition": "ocd", "weeks": 12}, False),
        ({"weeks_at_least": 12}, {"weeks": 12}, True),
        ({"weeks_at_least": 12}, {"weeks": 11}, False),
        ({"milestone_kinds": ["full_effect"]}, {}, False),
    ],
)
def test_each_key_of_a_row_must_hold(
    row: dict[str, Any], given: dict[str, Any], holds: bool
) -> None:
    result, because = RedecideWhen.model_validate(row).evaluate(facts(**given))
    assert result is holds
    assert ("✗" in because) is not holds


def _book(**changes: Any) -> dict[str, Any]:
    data = yaml.safe_load((CONTENT_DIR / "redecide.yaml").read_text(encoding="utf-8"))
    data.update(changes)
    return dict(data)


def test_the_model_refuses_an_unknown_reason_a_silent_rule_and_a_repeated_id() -> None:
    book = _book()
    Redecide.model_validate(book)
    rule = {"id": "redecide.x", "explains": "ten letters or more", "sources": ["nice_ng222"]}
    with pytest.raises(ValueError, match="changes no history and gives no reason"):
        Redecide.model_validate({**book, "rules": [rule]})
    with pytest.raises(ValueError, match="is not defined"):
        Redecide.model_validate({**book, "rules": [{**rule, "reasons": ["reason.redecide.nope"]}]})
    with pytest.raises(ValueError, match="used twice"):
        Redecide.model_validate({**book, "rules": [*book["rules"], book["rules"][0]]})
    with pytest.raises(ValueError, match="option"):
        Redecide.model_validate(
            {**book, "rules": [{**rule, "when": {"options": ["pills"]}, "reasons": []}]}
        )


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"milestone_kinds": ["no_such_kind"]}, "is not the kind of any milestone"),
        ({"text": "You have had {months} months."}, "unknown placeholder {months}"),
        ({"sources": ["no_such_source"]}, "is not in sources.yaml"),
    ],
)
def test_the_catalog_cross_checks_the_rules(
    tmp_path: Path, change: dict[str, Any], message: str
) -> None:
    folder = tmp_path / "content"
    shutil.copytree(CONTENT_DIR, folder)
    book = _book()
    if "milestone_kinds" in change:
        book["rules"][0]["when"] = {**book["rules"][0]["when"], **change}
    else:
        book["reasons"][0].update(change)
    (folder / "redecide.yaml").write_text(yaml.safe_dump(book, allow_unicode=True), "utf-8")
    with pytest.raises(ContentError, match=message):
        load_catalog(folder)


def test_every_reason_is_used_and_every_rule_has_sources(catalog: Catalog) -> None:
    book = catalog.redecide
    used = {reason for rule in book.rules for reason in rule.reasons}
    assert used == {reason.id for reason in book.reasons}
    assert all(rule.sources and rule.explains for rule in book.rules)


# --- the re-read case --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("option", "medication", "therapy"),
    [
        ("medication", "did_not_help", "not_tried"),
        ("medication_first", "did_not_help", "not_tried"),
        ("therapy", "not_tried", "did_not_help"),
        ("therapy_first", "not_tried", "did_not_help"),
        ("combined", "did_not_help", "did_not_help"),
        ("monitor", "not_tried", "not_tried"),
    ],
)
def test_what_the_chosen_option_teaches(
    catalog: Catalog, option: str, medication: str, therapy: str
) -> None:
    found = reread(case(), option, finding(), "check_progress", catalog.redecide)  # type: ignore[arg-type]
    assert (found.case.history.medication, found.case.history.therapy) == (medication, therapy)
    assert found.history_before == {"medication": "not_tried", "therapy": "not_tried"}


def test_medicine_for_ocd_is_not_judged_before_twelve_weeks(catalog: Catalog) -> None:
    first = case("ocd", severity="moderate")
    early = reread(
        first, "combined", finding(instrument="wsas", weeks=5), "check_progress", catalog.redecide
    )
    assert early.history_after == {"medication": "not_tried", "therapy": "did_not_help"}
    assert "redecide.ocd.medicine_too_soon" in early.fired
    late = reread(
        first, "combined", finding(instrument="wsas", weeks=12), "check_progress", catalog.redecide
    )
    assert late.history_after == {"medication": "did_not_help", "therapy": "did_not_help"}
    assert "redecide.ocd.medicine_too_soon" not in late.fired


def test_the_latest_answers_rate_the_concern_again(catalog: Catalog) -> None:
    found = reread(
        case(),
        "medication",
        finding(latest=16),
        "check_progress",
        catalog.redecide,
        instruments=catalog.instruments,
        latest_answers=PHQ9_16,
    )
    assert (found.severity_before, found.severity_after) == ("moderate", "moderately_severe")
    assert found.case.concerns[0].answers == tuple(PHQ9_16)
    rerate = found.trace[0]
    assert rerate.rule == RERATE_RULE and rerate.fired
    assert rerate.effect == "severity: moderate → moderately_severe"


def test_a_clinician_rating_is_read_again_from_the_bands(catalog: Catalog) -> None:
    first = case("generalized_anxiety", severity="mild")
    found = reread(
        first,
        "therapy",
        finding(instrument="gad7", baseline=8, latest=16),
        "check_progress",
        catalog.redecide,
        instruments=catalog.instruments,
        measures={"generalized_anxiety", "panic", "social_anxiety"},
    )
    assert found.case.concerns[0].severity == "severe"
    assert (found.severity_before, found.severity_after) == ("mild", "severe")


def test_an_instrument_without_bands_leaves_the_rating(catalog: Catalog) -> None:
    first = case("ptsd", severity="moderate")
    found = reread(
        first,
        "medication",
        finding(instrument="pcl5", baseline=50, latest=48, weeks=7),
        "full_effect",
        catalog.redecide,
        instruments=catalog.instruments,
        measures={"ptsd"},
    )
    assert found.case.concerns == first.concerns
    assert not found.trace[0].fired
    assert "no severity bands" in found.trace[0].because


def test_every_rule_is_in_the_trace_once_and_the_first_case_is_untouched(catalog: Catalog) -> None:
    first = case()
    dumped = first.model_dump()
    found = reread(first, "medication", finding(), "check_progress", catalog.redecide)
    rules = [entry.rule for entry in found.trace]
    assert rules == [RERATE_RULE, *(rule.id for rule in catalog.redecide.rules)]
    for entry in found.trace[1:]:
        assert (
            "✗" not in entry.because
        ) is entry.fired or entry.because == "applies to every re-decision"
    assert first.model_dump() == dumped
    assert found.case is not first


def test_the_reasons_say_how_long_and_name_the_concern(catalog: Catalog) -> None:
    found = reread(
        case("bipolar", severity="moderate"),
        "medication",
        finding(weeks=7),
        "full_effect",
        catalog.redecide,
        names={"bipolar": "bipolar disorder"},
    )
    texts = {reason.id: reason.text for reason in found.reasons}
    assert "7 weeks" in texts["reason.redecide.tried_medicine"]
    assert texts["reason.redecide.long_term_medicine"].startswith("For bipolar disorder,")
    assert all("{" not in text for text in texts.values())


def test_only_a_finding_of_too_little_is_decided_again(catalog: Catalog) -> None:
    with pytest.raises(InputError, match="too little"):
        reread(
            case(),
            "medication",
            finding(kind="some_change", too_little=False),
            "check_progress",
            catalog.redecide,
        )


def test_the_same_inputs_give_the_same_reread(catalog: Catalog) -> None:
    one = reread(case(), "combined", finding(), "check_progress", catalog.redecide)
    two = reread(case(), "combined", finding(), "check_progress", catalog.redecide)
    assert one == two


# --- what changed ------------------------------------------------------------------------------


def test_compare_gives_the_fit_before_and_the_new_reasons() -> None:
    first = [
        {"id": "therapy", "fit": "usual_start", "reasons": [{"id": "a"}]},
        {"id": "combined", "fit": "reasonable", "reasons": [{"id": "b"}]},
    ]
    again = [
        ("therapy", "usual_start", ["a"]),
        ("combined", "usual_start", ["b", "c", "c"]),
        ("monitor", "less_suited", ["d"]),
    ]
    changes = {c.id: c for c in compare(first, again)}  # type: ignore[arg-type]
    assert (changes["therapy"].was, changes["therapy"].moved, changes["therapy"].new_reasons) == (
        "usual_start",
        0,
        (),
    )
    assert (changes["combined"].moved, changes["combined"].new_reasons) == (1, ("c",))
    assert (changes["monitor"].was, changes["monitor"].moved) == (None, 0)
    assert len(OPTION_IDS) == 6
