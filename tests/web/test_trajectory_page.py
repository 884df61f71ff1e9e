"""The trajectory charts on the clinician's patient page (``clinic/_chart.html`` from
``web/trajectory.py``), on the real app and each test database: one SVG per instrument with
its title and description, a table with one row per score in force (a superseded score is
neither drawn nor listed), the review points drawn with their status, and the page under
100 KB with 40 scores."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from fastapi.testclient import TestClient

from bothand.catalog import Catalog
from bothand.settings import Settings
from bothand.storage import Database
from bothand.web.app import create_app
from tests.conftest import MovingClock
from tests.record.helpers import PASSWORD, Clinic, case, make_clinic

MAX_PAGE_BYTES = 100_000
START = dt.date(2026, 3, 3)
CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def phq9(total: int) -> list[int]:
    """PHQ-9 answers adding up to ``total`` (at most 24), item 9 always 0."""
    answers = [0] * 9
    left = total
    for n in range(8):
        answers[n] = min(3, left)
        left -= answers[n]
    assert left == 0
    return answers


def gad7(total: int) -> list[int]:
    answers = [0] * 7
    left = total
    for n in range(7):
        answers[n] = min(3, left)
        left -= answers[n]
    return answers


@dataclass
class Made:
    client: TestClient
    clinic: Clinic
    patient: str
    episode: str

    def page(self) -> str:
        response = self.client.get(f"/clinic/patients/{self.patient}")
        assert response.status_code == 200
        return response.text


def made(
    catalog: Catalog, database: Database, clock: MovingClock, totals: list[int], days: int = 7
) -> Made:
    """A patient with a therapy plan started on START (its first PHQ-9 ``totals[0]``), then a
    PHQ-9 every ``days`` days with the other totals; the clinician signed in."""
    clock.at = dt.datetime.combine(START, dt.time(10), tzinfo=dt.UTC)
    clinic = make_clinic(catalog, database, clock)
    patient = clinic.record.add_patient(clinic.me, "TR-1", "UTC", "en-GB")
    episode = clinic.record.create_episode(
        clinic.me, patient.id, case(phq9(totals[0])), "therapy", START
    )
    clock.at += dt.timedelta(days=days * len(totals))
    for n, total in enumerate(totals[1:], start=1):
        on = START + dt.timedelta(days=days * n)
        clinic.record.record(clinic.me, episode.id, "phq9", phq9(total), on, follow_up=False)
    client = TestClient(create_app(Settings(secret_key="t" * 40), catalog, clock, database))
    form = client.get("/clinic/sign-in").text
    token = CSRF.search(form)
    assert token is not None
    signed = client.post(
        "/clinic/sign-in",
        data={"csrf": token.group(1), "email": clinic.clinician.email, "password": PASSWORD},
        follow_redirects=False,
    )
    assert signed.status_code == 303
    return Made(client, clinic, patient.id, episode.id)


def table_rows(html: str, caption: str) -> list[list[str]]:
    """The body rows of the table captioned ``caption``, as cell texts."""
    found = re.search(
        r"<caption[^>]*>" + re.escape(caption) + r"</caption>.*?<tbody>(.*?)</tbody>", html, re.S
    )
    assert found, f"no table captioned {caption!r}"
    rows = re.findall(r"<tr>(.*?)</tr>", found.group(1), re.S)
    return [
        [
            re.sub(r"<[^>]+>", "", cell).strip()
            for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        ]
        for row in rows
    ]


def test_the_page_draws_the_course_and_lists_it(
    catalog: Catalog, database: Database, clock: MovingClock
) -> None:
    world = made(catalog, database, clock, [18, 15, 12, 9, 7])
    html = world.page()
    label = catalog.labels.__getitem__
    title = f"PHQ-9 {label('clinic.chart.title_after')}"
    svg = re.search(r"<svg role=\"img\"[^>]*>.*?</svg>", html, re.S)
    assert svg, "no chart"
    chart = svg.group(0)
    ids = re.search(r'aria-labelledby="([^"]+)" aria-describedby="([^"]+)"', chart)
    assert ids is not None
    assert f'<title id="{ids.group(1)}">{title}</title>' in chart
    desc = re.search(rf'<desc id="{ids.group(2)}">(.*?)</desc>', chart, re.S)
    assert desc is not None
    assert desc.group(1).startswith(
        "PHQ-9 from 18 on 3 March 2026 to 7 on 31 March 2026, 5 scores."
    )
    assert label("clinic.chart.response_yes") in desc.group(1)
    assert label("clinic.chart.remission_no") in desc.group(1)
    assert chart.count("<circle") == 5
    assert "Response: 9 or less" in chart and "Remission: below 5" in chart
    assert chart.count('class="band"') == 5
    assert "<script" not in chart and "style=" not in chart
    # the table: a summary to open it, one row per score, the change from the first
    assert f"<summary>{label('clinic.chart.show_table')} (PHQ-9)</summary>" in html
    rows = table_rows(html, title)
    assert rows == [
        ["3\u00a0Mar 2026", "18", "Moderately severe", label("clinic.chart.first")],
        ["10\u00a0Mar 2026", "15", "Moderately severe", "\u22123 (\u221217%)"],
        ["17\u00a0Mar 2026", "12", "Moderate", "\u22126 (\u221233%)"],
        ["24\u00a0Mar 2026", "9", "Mild", "\u22129 (\u221250%)"],
        ["31\u00a0Mar 2026", "7", "Mild", "\u221211 (\u221261%)"],
    ]
    points = table_rows(html, label("clinic.chart.points"))
    assert points, "the review points drawn are listed"
    statuses = {row[2] for row in points}
    assert any(label("clinic.review.done") in status for status in statuses)


def test_a_corrected_score_is_drawn_and_listed_once(
    catalog: Catalog, database: Database, clock: MovingClock
) -> None:
    world = made(catalog, database, clock, [18, 15])
    episode, _, _ = world.clinic.record.episode(world.clinic.me, world.episode)
    wrong = next(m for m in episode.measurements if m.total == 15)
    world.clinic.record.record(
        world.clinic.me, world.episode, "phq9", phq9(11), wrong.taken_on, supersedes=wrong.id
    )
    html = world.page()
    chart = re.search(r"<svg role=\"img\".*?</svg>", html, re.S)
    assert chart is not None and chart.group(0).count("<circle") == 2
    title = f"PHQ-9 {catalog.labels['clinic.chart.title_after']}"
    assert [row[:2] for row in table_rows(html, title)] == [
        ["3\u00a0Mar 2026", "18"],
        ["10\u00a0Mar 2026", "11"],
    ]


def test_one_chart_per_instrument_and_no_lines_without_definitions(
    catalog: Catalog, database: Database, clock: MovingClock
) -> None:
    world = made(catalog, database, clock, [14])
    world.clinic.record.record(
        world.clinic.me, world.episode, "gad7", gad7(12), START + dt.timedelta(days=3)
    )
    world.clinic.record.record(
        world.clinic.me, world.episode, "asq", [0, 0, 0, 0, None], START + dt.timedelta(days=3)
    )
    html = world.page()
    charts = re.findall(r"<svg role=\"img\".*?</svg>", html, re.S)
    assert len(charts) == 2
    phq, gad = charts  # and no chart for the risk screen: its total counts "yes" answers
    assert "<circle" in phq and '<path class="course"' not in phq  # one score: a dot
    assert "Response:" not in phq  # a response line needs a change
    assert "Remission: below 5" in phq
    assert 'class="cut' not in gad  # no response or remission rule for the GAD-7
    assert gad.count('class="band"') == 4
    assert catalog.labels["clinic.chart.only"] in phq


def test_the_page_stays_under_100_kb_with_40_scores(
    catalog: Catalog, database: Database, clock: MovingClock
) -> None:
    totals = [20 - (n * 17) // 39 + (n % 3) for n in range(40)]
    world = made(catalog, database, clock, totals, days=5)
    html = world.page()
    size = len(html.encode())
    assert size < MAX_PAGE_BYTES, f"{size} bytes"
    chart = re.search(r"<svg role=\"img\".*?</svg>", html, re.S)
    assert chart is not None and chart.group(0).count("<circle") == 40
    title = f"PHQ-9 {catalog.labels['clinic.chart.title_after']}"
    assert len(table_rows(html, title)) == 40
