"""The decision flow in a real Chromium, by keyboard only, from the start page to the PDF.

Three people walk it with Tab, Shift+Tab, Space, Enter and the arrow keys (``page.keyboard``
only: no ``click()``, no ``check()``), each at 390 and 1280 px, with JavaScript on and off:

- mild depression (PHQ-9 total 6, item 9 answered 0), in the United States: the mild range,
  talking therapy a usual place to start, a dated plan;
- severe depression with item 9 above 0, in the United Kingdom: crisis help (Samaritans)
  first on the results and at the top of every page after them; waiting is not a usual start;
- bipolar disorder on the clinician-rated path, preferring to avoid medicine: all six
  options, both together a usual start, and the reason that names the preference.

On the questionnaire, each item's answers come into view as Tab reaches them. From the plan
the walk downloads the calendar file, and from the summary the PDF, both with the keyboard:
each must hold every milestone the plan page showed.

With JavaScript on, every page is checked with axe-core (WCAG 2.2 A/AA, ``check_axe``) and
saved as ``test-artifacts/screenshots/flow-<case>-<step>-<width>.png``. On every walk, each
element that takes focus must show an outline or a box shadow (2.4.7) and must not be hidden:
fully in the viewport when it fits there, on screen when it does not, and not covered by
anything at its middle (2.4.11). These problems and axe's are gathered and reported together
at the end of the walk, page by page, so one run lists all of them.

Each walk passes the "about you" step: the mild case skips it by its link, the severe case
gives an age, two earlier episodes and what helped (so its plan is the longer one), the
bipolar case would rather not give an age.

Also here: answers survive a reload (htmx autosave) and the back button (with and without
JavaScript), and each form sent with answers missing puts its error summary first, focused,
with links that lead to the questions (and passes axe).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from icalendar import Calendar
from playwright.sync_api import Locator, Page, Request, Response, expect

from bothand import services
from bothand.catalog import Catalog
from bothand.web.dates import date_text
from tests.browser.conftest import WIDE, WIDTHS, OpenPage, Seen, check_axe, screenshot
from tests.web.test_takeaway import pdf_text, squash

START = dt.date(2027, 1, 4)  # the start date typed into the plan form
TAB_LIMIT = 250  # presses of Tab before giving up on reaching an element
DOWNLOAD_TIMEOUT_MS = 60_000  # the PDF is made on request, with WeasyPrint

# --- the three people ---------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    """One person's answers, in the words of the ids the flow uses."""

    id: str
    concern: str  # a condition id
    locale: str  # "en-US" or "en-GB"
    answers: tuple[int, ...] = ()  # PHQ-9 item values (the questionnaire path)
    difficulty: int | None = None  # the PHQ-9's unscored last question
    severity: str | None = None  # the clinician-rated path: a severity id
    matters: dict[str, str] = field(default_factory=dict)  # what -> "0".."3"
    leaning: str | None = None
    medication: str = "open"
    therapy: str = "open"
    engage: bool = True
    sure_before: dict[str, str] = field(default_factory=dict)  # area -> "yes" / "no"
    sure_after: dict[str, str] = field(default_factory=dict)
    plan_option: str = "therapy"
    age: int | str | None = None  # years, or "unsaid"; None: the about-you step is skipped
    episodes: int | None = None  # an intake choice's value
    tried: dict[str, str] = field(default_factory=dict)  # medication / therapy -> outcome

    def contract(self) -> dict[str, Any]:
        """The case as ``services.recommend`` takes it."""
        concern: dict[str, Any] = {"condition": self.concern}
        if self.answers:
            concern.update(instrument="phq9", answers=list(self.answers))
        else:
            concern["severity"] = self.severity
        return {
            "concerns": [concern],
            "preferences": {"medication": self.medication, "therapy": self.therapy},
            "able_to_engage_in_therapy": self.engage,
            "locale": self.locale,
            "history": {
                **self.tried,
                **({} if self.episodes is None else {"previous_episodes": self.episodes}),
            },
            **({"age": self.age} if isinstance(self.age, int) else {}),
        }


MILD = Case(
    "mild",
    "depression",
    "en-US",
    answers=(1, 1, 1, 1, 1, 1, 0, 0, 0),  # total 6: mild; item 9 answered 0
    difficulty=1,
    matters={"skills": "3", "side_effects": "2"},
    leaning="therapy",
    sure_before={"sure": "no", "understand": "no"},
    sure_after={"sure": "yes", "understand": "yes", "risks": "yes", "support": "no"},
    plan_option="therapy",
)
SEVERE = Case(
    "severe",
    "depression",
    "en-GB",
    answers=(3, 3, 2, 3, 2, 3, 2, 2, 1),  # total 21: severe; item 9 above 0
    matters={"speed": "3"},
    sure_after={"sure": "no"},
    plan_option="medication_first",
    age=52,
    episodes=2,  # two or more earlier episodes: the longer plan before the taper talk
    tried={"medication": "helped", "therapy": "did_not_help"},
)
BIPOLAR = Case(
    "bipolar",
    "bipolar",
    "en-US",
    severity="moderate",
    medication="prefer_to_avoid",
    plan_option="combined",
    age="unsaid",
)
CASES = {case.id: case for case in (MILD, SEVERE, BIPOLAR)}
ALL_OPTIONS = ("therapy", "medication", "combined", "therapy_first", "medication_first", "monitor")


# --- the keyboard -------------------------------------------------------------------------

# What is focused, whether its focus shows, and whether it can be seen (WCAG 2.4.7, 2.4.11).
FOCUS = """() => {
  const el = document.activeElement;
  if (!el || el === document.body || el === document.documentElement) return null;
  const describe = (node) => {
    let text = node.tagName.toLowerCase() + (node.id ? "#" + node.id : "");
    if (node.getAttribute("href")) text += `[href="${node.getAttribute("href")}"]`;
    const label = node.labels && node.labels.length ? node.labels[0].innerText : "";
    const name = (node.getAttribute("aria-label") || label || node.innerText || node.value || "")
      .trim().replace(/\\s+/g, " ").slice(0, 70);
    return name ? `${text} "${name}"` : text;
  };
  const style = getComputedStyle(el);
  const box = el.getBoundingClientRect();
  const width = window.innerWidth, height = window.innerHeight;
  const mine = (hit) =>
    hit && (el.contains(hit) || [...(el.labels || [])].some((l) => l.contains(hit)));
  // A link may wrap onto two lines: look at the middle of each line box on screen.
  let shows = false, cover = "";
  for (const part of el.getClientRects()) {
    const left = Math.max(part.left, 0), right = Math.min(part.right, width);
    const top = Math.max(part.top, 0), bottom = Math.min(part.bottom, height);
    if (right <= left || bottom <= top) continue;
    shows = true;
    const hit = document.elementFromPoint((left + right) / 2, (top + bottom) / 2);
    if (mine(hit)) { cover = ""; break; }
    cover = cover || (hit ? describe(hit) : "nothing at its centre");
  }
  const outline = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0;
  const slack = 1;  // sub-pixel positions: a box scrolled to the very edge ends at 800.3
  return {
    what: describe(el),
    outline: outline ? `${style.outlineWidth} ${style.outlineStyle} ${style.outlineColor}` : "",
    shadow: style.boxShadow && style.boxShadow !== "none" ? style.boxShadow : "",
    fits: box.width <= width && box.height <= height,
    inside: box.left >= -slack && box.top >= -slack
      && box.right <= width + slack && box.bottom <= height + slack,
    shows, cover, inner: !el.matches(":focus"),
    box: [box.left, box.top, box.right, box.bottom].map(Math.round), viewport: [width, height],
  };
}"""

GROUP_STATE = """(group) => {
  const radios = [...group.querySelectorAll("input[type=radio]")];
  return {
    labels: radios.map((r) => (r.labels[0] ? r.labels[0].innerText : "").trim()),
    focused: radios.indexOf(document.activeElement),
    checked: radios.findIndex((r) => r.checked),
  };
}"""


class Keyboard:
    """One person at one keyboard. Every key press checks what took focus; problems (and axe
    violations, with ``audit``) are gathered and reported by ``finish``."""

    def __init__(self, page: Page, name: str, *, audit: bool) -> None:
        self.page = page
        self.name = name
        self.audit = audit
        self.problems: list[str] = []
        self._reported: set[tuple[str, str, str]] = set()
        self._saving = 0  # htmx autosave requests in flight
        page.on("request", self._sent)
        page.on("requestfinished", self._done)
        page.on("requestfailed", self._done)

    # -- autosave bookkeeping (htmx posts each change to /questions/<c>/save) --

    @staticmethod
    def _is_save(request: Request) -> bool:
        return request.method == "POST" and request.url.endswith("/save")

    def _sent(self, request: Request) -> None:
        self._saving += self._is_save(request)

    def _done(self, request: Request) -> None:
        self._saving -= self._is_save(request)

    def settle(self) -> None:
        """Wait for the autosave requests to answer, as a person's next move would."""
        for _ in range(200):
            if self._saving <= 0:
                return
            self.page.wait_for_timeout(25)
        pytest.fail(f"{self.where}: htmx autosave requests did not finish")

    # -- where we are --

    @property
    def where(self) -> str:
        path = self.page.url.split("//", 1)[-1]
        return path[path.find("/") :]

    def arrive(self, step: str) -> None:
        """A new page: one h1, then (with ``audit``) a screenshot and axe."""
        self.page.wait_for_load_state("load")
        assert self.page.locator("h1").count() == 1, f"{self.where}: expected one h1"
        if self.audit:
            width = (self.page.viewport_size or {"width": 0})["width"]
            screenshot(self.page, f"flow-{self.name}-{step}")
            try:
                check_axe(self.page)
            except pytest.fail.Exception as failed:
                self.problems.append(f"[{width}px] {failed}")

    def finish(self) -> None:
        if self.problems:
            lines = [f"{len(self.problems)} problem(s) on the keyboard path ({self.name}):"]
            pytest.fail("\n".join(lines + self.problems), pytrace=False)

    # -- focus --

    def focused(self) -> dict[str, Any] | None:
        info: dict[str, Any] | None = self.page.evaluate(FOCUS)
        return info

    def _problem(self, info: dict[str, Any], kind: str, detail: str) -> None:
        key = (self.where.split("#")[0], info["what"], kind)
        if key not in self._reported:
            self._reported.add(key)
            width = info["viewport"][0]
            self.problems.append(f"[{width}px] {key[0]}: {info['what']}: {detail}")

    def check_focus(self, info: dict[str, Any] | None) -> None:
        if info is None:
            return
        if not (info["outline"] or info["shadow"]):
            inner = (
                " while focus is on a part built into it (a date field's calendar button),"
                " where it does not match :focus (it does match :focus-within)"
                if info["inner"]
                else ""
            )
            self._problem(info, "focus", f"no focus outline or box-shadow{inner} (2.4.7)")
        if info["fits"] and not info["inside"]:
            self._problem(
                info, "place", f"focused but not fully on screen (2.4.11): box {info['box']}"
            )
        elif not info["shows"]:
            self._problem(info, "place", f"focused but off screen (2.4.11): box {info['box']}")
        if info["cover"]:
            self._problem(info, "cover", f"hidden behind {info['cover']} (2.4.11)")

    def press(self, key: str) -> dict[str, Any] | None:
        self.page.keyboard.press(key)
        info = self.focused()
        self.check_focus(info)
        return info

    def tab_until(self, reached: Callable[[], bool], what: str, *, backwards: bool = False) -> int:
        """Press Tab (or Shift+Tab) until ``reached()`` is true, at most TAB_LIMIT times (none
        when it already is); the number of presses."""
        trail: list[str] = []
        for presses in range(TAB_LIMIT + 1):
            if reached():
                return presses
            if presses == TAB_LIMIT:
                break
            info = self.press("Shift+Tab" if backwards else "Tab")
            trail.append(info["what"] if info else "(the page itself)")
        pytest.fail(
            f"{self.where}: {TAB_LIMIT} presses of {'Shift+Tab' if backwards else 'Tab'} did not"
            f" reach {what}. Focus went: " + " -> ".join(trail),
            pytrace=False,
        )

    def tab_to(self, target: Locator, *, backwards: bool = False) -> int:
        return self.tab_until(
            lambda: bool(target.evaluate("(el) => el === document.activeElement")),
            str(target),
            backwards=backwards,
        )

    # -- doing things --

    def follow(self, target: Locator, *, status: int = 200) -> Response:
        """Tab to a link or button and press Enter: a new page, answered with ``status``."""
        self.tab_to(target)
        self.settle()
        with self.page.expect_navigation() as navigation:
            self.page.keyboard.press("Enter")
        response = navigation.value
        assert response is not None and response.status == status, (
            f"{target} led to {self.where} with status {response and response.status}"
        )
        return response

    def tick(self, name: str) -> int:
        """Tab to the checkbox ``name`` and tick it with Space; the presses of Tab."""
        box = self.page.get_by_role("checkbox", name=name, exact=True)
        presses = self.tab_to(box)
        self.press("Space")
        assert box.is_checked(), f"{self.where}: Space did not tick {name!r}"
        return presses

    def choose(self, legend: str, answer: str) -> int:
        """Tab into the radio group named ``legend``, then pick ``answer`` (a label, or the
        start of one followed by " (") with Space or the arrow keys; the presses of Tab."""
        group = self.page.get_by_role("group", name=legend, exact=True)
        presses = self.tab_until(
            lambda: bool(group.evaluate("(g) => g.contains(document.activeElement)")),
            f"the group {legend!r}",
        )
        state = group.evaluate(GROUP_STATE)
        matches = [
            n
            for n, label in enumerate(state["labels"])
            if label == answer or label.startswith(answer + " (")
        ]
        assert len(matches) == 1, f"{self.where}: {answer!r} in {legend!r}: {state['labels']}"
        target, here = matches[0], state["focused"]
        assert here >= 0, f"{self.where}: Tab did not land on a radio of {legend!r}"
        if target == here and state["checked"] != here:
            self.press("Space")
        for _ in range(abs(target - here)):
            self.press("ArrowDown" if target > here else "ArrowUp")
        state = group.evaluate(GROUP_STATE)
        assert state["checked"] == target == state["focused"], (
            f"{self.where}: could not choose {answer!r} in {legend!r}: {state}"
        )
        return presses

    def download(self, target: Locator) -> bytes:
        """Tab to a link to a file and press Enter: the file's bytes."""
        self.tab_to(target)
        with self.page.expect_download(timeout=DOWNLOAD_TIMEOUT_MS) as info:
            self.page.keyboard.press("Enter")
        download = info.value
        assert download.failure() is None, f"{target}: download failed: {download.failure()}"
        return download.path().read_bytes()


# --- what a walk saw ----------------------------------------------------------------------


@dataclass
class Trail:
    """What the person saw on the way, for each test to judge."""

    results: str = ""  # the text of main on /results
    options_layout: str = ""  # "rows": the comparison that opens the options page
    fits: dict[str, str] = field(default_factory=dict)  # option name -> fit, as shown
    preference_reasons: list[str] = field(default_factory=list)  # shown on /options
    urgent: dict[str, str] = field(default_factory=dict)  # step -> crisis box text, if first
    urgent_anywhere: dict[str, bool] = field(default_factory=dict)  # step -> a crisis box
    plan_heading: str = ""
    plan_start: str = ""
    milestones: list[tuple[str, str]] = field(default_factory=list)  # (title, when)
    summary: str = ""  # the text of main on /summary, as shown (the details folded)
    summary_all: str = ""  # the same with the folded parts (their text content)
    ics: bytes = b""
    pdf: bytes = b""


# The crisis box, when it is the first thing: in main (flow pages), or the first thing after
# the header, before main (the summary, where it sits above the page's own content).
URGENT_FIRST = """() => {
  const first = document.querySelector("main").firstElementChild;
  if (first && first.matches("section.urgent")) return first.innerText;
  const after = document.querySelector("header.site").nextElementSibling;
  if (after && after.matches("section.urgent")) return after.innerText;
  return "";
}"""


def _note_urgent(kb: Keyboard, trail: Trail, step: str) -> None:
    """Whether the page has a crisis box, and its text when it comes first (and so is on
    screen as the page opens)."""
    box = kb.page.locator("section.urgent")
    trail.urgent_anywhere[step] = box.count() > 0
    first = kb.page.evaluate(URGENT_FIRST)
    if first:
        expect(box.get_by_role("heading").first).to_be_in_viewport()
        trail.urgent[step] = first


def begin(kb: Keyboard, catalog: Catalog, case: Case) -> None:
    """From / to the first question page: Begin, the concern ticked, the country chosen."""
    labels = catalog.labels
    page = kb.page

    # 1. Start.
    page.goto("/")
    kb.arrive("start")
    kb.follow(page.get_by_role("link", name=labels["flow.start.begin"], exact=True))

    # 2. What is bothering you, and where the person lives.
    assert page.url.endswith("/concerns")
    kb.arrive("concerns")
    titles = concern_titles(catalog)
    kb.tick(titles[case.concern])
    country = labels["flow.locale.uk" if case.locale == "en-GB" else "flow.locale.us"]
    kb.choose(labels["flow.locale.legend"], country)
    kb.follow(page.get_by_role("button", name=labels["flow.continue"], exact=True))

    # 3. About you: each question may be skipped.
    assert page.url.endswith("/about"), page.url
    kb.arrive("about")
    about_you(kb, catalog, case)
    assert page.url.endswith(f"/questions/{case.concern}"), page.url


def about_you(kb: Keyboard, catalog: Catalog, case: Case) -> None:
    """Answer the about-you step as ``case`` does, or skip it by its link."""
    labels = catalog.labels
    page = kb.page
    if case.age is None and case.episodes is None and not case.tried:
        kb.follow(page.get_by_role("link", name=labels["flow.about.skip"], exact=True))
        return
    if case.age == "unsaid":
        kb.tick(labels["intake.age_unsaid"])
    elif case.age is not None:
        kb.tab_to(page.get_by_label(labels["intake.age"], exact=True))
        page.keyboard.type(str(case.age))
    if case.episodes is not None:
        choice = next(c for c in catalog.intake.previous_episodes if c.value == case.episodes)
        kb.choose(labels["intake.episodes"], labels[choice.label])
    for kind, outcome in case.tried.items():
        kb.choose(labels[f"intake.history.{kind}"], labels[f"intake.history.{outcome}"])
    kb.follow(page.get_by_role("button", name=labels["flow.continue"], exact=True))


def walk(kb: Keyboard, catalog: Catalog, case: Case) -> Trail:
    """The whole flow for ``case``, by keyboard, from / to the summary's PDF."""
    labels = catalog.labels
    page = kb.page
    trail = Trail()
    begin(kb, catalog, case)

    # 3. The questions: the PHQ-9, or the clinician-rated severity.
    if case.answers:
        kb.arrive("questions")
        answer_phq9(kb, catalog, case)
    else:
        kb.arrive("severity")
        legend = severity_legend(catalog, case.concern)
        kb.choose(legend, severity_label(catalog, case.severity or ""))
        kb.follow(page.get_by_role("button", name=labels["flow.continue"], exact=True))

    # 3b. Risk on every path: the ASQ, where no chosen questionnaire asked about risk.
    if page.url.endswith("/safety"):
        for item in catalog.instruments["asq"].items[:4]:
            kb.choose(f"{item.number}. {item.text}", "No")
        kb.follow(page.get_by_role("button", name=labels["flow.questions.submit"], exact=True))

    # 4. Results.
    assert page.url.endswith("/results"), page.url
    kb.arrive("results")
    trail.results = page.locator("main").inner_text()
    _note_urgent(kb, trail, "results")
    kb.follow(page.get_by_role("link", name=labels["flow.results.continue"], exact=True))

    # 5. What matters.
    assert page.url.endswith("/values"), page.url
    kb.arrive("values")
    _note_urgent(kb, trail, "values")
    scale = {v: labels[f"flow.value.scale_{v}"] for v in ("0", "1", "2", "3")}
    for what, how_much in case.matters.items():
        kb.choose(labels[f"flow.value.{what}"], scale[how_much])
    if case.leaning:
        kb.choose(labels["flow.values.leaning_legend"], labels[f"flow.leaning.{case.leaning}"])
    kb.choose(labels["session.medication_preference"], labels[f"preference.{case.medication}"])
    kb.choose(labels["session.therapy_preference"], labels[f"preference.{case.therapy}"])
    kb.choose(labels["session.engage"], labels["answer.yes" if case.engage else "answer.no"])
    for area, answer in case.sure_before.items():
        kb.choose(labels[f"flow.sure.{area}"], labels[f"answer.{answer}"])
    kb.follow(page.get_by_role("button", name=labels["flow.values.submit"], exact=True))

    # 6. The options side by side.
    assert page.url.endswith("/options"), page.url
    kb.arrive("options")
    _note_urgent(kb, trail, "options")
    read_options(page, catalog, trail)
    for area, answer in case.sure_after.items():
        kb.choose(labels[f"flow.sure.{area}"], labels[f"answer.{answer}"])
    kb.follow(page.get_by_role("button", name=labels["flow.options.submit"], exact=True))

    # 7. The plan: an option and a start date typed in, then the dated steps.
    assert page.url.endswith("/plan"), page.url
    kb.arrive("plan-first")
    option_names = option_titles(catalog)
    kb.choose(labels["flow.plan.option_legend"], option_names[case.plan_option])
    start = page.get_by_label(labels["flow.plan.start_label"], exact=True)
    kb.tab_to(start)
    page.keyboard.type(f"{START:%m%d%Y}")  # the date field of an en-US browser: mm/dd/yyyy
    assert start.input_value() == START.isoformat(), f"typed the date, got {start.input_value()}"
    kb.follow(page.get_by_role("button", name=labels["flow.plan.submit"], exact=True))
    assert page.url.endswith("/plan"), page.url
    kb.arrive("plan")
    _note_urgent(kb, trail, "plan")
    trail.plan_heading = page.locator("#timeline-title").inner_text()
    trail.plan_start = page.locator("#timeline-title + p strong").inner_text()
    for step in page.locator("ol.timeline > li").all():
        trail.milestones.append(
            (step.locator("h3").inner_text(), step.locator(".when").inner_text())
        )
    trail.ics = kb.download(page.get_by_role("link", name=labels["flow.plan.calendar"]))
    summary_link = page.get_by_role("link", name=labels["flow.plan.summary"], exact=True)
    kb.tab_to(summary_link, backwards=True)  # the link just before the calendar's
    kb.follow(summary_link)

    # 8. The summary, and its PDF.
    assert page.url.endswith("/summary"), page.url
    kb.arrive("summary")
    _note_urgent(kb, trail, "summary")
    trail.summary = page.locator("main").inner_text()
    trail.summary_all = " ".join((page.locator("main").text_content() or "").split())
    trail.pdf = kb.download(page.get_by_role("link", name=labels["summary.download_pdf"]))
    return trail


def concern_titles(catalog: Catalog) -> dict[str, str]:
    """Condition id -> its name as a choice on /concerns."""
    return {info.id: info.name for info in catalog.explainers.conditions}


def option_titles(catalog: Catalog) -> dict[str, str]:
    """Option id -> its name, as the options and the plan show it."""
    return {info.id: info.name for info in catalog.explainers.options}


def severity_legend(catalog: Catalog, condition: str) -> str:
    """The question of the severity form, naming the condition as running text does."""
    name: str = services.condition_names(catalog)[condition]
    return catalog.labels["flow.severity.legend"].replace("{condition}", name)


def severity_label(catalog: Catalog, severity: str) -> str:
    """A choice of the severity form, as severity.html words it."""
    if severity == "unsure":
        return catalog.labels["flow.severity.unsure"]
    return catalog.labels[f"severity.{severity}"].capitalize()


def phq9_answer(catalog: Catalog, number: int, value: int) -> tuple[str, str]:
    """(the item's words, the words of the answer ``value``) for PHQ-9 item ``number``."""
    phq9 = catalog.instruments["phq9"]
    item = phq9.items[number - 1]
    answer = next(o.text for o in phq9.options_for(item) if o.value == value)
    return item.text or "", answer or ""


def answer_phq9(
    kb: Keyboard,
    catalog: Catalog,
    case: Case,
    *,
    first: int = 1,
    items: int = 9,
    send: bool = True,
) -> None:
    """Items ``first`` to ``items`` by keyboard, then (with ``send``) the form sent. The items
    follow one another: Tab goes from one item's answers to the next item's, which must then
    be in view (the page scrolls to the focus), on a phone as on a wide screen."""
    page = kb.page
    phq9 = catalog.instruments["phq9"]
    labels = catalog.labels
    for number, value in enumerate(case.answers[first - 1 : items], start=first):
        kb.choose(*phq9_answer(catalog, number, value))
        expect(page.locator(f"#q-{number}").get_by_role("group")).to_be_in_viewport()
    if not send:
        return
    if case.difficulty is not None:
        extra = phq9.extra_items[0]
        answer = next(o.text for o in extra.options if o.value == case.difficulty)
        kb.choose(extra.text or "", answer or "")
    button = page.get_by_role("button", name=labels["flow.questions.submit"], exact=True)
    kb.follow(button)


def read_options(page: Page, catalog: Catalog, trail: Trail) -> None:
    """The options as shown: first the comparison (each option's name, its fit and the one
    reason that matters most), the same at every width; then each option folded below with
    the same fit, its name a link from the comparison; then the wide table, folded."""
    rows = page.get_by_role("list", name=catalog.labels["flow.options.compare_title"])
    expect(rows).to_be_visible()
    trail.options_layout = "rows"
    names = [n.strip() for n in rows.locator("li h2").all_inner_texts()]
    fits = [f.strip() for f in rows.locator("li .fit").all_inner_texts()]
    assert len(names) == len(fits), (names, fits)
    trail.fits = dict(zip(names, fits, strict=True))
    if page.locator("section.urgent").count() == 0:  # crisis help, when shown, comes first
        expect(rows.locator("li").first).to_be_in_viewport()  # the comparison opens the page
    details = page.locator("details.option-detail")
    assert details.count() == len(names)
    for link in rows.locator("li h2 a").all():
        folded = page.locator(f"details.option-detail{link.get_attribute('href')}")
        assert folded.count() == 1, link.get_attribute("href")
        assert not folded.evaluate("(d) => d.open"), "the detail opens folded"
        name = folded.locator(".option-name").inner_text().strip()
        assert name == link.inner_text().strip()
        assert folded.locator("summary .fit").inner_text().strip() == trail.fits[name]
    table = page.get_by_role("region", name=catalog.labels["flow.options.table_caption"])
    assert not table.is_visible(), "the wide table is folded as the page opens"
    # The reasons that name the person's preference: the comparison's top reason (shown) and
    # the folded cards' (their text, as a person opening a card reads it).
    shown = [r.inner_text() for r in rows.locator(".top-reason").all()]
    folded_reasons = page.locator("details.option-detail ul.reasons > li").all()
    texts = [" ".join((r.text_content() or "").split()) for r in folded_reasons]
    tag = catalog.labels["flow.options.your_preference"]
    trail.preference_reasons = [
        " ".join(t.split()) for t in [*shown, *texts] if t.strip().startswith(tag)
    ]


# --- what every walk must show --------------------------------------------------------------


def expected_plan(catalog: Catalog, case: Case) -> list[tuple[str, str]]:
    """(title, when) of each milestone, as the plan page words them."""
    plan = services.care_plan(catalog, case.contract(), case.plan_option, START)
    rows = []
    for milestone in plan.milestones:
        first, last = milestone.date_from, milestone.date_to
        assert first is not None and last is not None
        when = date_text(first, case.locale)
        if first != last:
            when += f" {catalog.labels['flow.plan.to']} {date_text(last, case.locale)}"
        rows.append((milestone.title, when))
    return rows


def check_common(trail: Trail, catalog: Catalog, case: Case, width: int) -> None:
    """What every person sees: all six options in the layout for the screen, the plan with
    its dated steps, and the calendar file and the PDF holding each of those steps."""
    labels = catalog.labels
    option_names = option_titles(catalog)
    assert trail.options_layout == "rows"
    assert list(trail.fits) == [option_names[o] for o in ALL_OPTIONS]

    name = option_names[case.plan_option]
    assert trail.plan_heading.startswith(f"{name}:"), trail.plan_heading
    assert trail.plan_start == date_text(START, case.locale)
    expected = expected_plan(catalog, case)
    assert trail.milestones == expected
    assert trail.milestones[0][1].startswith(date_text(START, case.locale))

    calendar = Calendar.from_ical(trail.ics)
    events = [c for c in calendar.walk() if c.name == "VEVENT"]
    assert len(events) == len(expected), f"{len(events)} events for {len(expected)} milestones"
    plan = services.care_plan(catalog, case.contract(), case.plan_option, START)
    short = catalog.timeline.short_titles
    assert [str(e["summary"]) for e in events] == [
        "Bothand: " + short[milestone.id] for milestone in plan.milestones
    ]
    assert events[0].decoded("dtstart") == START

    assert trail.pdf.startswith(b"%PDF-"), trail.pdf[:16]
    text = squash(pdf_text(trail.pdf))
    assert squash(labels["summary.title"]) in text
    missing = [title for title, _ in expected if squash(title) not in text]
    assert not missing, f"milestones missing from the PDF: {missing}"
    for title, _ in expected:  # every step in the folded plan, the first on the front sheet
        assert " ".join(title.split()) in trail.summary_all
    assert expected[0][0] in trail.summary, "the first date is not on the summary's front sheet"


def check_clean(seen: Seen, *, answered: int = 200) -> None:
    """Nothing fetched from another origin, and no console error (a CSP violation is one)
    but Chromium's note of a page that was ``answered`` with an error status on purpose."""
    assert not seen.foreign, f"requests to another origin: {seen.foreign}"
    errors = [
        (text, url)
        for text, url in seen.console_errors
        if not url.endswith("favicon.ico") and f"status of {answered} " not in text
    ]
    assert not errors, f"console errors (a CSP violation is one): {errors}"


Person = Callable[..., Keyboard]


@pytest.fixture
def person(open_page: OpenPage) -> Person:
    """``person(name, width, javascript=True, audit=javascript)``: a Keyboard on a fresh page
    of a fresh context; ``name`` names its screenshots."""

    def make(name: str, width: int, javascript: bool = True, audit: bool | None = None) -> Keyboard:
        page = open_page(width, javascript=javascript)
        audit = javascript if audit is None else audit
        return Keyboard(page, name if javascript else f"{name}-nojs", audit=audit)

    return make


FLOW_PARAMS = [
    pytest.param(width, javascript, id=f"{width}px-{'js' if javascript else 'nojs'}")
    for javascript in (True, False)
    for width in WIDTHS
]


# --- the three walks ------------------------------------------------------------------------


@pytest.mark.parametrize(("width", "javascript"), FLOW_PARAMS)
def test_mild_depression_by_keyboard_reaches_a_dated_plan_with_talking_therapy_first(
    person: Person, catalog: Catalog, seen: Seen, width: int, javascript: bool
) -> None:
    kb = person(MILD.id, width, javascript)
    trail = walk(kb, catalog, MILD)
    labels = catalog.labels

    assert not trail.urgent_anywhere["results"], "no crisis box when item 9 is 0"
    assert "6 out of 27" in trail.results
    band = catalog.instruments["phq9"].band_for(6)
    assert band is not None and band.label == "Mild"
    assert f"{labels['flow.results.band']}: Mild" in trail.results
    assert band.meaning in trail.results
    assert trail.fits["Talking therapy"] == labels["fit.usual_start"]
    check_common(trail, catalog, MILD, width)
    check_clean(seen)
    kb.finish()


@pytest.mark.parametrize(("width", "javascript"), FLOW_PARAMS)
def test_severe_depression_with_item_9_above_0_in_the_uk_shows_crisis_help_first(
    person: Person, catalog: Catalog, seen: Seen, width: int, javascript: bool
) -> None:
    kb = person(SEVERE.id, width, javascript)
    trail = walk(kb, catalog, SEVERE)
    labels = catalog.labels

    for step in ("results", "values", "options", "plan", "summary"):
        box = trail.urgent.get(step, "")
        assert box, f"/{step}: crisis help is not the first thing on the page"
        assert "Samaritans" in box and "116 123" in box, f"/{step}: {box}"
        assert "988" not in box, f"/{step}: US lines shown to someone in the UK"
    assert "21 out of 27" in trail.results
    assert f"{labels['flow.results.band']}: Severe" in trail.results
    assert trail.fits["Wait and check"] != labels["fit.usual_start"]
    text = squash(pdf_text(trail.pdf))
    assert "Samaritans" in text and text.index("Samaritans") < text.index(
        squash(labels["summary.title"])
    ), "the PDF does not open with crisis help"
    check_common(trail, catalog, SEVERE, width)
    check_clean(seen)
    kb.finish()


@pytest.mark.parametrize(("width", "javascript"), FLOW_PARAMS)
def test_bipolar_avoiding_medicine_sees_every_option_and_the_reason_that_names_it(
    person: Person, catalog: Catalog, seen: Seen, width: int, javascript: bool
) -> None:
    kb = person(BIPOLAR.id, width, javascript)
    trail = walk(kb, catalog, BIPOLAR)
    labels = catalog.labels

    assert labels["rated_by.clinician"] in trail.results
    assert not trail.urgent_anywhere["results"]
    assert trail.fits["Both at the same time"] == labels["fit.usual_start"]
    options = services.recommend(catalog, BIPOLAR.contract())["options"]
    reasons = next(o["reasons"] for o in options if o["id"] == "combined")
    preference = next(r for r in reasons if r["id"].startswith("reason.preference."))
    assert "You said you would rather avoid medicine" in preference["text"]
    shown = [r for r in trail.preference_reasons if preference["text"] in r]
    assert shown, f"the reason naming the preference is not shown: {trail.preference_reasons}"
    assert all(r.startswith(labels["flow.options.your_preference"]) for r in shown)
    check_common(trail, catalog, BIPOLAR, width)
    check_clean(seen)
    kb.finish()


# --- answers kept: reload and the back button ----------------------------------------------------


def checked_answers(kb: Keyboard, catalog: Catalog) -> list[int | None]:
    """The PHQ-9 value checked for each item on the page (None where none is)."""
    values: list[int | None] = []
    for item in catalog.instruments["phq9"].items:
        group = kb.page.get_by_role("group", name=item.text or "", exact=True)
        state = group.evaluate(GROUP_STATE)
        # The PHQ-9's answers are worth 0 to 3, in that order: the index is the value.
        values.append(None if state["checked"] < 0 else state["checked"])
    return values


def test_answers_chosen_before_sending_survive_a_reload(
    person: Person, catalog: Catalog, seen: Seen
) -> None:
    # With JavaScript, htmx keeps each answer as it is chosen (POST .../save), so a reload,
    # or coming back later, shows them before the form was ever sent.
    kb = person("reload", WIDE["width"], audit=False)
    begin(kb, catalog, SEVERE)
    answer_phq9(kb, catalog, SEVERE, items=4, send=False)
    kb.settle()
    chosen = [*SEVERE.answers[:4], None, None, None, None, None]
    kb.page.reload()
    assert checked_answers(kb, catalog) == chosen, "answers lost on reload"
    kb.page.goto("/")
    kb.page.goto(f"/questions/{SEVERE.concern}")
    assert checked_answers(kb, catalog) == chosen, "answers lost on coming back"
    check_clean(seen)
    kb.finish()


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "nojs"])
def test_sent_answers_are_still_checked_after_the_back_button(
    person: Person, catalog: Catalog, seen: Seen, javascript: bool
) -> None:
    kb = person("back", WIDE["width"], javascript, audit=False)
    begin(kb, catalog, SEVERE)
    answer_phq9(kb, catalog, SEVERE)
    assert kb.page.url.endswith("/results")
    kb.page.go_back()
    assert kb.page.url.endswith(f"/questions/{SEVERE.concern}"), kb.page.url
    assert checked_answers(kb, catalog) == list(SEVERE.answers), "answers lost going back"
    kb.page.reload()
    assert checked_answers(kb, catalog) == list(SEVERE.answers), "answers lost on reload"
    kb.page.go_back()
    assert kb.page.url.endswith("/about"), kb.page.url
    age = kb.page.get_by_label(catalog.labels["intake.age"], exact=True)
    assert age.input_value() == str(SEVERE.age), "the age was lost going back"
    kb.page.go_back()
    assert kb.page.url.endswith("/concerns"), kb.page.url
    titles = concern_titles(catalog)
    concern = kb.page.get_by_role("checkbox", name=titles[SEVERE.concern], exact=True)
    assert concern.is_checked()
    uk = kb.page.get_by_role("radio", name=catalog.labels["flow.locale.uk"], exact=True)
    assert uk.is_checked()
    check_clean(seen)
    kb.finish()


# --- forms sent with answers missing ------------------------------------------------------------


def sent_back(kb: Keyboard, catalog: Catalog, step: str) -> None:
    """A form came back (422): the error summary is first in main and, with JavaScript, takes
    focus, visibly. Then its first link is followed with Enter."""
    page = kb.page
    kb.arrive(step)
    summary = page.locator("#error-summary")
    assert summary.is_visible(), f"{kb.where}: no error summary"
    first_in_main = page.evaluate(
        "() => document.querySelector('main').firstElementChild.id === 'error-summary'"
    )
    assert first_in_main, f"{kb.where}: the error summary is not the first thing in main"
    assert page.title().startswith(catalog.labels["flow.errors.title_prefix"]), page.title()
    info = kb.focused()
    assert info is not None and info["what"].startswith("div#error-summary"), (
        f"{kb.where}: focus is on {info and info['what']}, not on the error summary"
    )
    kb.check_focus(info)
    kb.tab_to(summary.get_by_role("link").first)
    kb.press("Enter")


def near(presses: int, kb: Keyboard, what: str) -> None:
    assert presses <= 1, f"{kb.where}: {presses} presses of Tab from its error link to {what}"


@pytest.mark.parametrize("width", WIDTHS)
def test_forms_sent_with_answers_missing_lead_to_each_question_and_pass_axe(
    person: Person, catalog: Catalog, seen: Seen, width: int
) -> None:
    labels = catalog.labels
    kb = person("missing", width)
    page = kb.page
    titles = concern_titles(catalog)
    proceed = page.get_by_role("button", name=labels["flow.continue"], exact=True)

    page.goto("/concerns")
    kb.arrive("concerns")
    kb.follow(proceed, status=422)
    sent_back(kb, catalog, "concerns-error")
    near(kb.tick(titles["depression"]), kb, "the first concern")
    kb.tick(titles["bipolar"])
    kb.follow(proceed)

    assert page.url.endswith("/about")
    kb.arrive("about")
    kb.tab_to(page.get_by_label(labels["intake.age"], exact=True))
    page.keyboard.type("130")
    kb.follow(proceed, status=422)
    sent_back(kb, catalog, "about-error")
    age = page.get_by_label(labels["intake.age"], exact=True)
    assert age.evaluate("(el) => el === document.activeElement"), "the error link led elsewhere"
    assert age.input_value() == "130"  # what was typed is kept, to correct
    for key in ("End", "Backspace", "Backspace", "Backspace"):
        kb.press(key)
    assert age.input_value() == ""
    page.keyboard.type("17")
    kb.follow(proceed)

    assert page.url.endswith("/questions/depression")
    answer_phq9(kb, catalog, MILD, items=1, send=False)
    submit = page.get_by_role("button", name=labels["flow.questions.submit"], exact=True)
    kb.follow(submit, status=422)
    sent_back(kb, catalog, "questions-error")
    near(kb.choose(*phq9_answer(catalog, 2, MILD.answers[1])), kb, "question 2")
    answer_phq9(kb, catalog, MILD, first=3)

    assert page.url.endswith("/questions/bipolar")
    kb.follow(proceed, status=422)
    sent_back(kb, catalog, "severity-error")
    legend = severity_legend(catalog, "bipolar")
    near(kb.choose(legend, severity_label(catalog, "unsure")), kb, "the severity")
    kb.follow(proceed)

    assert page.url.endswith("/results")
    kb.follow(page.get_by_role("link", name=labels["flow.results.continue"], exact=True))
    values_submit = page.get_by_role("button", name=labels["flow.values.submit"], exact=True)
    kb.follow(values_submit, status=422)
    sent_back(kb, catalog, "values-error")
    medicine = labels["session.medication_preference"]
    near(kb.choose(medicine, labels["preference.unsure"]), kb, "the medicine question")
    kb.choose(labels["session.therapy_preference"], labels["preference.open"])
    kb.choose(labels["session.engage"], labels["answer.no"])
    kb.follow(values_submit)

    assert page.url.endswith("/options")
    kb.follow(page.get_by_role("button", name=labels["flow.options.submit"], exact=True))
    start = page.get_by_label(labels["flow.plan.start_label"], exact=True)
    kb.tab_to(start)
    for key in ("Backspace", "Tab", "Backspace", "Tab", "Backspace"):  # month, day, year
        kb.press(key)  # all three emptied (one left half-filled, the browser would object)
    assert start.input_value() == ""
    show = page.get_by_role("button", name=labels["flow.plan.submit"], exact=True)
    kb.follow(show, status=422)
    sent_back(kb, catalog, "plan-error")
    near(kb.tab_to(start), kb, "the start date")
    page.keyboard.type(f"{START:%m%d%Y}")
    kb.follow(show)
    assert page.locator("ol.timeline > li").count() > 0
    check_clean(seen, answered=422)
    kb.finish()
