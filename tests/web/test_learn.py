"""The decision-aid pages (/learn/...): every condition, treatment and option page renders with
its sources linked and the content version, date and update policy shown; every source linked
from any page is an anchor on /learn/sources; an unknown id is a friendly 404 page."""

from __future__ import annotations

import re
from collections.abc import Iterator
from itertools import pairwise

import pytest
from fastapi.testclient import TestClient
from markupsafe import escape
from pydantic import BaseModel

from bothand.catalog import Catalog, load_catalog
from bothand.domain.knowledge.base import Statement
from bothand.web.dates import long_date
from bothand.web.views import source_labels

CATALOG = load_catalog()  # for parametrising only; tests use the session fixture
CONDITIONS = [c.id for c in CATALOG.explainers.conditions]
TREATMENTS = [t.id for t in CATALOG.explainers.treatments]
OPTIONS = [o.id for o in CATALOG.explainers.options]
PAGES = (
    ["/learn", "/learn/sources", "/learn/about"]
    + [f"/learn/{c}" for c in CONDITIONS]
    + [f"/learn/treatments/{t}" for t in TREATMENTS]
    + [f"/learn/options/{o}" for o in OPTIONS]
)
SOURCE_LINK = re.compile(r'href="/learn/sources#([^"]+)"')


def get(client: TestClient, path: str) -> str:
    response = client.get(path, headers={"accept": "text/html"})
    assert response.status_code == 200, path
    assert response.headers["content-type"].startswith("text/html")
    return response.text


def statements(value: object) -> Iterator[Statement]:
    """Every Statement inside a content model (the texts that must show their sources)."""
    if isinstance(value, Statement):
        yield value
    elif isinstance(value, tuple):
        for item in value:
            yield from statements(item)
    elif isinstance(value, BaseModel):
        for name in type(value).model_fields:
            yield from statements(getattr(value, name))


def cited(html: str, statement: Statement) -> bool:
    """The statement's text is on the page, followed by a link to each of its sources."""
    text = str(escape(statement.text))
    if text not in html:
        return False
    after = html[html.index(text) :]
    block = after[: after.find("</p>", after.find('class="sources"')) + 4]
    return set(SOURCE_LINK.findall(block)) == set(statement.sources)


def assert_provenance(html: str, catalog: Catalog) -> None:
    meta = catalog.bibliography.meta
    assert catalog.version in html
    assert long_date(meta.reviewed) in html
    assert f'datetime="{meta.reviewed.isoformat()}"' in html
    assert str(escape(catalog.bibliography.update_policy)) in html


def headings(html: str) -> list[int]:
    return [int(level) for level in re.findall(r"<h([1-6])[\s>]", html)]


# --- every page -----------------------------------------------------------------------------------


@pytest.mark.parametrize("path", PAGES)
def test_every_page_has_one_h1_headings_in_order_and_no_inline_code(
    client: TestClient, path: str
) -> None:
    html = get(client, path)
    levels = headings(html)
    assert levels.count(1) == 1
    deeper = [(a, b) for a, b in pairwise(levels) if b > a + 1]
    assert not deeper, f"{path}: a heading skips a level: {deeper}"
    assert not re.search(r"<style|\sstyle=|<script(?![^>]*\ssrc=)|\son[a-z]+=", html)


@pytest.mark.parametrize("condition_id", CONDITIONS)
def test_each_condition_page_is_a_decision_aid_with_its_sources(
    client: TestClient, catalog: Catalog, condition_id: str
) -> None:
    html = get(client, f"/learn/{condition_id}")
    info = next(c for c in catalog.explainers.conditions if c.id == condition_id)
    assert str(escape(info.name)) in html
    for statement in statements(info):
        assert cited(html, statement), statement.text[:60]
    if info.without_treatment_unknown:
        assert str(escape(info.without_treatment_unknown)) in html
    for treatment_id in info.first_line_therapies + info.medication_classes:
        assert f'href="/learn/treatments/{treatment_id}"' in html
    # All six options, each with its good points, downsides and what it is like (IPDAS C1).
    for option in catalog.explainers.options:
        assert f'id="option-{option.id}"' in html
        for statement in (option.benefits, option.harms, option.what_it_is_like):
            assert cited(html, statement), (option.id, statement.text[:60])
    # The condition's evidence: natural frequencies with group, time and uncertainty; the
    # comparisons in words; the gaps, said plainly.
    for figure in catalog.evidence.figures:
        if figure.condition == condition_id:
            for text in (figure.headline, figure.reference_group, figure.uncertainty):
                assert str(escape(text)) in html
            for arm in figure.arms:
                assert f"<strong>{arm.events}</strong> out of {figure.per}" in html
    for finding in catalog.evidence.relative:
        if finding.condition == condition_id:
            assert cited(html, finding.statement)
    for gap in catalog.evidence.gaps:
        if gap.condition == condition_id:
            assert cited(html, gap.statement)
    assert_provenance(html, catalog)


def test_a_condition_page_invents_no_fit(client: TestClient, catalog: Catalog) -> None:
    html = get(client, "/learn/depression")
    for fit in ("usual_start", "reasonable", "less_suited"):
        assert catalog.labels[f"fit.{fit}"] not in html


@pytest.mark.parametrize("treatment_id", TREATMENTS)
def test_each_treatment_page_shows_its_sources_and_provenance(
    client: TestClient, catalog: Catalog, treatment_id: str
) -> None:
    html = get(client, f"/learn/treatments/{treatment_id}")
    info = next(t for t in catalog.explainers.treatments if t.id == treatment_id)
    assert str(escape(info.name)) in html
    for statement in statements(info):
        assert cited(html, statement), statement.text[:60]
    for condition in info.conditions:
        assert f'href="/learn/{condition}"' in html
    assert_provenance(html, catalog)


@pytest.mark.parametrize("option_id", OPTIONS)
def test_each_option_page_shows_its_sources_evidence_and_provenance(
    client: TestClient, catalog: Catalog, option_id: str
) -> None:
    html = get(client, f"/learn/options/{option_id}")
    info = next(o for o in catalog.explainers.options if o.id == option_id)
    assert str(escape(info.summary)) in html
    for statement in statements(info):
        assert cited(html, statement), statement.text[:60]
    for finding in catalog.evidence.relative:
        if option_id in finding.options:
            assert cited(html, finding.statement)
    for gap in catalog.evidence.gaps:
        if option_id in gap.options:
            assert cited(html, gap.statement)
    assert_provenance(html, catalog)


# --- sources ---------------------------------------------------------------------------------


def test_every_source_linked_from_any_page_is_an_anchor_on_the_sources_page(
    client: TestClient, catalog: Catalog
) -> None:
    anchors = set(re.findall(r'<li id="([^"]+)"', get(client, "/learn/sources")))
    assert anchors == {source.id for source in catalog.bibliography.sources}
    linked: dict[str, str] = {}
    for path in PAGES:
        for source_id in SOURCE_LINK.findall(get(client, path)):
            linked.setdefault(source_id, path)
    assert len(linked) > 30
    missing = {source_id: path for source_id, path in linked.items() if source_id not in anchors}
    assert not missing


def test_the_sources_page_gives_full_citations_and_links(
    client: TestClient, catalog: Catalog
) -> None:
    html = get(client, "/learn/sources")
    for source in catalog.bibliography.sources:
        assert str(escape(source.citation)) in html
        if source.url:
            assert f'href="{escape(source.url)}"' in html


def test_source_labels_are_short_and_unique(catalog: Catalog) -> None:
    labels = source_labels(catalog)
    assert set(labels) == {source.id for source in catalog.bibliography.sources}
    assert len(set(labels.values())) == len(labels)
    assert labels["nice_ng222"] == "NICE 2022"
    assert labels["cuijpers_2020_nma"] == "Cuijpers et al. 2020"
    assert labels["bond_anderson_2015"] == "Bond and Anderson 2015"


# --- index and about ---------------------------------------------------------------------------


def test_the_index_links_to_every_page(client: TestClient) -> None:
    html = get(client, "/learn")
    for path in PAGES[1:]:
        assert f'href="{path}"' in html, path


def test_the_about_page_states_the_ipdas_certification_items(
    client: TestClient, catalog: Catalog
) -> None:
    html = get(client, "/learn/about")
    bibliography = catalog.bibliography
    assert str(escape(bibliography.funding)) in html  # C6 funding
    assert_provenance(html, catalog)  # C3 date, C4 update policy, the content version
    assert catalog.labels["learn.about.evidence"] in html  # how evidence was chosen
    assert str(escape(catalog.labels["learn.about.numbers"])) in html  # C5 uncertainty
    assert catalog.labels["disclaimer"] in html  # does not diagnose or prescribe
    assert 'href="/learn/sources"' in html  # C2 citations


# --- unknown ids --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    ["/learn/not_a_condition", "/learn/treatments/sertraline", "/learn/options/both", "/learn/x/y"],
)
def test_an_unknown_id_is_a_friendly_404_page(client: TestClient, path: str) -> None:
    response = client.get(path, headers={"accept": "text/html"})
    assert response.status_code == 404
    if path != "/learn/x/y":  # not a learn route at all: the app's own 404 page
        assert response.headers["content-type"].startswith("text/html")
        assert 'href="/learn"' in response.text
        assert response.text.count("<h1") == 1


def test_the_citation_check_can_fail() -> None:
    html = (
        '<p>Said once.</p><p class="sources">Sources: <a href="/learn/sources#a">A</a></p>'
        '<p>Other.</p><p class="sources">Sources: <a href="/learn/sources#b">B</a></p>'
    )
    assert cited(html, Statement(text="Said once.", sources=("a",)))
    assert not cited(html, Statement(text="Said once.", sources=("a", "b")))
    assert not cited(html, Statement(text="Never said.", sources=("a",)))
    assert headings("<h1>x</h1><h3>y</h3>") == [1, 3]
