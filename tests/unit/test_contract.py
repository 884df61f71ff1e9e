"""The contract's models describe exactly what is sent: for generated cases (the benchmark's
generator) the recommendation, each plan and each score validate against their TypedDicts and
come back unchanged, key order included, so the schema the API documents is the JSON it gives.
The mapping gives each response its own objects (a cached crisis resource is copied)."""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path
from typing import Any

import pytest
from pydantic import TypeAdapter
from pydantic_core import PydanticSerializationError

from bothand import contract, services
from bothand.catalog import Catalog
from bothand.domain.vocab import OPTION_IDS

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
from cases import generate

RECOMMENDATION = TypeAdapter(contract.Recommendation)
PLAN = TypeAdapter(contract.Plan)
SCORE = TypeAdapter(contract.ScoreResponse)
INSTRUMENTS = TypeAdapter(list[contract.InstrumentListing])
EXPLAINER = TypeAdapter(contract.Explainer)


def _same_through(adapter: TypeAdapter[Any], data: Any) -> None:
    """``data`` validates as the model, and the model gives back the same JSON text: no field
    it lacks, none extra, none of another type, in the same order."""
    again = adapter.dump_python(adapter.validate_python(data, strict=True))
    assert json.dumps(again) == json.dumps(data)


@pytest.fixture(scope="module")
def cases(catalog: Catalog) -> list[dict[str, Any]]:
    return generate(catalog, 300)


def test_recommendations_are_exactly_the_model(
    catalog: Catalog, cases: list[dict[str, Any]]
) -> None:
    for case in cases:
        _same_through(RECOMMENDATION, services.recommend(catalog, case))


def test_the_api_bytes_are_those_of_json_dumps(
    catalog: Catalog, cases: list[dict[str, Any]]
) -> None:
    # The API writes with pydantic's serializer (faster); before, it wrote with json.dumps.
    for case in cases:
        found = services.recommend(catalog, case)
        compact = json.dumps(found, ensure_ascii=False, separators=(",", ":")).encode()
        assert contract.to_compact_json(contract.Recommendation, found) == compact


def test_a_value_of_the_wrong_type_is_an_error_not_a_warning_quoting_it(catalog: Catalog) -> None:
    found = services.recommend(catalog, {"concerns": [{"condition": "ocd", "severity": "mild"}]})
    found["assessments"][0]["total"] = "a score"
    with pytest.raises(PydanticSerializationError):
        contract.to_compact_json(contract.Recommendation, found)


def test_plans_dated_and_not_are_exactly_the_model(
    catalog: Catalog, cases: list[dict[str, Any]]
) -> None:
    for case, option in zip(cases[:60], OPTION_IDS * 10, strict=True):
        plan = services.care_plan(catalog, case, option, None)
        _same_through(PLAN, contract.dump_plan(plan))
        _same_through(PLAN, contract.dump_plan(plan.dated(dt.date(2026, 3, 2))))
        assert "date_from" not in contract.dump_plan(plan)["milestones"][0]


def test_scores_are_exactly_the_model(catalog: Catalog, cases: list[dict[str, Any]]) -> None:
    forms = [c for case in cases for c in case["concerns"] if "answers" in c][:200]
    assert forms
    for form in forms:
        found = services.score_form(catalog, form["instrument"], form["answers"], "en-GB")
        _same_through(SCORE, contract.dump_score_response(catalog, found.score, found.safety))


def test_instruments_and_explainers_are_exactly_the_model(catalog: Catalog) -> None:
    _same_through(INSTRUMENTS, services.list_instruments(catalog))
    for info in catalog.explainers.conditions + catalog.explainers.options:
        _same_through(EXPLAINER, services.explain(catalog, info.id))


def test_a_changed_response_does_not_change_the_next(catalog: Catalog) -> None:
    case = {"concerns": [{"condition": "depression", "severity": "mild"}]}
    first = services.recommend(catalog, case)
    resource = first["safety"]["resources"][0]
    resource["name"] = "changed"
    resource["actions"].clear()
    second = services.recommend(catalog, case)
    assert second["safety"]["resources"][0]["name"] != "changed"
    assert second == services.recommend(catalog, case)
    assert contract.to_json(second) == contract.to_json(services.recommend(catalog, case))


def test_the_safety_resources_are_the_locales_in_content_order(catalog: Catalog) -> None:
    for locale in ("en-US", "en-GB"):
        crisis = catalog.crisis.for_locale(locale)
        case = {"concerns": [{"condition": "depression", "severity": "mild"}], "locale": locale}
        resources = services.recommend(catalog, case)["safety"]["resources"]
        assert [r["name"] for r in resources] == [r.name for r in crisis.resources]
        for sent, resource in zip(resources, crisis.resources, strict=True):
            assert ("url" in sent) == bool(resource.url)
            assert [a["href"] for a in sent["actions"]] == [a.href for a in resource.actions]
