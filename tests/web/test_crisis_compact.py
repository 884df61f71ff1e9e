"""The compact crisis box (issue 10 item 10: the options comparison inside two phone screens).
After the results page has shown the full crisis box, the options, plan and summary pages open
with a compact one: still first, headed in words as crisis help, the country's one or two most
urgent lines as links a phone can call, and every line one tap away (a plain link to /help
for the country, which works without JavaScript). The results page and /help keep the full
box, the PDF the full list, and the clinician flag stays."""

from __future__ import annotations

import datetime as dt

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from bothand.catalog import Catalog
from bothand.web.flowstate import FlowAnswers
from bothand.web.pages import crisis_compact
from bothand.web.routes.takeaway import build_summary
from bothand.web.state import COOKIE
from tests.web.test_flow import SEVERE_RISK, Walk, esc


@pytest.fixture
def walk(client: TestClient) -> Walk:
    return Walk(client)


def _urgent_person(walk: Walk, locale: str) -> str:
    """Severe depression with PHQ-9 item 9 above 0, up to the options; the results page."""
    walk.concerns("depression", locale=locale)
    walk.questionnaire("depression", "phq9", SEVERE_RISK)
    results = walk.get("/results").text
    walk.values()
    return results


def _box(html: str) -> str:
    start = html.index('<section class="urgent urgent-compact"')
    return html[start : html.index("</section>", start)]


@pytest.mark.parametrize(
    ("locale", "top", "not_shown"),
    [
        ("en-GB", ("tel:116123", "tel:999"), "988"),
        ("en-US", ("tel:988", "tel:911"), "116 123"),
    ],
)
def test_options_plan_and_summary_open_with_the_compact_box(
    walk: Walk, catalog: Catalog, locale: str, top: tuple[str, ...], not_shown: str
) -> None:
    results = _urgent_person(walk, locale)
    crisis = catalog.crisis.for_locale(locale)
    # The results page keeps the full box: every line with its details.
    assert "urgent-compact" not in results
    assert esc(crisis.urgent_message) in results
    for path in ("/options", "/plan", "/summary"):
        html = walk.get(path).text
        main = html[html.index("<main") :]
        inside = main[main.index(">") + 1 :].lstrip()
        assert inside.startswith('<section class="urgent urgent-compact"'), path  # first
        box = _box(html)
        assert esc(catalog.labels["flow.urgent.compact_title"]) in box, path  # words, not colour
        for href in top:  # the most urgent lines, as links a phone can call
            assert f'href="{href}"' in box, (path, href)
        assert not_shown not in box, path  # the person's country only
        assert f'href="/help?country={locale}"' in box, path  # every line, one tap away
        lines = walk.get(f"/help?country={locale}").text
        for resource in crisis.resources:
            assert esc(resource.detail) in lines, (path, resource.name)
            for action in resource.actions:
                assert f'href="{action.href}"' in lines, (path, action.href)
        # The long message and details are not on screen again (they made the page long);
        # the summary keeps them only in its print-only full box.
        on_screen = main.split('class="urgent print-only"')[0]
        assert esc(crisis.urgent_message) not in on_screen, path


def test_the_summary_keeps_the_clinician_flag_and_prints_the_full_list(
    walk: Walk, catalog: Catalog
) -> None:
    _urgent_person(walk, "en-GB")
    html = walk.get("/summary").text
    assert esc(catalog.labels["summary.clinician_flag"]) in _box(html)
    # Paper cannot unfold: the full box is there for print (hidden on screen by print-only).
    start = html.index('class="urgent print-only"')
    printed = html[start : html.index("</section>", start)]
    crisis = catalog.crisis.for_locale("en-GB")
    assert esc(crisis.urgent_message) in printed
    for resource in crisis.resources:
        assert esc(resource.detail) in printed


def test_the_pdf_keeps_the_full_box(walk: Walk, catalog: Catalog) -> None:
    _urgent_person(walk, "en-GB")
    answers = FlowAnswers.model_validate(walk.answers)
    summary = build_summary(catalog, answers, dt.date(2026, 12, 6))
    assert summary.crisis_compact is not None  # the page is compact ...
    templates = walk.client.app.state.templates  # type: ignore[attr-defined]
    html = templates.get_template("summary.html").render(s=summary, pdf=True, lang="en")
    assert "urgent-compact" not in html  # ... the PDF is not
    assert esc(catalog.crisis.for_locale("en-GB").urgent_message) in html


def test_country_unknown_shows_both_countries_top_lines(catalog: Catalog) -> None:
    groups = crisis_compact(catalog, None)
    assert sorted(g["locale"] for g in groups) == ["en-GB", "en-US"]
    hrefs = {a.href for g in groups for r in g["top"] for a in r.actions}
    assert {"tel:988", "tel:911", "tel:116123", "tel:999"} <= hrefs


def test_country_unknown_the_page_shows_both_countries_and_links_help_for_both(
    walk: Walk, app: FastAPI
) -> None:
    _urgent_person(walk, "en-US")
    state = dict(walk.answers)
    state.pop("locale", None)  # answers from an older cookie or a file: no country chosen
    walk.client.cookies.clear()
    walk.client.cookies.set(COOKIE, app.state.flow.signer.dumps(state))
    box = _box(walk.get("/options").text)
    for href in ("tel:988", "tel:911", "tel:116123", "tel:999"):
        assert f'href="{href}"' in box, href
    assert "United States" in box and "United Kingdom" in box
    assert 'href="/help"' in box  # both countries' lines when no country is known


def test_every_country_marks_one_or_two_top_lines_that_can_be_called(catalog: Catalog) -> None:
    for entry in catalog.crisis.locales:
        assert 1 <= len(entry.top_resources) <= 2, entry.locale
        for resource in entry.top_resources:
            assert any(a.kind == "call" for a in resource.actions), resource.name


def test_without_having_seen_the_results_the_summary_shows_the_full_box(
    walk: Walk, catalog: Catalog
) -> None:
    walk.concerns("depression", locale="en-US")
    walk.questionnaire("depression", "phq9", SEVERE_RISK)
    html = walk.get("/summary").text  # straight to the summary: the full box, never less
    assert "urgent-compact" not in html
    assert esc(catalog.crisis.for_locale("en-US").urgent_message) in html


def test_help_keeps_the_full_list(walk: Walk, catalog: Catalog) -> None:
    _urgent_person(walk, "en-GB")
    html = walk.get("/help").text
    assert "urgent-compact" not in html
    for resource in catalog.crisis.for_locale("en-GB").resources:
        assert esc(resource.detail) in html
