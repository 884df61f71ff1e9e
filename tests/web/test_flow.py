"""The decision flow pages, walked end to end with the test client: the real app and the real
catalog, no mocks. Each walk posts forms as a browser would (CSRF token from the page,
POST-redirect-GET), then checks what a person sees and that every page meets the same
baseline: one h1, a lang attribute, a label for every input, the help-now link, and no inline
script or style (the CSP forbids both)."""

from __future__ import annotations

import datetime as dt
import re
from html import escape
from html.parser import HTMLParser

import pytest
from fastapi.testclient import TestClient
from httpx import Response

from bothand import services
from bothand.catalog import Catalog
from bothand.contract import dump_plan
from bothand.web.state import COOKIE

# --- reading pages ---------------------------------------------------------------------------


class Page(HTMLParser):
    """What the baseline checks need from one HTML page."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.h1 = 0
        self.lang: str | None = None
        self.inputs: list[dict[str, str | None]] = []  # attributes, plus "in_label"
        self.label_for: set[str] = set()
        self.inline_scripts = 0
        self.style_blocks = 0
        self.style_attributes = 0
        self.links: list[str] = []
        self.ids: list[str] = []
        self._label_depth = 0
        self._in_script = False
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if "style" in found:
            self.style_attributes += 1
        if found.get("id"):
            self.ids.append(found["id"] or "")
        if tag == "html":
            self.lang = found.get("lang")
        elif tag == "h1":
            self.h1 += 1
        elif tag == "label":
            self._label_depth += 1
            if found.get("for"):
                self.label_for.add(found["for"] or "")
        elif tag in ("input", "select", "textarea"):
            self.inputs.append({**found, "in_label": "yes" if self._label_depth else None})
        elif tag == "script":
            if not found.get("src"):
                self.inline_scripts += 1
        elif tag == "style":
            self.style_blocks += 1
        elif tag == "a" and found.get("href"):
            self.links.append(found["href"] or "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "label":
            self._label_depth -= 1


def check_baseline(response: Response) -> Page:
    """The checks every flow page must pass, whatever its status."""
    html = response.text
    page = Page(html)
    where = f"{response.request.method} {response.request.url.path} ({response.status_code})"
    assert page.h1 == 1, f"{where}: {page.h1} h1 elements"
    assert page.lang, f"{where}: no lang attribute"
    assert page.inline_scripts == 0, f"{where}: inline <script>"
    assert page.style_blocks == 0 and page.style_attributes == 0, f"{where}: inline style"
    assert "style=" not in html, where
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), where
    assert "/help" in page.links, f"{where}: no help-now link"
    for attributes in page.inputs:
        if attributes.get("type") == "hidden":
            continue
        labelled = attributes.get("in_label") or attributes.get("id") in page.label_for
        assert labelled, f"{where}: unlabelled input {attributes}"
    duplicates = {i for i in page.ids if page.ids.count(i) > 1}
    assert not duplicates, f"{where}: ids used twice: {sorted(duplicates)[:5]}"
    return page


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, "no CSRF field on the page"
    return found.group(1)


def checked(html: str, name: str) -> str | None:
    """The value of the checked radio (or first checked box) called ``name``."""
    for tag in re.findall(r"<input[^>]*>", html):
        if f'name="{name}"' in tag and " checked" in tag:
            value = re.search(r'value="([^"]*)"', tag)
            return value.group(1) if value else None
    return None


def section(html: str, start: str, end: str) -> str:
    first = html.index(start)
    return html[first : html.index(end, first)]


# --- walking the flow ------------------------------------------------------------------------


class Walk:
    """A person going through the flow in one browser; every page seen is checked."""

    def __init__(self, client: TestClient) -> None:
        self.client = client
        self.seen: list[Response] = []
        self.token = csrf_of(self.get("/concerns").text)

    def get(self, path: str) -> Response:
        response = self.client.get(path, follow_redirects=False)
        if response.status_code == 200:
            check_baseline(response)
            self.seen.append(response)
        return response

    def post(self, path: str, data: dict[str, object], token: bool = True) -> Response:
        body = {"csrf": self.token, **data} if token else dict(data)
        response = self.client.post(path, data=body, follow_redirects=False)
        if response.status_code == 303:
            location = response.headers["location"]
            assert "?" not in location, "answers must never go into a URL"
        else:
            check_baseline(response)
            self.seen.append(response)
        return response

    def concerns(self, *conditions: str, locale: str = "en-US") -> Response:
        return self.post("/concerns", {"concern": list(conditions), "locale": locale})

    def questionnaire(self, condition: str, instrument: str, answers: list[int]) -> Response:
        data = {f"{instrument}.item{n}": str(v) for n, v in enumerate(answers, start=1)}
        return self.post(f"/questions/{condition}", data)

    def asq(self, *answers: int | None) -> Response:
        """The risk screen asked on every path without the PHQ-9 (all "no" by default)."""
        given = answers or (0, 0, 0, 0)
        data = {f"asq.item{n}": str(v) for n, v in enumerate(given, start=1) if v is not None}
        return self.post("/safety", data)

    def values(self, medication: str = "open", therapy: str = "open", **more: str) -> Response:
        data = {"medication": medication, "therapy": therapy, "engage": "yes", **more}
        return self.post("/values", data)

    @property
    def cookie(self) -> str:
        return self.client.cookies.get(COOKIE) or ""

    @property
    def answers(self) -> dict[str, object]:
        """The answers the cookie holds, decoded (its signature carries a timestamp, so the
        signed bytes change whenever the clock's second does)."""
        return dict(self.client.app.state.flow.signer.loads(self.cookie))  # type: ignore[attr-defined]


@pytest.fixture
def walk(client: TestClient) -> Walk:
    return Walk(client)


MILD = [1, 1, 1, 1, 1, 1, 0, 0, 0]  # PHQ-9 total 6, item 9 answered 0
SEVERE_RISK = [3, 3, 2, 3, 2, 3, 2, 2, 1]  # PHQ-9 total 21, item 9 positive
ALL_OPTIONS = ("therapy", "medication", "combined", "therapy_first", "medication_first", "monitor")


def option_names(catalog: Catalog) -> dict[str, str]:
    return {option.id: option.name for option in catalog.explainers.options}


def esc(text: str) -> str:
    return text.replace("&", "&amp;").replace('"', "&#34;").replace("'", "&#39;")


# --- start ------------------------------------------------------------------------------------


def test_start_says_what_the_tool_is_and_is_not(client: TestClient, catalog: Catalog) -> None:
    response = client.get("/")
    page = check_baseline(response)
    labels = catalog.labels
    for key in ("flow.start.not_1", "flow.start.not_2", "flow.start.does_1"):
        assert esc(labels[key]) in response.text
    assert "/concerns" in page.links
    assert f">{labels['flow.start.begin']}<" in response.text
    assert 'action="/reset"' not in response.text  # nothing to clear yet


# --- the three walks from the brief ----------------------------------------------------------


def test_mild_depression_walks_from_start_to_plan(walk: Walk, catalog: Catalog) -> None:
    labels = catalog.labels
    moved = walk.concerns("depression")
    assert (moved.status_code, moved.headers["location"]) == (303, "/about")
    about = walk.get("/about").text
    assert f'href="/questions/depression">{labels["flow.about.skip"]}<' in about

    form = walk.get("/questions/depression").text
    phq9 = catalog.instruments["phq9"]
    assert phq9.instructions and phq9.instructions in form  # official wording, unchanged
    for item in phq9.items:
        assert f"<legend>{esc(item.text or '')}</legend>" in form
    for option in phq9.options:
        assert f"<span>{option.text}</span>" in form
    assert esc(phq9.extra_items[0].text or "") in form  # the difficulty question

    moved = walk.questionnaire("depression", "phq9", MILD)
    assert (moved.status_code, moved.headers["location"]) == (303, "/results")

    results = walk.get("/results").text
    assert 'class="urgent"' not in results
    assert "<strong>6</strong> out of 27" in results
    band = phq9.band_for(6)
    assert band is not None and band.label == "Mild"
    assert f"<strong>{band.label}</strong>" in results and band.meaning in results
    assert phq9.score_means in results and phq9.score_does_not_mean in results
    zero_note = catalog.crisis.for_locale("en-US").zero_is_not_no_risk
    assert esc(zero_note) in results  # item 9 answered 0 is not shown as safe
    assert "no risk" not in results.lower()

    assert walk.get("/values").status_code == 200
    assert walk.values(matter_skills="3", leaning="therapy").headers["location"] == "/options"

    options = walk.get("/options").text
    for name in option_names(catalog).values():
        assert name in options
    assert labels["flow.figures.title"] in options

    assert walk.post("/options", {"sure_sure": "yes"}).headers["location"] == "/plan"
    plan = walk.get("/plan").text
    recommended = services.recommend(
        catalog, {"concerns": [{"condition": "depression", "instrument": "phq9", "answers": MILD}]}
    )["plan"]["option"]
    assert checked(plan, "option") == recommended
    assert 'href="/summary"' in plan
    assert re.search(rf'href="/plan\.ics\?option={recommended}&amp;start=\d{{4}}-\d\d-\d\d"', plan)
    assert '<ol class="timeline">' in plan and 'role="img"' in plan


def test_severe_depression_with_a_positive_item_9_puts_crisis_help_first(
    walk: Walk, catalog: Catalog
) -> None:
    walk.concerns("depression", "generalized_anxiety", locale="en-GB")
    walk.questionnaire("depression", "phq9", SEVERE_RISK)
    crisis = catalog.crisis.for_locale("en-GB")

    # The very next page, still a questionnaire, already opens with crisis help.
    anxiety = walk.get("/questions/generalized_anxiety").text
    assert anxiety.index('class="urgent"') < anxiety.index("<h1")
    walk.questionnaire("generalized_anxiety", "gad7", [2, 2, 2, 2, 2, 2, 2])

    results = walk.get("/results").text
    main = results[results.index("<main") :]
    assert main.index('class="urgent"') < main.index("<h1")  # first, before anything else
    assert esc(crisis.urgent_message) in results
    for resource in crisis.resources:
        assert esc(resource.name) in results and esc(resource.detail) in results
        for action in resource.actions:  # each call or text, as a link a phone can open
            assert f'href="{action.href}">{esc(action.label)}</a>' in main
    assert 'href="tel:116123"' in main and 'href="sms:85258?body=SHOUT"' in main
    assert "988" not in main  # the UK lines, not the US ones
    assert "<strong>21</strong> out of 27" in results

    walk.get("/values")
    walk.values()
    for path in ("/values", "/options", "/plan"):
        html = walk.get(path).text
        later = html[html.index("<main") :]
        assert later.index('class="urgent') < later.index("<h1"), path
        if path == "/values":
            assert esc(crisis.urgent_message) in later, path
        else:  # the compact box (tests/web/test_crisis_compact.py): the top lines, first
            assert 'href="tel:116123"' in later and 'href="tel:999"' in later, path


def test_bipolar_preferring_to_avoid_medicine_still_sees_every_option(
    walk: Walk, catalog: Catalog
) -> None:
    walk.concerns("bipolar")
    form = walk.get("/questions/bipolar").text
    assert 'name="severity"' in form  # no usable questionnaire: the clinician-rated path
    assert 'value="unsure"' in form
    assert walk.post("/questions/bipolar", {"severity": "moderate"}).status_code == 303
    assert walk.asq().headers["location"] == "/results"
    results = walk.get("/results").text
    assert catalog.labels["rated_by.clinician"] in results

    walk.values(medication="prefer_to_avoid")
    options = walk.get("/options").text
    names = option_names(catalog)
    header = section(options, "<thead>", "</thead>")
    assert [names[o] for o in ALL_OPTIONS] == re.findall(r'<th scope="col">([^<]+)</th>', header)
    # First the one-screen comparison: six rows, each with its fit in words (and a shape).
    rows = section(options, '<ol class="compare-rows"', "</ol>")
    assert rows.count('<li class="compare-row">') == len(ALL_OPTIONS)
    assert rows.count('class="fit-mark"') == len(ALL_OPTIONS)
    assert options.index("compare-rows") < options.index('class="card option-detail"')
    for option in ALL_OPTIONS:  # then one folded card per option, with the same fields
        anchor = option.replace("_", "-")
        card = section(
            options, f'<details class="card option-detail" id="option-{anchor}"', "</details>"
        )
        fields = re.findall(r"<dt>([^<]+)</dt>", card)
        # the fit is in the card's summary line, the other fields inside
        assert fields == [catalog.labels[f"flow.options.field.{f}"] for f in FIELDS[1:]]
        reasons = re.findall(r"<li>(.*?)\n", section(card, '<ul class="reasons">', "</ul>"))
        assert len(reasons) == len(set(reasons)), f"a reason repeated in {option}: {reasons}"
    combined = section(options, 'id="option-combined"', "</details>")
    assert catalog.labels["fit.usual_start"] in combined
    case = {
        "concerns": [{"condition": "bipolar", "severity": "moderate"}],
        "preferences": {"medication": "prefer_to_avoid", "therapy": "open"},
    }
    recommended = services.recommend(catalog, case)["options"]
    reasons = next(o["reasons"] for o in recommended if o["id"] == "combined")
    preference = next(r for r in reasons if r["id"].startswith("reason.preference."))
    assert preference["id"] == "reason.preference.avoid_medicine_foundation"
    assert esc(preference["text"]) in combined
    assert catalog.labels["flow.options.your_preference"] in combined

    plan = walk.get("/plan").text
    assert checked(plan, "option") == "combined"


FIELDS = ("fit", "summary", "benefits", "harms", "what_it_is_like", "reasons", "numbers")


# --- forms: CSRF, missing answers, reloads -------------------------------------------------


def test_a_post_without_the_csrf_token_is_refused_and_changes_nothing(
    walk: Walk, catalog: Catalog
) -> None:
    walk.concerns("depression")
    before = walk.answers
    refused = walk.post("/questions/depression", {"phq9.item1": "3"}, token=False)
    assert refused.status_code == 403
    assert catalog.labels["flow.forbidden.title"] in refused.text
    assert "set-cookie" not in refused.headers
    assert walk.answers == before
    assert checked(walk.get("/questions/depression").text, "phq9.item1") is None

    walk.token = "not-the-token"
    assert walk.post("/concerns", {"concern": "ptsd", "locale": "en-US"}).status_code == 403
    assert walk.answers == before
    assert checked(walk.get("/concerns").text, "concern") == "depression"


def test_a_missing_answer_comes_back_with_an_error_summary_and_keeps_the_rest(
    walk: Walk, catalog: Catalog
) -> None:
    walk.concerns("depression")
    data = {f"phq9.item{n}": "2" for n in (1, 2, 4, 5, 6, 7, 8, 9)}  # item 3 left out
    response = walk.post("/questions/depression", data)
    assert response.status_code == 422
    html = response.text
    summary = section(html, 'id="error-summary"', "</div>")
    item3 = catalog.instruments["phq9"].items[2]
    assert esc(item3.text or "") in summary
    assert 'href="#phq9-item3-0"' in summary and 'id="phq9-item3-0"' in html
    assert html.index('id="error-summary"') < html.index("<h1")
    assert "<title>Error:" in html
    for n in (1, 2, 4, 9):
        assert checked(html, f"phq9.item{n}") == "2"
    assert checked(html, "phq9.item3") is None


def test_the_safety_item_is_never_filled_in(walk: Walk, catalog: Catalog) -> None:
    walk.concerns("depression")
    data = {f"phq9.item{n}": "0" for n in range(1, 9)}  # all but item 9
    response = walk.post("/questions/depression", data)
    assert response.status_code == 422
    item9 = catalog.instruments["phq9"].items[8]
    assert esc(item9.text or "") in section(response.text, 'id="error-summary"', "</div>")
    assert walk.get("/results").headers["location"] == "/questions/depression"


def test_saved_answers_are_checked_again_on_reload(walk: Walk) -> None:
    walk.concerns("depression", "ptsd")
    walk.questionnaire("depression", "phq9", MILD)
    html = walk.get("/questions/depression").text
    assert [checked(html, f"phq9.item{n}") for n in range(1, 10)] == [str(v) for v in MILD]
    walk.post("/values", {})  # out of order: sent back to finish the questions
    concerns = walk.get("/concerns").text
    assert 'value="ptsd" checked' in concerns and 'value="depression" checked' in concerns


def test_autosave_keeps_answers_before_the_form_is_sent(walk: Walk) -> None:
    walk.concerns("depression")
    saved = walk.client.post(
        "/questions/depression/save", data={"csrf": walk.token, "phq9.item2": "3"}
    )
    assert saved.status_code == 204
    assert checked(walk.get("/questions/depression").text, "phq9.item2") == "3"
    refused = walk.client.post("/questions/depression/save", data={"phq9.item2": "1"})
    assert refused.status_code == 403
    assert checked(walk.get("/questions/depression").text, "phq9.item2") == "3"


def test_the_cookie_stays_small_with_three_concerns_answered(walk: Walk) -> None:
    walk.concerns("depression", "generalized_anxiety", "ptsd")
    walk.questionnaire("depression", "phq9", [3, 3, 3, 3, 3, 3, 3, 3, 0])
    walk.questionnaire("generalized_anxiety", "gad7", [3] * 7)
    walk.questionnaire("ptsd", "pcl5", [4] * 20)
    walk.get("/results")
    matters = {f"matter_{m}": "3" for m in ("speed", "daily_pill", "skills", "time_cost")}
    sure = {f"sure_{a}": "no" for a in ("sure", "understand", "risks", "support")}
    walk.values("prefer_to_avoid", "unsure", leaning="combined", **matters, **sure)
    walk.post("/options", sure)
    walk.post("/plan", {"option": "medication_first", "start": "2026-02-01"})
    assert walk.get("/plan").status_code == 200
    assert 0 < len(walk.cookie) < 3 * 1024


# --- about you: the intake's age and history -----------------------------------------------


def test_about_you_asks_the_intake_questions_and_each_can_be_skipped(
    walk: Walk, catalog: Catalog
) -> None:
    walk.concerns("depression")
    about = walk.get("/about").text
    labels = catalog.labels
    for key in ("intake.age", "intake.age_unsaid", "intake.episodes", "intake.history.medication"):
        assert esc(labels[key]) in about
    for choice in catalog.intake.previous_episodes:
        assert f'name="episodes" value="{choice.value}"' in about
    assert "Step 2 of 7" in about
    moved = walk.post("/about", {})  # nothing answered: fine
    assert (moved.status_code, moved.headers["location"]) == (303, "/questions/depression")
    assert {"age", "episodes", "tried"}.isdisjoint(walk.answers)


def test_age_and_history_reach_the_case_the_plan_and_the_summary(
    walk: Walk, catalog: Catalog
) -> None:
    walk.concerns("depression")
    walk.post(
        "/about",
        {"age": "34", "episodes": "2", "tried_medication": "helped", "tried_therapy": "not_tried"},
    )
    walk.questionnaire("depression", "phq9", MILD)
    walk.get("/results")
    walk.values()
    case = {
        "concerns": [{"condition": "depression", "instrument": "phq9", "answers": MILD}],
        "age": 34,
        "history": {"previous_episodes": 2, "medication": "helped", "therapy": "not_tried"},
        "locale": "en-US",
    }
    start = dt.date(2026, 3, 2)
    expected = dump_plan(services.care_plan(catalog, case, "medication", start))
    fewer = {**case, "history": {"previous_episodes": 0}}
    assert expected != dump_plan(services.care_plan(catalog, fewer, "medication", start))
    moved = walk.post("/plan", {"option": "medication", "start": start.isoformat()})
    assert moved.status_code == 303
    plan = walk.get("/plan").text
    shown = re.findall(r"<h3>([^<]+)</h3>", section(plan, '<ol class="timeline">', "</ol>"))
    assert shown == [esc(m["title"]) for m in expected["milestones"]]  # the longer plan
    summary = walk.get("/summary").text
    about = section(summary, esc(catalog.labels["intake.title"]), "</dl>")
    assert "<dd>34</dd>" in about
    assert esc(catalog.labels["intake.episodes.two_or_more"]) in about
    assert esc(catalog.labels["intake.history.helped"]) in about


def test_an_age_one_would_rather_not_give_is_left_out_of_the_case(
    walk: Walk, catalog: Catalog
) -> None:
    walk.concerns("depression")
    moved = walk.post("/about", {"age": "", "age_unsaid": "yes"})
    assert moved.status_code == 303
    assert walk.answers["age"] == "unsaid"
    about = walk.get("/about").text
    assert 'name="age_unsaid" value="yes" checked' in about
    wrong = walk.post("/about", {"age": "130"})
    assert wrong.status_code == 422
    assert 'href="#age"' in section(wrong.text, 'id="error-summary"', "</div>")
    assert 'value="130"' in wrong.text  # what was typed is kept to correct


# --- page by page ----------------------------------------------------------------------------


def test_questions_open_with_the_first_item_and_need_no_script(
    walk: Walk, catalog: Catalog
) -> None:
    # The items follow one another in one form sent by its button (no link to press between
    # them); the title, the official instruction and item 1 come first, and what we say about
    # the form is folded. One topic: no "Topic 1 of 1".
    labels = catalog.labels
    walk.concerns("depression")
    html = walk.get("/questions/depression").text
    screens = re.findall(r'<div class="item-screen" id="(q-[\w-]+)">', html)
    assert screens == [f"q-{n}" for n in range(1, 10)] + ["q-extra-1"]
    assert "next-question" not in html
    assert 'hx-post="/questions/depression/save"' in html
    assert f"{labels['flow.questions.concern']} 1 {labels['flow.of']} 1" not in html
    main = section(html, "<main", "</main>")
    first = main.index('id="q-1"')
    assert main.index('<details class="about-form">') < first
    assert main.index("</details>") < main.index('id="instructions"') < first
    phq9 = catalog.instruments["phq9"]
    assert f"<p>{esc(phq9.instructions or '')}</p>" in main  # shown, word for word
    assert labels["flow.questions.paper_note"] not in main  # the PHQ-9 asks no circling


def test_the_pcl5_keeps_its_instruction_word_for_word_and_says_how_to_answer_here(
    walk: Walk, catalog: Catalog
) -> None:
    # The PCL-5's paper instruction ("circle one of the numbers to the right") is official
    # wording: it stays unchanged, folded with what we say about the form, and a note of our
    # own says how to answer on a screen. The short lead-in, with its time frame, is shown.
    labels = catalog.labels
    walk.concerns("panic", "ptsd")
    html = walk.get("/questions/ptsd").text
    pcl5 = catalog.instruments["pcl5"]
    about = section(html, '<details class="about-form">', "</details>")
    assert esc(pcl5.instructions or "") in about
    assert esc(labels["flow.questions.paper_note"]) in about
    shown = section(html, 'id="instructions"', "</div>")
    assert esc(pcl5.lead_in or "") in shown and "circle" not in shown
    assert f"{labels['flow.questions.concern']} 2 {labels['flow.of']} 2" in html
    # Only the concerns chosen are named on their pages.
    panic = walk.get("/questions/panic").text
    main = section(panic, "<main", "</main>")
    names = services.condition_names(catalog)
    others = [n for c, n in names.items() if c not in ("panic", "ptsd") and n in main]
    assert not others, others


@pytest.mark.parametrize(
    ("header", "chosen"),
    [
        ("en-GB,en;q=0.9", "en-GB"),
        ("fr-FR, en_GB;q=0.8", "en-GB"),
        ("en-US,en;q=0.9", "en-US"),
        ("de-DE", "en-US"),
        (None, "en-US"),
    ],
)
def test_the_country_is_preselected_from_the_browser_language_and_can_be_changed(
    client: TestClient, header: str | None, chosen: str
) -> None:
    # A UK phone need not tap its country: the browser's language preselects it on a first
    # visit; the person's own choice, once made, is what the page shows after.
    headers = {"accept-language": header} if header else {}
    html = client.get("/concerns", headers=headers).text
    assert checked(html, "locale") == chosen
    walk = Walk(client)
    walk.concerns("depression", locale="en-US")
    again = client.get("/concerns", headers={"accept-language": "en-GB"}).text
    assert checked(again, "locale") == "en-US"


def test_a_concern_without_a_free_questionnaire_can_stay_unrated(
    walk: Walk, catalog: Catalog
) -> None:
    walk.concerns("panic", "ocd")
    ocd = walk.get("/questions/ocd").text
    assert esc(catalog.unavailable["ocir"]) in ocd  # says why the OCI-R is not asked
    walk.post("/questions/panic", {"severity": "unsure"})
    walk.post("/questions/ocd", {"severity": "severe"})
    walk.asq()
    results = walk.get("/results").text
    assert catalog.labels["flow.results.unrated"].split(".")[0] in results
    assert catalog.labels["severity.severe"] in results


def test_a_severity_must_be_chosen(walk: Walk, catalog: Catalog) -> None:
    walk.concerns("schizophrenia")
    response = walk.post("/questions/schizophrenia", {})
    assert response.status_code == 422
    assert catalog.labels["flow.severity.error"] in response.text


def test_concerns_need_a_choice_and_a_country(walk: Walk, catalog: Catalog) -> None:
    response = walk.post("/concerns", {})
    assert response.status_code == 422
    summary = section(response.text, 'id="error-summary"', "</div>")
    assert catalog.labels["flow.concerns.error"] in summary
    assert catalog.labels["flow.locale.error"] in summary


def test_values_asks_the_readiness_check_and_needs_the_feelings(
    walk: Walk, catalog: Catalog
) -> None:
    walk.concerns("depression")
    walk.questionnaire("depression", "phq9", MILD)
    walk.get("/results")
    html = walk.get("/values").text
    for area in ("sure", "understand", "risks", "support"):
        assert esc(catalog.labels[f"flow.sure.{area}"]) in html
    assert 'type="range"' not in html  # radio scales, nothing to drag
    response = walk.post("/values", {"matter_speed": "2", "sure_sure": "no"})
    assert response.status_code == 422
    assert checked(response.text, "matter_speed") == "2"
    assert checked(response.text, "sure_sure") == "no"
    assert esc(catalog.labels["flow.values.error_engage"]) in response.text


def test_options_show_figures_as_icon_arrays_with_words(walk: Walk, catalog: Catalog) -> None:
    walk.concerns("depression")
    walk.questionnaire("depression", "phq9", MILD)
    walk.get("/results")
    walk.values()
    html = walk.get("/options").text
    figure = next(
        f for f in catalog.evidence.figures if f.id == "depression.relapse_after_stopping"
    )
    anchor = "figure-depression-relapse-after-stopping"
    block = section(html, f'id="{anchor}"', "</section>")
    assert esc(figure.time_frame) in block and esc(figure.reference_group) in block
    assert esc(figure.uncertainty) in block
    arrays = re.findall(r'<svg class="icon-array" role="img".*?</svg>', block, re.S)
    assert len(arrays) == len(figure.arms)
    for svg, arm in zip(arrays, figure.arms, strict=True):
        assert "<title" in svg
        dots, rings = cells_drawn(svg, "-dot)"), cells_drawn(svg, "-ring)")
        assert (dots, rings) == (arm.events, figure.per - arm.events)
        assert f"{arm.events} out of {figure.per} people" in block
    assert f'href="#{anchor}"' in html
    gap = next(g for g in catalog.evidence.gaps if g.condition == "depression")
    assert esc(gap.statement.text) in html
    assert 'href="/learn/sources#' in html


def cells_drawn(svg: str, pattern_suffix: str) -> int:
    """How many 20 x 20 cells of an icon array the rectangles filled with a pattern cover."""
    rects = re.findall(
        r'<rect x="\d+" y="\d+" width="(\d+)" height="(\d+)" fill="url\(#[^"]*?'
        + re.escape(pattern_suffix),
        svg,
    )
    return sum(int(w) * int(h) // 400 for w, h in rects)


def test_the_plan_takes_an_option_and_a_start_date(walk: Walk, catalog: Catalog) -> None:
    walk.concerns("depression", locale="en-GB")
    walk.questionnaire("depression", "phq9", MILD)
    walk.get("/results")
    walk.values()
    bad = walk.post("/plan", {"option": "therapy", "start": "31 Febtember"})
    assert bad.status_code == 422
    assert catalog.labels["flow.plan.error_start"] in bad.text
    assert 'value="31 Febtember"' in bad.text
    moved = walk.post("/plan", {"option": "combined", "start": "31/1/2026"})  # a text box
    assert moved.headers["location"] == "/plan"
    html = walk.get("/plan").text
    assert checked(html, "option") == "combined"
    assert 'value="2026-01-31"' in html and "31 January 2026" in html
    assert 'href="/plan.ics?option=combined&amp;start=2026-01-31"' in html
    plan = services.care_plan(
        catalog,
        {"concerns": [{"condition": "depression", "instrument": "phq9", "answers": MILD}]},
        "combined",
        None,
    )
    steps = section(html, '<ol class="timeline">', "</ol>")
    assert steps.count("<li>") == len(plan.milestones)
    chart = section(html, '<figure class="timeline-chart">', "</figure>")
    assert chart.count('<rect class="bar"') == len(plan.milestones)
    short = catalog.timeline.short_titles
    for milestone in plan.milestones:  # each bar named, on a scale of months
        assert f">{escape(short[milestone.id])}</text>" in chart
    assert catalog.labels["flow.plan.chart_caption"].split(".")[0] in html


@pytest.mark.parametrize(
    ("path", "goes_to"),
    [
        ("/results", "/concerns"),
        ("/values", "/concerns"),
        ("/options", "/concerns"),
        ("/plan", "/concerns"),
        ("/questions/depression", "/concerns"),
    ],
)
def test_skipping_ahead_goes_back_to_the_first_unfinished_step(
    client: TestClient, path: str, goes_to: str
) -> None:
    response = client.get(path, follow_redirects=False)
    assert (response.status_code, response.headers["location"]) == (303, goes_to)


def test_options_wait_for_the_values_page(walk: Walk) -> None:
    walk.concerns("depression")
    walk.questionnaire("depression", "phq9", MILD)
    assert walk.get("/values").headers["location"] == "/results"
    walk.get("/results")
    assert walk.get("/options").headers["location"] == "/values"


def test_an_unknown_concern_is_not_found(client: TestClient) -> None:
    response = client.get("/questions/sadness", headers={"accept": "text/html"})
    assert response.status_code == 404


def test_start_again_clears_every_answer(walk: Walk) -> None:
    walk.concerns("depression")
    walk.questionnaire("depression", "phq9", MILD)
    start = walk.get("/").text
    assert 'action="/reset"' in start
    assert walk.post("/reset", {}).headers["location"] == "/"
    assert checked(walk.get("/concerns").text, "concern") is None


def test_every_page_of_a_walk_meets_the_baseline(walk: Walk) -> None:
    """Walk every page, including error pages, through ``Walk``'s baseline checks."""
    walk.get("/")
    walk.get("/help")
    walk.post("/concerns", {})  # 422
    walk.concerns("depression", "panic")
    walk.get("/questions/depression")
    walk.post("/questions/depression", {"phq9.item1": "1"})  # 422
    walk.questionnaire("depression", "phq9", SEVERE_RISK)
    walk.get("/questions/panic")
    walk.post("/questions/panic", {"severity": "moderate"})
    walk.get("/results")
    walk.get("/values")
    walk.post("/values", {})  # 422
    walk.values()
    walk.get("/options")
    walk.post("/options", {})
    walk.get("/plan")
    walk.post("/plan", {"option": "nothing", "start": ""})  # 422
    walk.post("/plan", {}, token=False)  # 403
    statuses = {(r.request.url.path, r.status_code) for r in walk.seen}
    pages = ("/", "/help", "/concerns", "/questions/depression", "/questions/panic")
    pages += ("/results", "/values", "/options", "/plan")
    assert {(path, 200) for path in pages} <= statuses
    errors = {("/concerns", 422), ("/questions/depression", 422), ("/values", 422)}
    assert errors | {("/plan", 422), ("/plan", 403)} <= statuses


def test_i_would_like_it_reaches_the_case_and_its_own_reason(walk: Walk, catalog: Catalog) -> None:
    walk.concerns("depression")
    walk.post("/about", {})
    walk.questionnaire("depression", "phq9", [1, 1, 1, 1, 1, 1, 0, 0, 0])
    walk.get("/results")
    form = walk.get("/values").text
    assert 'value="prefer"' in form and esc(catalog.labels["preference.prefer"]) in form
    assert walk.values(medication="prefer").status_code == 303
    options = walk.get("/options").text
    reason = catalog.rules.reason("reason.preference.prefer_medicine_less_severe")
    assert esc(reason.text) in options
