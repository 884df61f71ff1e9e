"""Risk asked on every path (issue 10): the NIMH ASQ page, when it is asked (no concern's
questionnaire is the PHQ-9 with its item 9), a "yes" putting crisis help first at once, and
the risk status on the results, options and summary pages: "risk not assessed" when no risk
question was answered, never silence and never "no risk"."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient

from bothand.catalog import CONTENT_DIR, Catalog
from tests.web.test_flow import Walk, esc


@pytest.fixture
def walk(client: TestClient) -> Walk:
    return Walk(client)


def _rated(walk: Walk, *conditions: str, locale: str = "en-US") -> None:
    walk.concerns(*conditions, locale=locale)
    for condition in conditions:
        walk.post(f"/questions/{condition}", {"severity": "moderate"})


@pytest.mark.parametrize("condition", ["panic", "ocd", "bipolar", "schizophrenia", "adhd"])
def test_every_concern_without_the_phq9_is_asked_the_asq(walk: Walk, condition: str) -> None:
    walk.concerns(condition)
    moved = walk.post(f"/questions/{condition}", {"severity": "mild"})
    assert moved.headers["location"] == "/safety"
    assert walk.get("/results").headers["location"] == "/safety"  # it cannot be skipped
    assert walk.get("/values").headers["location"] == "/safety"
    assert walk.get("/safety").status_code == 200


def test_ptsd_and_gad_questionnaires_are_followed_by_the_asq(walk: Walk) -> None:
    walk.concerns("ptsd", "generalized_anxiety")
    walk.questionnaire("generalized_anxiety", "gad7", [1] * 7)
    moved = walk.questionnaire("ptsd", "pcl5", [1] * 20)
    assert moved.headers["location"] == "/safety"


def test_with_the_phq9_the_asq_is_not_asked_again(walk: Walk) -> None:
    walk.concerns("depression", "panic")
    walk.questionnaire("depression", "phq9", [1] * 8 + [0])
    assert walk.post("/questions/panic", {"severity": "mild"}).headers["location"] == "/results"
    assert walk.get("/safety").headers["location"] == "/results"
    assert walk.get("/results").status_code == 200


def test_the_page_shows_the_toolkit_wording_exactly(walk: Walk, catalog: Catalog) -> None:
    _rated(walk, "panic")
    html = walk.get("/safety").text
    recorded = json.loads((CONTENT_DIR / "instruments" / "asq.provenance.json").read_text())
    for item in recorded["items"]:
        assert esc(item["text"]) in html
    assert "NIMH" in html or "National Institute of Mental Health" in html
    assert 'href="/help"' in html
    assert html.count('type="radio"') == 10  # five questions, each No / Yes


def test_all_no_goes_on_and_the_results_say_it_is_not_no_risk(walk: Walk, catalog: Catalog) -> None:
    _rated(walk, "panic", locale="en-GB")
    assert walk.asq(0, 0, 0, 0).headers["location"] == "/results"
    results = walk.get("/results").text
    status = results.split('id="risk-status"')[1].split("</section>")[0]
    assert esc(catalog.labels["flow.risk.asked"]) in status
    assert "ASQ Q&nbsp;1:&nbsp;<strong>No (0)</strong>" in status
    assert "not asked" in status  # question 5 follows a yes only
    zero = " ".join(catalog.crisis.for_locale("en-GB").zero_is_not_no_risk.split())
    assert esc(zero) in " ".join(status.split())
    assert "no risk" not in status.lower()
    assert 'class="urgent"' not in results


def test_a_yes_shows_crisis_help_first_even_before_question_5(walk: Walk, catalog: Catalog) -> None:
    _rated(walk, "panic", locale="en-GB")
    page = walk.asq(0, 1, 0, 0)  # question 5 left out after a yes: asked again, never filled in
    assert page.status_code == 422
    urgent = page.text.index('class="urgent"')
    assert urgent < page.text.index("<h1")
    assert "Samaritans" in page.text and "asq-item5-0" in page.text
    assert walk.asq(0, 1, 0, 0, 1).headers["location"] == "/results"
    results = walk.get("/results").text
    assert results.index('class="urgent"') < results.index("<h1")
    flags = results.split('class="review-flags"')[1].split("</p>")[0]
    assert "ASQ acute positive screen" in flags and "ASQ positive screen" in flags


def test_a_no_after_four_no_answers_is_not_kept_but_a_yes_is(walk: Walk) -> None:
    _rated(walk, "adhd")
    assert walk.asq(0, 0, 0, 0, 0).status_code == 303
    assert "not asked" in walk.get("/results").text
    _rated(walk, "adhd")
    assert walk.asq(0, 0, 0, 0, 1).status_code == 303  # "right now" is never set aside
    assert 'class="urgent"' in walk.get("/results").text


def test_the_options_page_shows_the_risk_status(walk: Walk, catalog: Catalog) -> None:
    _rated(walk, "social_anxiety")
    walk.asq()
    walk.get("/results")
    walk.values()
    options = walk.get("/options").text
    assert 'id="risk-status"' in options
    assert esc(catalog.labels["flow.risk.asked"]) in options


def test_pcl5_item_16_is_flagged_for_the_clinician_not_urgent(walk: Walk) -> None:
    walk.concerns("ptsd")
    walk.questionnaire("ptsd", "pcl5", [0] * 15 + [2] + [0] * 4)
    walk.asq()
    results = walk.get("/results").text
    assert 'class="urgent"' not in results
    flags = results.split('class="review-flags"')[1].split("</p>")[0]
    assert "PCL-5 item 16 above 0" in flags


@pytest.mark.parametrize(
    "risk",
    [[5, 99, 0, 0, None], [0, 0, 0], [None] * 5, [1, 0, 0, 0, 7], [0, 0, 0, 0, 0, 0]],
)
def test_odd_risk_answers_in_a_signed_cookie_are_unanswered_not_errors(
    client: TestClient, risk: list[int | None]
) -> None:
    from tests.web.test_hostile import FILLED, with_answers

    quiet = TestClient(client.app, raise_server_exceptions=False)
    state = {**FILLED, "concerns": ["panic"], "answers": {}, "instruments": {}, "risk": risk}
    with_answers(quiet, state)
    for path in ("/safety", "/results", "/options", "/summary"):
        assert quiet.get(path, follow_redirects=False).status_code < 500, path
