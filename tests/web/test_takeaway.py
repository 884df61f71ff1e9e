"""What a person takes away: the summary page, its PDF (tagged, PDF/UA-1) and the calendar file.

The flow state is set the way the flow pages set it: a cookie signed by the app's own
FlowState. The PDF's text is read back from the file itself (fonts' ToUnicode maps applied to
the page content streams), so a title that is only in the HTML and not in the PDF fails.
"""

from __future__ import annotations

import datetime as dt
import re
import zlib
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from markupsafe import escape

from bothand import services
from bothand.catalog import Catalog
from bothand.web.flowstate import FlowAnswers
from bothand.web.routes.takeaway import build_summary
from bothand.web.state import COOKIE

START = "2026-12-01"
PHQ9_ITEM9_ZERO = [2, 1, 2, 2, 1, 1, 2, 0, 0]
PHQ9_ITEM9_ONE = [2, 1, 2, 2, 1, 1, 2, 0, 1]


def flow_state(**changes: Any) -> dict[str, Any]:
    """A filled state, with the keys the flow pages write (routes/flow.py)."""
    state: dict[str, Any] = {
        "csrf": "test-token",
        "locale": "en-US",
        "concerns": ["depression", "ptsd"],
        "answers": {"depression": PHQ9_ITEM9_ZERO},
        "instruments": {"depression": "phq9"},
        "severity": {"ptsd": "moderate"},
        "values": {"speed": 1, "side_effects": 3, "skills": 2},
        "leaning": "combined",
        "preferences": {"medication": "unsure", "therapy": "open"},
        "engage": True,
        "option": "combined",
        "start": START,
    }
    state.update(changes)
    return state


def answers(state: dict[str, Any]) -> FlowAnswers:
    """The state as the app reads it back from the cookie."""
    return FlowAnswers.model_validate(state)


def with_state(app: FastAPI, client: TestClient, state: dict[str, Any]) -> TestClient:
    client.cookies.set(COOKIE, app.state.flow.signer.dumps(state))
    return client


def matter_text(catalog: Catalog, what: str) -> str:
    """The flow's words for one thing that matters (its label), else the id made readable."""
    text = catalog.labels.text
    return text.get(f"flow.value.{what}", what.replace("_", " ").capitalize())


def plan_titles(catalog: Catalog, state: dict[str, Any], option: str) -> list[str]:
    case = answers(state).to_case(catalog)
    assert case is not None
    plan = services.care_plan(catalog, case.model_dump(), option, dt.date.fromisoformat(START))
    return [milestone.title for milestone in plan.milestones]


def plan_ids(catalog: Catalog, state: dict[str, Any], option: str) -> list[str]:
    case = answers(state).to_case(catalog)
    assert case is not None
    plan = services.care_plan(catalog, case.model_dump(), option, dt.date.fromisoformat(START))
    return [milestone.id for milestone in plan.milestones]


# --- reading a PDF back -----------------------------------------------------------------------
# pypdf is not a dependency; this reads just enough of the format WeasyPrint writes (object
# streams, Flate, Type0 fonts with ToUnicode maps) to get the text of every page.

_OBJ = re.compile(rb"(\d+) 0 obj\s*")
_TOKEN = re.compile(
    rb"/([^\s/\[\]<>()]+)\s+[\d.]+\s+Tf|\[((?:[^\]\\]|\\.)*)\]\s*TJ|<([0-9a-fA-F]*)>\s*Tj"
)


def pdf_objects(pdf: bytes) -> dict[int, tuple[bytes, bytes | None]]:
    """Object number -> (dictionary text, decoded stream or None), including the objects
    packed inside object streams."""
    objects: dict[int, tuple[bytes, bytes | None]] = {}
    position = 0
    while (match := _OBJ.search(pdf, position)) is not None:
        number, start = int(match.group(1)), match.end()
        stream_at, end_at = pdf.find(b"stream", start), pdf.find(b"endobj", start)
        if stream_at == -1 or stream_at > end_at:
            objects[number] = (pdf[start:end_at], None)
            position = end_at
            continue
        head = pdf[start:stream_at]
        length = re.search(rb"/Length (\d+)", head)
        assert length is not None, head
        body = (
            stream_at + len(b"stream") + (2 if pdf[stream_at + 6 : stream_at + 8] == b"\r\n" else 1)
        )
        raw = pdf[body : body + int(length.group(1))]
        data = zlib.decompress(raw) if b"/FlateDecode" in head else raw
        objects[number] = (head, data)
        position = body + len(raw)
        if b"/ObjStm" in head:
            first_match = re.search(rb"/First (\d+)", head)
            assert first_match is not None
            first = int(first_match.group(1))
            numbers = [int(n) for n in data[:first].split()]
            pairs = list(zip(numbers[::2], numbers[1::2], strict=True))
            for index, (inner, offset) in enumerate(pairs):
                stop = pairs[index + 1][1] if index + 1 < len(pairs) else len(data) - first
                objects[inner] = (data[first + offset : first + stop], None)
    return objects


def _unicode_map(cmap: bytes) -> dict[int, str]:
    mapping: dict[int, str] = {}
    for block in re.findall(rb"beginbfchar(.*?)endbfchar", cmap, re.S):
        for code, text in re.findall(rb"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>", block):
            mapping[int(code, 16)] = bytes.fromhex(text.decode()).decode("utf-16-be")
    for block in re.findall(rb"beginbfrange(.*?)endbfrange", cmap, re.S):
        for low, high, text in re.findall(
            rb"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>", block
        ):
            for offset, code in enumerate(range(int(low, 16), int(high, 16) + 1)):
                mapping[code] = chr(int(text, 16) + offset)
    return mapping


def pdf_text(pdf: bytes) -> str:
    """The text drawn on the pages, in drawing order, with runs of white space made one."""
    objects = pdf_objects(pdf)
    maps: dict[int, dict[int, str]] = {}
    for number, (head, _) in objects.items():
        found = re.search(rb"/ToUnicode (\d+) 0 R", head)
        if found and objects.get(int(found.group(1)), (b"", None))[1] is not None:
            maps[number] = _unicode_map(objects[int(found.group(1))][1] or b"")
    fonts = {
        name: maps[int(number)]
        for head, _ in objects.values()
        for name, number in re.findall(rb"/([^\s/\[\]<>()]+) (\d+) 0 R", head)
        if int(number) in maps
    }
    out: list[str] = []
    for _, data in objects.values():
        if data is None or b" Tf" not in data:
            continue
        font: dict[int, str] = {}
        for token in _TOKEN.finditer(data):
            if token.group(1) is not None:
                font = fonts.get(token.group(1), {})
                out.append(" ")
                continue
            hexes = (
                re.findall(rb"<([0-9a-fA-F]*)>", token.group(2))
                if token.group(2) is not None
                else [token.group(3)]
            )
            for chunk in hexes:
                out += [font.get(int(chunk[i : i + 4], 16), "?") for i in range(0, len(chunk), 4)]
            out.append(" ")
    return " ".join("".join(out).split())


def pdf_structure(pdf: bytes) -> bytes:
    """Every object's dictionary text, decoded: where tags and metadata live."""
    parts = []
    for head, data in pdf_objects(pdf).values():
        parts.append(head)
        if data is not None and b"<x:xmpmeta" in data:
            parts.append(data)
    return b"\n".join(parts)


def squash(text: str) -> str:
    """White space made one, and none after a hyphen: a line may break at "long-term"."""
    return re.sub(r"-\s+", "-", " ".join(text.split()))


# --- the PDF ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def filled_pdf(catalog: Catalog) -> bytes:
    from bothand.settings import Settings
    from bothand.web.app import create_app

    app = create_app(Settings(secret_key="t" * 40), catalog)
    response = with_state(app, TestClient(app), flow_state()).get("/summary.pdf")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"] == ('attachment; filename="bothand-summary.pdf"')
    return response.content


def test_the_pdf_is_a_pdf_with_text(filled_pdf: bytes) -> None:
    assert filled_pdf.startswith(b"%PDF-")
    text = pdf_text(filled_pdf)
    assert "Your summary to share with your clinician" in text
    assert len(text) > 2000


def test_the_pdf_holds_every_milestone_title_and_the_content_version(
    catalog: Catalog, filled_pdf: bytes
) -> None:
    text = squash(pdf_text(filled_pdf))
    titles = plan_titles(catalog, flow_state(), "combined")
    assert len(titles) >= 5
    missing = [title for title in titles if squash(title) not in text]
    assert not missing
    assert catalog.version in text


def test_the_pdf_is_tagged_with_a_title_and_a_language(filled_pdf: bytes) -> None:
    structure = pdf_structure(filled_pdf)
    assert b"/StructTreeRoot" in structure
    assert b"/MarkInfo <</Marked true>>" in structure
    assert b"/Lang (en)" in structure
    assert b'pdfuaid:part="1"' in structure
    assert b"Your summary to share with your clinician" in structure  # dc:title


def test_the_text_reader_reads_what_is_drawn_and_nothing_else(filled_pdf: bytes) -> None:
    from weasyprint import HTML

    page = '<html lang="en"><title>x</title><p>Plain words, <b>bold words</b> and 2026-12-01.</p>'
    pdf = HTML(string=page).write_pdf(pdf_variant="pdf/ua-1")
    assert pdf_text(pdf) == "Plain words, bold words and 2026-12-01."
    assert "StructTreeRoot" not in pdf_text(filled_pdf)


def test_the_pdf_puts_crisis_help_first_when_item_9_is_positive(
    app: FastAPI, client: TestClient, catalog: Catalog
) -> None:
    state = flow_state(answers={"depression": PHQ9_ITEM9_ONE})
    response = with_state(app, client, state).get("/summary.pdf")
    text = squash(pdf_text(response.content))
    urgent = squash(catalog.crisis.for_locale("en-US").urgent_message)
    assert urgent in text
    assert text.index(urgent) < text.index("Your summary to share with your clinician")


def test_an_empty_state_gives_a_pdf_that_says_there_is_nothing_yet(client: TestClient) -> None:
    response = client.get("/summary.pdf")
    assert response.status_code == 200
    assert "There is nothing here yet" in pdf_text(response.content)


# --- the calendar file ------------------------------------------------------------------------


@pytest.mark.parametrize("option", ["therapy", "combined", "monitor"])
def test_the_calendar_has_one_event_per_milestone(
    app: FastAPI, client: TestClient, catalog: Catalog, option: str
) -> None:
    response = with_state(app, client, flow_state()).get(
        "/plan.ics", params={"option": option, "start": START}
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/calendar")
    assert response.headers["content-disposition"] == 'attachment; filename="bothand-plan.ics"'
    body = response.text
    ids = plan_ids(catalog, flow_state(), option)
    assert body.count("BEGIN:VEVENT") == body.count("END:VEVENT") == len(ids)
    assert "DTSTART;VALUE=DATE:20261201" in body
    unfolded = body.replace("\r\n ", "")
    summaries = [line[8:] for line in unfolded.splitlines() if line.startswith("SUMMARY:")]
    short = catalog.timeline.short_titles
    assert summaries == [("Bothand: " + short[mid]).replace(",", "\\,") for mid in ids]


def test_the_calendar_defaults_to_the_option_and_start_chosen_in_the_flow(
    app: FastAPI, client: TestClient, catalog: Catalog
) -> None:
    body = with_state(app, client, flow_state(option="therapy_first")).get("/plan.ics").text
    assert body.count("BEGIN:VEVENT") == len(plan_titles(catalog, flow_state(), "therapy_first"))
    assert "DTSTART;VALUE=DATE:20261201" in body


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"option": "both", "start": START}, "option"),
        ({"option": "", "start": START}, "option"),
        ({"option": "therapy", "start": "2026-13-01"}, "start"),
        ({"option": "therapy", "start": "1/12/2026"}, "start"),
        ({"option": "therapy", "start": "20261201"}, "start"),
        ({"option": "therapy", "start": "9999-12-31"}, "start"),
        ({"option": "therapy", "start": ""}, "start"),
    ],
)
def test_a_bad_option_or_date_is_422_problem_details_naming_the_field(
    app: FastAPI, client: TestClient, query: dict[str, str], field: str
) -> None:
    response = with_state(app, client, flow_state()).get("/plan.ics", params=query)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["field"] == field
    assert problem["status"] == 422
    assert problem["detail"].startswith(f"{field}: ")


def test_a_calendar_without_answers_is_422_naming_the_concerns(client: TestClient) -> None:
    response = client.get("/plan.ics", params={"option": "therapy", "start": START})
    assert response.status_code == 422
    assert response.json()["field"] == "concerns"


# --- the summary page -------------------------------------------------------------------------


def page(app: FastAPI, client: TestClient, state: dict[str, Any] | None) -> str:
    if state is not None:
        with_state(app, client, state)
    response = client.get("/summary")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    return response.text


def test_the_summary_shows_crisis_help_first_when_item_9_is_positive(
    app: FastAPI, client: TestClient, catalog: Catalog
) -> None:
    html = page(app, client, flow_state(answers={"depression": PHQ9_ITEM9_ONE}))
    crisis = catalog.crisis.for_locale("en-US")
    urgent_at = html.index(crisis.urgent_message.split(".")[0])
    assert urgent_at < html.index("<h1>")
    assert urgent_at < html.index('id="concerns-h"')
    assert 'class="urgent"' in html
    assert catalog.labels["summary.clinician_flag"] in html
    start = html.index('class="urgent"')
    box = html[start : html.index("</section>", start)]
    for resource in crisis.resources:
        assert resource.contact in box
        for action in resource.actions:  # a phone opens these; print hides them
            assert f'href="{action.href}"' in box


def test_without_a_positive_risk_answer_there_is_no_urgent_box(
    app: FastAPI, client: TestClient, catalog: Catalog
) -> None:
    html = page(app, client, flow_state())
    crisis = catalog.crisis.for_locale("en-US")
    assert 'class="urgent"' not in html
    assert crisis.urgent_message not in html
    assert crisis.standing_message in html  # help is still on the page, at the end
    assert str(escape(crisis.zero_is_not_no_risk)) in html  # item 9 at 0 is not "no risk"


def test_the_summary_shows_scores_values_leaning_options_questions_and_plan(
    app: FastAPI, client: TestClient, catalog: Catalog
) -> None:
    html = page(app, client, flow_state())
    assert html.count("<h1") == 1
    assert "PHQ-9" in html and "11 out of 27" in html
    assert "moderate (rated by your clinician)" in html
    matters = html.split('id="matters-h"')[1].split("</section>")[0]
    names = [matter_text(catalog, what) for what in ("side_effects", "skills", "speed")]
    assert matters.index(names[0]) < matters.index(names[1]) < matters.index(names[2])
    leaning = html.split('id="leaning-h"')[1].split("</section>")[0]
    assert "Both at the same time" in leaning
    for option in catalog.explainers.options:
        assert option.name in html
    for key, text in catalog.labels.text.items():
        if key.startswith("summary.question."):
            assert str(escape(text)) in html
    for title in plan_titles(catalog, flow_state(), "combined"):
        assert title in html
    assert "1 December 2026" in html
    assert f"/plan.ics?option=combined&amp;start={START}" in html
    assert 'href="/summary.pdf"' in html


def test_the_summary_shows_the_plan_as_a_picture_with_named_bars(
    app: FastAPI, client: TestClient, catalog: Catalog
) -> None:
    """The same picture as the plan page, in the plan's section (and so in the PDF, where
    the section is open): months along the top, each bar named with its short title."""
    html = page(app, client, flow_state())
    plan_part = html.split('id="plan-h"')[1].split("</section>")[0]
    chart = plan_part.split('<figure class="timeline-chart">')[1].split("</figure>")[0]
    short = catalog.timeline.short_titles
    ids = plan_ids(catalog, flow_state(), "combined")
    assert chart.count('<rect class="bar"') == len(ids)
    for milestone_id in ids:
        assert f">{escape(short[milestone_id])}</text>" in chart
    assert '<text class="tick-label"' in chart


def test_every_source_reference_on_the_summary_has_its_entry(
    app: FastAPI, client: TestClient
) -> None:
    html = page(app, client, flow_state())
    referenced = set(re.findall(r'href="#src-([a-z0-9_]+)"', html))
    listed = set(re.findall(r'id="src-([a-z0-9_]+)"', html))
    assert referenced
    assert referenced == listed


def test_an_empty_state_says_there_is_nothing_yet_and_links_to_the_start(
    app: FastAPI, client: TestClient, catalog: Catalog
) -> None:
    html = page(app, client, None)
    assert catalog.labels["summary.empty"].split(".")[0] in html
    assert '<a class="button" href="/">' in html
    assert "urgent" not in html


def test_the_summary_has_no_inline_script_or_style(app: FastAPI, client: TestClient) -> None:
    html = page(app, client, flow_state(answers={"depression": PHQ9_ITEM9_ONE}))
    assert not re.search(r"<style|\sstyle=|<script(?![^>]*\ssrc=)|\son[a-z]+=", html)


# --- the page's context, without HTTP -----------------------------------------------------------


def test_build_summary_reads_the_leaning_and_what_matters(catalog: Catalog) -> None:
    today = dt.date(2026, 11, 30)
    state = answers(flow_state(leaning="unsure", option=None, start=None))
    summary = build_summary(catalog, state, today)
    assert summary.status == "ready"
    assert summary.leaning is None and summary.leaning_unsure
    assert [what for what, _ in summary.matters] == [
        matter_text(catalog, what) for what in ("side_effects", "skills", "speed")
    ]
    # No option or start chosen yet: the recommendation's plan, from today.
    assert summary.plan_start == today
    assert (
        summary.plan_option
        == services.recommend(catalog, {**_case(catalog), "locale": "en-US"})["plan"]["option"]
    )


def test_build_summary_with_no_concerns_is_empty(catalog: Catalog) -> None:
    assert build_summary(catalog, answers({"csrf": "x"}), dt.date(2026, 1, 1)).status == "empty"


def _case(catalog: Catalog) -> dict[str, Any]:
    case = answers(flow_state()).to_case(catalog)
    assert case is not None
    return case.model_dump()


# --- the front sheet (issue 10, item 7) --------------------------------------------------------
PCL5_43 = [2, 2, 3, 2, 2, 3, 2, 2, 2, 2, 2, 2, 2, 2, 2, 3, 2, 2, 2, 2]  # 43 of 80


def heavy_state() -> dict[str, Any]:
    """Three concerns, a positive item 9 and PCL-5 43/80: the longest front sheet we make."""
    return flow_state(
        concerns=["depression", "ptsd", "panic"],
        answers={"depression": [2, 1, 2, 2, 1, 1, 2, 0, 2], "ptsd": PCL5_43},
        instruments={"depression": "phq9", "ptsd": "pcl5"},
        severity={"panic": "moderate"},
        age=34,
    )


def test_the_front_sheet_gives_each_items_answer_and_the_risk_answers_value(
    app: FastAPI, client: TestClient
) -> None:
    html = page(app, client, heavy_state())
    front = html.split('class="front-sheet"')[1].split('id="details"')[0]
    assert sum(PCL5_43) == 43 and "43 out of 80" in front
    assert "Q&nbsp;9 (risk):&nbsp;<strong>2</strong>" in front
    assert "Q&nbsp;16:&nbsp;<strong>3</strong>" in front  # PCL-5 item 16
    risk = front.split('id="risk-h"')[1].split("</section>")[0]
    assert "PHQ-9 Q&nbsp;9:&nbsp;<strong>" in risk and "(2)</strong>" in risk  # its value
    assert "thoughts of suicide or self-harm" in risk
    for heading in ("concerns-h", "risk-h", "matters-h", "leaning-h", "chosen-h", "questions-h"):
        assert f'id="{heading}"' in front


def test_a_likely_ptsd_screen_is_not_called_not_rated(app: FastAPI, client: TestClient) -> None:
    html = page(app, client, heavy_state())
    ptsd = html.split("<h3>PTSD")[1].split("</div>")[0]
    assert "not rated" not in ptsd.lower()
    assert "above the screening cut-off" in ptsd


def test_without_a_risk_answer_the_sheet_says_risk_not_assessed(
    app: FastAPI, client: TestClient
) -> None:
    state = flow_state(concerns=["ptsd"], answers={"ptsd": PCL5_43}, instruments={"ptsd": "pcl5"})
    state.pop("severity")
    risk = page(app, client, state).split('id="risk-h"')[1].split("</section>")[0]
    assert "Risk not assessed" in risk
    assert "Risk not assessed: no question about suicide" in risk  # the clinician's flag
    assert "no risk" not in risk.lower()


def test_the_question_list_does_not_ask_to_pick(app: FastAPI, client: TestClient) -> None:
    assert "Pick the ones" not in page(app, client, flow_state())


def test_the_front_sheet_ends_on_page_2_and_details_start_a_page(
    app: FastAPI, client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Measured in the PDF WeasyPrint lays out: the ids on each page."""
    from bothand.reports.summary import page_anchors
    from bothand.web.routes import takeaway

    seen: dict[str, Any] = {}
    real = takeaway.html_to_pdf

    def spy(html: str, **kwargs: Any) -> bytes:
        seen.update(html=html, kwargs=kwargs)
        return real(html, **kwargs)

    monkeypatch.setattr(takeaway, "html_to_pdf", spy)
    assert with_state(app, client, heavy_state()).get("/summary.pdf").status_code == 200
    pages = page_anchors(seen["html"], **seen["kwargs"])
    on_page = {anchor: number for number, ids in enumerate(pages, 1) for anchor in ids}
    assert on_page["questions-h"] <= 2
    details = min(n for n, ids in enumerate(pages, 1) if "details" in ids)
    assert details == on_page["questions-h"] + 1
    assert on_page["options-h"] == details  # the options heading is not left at a page foot
