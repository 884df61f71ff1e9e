"""Every page in a real Chromium: axe (WCAG 2.2 AA), one h1, keyboard order and visible focus,
consistent help, reflow at 320 px, no JavaScript needed, nothing from another origin."""

from __future__ import annotations

import importlib
import pkgutil
import re
from typing import Any

import pytest
from fastapi import APIRouter
from playwright.sync_api import Page

from bothand.catalog import Catalog
from bothand.web import routes
from tests.browser.conftest import WIDTHS, OpenPage, Seen, check_axe, screenshot

PAGE_ROUTERS: list[APIRouter] = [
    router
    for module in pkgutil.iter_modules(routes.__path__)
    if module.name != "api"
    and isinstance(
        router := getattr(
            importlib.import_module(f"bothand.web.routes.{module.name}"), "router", None
        ),
        APIRouter,
    )
]


def _has_page(path: str) -> bool:
    """Whether a GET route of the page routers matches ``path`` (so pages join as they land)."""
    for router in PAGE_ROUTERS:
        for route in router.routes:
            template = getattr(route, "path", None)
            if template and "GET" in (getattr(route, "methods", None) or ()):
                pattern = re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template))
                if re.fullmatch(pattern, path):
                    return True
    return False


# (path, expected status): the pages that open without answers in the flow cookie. Flow
# pages that need answers (/questions/..., /results, /values, /options, /plan) send a person
# back to /concerns without them: add each here with the state it needs.
CANDIDATES = (
    "/",
    "/help",
    "/concerns",
    "/learn",
    "/learn/about",
    "/learn/sources",
    "/learn/depression",
    "/learn/treatments/cbt",
    "/learn/options/combined",
    "/summary",
)
PAGES: list[tuple[str, int]] = [(path, 200) for path in CANDIDATES if _has_page(path)] + [
    ("/no-such-page", 404)  # the page a person sees after following a bad link
]
PAGE_IDS = [path for path, _ in PAGES]

FOCUS_INFO = """() => {
  const el = document.activeElement;
  const style = getComputedStyle(el);
  const r = el.getBoundingClientRect();
  return {
    tag: el.tagName.toLowerCase(), id: el.id, href: el.getAttribute("href"),
    text: (el.textContent || "").trim(), inHeader: !!el.closest("header"),
    outlineWidth: parseFloat(style.outlineWidth) || 0, outlineStyle: style.outlineStyle,
    left: r.left, top: r.top, right: r.right, bottom: r.bottom,
    viewWidth: window.innerWidth, viewHeight: window.innerHeight,
  };
}"""


def _slug(path: str) -> str:
    return path.strip("/").replace("/", "-") or "start"


def _goto(page: Page, path: str, status: int) -> None:
    response = page.goto(path, wait_until="load")
    assert response is not None, path
    assert response.status == status, f"{path}: status {response.status}"
    assert response.headers["content-type"].startswith("text/html"), path


def _focused(page: Page) -> dict[str, Any]:
    info: dict[str, Any] = page.evaluate(FOCUS_INFO)
    return info


def _assert_focus_visible(info: dict[str, Any], what: str) -> None:
    assert info["outlineWidth"] > 0 and info["outlineStyle"] != "none", (
        f"{what}: no visible focus outline ({info['outlineWidth']}px {info['outlineStyle']})"
    )
    on_screen = (
        info["left"] >= 0
        and info["top"] >= 0
        and info["right"] <= info["viewWidth"]
        and info["bottom"] <= info["viewHeight"]
        and info["right"] > info["left"]
        and info["bottom"] > info["top"]
    )
    assert on_screen, f"{what}: focused but not fully on screen (WCAG 2.4.11): {info}"


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize(("path", "status"), PAGES, ids=PAGE_IDS)
def test_page_loads_with_one_h1_and_no_axe_violations(
    open_page: OpenPage, path: str, status: int, width: int
) -> None:
    page = open_page(width)
    _goto(page, path, status)
    assert page.locator("h1").count() == 1, f"{path}: expected exactly one h1"
    assert page.locator("h1").is_visible()
    assert page.locator("html").get_attribute("lang"), f"{path}: <html> has no lang"
    screenshot(page, _slug(path))
    check_axe(page)


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize(("path", "status"), PAGES, ids=PAGE_IDS)
def test_keyboard_reaches_skip_brand_and_help_in_order_with_visible_focus(
    open_page: OpenPage, catalog: Catalog, path: str, status: int, width: int
) -> None:
    page = open_page(width)
    _goto(page, path, status)
    expected = [
        ("skip link", "#main", catalog.labels["nav.skip"]),
        ("brand link", "/", catalog.labels["site.name"]),
        ("help link", "/help", catalog.labels["nav.help_now"]),
    ]
    for what, href, text in expected:
        page.keyboard.press("Tab")
        info = _focused(page)
        assert (info["tag"], info["href"], info["text"]) == ("a", href, text), (
            f"{path}: Tab should reach the {what} ({href!r}, {text!r}) next, got {info}"
        )
        _assert_focus_visible(info, f"{path} {what}")
    # The skip link moves focus past the header to the main content.
    page.goto(path)
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    info = _focused(page)
    assert (info["tag"], info["id"]) == ("main", "main"), f"{path}: skip link led to {info}"


@pytest.mark.parametrize("width", WIDTHS)
def test_help_link_is_in_the_same_place_on_every_page(
    open_page: OpenPage, catalog: Catalog, width: int
) -> None:
    page = open_page(width)
    places: dict[str, tuple[float, ...]] = {}
    for path, status in PAGES:
        _goto(page, path, status)
        link = page.locator("header").get_by_role(
            "link", name=catalog.labels["nav.help_now"], exact=True
        )
        assert link.count() == 1, f"{path}: no single help link in the header"
        assert link.get_attribute("href") == "/help"
        box = link.bounding_box()
        assert box is not None, f"{path}: the help link is not shown"
        places[path] = tuple(round(box[key]) for key in ("x", "y", "width", "height"))
    assert len(set(places.values())) == 1, f"help link moves between pages: {places}"


@pytest.mark.parametrize(("path", "status"), PAGES, ids=PAGE_IDS)
def test_readable_at_320_px_without_horizontal_scroll(
    open_page: OpenPage, path: str, status: int
) -> None:
    page = open_page(320, 640)
    _goto(page, path, status)
    width = page.evaluate("document.scrollingElement.scrollWidth")
    assert width <= 320, f"{path}: {width}px wide at a 320px viewport (horizontal scroll)"


@pytest.mark.parametrize(("path", "status"), PAGES, ids=PAGE_IDS)
def test_works_with_javascript_disabled(
    open_page: OpenPage, catalog: Catalog, path: str, status: int
) -> None:
    page = open_page(javascript=False)
    _goto(page, path, status)
    assert page.locator("h1").count() == 1
    assert page.locator("h1").is_visible()
    help_link = page.locator("header").get_by_role(
        "link", name=catalog.labels["nav.help_now"], exact=True
    )
    help_link.click()
    page.wait_for_url("**/help")
    assert page.locator("h1").inner_text() == catalog.labels["nav.help_now"]


@pytest.mark.parametrize(("path", "status"), PAGES, ids=PAGE_IDS)
def test_loads_nothing_from_another_origin_and_logs_no_errors(
    open_page: OpenPage, base_url: str, seen: Seen, path: str, status: int
) -> None:
    page = open_page()
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    _goto(page, path, status)
    page.wait_for_load_state("networkidle")
    foreign = [url for url in requested if not url.startswith(base_url + "/")]
    assert not foreign, f"{path} asked another origin for: {foreign}"
    assert not seen.foreign
    errors = _unexpected_errors(seen, page_url=base_url + path, status=status)
    assert not errors, f"{path}: console errors (a CSP violation is one): {errors}"


def test_every_page_declares_an_icon_so_the_browser_does_not_ask_for_favicon_ico(
    page: Page,
) -> None:
    # Without <link rel="icon">, Chromium asks for /favicon.ico once per profile: a 404 in
    # the log and the console. data: icons are allowed by the CSP (img-src 'self' data:).
    missing = []
    for path, status in PAGES:
        _goto(page, path, status)
        if page.locator("head link[rel~='icon']").count() == 0:
            missing.append(path)
    assert not missing, f"no <link rel=icon> on: {missing}"


def _unexpected_errors(seen: Seen, *, page_url: str, status: int) -> list[tuple[str, str]]:
    """Console errors, less the note that a 404 page answered 404 and the favicon fetch
    (timing-dependent: Chromium asks once per profile; tested on its own above)."""
    return [
        (text, url)
        for text, url in seen.console_errors
        if not (status != 200 and url == page_url and f"status of {status}" in text)
        and not url.endswith("/favicon.ico")
    ]


# --- /docs: Swagger UI from vendored files (a developer page; it needs JavaScript) -----------


def _open_docs(page: Page) -> None:
    response = page.goto("/docs")
    assert response is not None and response.status == 200
    csp = response.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    page.locator(".swagger-ui .opblock").first.wait_for()


def test_docs_renders_from_vendored_files_under_the_csp(
    page: Page, base_url: str, seen: Seen
) -> None:
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    _open_docs(page)
    paths = page.locator(".swagger-ui .opblock-summary-path").all_inner_texts()
    shown = {text.replace("\u200b", "") for text in paths}
    for endpoint in ("/api/recommend", "/api/score/{instrument}", "/api/plan", "/api/instruments"):
        assert endpoint in shown, f"/docs does not show {endpoint}: {shown}"
    page.wait_for_load_state("networkidle")
    foreign = [url for url in requested if not url.startswith(base_url + "/")]
    assert not foreign and not seen.foreign, f"/docs asked another origin for: {foreign}"
    errors = _unexpected_errors(seen, page_url=base_url + "/docs", status=200)
    assert not errors, f"/docs console errors: {errors}"


def test_docs_has_one_h1(page: Page) -> None:
    _open_docs(page)
    headings = page.locator("h1").all_inner_texts()
    assert len(headings) == 1, f"/docs has {len(headings)} h1: {headings}"


@pytest.mark.parametrize("width", WIDTHS)
def test_docs_has_no_axe_violations(open_page: OpenPage, width: int) -> None:
    page = open_page(width)
    _open_docs(page)
    screenshot(page, "docs")
    check_axe(page)


@pytest.mark.parametrize("width", WIDTHS)
def test_crisis_contacts_are_links_a_phone_can_open(
    open_page: OpenPage, catalog: Catalog, width: int
) -> None:
    """/help (United States by default): each contact's call or text is a link with the
    right tel:/sms: address, at least 44 px tall so a tired thumb can hit it."""
    page = open_page(width)
    _goto(page, "/help", 200)
    for resource in catalog.crisis.for_locale("en-US").resources:
        assert resource.actions, resource.name
        for action in resource.actions:
            link = page.get_by_role("link", name=action.label, exact=True)
            assert link.count() == 1, action.label
            assert link.get_attribute("href") == action.href
            box = link.bounding_box()
            assert box is not None and box["height"] >= 44, (action.label, box)
    check_axe(page)
