"""Clinical numbers the pipeline uses live in content, with sources, and the code follows them:
the age bands, how many past episodes count as a higher risk of relapse, and the order of fits
in which the plan's option is picked."""

from __future__ import annotations

import copy
import dataclasses
from functools import cache
from typing import Any

import pytest

from bothand import services
from bothand.catalog import CONTENT_DIR, Catalog, parse, read_yaml
from bothand.domain.decide.rules import RuleBook
from bothand.domain.errors import ContentError
from bothand.domain.plan.timeline import Timeline


@cache
def _raw(name: str) -> Any:
    return read_yaml(CONTENT_DIR / name)


def _with(catalog: Catalog, name: str, change: Any) -> Catalog:
    """The catalog with one content file changed (a new catalog: compiled forms are per
    catalog)."""
    data = copy.deepcopy(_raw(name))
    change(data)
    if name == "rules.yaml":
        return dataclasses.replace(catalog, rules=parse(RuleBook, data, name))
    return dataclasses.replace(catalog, timeline=parse(Timeline, data, name))


@pytest.mark.parametrize(
    ("age", "band"),
    [
        (None, "unknown"),
        (0, "under_5"),
        (4, "under_5"),
        (5, "5_to_17"),
        (17, "5_to_17"),
        (18, "18_to_25"),
        (25, "18_to_25"),
        (26, "26_plus"),
        (120, "26_plus"),
    ],
)
def test_the_age_bands_are_read_from_content(catalog: Catalog, age: int | None, band: str) -> None:
    assert catalog.rules.age_bands.band_of(age) == band


def test_moving_an_age_band_in_content_moves_the_decision(catalog: Catalog) -> None:
    case = {"concerns": [{"condition": "adhd", "severity": "moderate"}], "age": 6}
    assert services.run(catalog, case).decision.options[1].fit == "usual_start"  # medication
    older_under_5 = _with(
        catalog, "rules.yaml", lambda d: d["age_bands"]["bands"][0].update(below=7)
    )
    assert services.run(older_under_5, case).decision.options[1].fit == "not_advised"


def test_the_relapse_threshold_is_read_from_content(catalog: Catalog) -> None:
    def talk(catalog: Catalog, episodes: int) -> tuple[int, int]:
        case = {
            "concerns": [{"condition": "depression", "severity": "moderate"}],
            "history": {"previous_episodes": episodes},
        }
        plan = services.care_plan(catalog, case, "medication", None)
        step = next(m for m in plan.milestones if m.id == "milestone.continue_taper_stop")
        return step.day_from, step.day_to

    # one past episode and the current one make two (CG90 1.9.1): a longer wait
    assert talk(catalog, 0) != talk(catalog, 1)
    two = _with(
        catalog,
        "timeline.yaml",
        lambda d: d["high_relapse_risk"].update(previous_episodes_at_least=2),
    )
    assert talk(two, 1) == talk(catalog, 0)
    assert talk(two, 2) == talk(catalog, 1)


def test_the_fit_order_of_the_plans_option_is_read_from_content(catalog: Catalog) -> None:
    case = {"concerns": [{"condition": "depression", "severity": "mild"}]}
    decision = services.run(catalog, case).decision
    assert services.first_choice(decision) == "therapy"  # the usual start
    reversed_order = _with(
        catalog,
        "rules.yaml",
        lambda d: d["plan_option"].update(fit_order=["less_suited", "reasonable"]),
    )
    outcome = services.run(reversed_order, case)
    assert services.first_choice(outcome.decision) == "medication"  # the first less suited
    assert outcome.plan.option == "medication"


@pytest.mark.parametrize(
    ("name", "change", "message"),
    [
        (
            "rules.yaml",
            lambda d: d["age_bands"]["bands"].insert(1, {"id": "5_to_17", "below": 10}),
            "band ids must differ",
        ),
        (
            "rules.yaml",
            lambda d: d["age_bands"]["bands"][1].update(below=3),
            "'below' must rise",
        ),
        ("rules.yaml", lambda d: d["age_bands"].pop("sources"), "age_bands.sources"),
        (
            "rules.yaml",
            lambda d: d["age_bands"]["bands"].pop(0),
            "age_band cannot be 'under_5'",
        ),
        (
            "rules.yaml",
            lambda d: d["plan_option"].update(fit_order=["reasonable", "reasonable"]),
            "listed twice",
        ),
        (
            "timeline.yaml",
            lambda d: d["high_relapse_risk"].update(previous_episodes_at_least=0),
            "high_relapse_risk.previous_episodes_at_least",
        ),
    ],
)
def test_content_mistakes_in_the_numbers_are_named(name: str, change: Any, message: str) -> None:
    data = copy.deepcopy(_raw(name))
    change(data)
    model = RuleBook if name == "rules.yaml" else Timeline
    with pytest.raises(ContentError, match=message):
        parse(model, data, name)
