"""Properties of the whole pipeline over random cases (Hypothesis).

- A positive risk answer always makes the result urgent, flags the clinician, puts crisis
  contacts in the result and caps watchful waiting — whatever the preferences or settings.
- No option is ever hidden; every option has a reason and every reason a known source.
- The same case gives byte-identical JSON, with warm or cold caches, and the fits do not
  depend on the order of the concerns.
- Preferring to avoid a treatment never raises an option that contains it, and always adds a
  reason that speaks to the preference.
"""

from __future__ import annotations

import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bothand import services
from bothand.catalog import Catalog
from bothand.domain.vocab import CONDITIONS, OPTION_IDS, PREFERENCES, SEVERITIES

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
MEDICINE_OPTIONS = ("medication", "combined", "medication_first")
THERAPY_OPTIONS = ("therapy", "combined", "therapy_first")
RANK = {"not_advised": 0, "less_suited": 1, "reasonable": 2, "usual_start": 3}


ANY_ITEM = st.integers(0, 3)


def phq9(item9: st.SearchStrategy[int] = ANY_ITEM) -> st.SearchStrategy[dict[str, Any]]:
    return st.tuples(st.lists(st.integers(0, 3), min_size=8, max_size=8), item9).map(
        lambda pair: {
            "condition": "depression",
            "instrument": "phq9",
            "answers": [*pair[0], pair[1]],
        }
    )


def rated(condition: str) -> st.SearchStrategy[dict[str, Any]]:
    severity = st.sampled_from([*SEVERITIES, None])
    return severity.map(
        lambda s: {"condition": condition, **({"severity": s} if s is not None else {})}
    )


def gad7() -> st.SearchStrategy[dict[str, Any]]:
    return st.lists(st.integers(0, 3), min_size=7, max_size=7).map(
        lambda answers: {
            "condition": "generalized_anxiety",
            "instrument": "gad7",
            "answers": answers,
        }
    )


@st.composite
def cases(
    draw: st.DrawFn, depression: st.SearchStrategy[dict[str, Any]] | None = None
) -> dict[str, Any]:
    chosen = draw(st.lists(st.sampled_from(CONDITIONS), min_size=1, max_size=3, unique=True))
    concerns = []
    for condition in chosen:
        if condition == "depression":
            concerns.append(
                draw(
                    depression if depression is not None else st.one_of(phq9(), rated("depression"))
                )
            )
        elif condition == "generalized_anxiety":
            concerns.append(draw(st.one_of(gad7(), rated(condition))))
        else:
            concerns.append(draw(rated(condition)))
    if depression is not None and "depression" not in chosen:
        concerns.append(draw(depression))
    return {
        "concerns": concerns,
        "preferences": {
            "medication": draw(st.sampled_from(PREFERENCES)),
            "therapy": draw(st.sampled_from(PREFERENCES)),
        },
        "able_to_engage_in_therapy": draw(st.booleans()),
        "history": {
            "medication": draw(st.sampled_from(["helped", "did_not_help", "not_tried"])),
            "therapy": draw(st.sampled_from(["helped", "did_not_help", "not_tried"])),
            "previous_episodes": draw(st.integers(0, 4)),
        },
        "age": draw(st.one_of(st.none(), st.integers(3, 90))),
        "locale": draw(st.sampled_from(["en", "en-GB", "en-US", "es"])),
    }


def fits(result: dict[str, Any]) -> dict[str, str]:
    return {option["id"]: option["fit"] for option in result["options"]}


@SETTINGS
@given(case=cases(depression=phq9(item9=st.integers(1, 3))))
def test_a_positive_risk_answer_is_always_urgent(catalog: Catalog, case: dict[str, Any]) -> None:
    result = services.recommend(catalog, case)
    safety = result["safety"]
    assert safety["urgent"] is True
    assert safety["clinician_flag"] is True
    assert "phq9.item9" in safety["flags"]
    assert safety["message"] == catalog.crisis.for_locale(case["locale"]).urgent_message
    assert safety["resources"]
    assert next(iter(result)) == "safety", "safety comes first in the contract"
    assert fits(result)["monitor"] == "not_advised"


@SETTINGS
@given(case=cases(depression=phq9(item9=st.just(0))))
def test_an_item9_of_zero_is_never_shown_as_no_risk(catalog: Catalog, case: dict[str, Any]) -> None:
    result = services.recommend(catalog, case)
    safety = result["safety"]
    assert safety["urgent"] is False
    assert catalog.crisis.for_locale(case["locale"]).zero_is_not_no_risk in safety["notes"]
    assert safety["resources"], "crisis contacts are present even when nothing is urgent"
    assert "no risk" not in json.dumps(result).lower()


@SETTINGS
@given(case=cases())
def test_no_option_is_hidden_and_every_reason_has_a_source(
    catalog: Catalog, case: dict[str, Any]
) -> None:
    result = services.recommend(catalog, case)
    assert [option["id"] for option in result["options"]] == list(OPTION_IDS)
    known = {source.id for source in catalog.bibliography.sources}
    for option in result["options"]:
        assert option["reasons"], option["id"]
        for reason in option["reasons"]:
            assert reason["text"] and "{" not in reason["text"]
            assert reason["sources"] and set(reason["sources"]) <= known
    fired = [entry for entry in result["trace"] if entry["fired"]]
    assert fired, "at least the base rule fires"
    assert all(entry["because"] for entry in result["trace"])


@SETTINGS
@given(case=cases())
def test_the_same_case_gives_byte_identical_json(catalog: Catalog, case: dict[str, Any]) -> None:
    warm = services.to_json(services.recommend(catalog, case))
    services.clear_memos()
    cold = services.to_json(services.recommend(catalog, case))
    assert warm == cold
    assert services.to_json(services.recommend(catalog, json.loads(json.dumps(case)))) == warm


@SETTINGS
@given(case=cases(), data=st.data())
def test_fits_do_not_depend_on_the_order_of_concerns(
    catalog: Catalog, case: dict[str, Any], data: st.DataObject
) -> None:
    shuffled = dict(case, concerns=data.draw(st.permutations(case["concerns"])))
    first = services.recommend(catalog, case)
    second = services.recommend(catalog, shuffled)
    assert fits(first) == fits(second)
    assert first["floor"] == second["floor"]
    assert first["plan"] == second["plan"]
    for a, b in zip(first["options"], second["options"], strict=True):
        assert sorted(r["id"] + r["text"] for r in a["reasons"]) == sorted(
            r["id"] + r["text"] for r in b["reasons"]
        )


@SETTINGS
@given(case=cases(), treatment=st.sampled_from(["medication", "therapy"]))
def test_avoiding_a_treatment_never_raises_an_option_that_contains_it(
    catalog: Catalog, case: dict[str, Any], treatment: str
) -> None:
    open_case = dict(case, preferences={**case["preferences"], treatment: "open"})
    avoid_case = dict(case, preferences={**case["preferences"], treatment: "prefer_to_avoid"})
    before = services.recommend(catalog, open_case)
    after = services.recommend(catalog, avoid_case)
    containing = MEDICINE_OPTIONS if treatment == "medication" else THERAPY_OPTIONS
    for option in containing:
        assert RANK[fits(after)[option]] <= RANK[fits(before)[option]], option
    preference_reasons = [
        reason["id"]
        for option in after["options"]
        for reason in option["reasons"]
        if reason["id"].startswith("reason.preference.avoid")
    ]
    assert preference_reasons, "a preference always adds a reason that speaks to it"


@SETTINGS
@given(case=cases())
def test_urgent_results_never_suggest_only_waiting(catalog: Catalog, case: dict[str, Any]) -> None:
    result = services.recommend(catalog, case)
    if result["safety"]["urgent"]:
        assert fits(result)["monitor"] == "not_advised"
