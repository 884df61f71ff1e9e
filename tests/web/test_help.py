"""/help: the country comes from the person's choice, else from Accept-Language (en-GB: the
UK, en-US: the US), and both countries' lines are shown when neither says; a country switch
made of plain links is always there (issue 10, item 8)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from bothand.catalog import Catalog
from bothand.web.routes.flow import country_from_accept_language
from tests.web.test_flow import Walk, esc


@pytest.mark.parametrize(
    ("header", "country"),
    [
        ("en-GB", "en-GB"),
        ("en-GB,en;q=0.9", "en-GB"),
        ("en-US,en;q=0.9", "en-US"),
        ("en-us", "en-US"),
        ("en-UK", "en-GB"),
        ("fr-FR,en-GB;q=0.5", "en-GB"),
        ("en-US;q=0.2, en-GB;q=0.8", "en-GB"),
        ("en", None),
        ("de-DE,fr;q=0.5", None),
        ("", None),
        (None, None),
        ("en-GB;q=0", None),
        ("en-GB;q=abc, en-US", "en-US"),
        ("*", None),
        ("x" * 5000, None),
    ],
)
def test_country_from_accept_language(header: str | None, country: str | None) -> None:
    assert country_from_accept_language(header) == country


def _lines(catalog: Catalog, locale: str) -> list[str]:
    return [esc(r.name) for r in catalog.crisis.for_locale(locale).resources]


def test_the_header_picks_the_country(client: TestClient, catalog: Catalog) -> None:
    uk = client.get("/help", headers={"Accept-Language": "en-GB,en;q=0.9"}).text
    assert all(name in uk for name in _lines(catalog, "en-GB"))
    assert "988" not in uk
    assert catalog.labels["help.from_language"].split(".")[0] in uk.replace("&#39;", "'")
    us = client.get("/help", headers={"Accept-Language": "en-US"}).text
    assert "988" in us and "Samaritans" not in us


@pytest.mark.parametrize("header", ["en", "de-DE", ""])
def test_when_unknown_both_countries_are_shown(
    client: TestClient, catalog: Catalog, header: str
) -> None:
    html = client.get("/help", headers={"Accept-Language": header}).text
    for locale in ("en-US", "en-GB"):
        entry = catalog.crisis.for_locale(locale)
        assert f">{entry.region}</h2>" in html
        assert all(name in html for name in _lines(catalog, locale))


def test_the_switch_is_plain_links_and_the_choice_wins_over_the_header(
    client: TestClient,
) -> None:
    html = client.get("/help", headers={"Accept-Language": "en-GB"}).text
    assert 'href="/help?country=en-US"' in html and 'href="/help?country=en-GB"' in html
    assert 'href="/help?country=en-GB" aria-current="page"' in html
    chosen = client.get("/help?country=en-US", headers={"Accept-Language": "en-GB"}).text
    assert "988" in chosen and "Samaritans" not in chosen
    assert 'href="/help?country=en-US" aria-current="page"' in chosen
    odd = client.get("/help?country=zz", headers={"Accept-Language": "en-US"}).text
    assert "988" in odd and "Samaritans" not in odd  # an unknown choice: the header decides


def test_the_country_chosen_in_the_flow_wins_over_the_header(client: TestClient) -> None:
    walk = Walk(client)
    walk.concerns("panic", locale="en-GB")
    html = client.get("/help", headers={"Accept-Language": "en-US"}).text
    assert "Samaritans" in html and "988" not in html
