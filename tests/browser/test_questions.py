"""The questionnaire pages and the summary on a phone, in a real Chromium, with JavaScript on
and off (axe each time; with JavaScript off, on the page as drawn without script):

- the first question (its words and its first answer) is on the first screen at 390x844;
- with JavaScript, choosing an answer to a new item by tap or click brings the next item into
  view (the send button after the last); keys and a changed answer do not move the page, and
  focus stays on the answer chosen;
- without JavaScript the same form is answered and sent;
- the summary at 320 px: no table cell overlaps another, nothing scrolls sideways.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from itsdangerous import URLSafeTimedSerializer
from playwright.sync_api import Page, expect

from bothand.catalog import Catalog
from tests.browser.conftest import NARROW, OpenPage, Seen, check_axe, screenshot
from tests.browser.test_flow import check_clean

SECRET = "browser-tests-" + "k" * 40  # the key tests/browser/conftest.py starts the app with
JS = [pytest.param(True, id="js"), pytest.param(False, id="nojs")]


def with_state(page: Page, base_url: str, state: dict[str, Any]) -> None:
    """Put a flow state in the cookie, as the app signs it."""
    cookie = URLSafeTimedSerializer(SECRET, salt="bothand.flow").dumps(
        {"csrf": "questions-test", "locale": "en-US", **state}
    )
    page.context.add_cookies([{"name": "bothand_flow", "value": cookie, "url": base_url}])


def check_axe_as_drawn_without_script(page: Page, open_page: OpenPage) -> None:
    """axe on ``page`` as a browser with JavaScript off draws it. axe is itself a script, and
    with scripts off its timers never run; so the page's HTML as drawn there (script elements
    taken out) is served again, at the same address, to a page with scripts on, and checked."""
    html = re.sub(r"<script\b[^>]*>.*?</script>", "", page.content(), flags=re.S)
    size = page.viewport_size or NARROW
    checker = open_page(size["width"], size["height"])
    url = page.url
    checker.route(
        url,
        lambda route: route.fulfill(status=200, content_type="text/html; charset=utf-8", body=html),
    )
    checker.goto(url)
    check_axe(checker)


def axe(page: Page, open_page: OpenPage, javascript: bool) -> None:
    if javascript:
        check_axe(page)
    else:
        check_axe_as_drawn_without_script(page, open_page)


def first_question_on_first_screen(page: Page) -> None:
    height = (page.viewport_size or NARROW)["height"]
    assert page.evaluate("() => window.scrollY") == 0
    legend = page.locator("#q-1 legend")
    first_answer = page.locator("#q-1 label.choice").first
    expect(legend).to_be_in_viewport()
    box = first_answer.bounding_box()
    assert box is not None and box["y"] + box["height"] <= height, (
        f"the first answer of question 1 ends at {box and box['y'] + box['height']} px"
    )


@pytest.mark.parametrize("javascript", JS)
@pytest.mark.parametrize(
    ("concerns", "condition"),
    [(["depression"], "depression"), (["ptsd"], "ptsd"), (["panic", "ptsd"], "ptsd")],
)
def test_the_first_question_is_on_the_first_phone_screen(
    open_page: OpenPage,
    base_url: str,
    seen: Seen,
    catalog: Catalog,
    javascript: bool,
    concerns: list[str],
    condition: str,
) -> None:
    page = open_page(NARROW["width"], NARROW["height"], javascript=javascript)
    with_state(page, base_url, {"concerns": concerns})
    page.goto(f"/questions/{condition}")
    assert page.url.endswith(f"/questions/{condition}")
    first_question_on_first_screen(page)
    text = page.locator("main").inner_text()
    labels = catalog.labels
    one_of_one = f"{labels['flow.questions.concern']} 1 {labels['flow.of']} 1"
    assert one_of_one not in text
    # What we say about the form is folded, and opens with the keyboard or a tap.
    about = page.locator("details.about-form")
    assert not about.evaluate("(d) => d.open")
    about.locator("summary").press("Enter")
    assert about.evaluate("(d) => d.open")
    instrument = catalog.instruments["pcl5" if condition == "ptsd" else "phq9"]
    expect(about).to_contain_text(instrument.about or "")
    screenshot(page, f"questions-{'-'.join(concerns)}-{'js' if javascript else 'nojs'}")
    axe(page, open_page, javascript)
    check_clean(seen)


def test_a_tap_on_an_answer_brings_the_next_question_into_view(
    open_page: OpenPage, base_url: str, seen: Seen
) -> None:
    page = open_page(NARROW["width"], NARROW["height"])
    with_state(page, base_url, {"concerns": ["depression"]})
    page.goto("/questions/depression")
    page.wait_for_load_state("load")
    for number in range(1, 10):
        choice = page.locator(f"#q-{number} label.choice").nth(1)
        choice.click()  # a pointer: pointerdown, then the change
        following = page.locator(f"#q-{number + 1}" if number < 9 else "#q-extra-1")
        expect(following.locator("legend")).to_be_in_viewport()
        top, bottom = following.evaluate(
            "(el) => { const b = el.getBoundingClientRect(); return [b.top, b.bottom]; }"
        )
        at_top, whole = 0 <= top < 60, top >= 0 and bottom <= NARROW["height"]
        assert at_top or whole, f"question {number + 1} is at {top}-{bottom} px"
        focused = page.evaluate("() => document.activeElement.name")
        assert focused == f"phq9.item{number}", "focus stays on the answer just chosen"
    page.locator("#q-extra-1 label.choice").first.click()
    expect(page.get_by_role("button", name="Save and continue")).to_be_in_viewport()

    # Changing an answer already given does not move the page.
    page.locator("#q-3").scroll_into_view_if_needed()
    before = page.evaluate("() => window.scrollY")
    page.locator("#q-3 label.choice").nth(2).click()
    page.wait_for_timeout(300)
    assert page.evaluate("() => window.scrollY") == before

    # Keys change the answer within a group and never move the page on their own.
    page.locator("#q-5 input[type=radio]:checked").focus()
    before = page.evaluate("() => window.scrollY")
    page.keyboard.press("ArrowDown")
    page.wait_for_timeout(300)
    assert page.evaluate("() => window.scrollY") == before
    assert page.locator("#q-5 input[type=radio]").nth(2).is_checked()

    with page.expect_navigation():
        page.get_by_role("button", name="Save and continue").click()
    assert page.url.endswith("/results"), page.url
    check_clean(seen)


def test_without_javascript_the_questionnaire_is_answered_and_sent(
    open_page: OpenPage, base_url: str, seen: Seen
) -> None:
    page = open_page(NARROW["width"], NARROW["height"], javascript=False)
    with_state(page, base_url, {"concerns": ["depression"]})
    page.goto("/questions/depression")
    for number in range(1, 10):
        page.locator(f"#q-{number} label.choice").first.click()
    page.get_by_role("button", name="Save and continue").click()
    page.wait_for_url("**/results")
    expect(page.locator("main")).to_contain_text("0 out of 27")
    check_clean(seen)


# --- the summary at 320 px ----------------------------------------------------------------

SUMMARY_STATE: dict[str, Any] = {
    "locale": "en-GB",
    "concerns": ["depression", "ptsd"],
    "answers": {
        "depression": [3, 3, 3, 3, 2, 2, 2, 2, 2],
        "ptsd": [2, 2, 3, 2, 2, 2, 2, 1, 2, 2, 2, 2, 2, 3, 2, 1, 3, 2, 2, 2],
    },
    "instruments": {"depression": "phq9", "ptsd": "pcl5"},
    "results_seen": True,
    "values": {"speed": 3, "daily_pill": 2},
    "leaning": "unsure",
    "preferences": {"medication": "prefer_to_avoid", "therapy": "open"},
    "engage": True,
    "sure_before": {"sure": "no", "understand": "yes", "risks": "no", "support": "yes"},
}

OVERLAPS = """() => {
  const out = [];
  for (const table of document.querySelectorAll("main table")) {
    // Cells drawn on screen: not those of a header row kept only for screen readers
    // (the narrow layout hides it visually and names each row's parts instead).
    const drawn = (c) => c.offsetParent && !(c.closest("thead") &&
      getComputedStyle(c.closest("thead")).position === "absolute");
    const cells = [...table.querySelectorAll("th, td")].filter(drawn);
    const boxes = cells.map((c) => c.getBoundingClientRect());
    for (let i = 0; i < boxes.length; i++) {
      for (let j = i + 1; j < boxes.length; j++) {
        const a = boxes[i], b = boxes[j];
        const w = Math.min(a.right, b.right) - Math.max(a.left, b.left);
        const h = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
        if (w > 1 && h > 1) out.push(cells[i].innerText.slice(0, 30) + " / " +
                                     cells[j].innerText.slice(0, 30));
      }
    }
    for (const cell of cells) {  // text wider than its cell spills over the next one
      if (cell.scrollWidth > cell.clientWidth + 1) out.push("spills: " +
                                                            cell.innerText.slice(0, 30));
    }
  }
  return out;
}"""


@pytest.mark.parametrize("javascript", JS)
def test_the_summary_at_320_px_has_no_overlapping_cells(
    open_page: OpenPage, base_url: str, seen: Seen, javascript: bool
) -> None:
    page = open_page(320, 720, javascript=javascript)
    with_state(page, base_url, SUMMARY_STATE)
    page.goto("/summary")
    assert page.url.endswith("/summary"), page.url
    for summary in page.locator("main details > summary").all():  # every table shown
        summary.click()
    assert page.evaluate("() => document.scrollingElement.scrollWidth") <= 320
    assert page.evaluate(OVERLAPS) == []
    screenshot(page, f"summary-open-{'js' if javascript else 'nojs'}")
    axe(page, open_page, javascript)
    check_clean(seen)


# --- every step of the flow with JavaScript off, on a phone -----------------------------------

FLOW_STATE: dict[str, Any] = {
    **SUMMARY_STATE,
    "locale": "en-US",
    "answers": {**SUMMARY_STATE["answers"], "depression": [1, 1, 1, 1, 1, 1, 1, 0, 0]},
}
FLOW_PATHS = [
    "/concerns",
    "/about",
    "/questions/depression",
    "/questions/ptsd",
    "/results",
    "/values",
    "/options",
    "/plan",
    "/summary",
]


@pytest.mark.parametrize("path", FLOW_PATHS)
def test_each_step_passes_axe_on_a_phone_without_javascript(
    open_page: OpenPage, base_url: str, seen: Seen, path: str
) -> None:
    # With JavaScript on, the keyboard walks of test_flow.py run axe on every step; here the
    # same steps as drawn with it off (htmx and flow.js not running), at 390 px.
    page = open_page(NARROW["width"], NARROW["height"], javascript=False)
    with_state(page, base_url, FLOW_STATE)
    page.goto(path)
    assert page.url.endswith(path), f"{path} sent the person to {page.url}"
    assert page.locator("h1").count() == 1
    check_axe_as_drawn_without_script(page, open_page)
    check_clean(seen)
