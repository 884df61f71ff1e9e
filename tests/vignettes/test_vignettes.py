"""Golden vignettes: one readable clinical scenario per file in ``cases/``, run unchanged.

Each file has ``given`` (a case in the contract's shape) and ``expect``: the safety result, the
assessments, the fit of every option, reasons that must be among an option's reasons, the
option the plan is drawn for, and (for urgent cases) how soon the first review comes.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from bothand import services
from bothand.catalog import Catalog
from bothand.domain.vocab import OPTION_IDS

CASES = sorted((Path(__file__).parent / "cases").glob("*.yaml"))


def load(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert set(data) <= {"title", "story", "given", "expect"}, path.name
    return data


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_vignette(path: Path, catalog: Catalog) -> None:
    vignette = load(path)
    result = services.recommend(catalog, vignette["given"])
    expect = vignette["expect"]

    fits = {option["id"]: option["fit"] for option in result["options"]}
    assert [option["id"] for option in result["options"]] == list(OPTION_IDS), (
        "no option is ever hidden"
    )
    assert fits == expect["fits"], f"{vignette['title']}: fits differ"

    reasons = {option["id"]: [r["id"] for r in option["reasons"]] for option in result["options"]}
    for option, wanted in expect.get("reasons", {}).items():
        missing = [reason for reason in wanted if reason not in reasons[option]]
        assert not missing, f"{option}: missing reasons {missing}; got {reasons[option]}"

    safety = result["safety"]
    wanted_safety = expect.get("safety", {"urgent": False})
    assert safety["urgent"] is wanted_safety["urgent"]
    assert safety["clinician_flag"] is wanted_safety.get("clinician_flag", wanted_safety["urgent"])
    if "flags" in wanted_safety:
        assert safety["flags"] == wanted_safety["flags"]
    if "first_resource" in wanted_safety:
        assert safety["resources"][0]["name"].startswith(wanted_safety["first_resource"])
    if "first_resource_contact" in wanted_safety:
        assert wanted_safety["first_resource_contact"] in safety["resources"][0]["contact"]
    if wanted_safety.get("zero_note"):
        assert safety["notes"], "an item 9 of 0 must carry the 'not no risk' note"
    assert safety["resources"], "crisis contacts are always part of the result"

    for got, wanted in zip(result["assessments"], expect.get("assessments", []), strict=False):
        assert {key: got[key] for key in wanted} == wanted
    if "assessments" in expect:
        assert len(result["assessments"]) == len(expect["assessments"])
    if "floor" in expect:
        assert result["floor"] == expect["floor"]
    if "plan_option" in expect:
        assert result["plan"]["option"] == expect["plan_option"]
    if "plan_first_review_by_day" in expect:
        reviews = [m for m in result["plan"]["milestones"] if m["kind"] == "medication_review"]
        if result["plan"]["option"] in ("medication", "combined", "medication_first"):
            assert reviews and reviews[0]["day_to"] <= expect["plan_first_review_by_day"]


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
    assert preferences == {"open", "prefer_to_avoid", "unsure"}
    assert engage and several and risk
