"""Golden vignettes: one readable clinical scenario per file in ``cases/``, run unchanged.

Each file has ``given`` (a case in the contract's shape) and ``expect``: the safety result, the
assessments, the fit of every option, reasons that must be among an option's reasons, the
option the plan is drawn for, and (for plans with medicine) how soon the first review comes.
``vignette.py`` reads and checks them; every check a vignette asks for runs, and one that does
not apply to its case fails naming the file and the key. The page docs/vignettes.md is
rendered from the same files (``scripts/vignettes``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from bothand import services
from bothand.catalog import Catalog
from bothand.domain.vocab import PREFERENCES
from tests.vignettes.vignette import CASES, VignetteError, check, load


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_vignette(path: Path, catalog: Catalog) -> None:
    vignette = load(path)
    check(path.name, vignette, services.recommend(catalog, vignette["given"]), catalog)


def test_every_reason_in_every_vignette_has_a_known_source(catalog: Catalog) -> None:
    known = {source.id for source in catalog.bibliography.sources}
    for path in CASES:
        result = services.recommend(catalog, load(path)["given"])
        for option in result["options"]:
            assert option["reasons"], f"{path.stem}: {option['id']} has no reason"
            for reason in option["reasons"]:
                assert reason["sources"] and set(reason["sources"]) <= known


def test_the_vignettes_cover_every_condition_severity_and_preference() -> None:
    conditions, severities, preferences = set(), set(), set()
    engage, several, risk = False, False, False
    for path in CASES:
        given = load(path)["given"]
        for concern in given["concerns"]:
            conditions.add(concern["condition"])
            severities.add(concern.get("severity"))
        preferences |= set(given.get("preferences", {}).values())
        engage |= given.get("able_to_engage_in_therapy") is False
        several |= len(given["concerns"]) > 1
        risk |= load(path)["expect"].get("safety", {}).get("urgent", False)
    assert len(conditions) == 9
    assert {"moderately_severe", "severe", "moderate", "mild"} <= severities
    assert preferences == set(PREFERENCES)
    assert engage and several and risk


# --- a check that cannot run is an error in the vignette, never a pass ------------------------

MILD_THERAPY: dict[str, Any] = {
    "title": "Mild depression",
    "given": {"concerns": [{"condition": "depression", "severity": "mild"}]},
}


def _checked(tmp_path: Path, catalog: Catalog, vignette: dict[str, Any]) -> None:
    path = tmp_path / "made-up.yaml"
    path.write_text(yaml.safe_dump(vignette), encoding="utf-8")
    loaded = load(path)
    check(path.name, loaded, services.recommend(catalog, loaded["given"]), catalog)


def _fits(catalog: Catalog) -> dict[str, str]:
    result = services.recommend(catalog, MILD_THERAPY["given"])
    return {option["id"]: option["fit"] for option in result["options"]}


@pytest.mark.parametrize(
    ("expect", "key"),
    [
        ({"plan_first_review_by_day": 7}, "expect.plan_first_review_by_day"),
        ({"plan_frist_review_by_day": 7}, "expect.plan_frist_review_by_day"),
        ({"reasons": {"both": ["reason.x"]}}, "expect.reasons.both"),
        ({"reasons": {"therapy": []}}, "expect.reasons.therapy"),
        ({"reasons_absent": {"both": ["reason.x"]}}, "expect.reasons_absent.both"),
        ({"reasons_absent": {"therapy": []}}, "expect.reasons_absent.therapy"),
        ({"safety": {"urgent": False, "zero_notes": True}}, "expect.safety.zero_notes"),
        ({"safety": {"clinician_flag": False}}, "expect.safety.urgent"),
        ({"assessments": [{"condition": "depression", "score": 7}]}, "expect.assessments[0].score"),
    ],
)
def test_a_check_that_does_not_apply_fails_naming_the_file_and_the_key(
    tmp_path: Path, catalog: Catalog, expect: dict[str, Any], key: str
) -> None:
    vignette = {**MILD_THERAPY, "expect": {"fits": _fits(catalog), **expect}}
    with pytest.raises(VignetteError) as raised:
        _checked(tmp_path, catalog, vignette)
    assert raised.value.name == "made-up.yaml"
    assert raised.value.key == key
    assert str(raised.value).startswith(f"made-up.yaml: {key}: ")


def test_a_vignette_without_fits_or_title_is_an_error(tmp_path: Path, catalog: Catalog) -> None:
    with pytest.raises(VignetteError, match=r"expect\.fits: is required"):
        _checked(tmp_path, catalog, {**MILD_THERAPY, "expect": {"plan_option": "therapy"}})
    with pytest.raises(VignetteError, match="title: is required"):
        _checked(tmp_path, catalog, {"given": MILD_THERAPY["given"], "expect": {}})


def test_the_medicine_review_check_runs_where_it_applies(tmp_path: Path, catalog: Catalog) -> None:
    given = {"concerns": [{"condition": "depression", "severity": "severe"}], "age": 22}
    result = services.recommend(catalog, given)
    fits = {option["id"]: option["fit"] for option in result["options"]}
    expect = {"fits": fits, "plan_option": "combined"}
    vignette = {"title": "t", "given": given}
    _checked(tmp_path, catalog, {**vignette, "expect": {**expect, "plan_first_review_by_day": 7}})
    with pytest.raises(AssertionError, match="first review by day 7"):
        _checked(
            tmp_path, catalog, {**vignette, "expect": {**expect, "plan_first_review_by_day": 6}}
        )
