"""The re-decision in the record API: the measurement that makes "is it helping?" too little
answers with the ``redecision`` it made; ``GET /api/episodes/{id}`` lists it under
``redecisions`` in its documented shape beside the first decision, which is unchanged; another
clinic's token gets 404 and sees nothing."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import TypeAdapter

from bothand.catalog import Catalog
from bothand.contract.record import EpisodeRecord, MeasurementRecorded
from bothand.storage import Database
from tests.conftest import MovingClock
from tests.web.record_api_helpers import Api, make_api

PHQ9_12 = [2, 2, 2, 2, 1, 1, 1, 1, 0]
PHQ9_11 = [2, 2, 2, 1, 1, 1, 1, 1, 0]
PHQ9_4 = [1, 1, 1, 1, 0, 0, 0, 0, 0]


@pytest.fixture
def api(catalog: Catalog, database: Database, clock: MovingClock) -> Api:
    return make_api(catalog, database, clock)


def _medicine_episode(api: Api) -> str:
    body = {
        "case": {
            "concerns": [{"condition": "depression", "instrument": "phq9", "answers": PHQ9_12}],
            "preferences": {"medication": "prefer", "therapy": "open"},
        },
        "option": "medication",
        "start": "2026-12-01",
    }
    return api.episode(api.patient(), body)


def _record(api: Api, episode: str, answers: list[int], on: str) -> Any:
    made = api.post(
        f"/api/episodes/{episode}/measurements",
        {"instrument": "phq9", "answers": answers, "taken_on": on},
    )
    assert made.status_code == 201, made.text
    TypeAdapter(MeasurementRecorded).validate_python(made.json(), strict=True)
    return made.json()


def test_the_score_that_is_too_little_answers_with_the_redecision(api: Api) -> None:
    episode = _medicine_episode(api)
    first = api.get(f"/api/episodes/{episode}").json()
    assert first["redecisions"] == []
    api.clock.advance(days=25)
    made = _record(api, episode, PHQ9_11, "2026-12-26")
    again = made["redecision"]
    assert again["milestone"] == "milestone.check_progress"
    assert again["reason"] == "no_reliable_change"
    assert again["finding"]["baseline"] == {"total": 12, "on": "2026-12-01"}
    assert again["finding"]["latest"] == {"total": 11, "on": "2026-12-26"}
    fits = {o["id"]: (o["was"], o["fit"]) for o in again["options"]}
    assert fits["combined"] == ("reasonable", "usual_start")
    assert {c["id"] for c in again["changes"]} >= {
        "reason.redecide.tried_medicine",
        "reason.redecide.depression_after_medicine",
        "redecide.change.combined",
    }
    assert {e["stage"] for e in again["trace"]} == {"redecide", "engine"}

    shown = api.get(f"/api/episodes/{episode}").json()
    TypeAdapter(EpisodeRecord).validate_python(shown, strict=True)
    assert [r["id"] for r in shown["redecisions"]] == [again["id"]]
    assert shown["redecisions"][0] == again
    assert shown["decision"] == first["decision"]  # the first decision, as first shown
    assert shown["option"] == "medication"
    point = next(p for p in shown["review_points"] if p["milestone"] == again["milestone"])
    assert point["finding"] == again["finding"]

    # A later score in the same window decides nothing again.
    api.clock.advance(days=1)
    assert "redecision" not in _record(api, episode, PHQ9_12, "2026-12-27")
    assert len(api.get(f"/api/episodes/{episode}").json()["redecisions"]) == 1


def test_a_reliable_improvement_answers_without_one(api: Api) -> None:
    episode = _medicine_episode(api)
    api.clock.advance(days=25)
    assert "redecision" not in _record(api, episode, PHQ9_4, "2026-12-26")
    assert api.get(f"/api/episodes/{episode}").json()["redecisions"] == []


def test_another_clinic_sees_no_redecision(
    api: Api, catalog: Catalog, database: Database, clock: MovingClock
) -> None:
    episode = _medicine_episode(api)
    api.clock.advance(days=25)
    _record(api, episode, PHQ9_11, "2026-12-26")
    other = make_api(catalog, database, clock, name="South", tag="s")
    assert other.get(f"/api/episodes/{episode}").status_code == 404
    posted = other.post(
        f"/api/episodes/{episode}/measurements",
        {"instrument": "phq9", "answers": PHQ9_11, "taken_on": "2026-12-26"},
    )
    assert posted.status_code == 404
