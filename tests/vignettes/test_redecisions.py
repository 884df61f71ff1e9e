"""Golden re-decision vignettes: one readable scenario per file in ``redecisions/``, one or
more per condition family (depression; generalized anxiety, panic and social anxiety; PTSD;
OCD; bipolar disorder and psychosis), each written from the guideline passage its ``story``
paraphrases, never from what the program printed.

``given``: the first ``case`` (the case contract), the ``option`` chosen, the kind of the
``review_point``, the ``finding`` (kind, instrument, baseline and latest totals, weeks) and,
optionally, the ``latest_answers``. ``expect``: what the re-read case says about each
treatment tried (``history``), the concern's ``severity`` before and after, the ``fits`` the
guideline speaks to, options that ``moved`` (was, now), re-decision ``rules`` that must and
``rules_not`` that must not apply, statements that must be among the ``changes``, and
``urgent``. Every check runs through the real engine (``services.redecide``); an unknown key
is an error in the vignette. No text of any re-decision names a drug or an amount or tells
the person to start or stop a medicine alone.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import yaml

from bothand import services
from bothand.catalog import Catalog
from bothand.domain.review.finding import Finding
from bothand.domain.track.progress import Score
from bothand.services.redecide import redecide
from tests.content.test_contract_words import violations

FOLDER = Path(__file__).parent / "redecisions"
CASES = sorted(FOLDER.glob("*.yaml"))
GIVEN = {"case", "option", "review_point", "finding", "latest_answers"}
EXPECT = {"history", "severity", "fits", "moved", "rules", "rules_not", "changes", "urgent"}
FAMILIES = {
    "depression": {"depression"},
    "anxiety": {"generalized_anxiety", "panic", "social_anxiety"},
    "ptsd": {"ptsd"},
    "ocd": {"ocd"},
    "bipolar or psychosis": {"bipolar", "schizophrenia"},
}
START = dt.date(2026, 1, 5)


def _load(path: Path) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert set(data) <= {"title", "story", "sources", "given", "expect"}, path.name
    assert set(data["given"]) <= GIVEN, f"{path.name}: given: {set(data['given']) - GIVEN}"
    assert set(data["expect"]) <= EXPECT, f"{path.name}: expect: {set(data['expect']) - EXPECT}"
    assert data.get("story") and data.get("sources"), f"{path.name}: say which guideline"
    return dict(data)


def _finding(given: dict[str, Any]) -> Finding:
    found = given["finding"]
    latest_on = START + dt.timedelta(weeks=found["weeks"])
    return Finding(
        milestone=f"milestone.{given['review_point']}",
        kind=found["kind"],
        too_little=True,
        instrument=found["instrument"],
        profile="nhs_talking_therapies",
        threshold=6,
        baseline=Score(found["baseline"], START),
        latest=Score(found["latest"], latest_on),
        change=found["latest"] - found["baseline"],
        weeks=found["weeks"],
    )


def _decided(catalog: Catalog, vignette: dict[str, Any]) -> dict[str, Any]:
    given = vignette["given"]
    first = {"case": given["case"], "recommendation": services.recommend(catalog, given["case"])}
    return redecide(
        catalog,
        first,
        given["option"],
        _finding(given),
        given["review_point"],
        given.get("latest_answers"),
    )


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_redecision_vignette(path: Path, catalog: Catalog) -> None:
    vignette = _load(path)
    known = {source.id for source in catalog.bibliography.sources}
    assert set(vignette["sources"]) <= known, path.name
    expect = vignette["expect"]
    body = _decided(catalog, vignette)
    learned = body["learned"]
    name = path.stem
    assert learned["history"]["after"] == expect["history"], f"{name}: history"
    assert learned["severity"] == expect["severity"], f"{name}: severity"
    options = {o["id"]: o for o in body["options"]}
    fits = {option: options[option]["fit"] for option in expect["fits"]}
    assert fits == expect["fits"], f"{name}: fits {fits}"
    for option, (was, now) in expect.get("moved", {}).items():
        assert (options[option]["was"], options[option]["fit"]) == (was, now), f"{name}: {option}"
    missing = set(expect["rules"]) - set(learned["rules"])
    assert not missing, f"{name}: rules that did not apply: {missing}; applied {learned['rules']}"
    wrong = set(expect.get("rules_not", ())) & set(learned["rules"])
    assert not wrong, f"{name}: rules that should not apply: {wrong}"
    changes = [c["id"] for c in body["changes"]]
    assert set(expect["changes"]) <= set(changes), f"{name}: changes {changes}"
    urgent = body["recommendation"]["safety"]["urgent"]
    assert urgent is expect.get("urgent", False), f"{name}: urgent"
    # Every statement has a source that resolves; none names a drug, an amount, or tells
    # anyone to start or stop a medicine alone.
    texts = [(f"{name}: change {c['id']}", c["text"]) for c in body["changes"]]
    for option in body["options"]:
        texts += [(f"{name}: {option['id']}: {r['id']}", r["text"]) for r in option["reasons"]]
        assert all(set(r["sources"]) <= known for r in option["reasons"])
    assert all(c["sources"] and set(c["sources"]) <= known for c in body["changes"])
    assert violations(texts) == []
    # The re-decision's own reasons give what was tried and for how long.
    weeks = str(vignette["given"]["finding"]["weeks"])
    tried = [c["text"] for c in body["changes"] if c["id"].startswith("reason.redecide.tried")]
    assert all(weeks in text for text in tried)


def test_every_condition_family_has_a_vignette() -> None:
    covered: set[str] = set()
    for path in CASES:
        conditions = {c["condition"] for c in _load(path)["given"]["case"]["concerns"]}
        covered |= {family for family, members in FAMILIES.items() if conditions & members}
    assert covered == set(FAMILIES)
