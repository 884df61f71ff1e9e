"""The pages a person reaches through a link their clinic sent (``routes/links.py``), with the
real app, the real catalog and a real clinic record on SQLite and PostgreSQL: an invitation
walked through the decision flow and shared once; the flow without an invitation leaving no
row behind; a check-in stored as one measurement per questionnaire, crisis help first after a
positive risk answer, and nothing stored when answers are missing or the link is spent."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import inspect, text

from bothand.catalog import Catalog
from bothand.domain.record import Link, Patient
from bothand.settings import Settings
from bothand.storage import Database
from bothand.web.app import create_app
from bothand.web.state import COOKIE
from tests.conftest import MovingClock
from tests.record.helpers import PHQ9_MODERATE, PHQ9_RISK, Clinic, case, make_clinic
from tests.web.test_flow import MILD, Walk, check_baseline, csrf_of, esc

PAGE_LIMIT = 100_000


@pytest.fixture
def clinic(catalog: Catalog, database: Database, clock: MovingClock) -> Clinic:
    return make_clinic(catalog, database, clock)


@pytest.fixture
def client(catalog: Catalog, database: Database, clock: MovingClock) -> TestClient:
    return TestClient(create_app(Settings(secret_key="t" * 40), catalog, clock, database))


def patient_of(clinic: Clinic, locale: str = "en-GB", reference: str = "R-100") -> Patient:
    return clinic.record.add_patient(clinic.me, reference, "Europe/London", locale)


def invitation(clinic: Clinic, patient: Patient) -> str:
    link = clinic.record.invite(clinic.me, patient.id)
    assert link.token
    return link.token


def check_in_link(clinic: Clinic, patient: Patient, instruments: list[str] | None = None) -> Link:
    episode = clinic.record.create_episode(
        clinic.me, patient.id, case(), "therapy", dt.date(2026, 12, 1)
    )
    return clinic.record.check_in_link(clinic.me, episode.id, instruments)


def rows(database: Database, table: str) -> int:
    with database.engine.connect() as connection:
        return int(connection.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())


def all_rows(database: Database) -> dict[str, int]:
    tables = [t for t in inspect(database.engine).get_table_names() if t != "alembic_version"]
    return {table: rows(database, table) for table in tables}


def flow_answers(client: TestClient) -> dict[str, object]:
    raw = client.cookies.get(COOKIE) or ""
    return dict(client.app.state.flow.signer.loads(raw))  # type: ignore[attr-defined]


def walk_to_plan(client: TestClient, option: str | None = "therapy") -> Walk:
    """Through the whole flow (depression, PHQ-9) to the plan page, choosing ``option`` from
    a start date, or choosing nothing (the share then says "to discuss")."""
    walk = Walk(client)
    walk.concerns("depression", locale="en-GB")
    walk.questionnaire("depression", "phq9", MILD)
    assert walk.get("/results").status_code == 200
    assert walk.values(matter_skills="3", matter_speed="1", leaning="therapy").status_code == 303
    assert walk.get("/options").status_code == 200
    assert walk.post("/options", {"sure_sure": "yes", "sure_risks": "no"}).status_code == 303
    if option is not None:
        moved = walk.post("/plan", {"option": option, "start": "2026-12-14"})
        assert moved.status_code == 303
    return walk


def small(html: str) -> None:
    assert len(html.encode()) < PAGE_LIMIT


# --- the invitation and sharing ---------------------------------------------------------------


def test_an_invitation_walked_through_the_flow_is_shared_once_with_the_option_chosen(
    client: TestClient, clinic: Clinic, catalog: Catalog, database: Database
) -> None:
    labels = catalog.labels
    patient = patient_of(clinic)
    secret = invitation(clinic, patient)

    welcome = client.get(f"/invite/{secret}")
    assert welcome.status_code == 200
    check_baseline(welcome)
    small(welcome.text)
    assert esc(labels["links.invite.lead"]) in welcome.text
    assert esc(labels["links.invite.private"]) in welcome.text
    assert 'href="/concerns"' in welcome.text
    assert "15 December 2026" in welcome.text  # the link's last day, in the patient's zone
    assert flow_answers(client)["invitation"] == secret
    assert rows(database, "episodes") == 0  # opening the link stores nothing

    walk = walk_to_plan(client, "therapy")
    plan = walk.get("/plan").text
    assert esc(labels["links.share.title"]) in plan
    box = plan[plan.index('aria-labelledby="share-title"') :]
    assert 'action="/share"' in box and f'value="{walk.token}"' in box
    assert esc(labels["links.share.item_matters"]) in box
    assert "Talking therapy" in box or "therapy" in box.lower()
    assert "14 December 2026" in box
    assert rows(database, "episodes") == 0  # sharing is never automatic

    summary = walk.get("/summary").text
    assert 'href="/share"' in summary
    page = walk.get("/share")
    assert page.status_code == 200 and 'action="/share"' in page.text

    shared = walk.post("/share", {})
    assert shared.status_code == 200
    assert esc(labels["links.share.done_title"]) in shared.text
    assert 'action="/reset"' in shared.text  # a shared device can be cleared
    assert "invitation" not in flow_answers(client)  # the spent link leaves the cookie
    record = clinic.record.patient(clinic.me, patient.id)
    assert len(record.episodes) == 1
    episode = record.episodes[0]
    assert (episode.source, episode.option, episode.start) == (
        "shared",
        "therapy",
        dt.date(2026, 12, 14),
    )
    assert episode.plan is not None
    flow = episode.decision["flow"]
    assert flow["values"] == {"skills": 3, "speed": 1}
    assert flow["leaning"] == "therapy"
    assert flow["sure_after"] == {"sure": "yes", "risks": "no"}
    assert flow["choice"] == "therapy"
    assert episode.decision["case"]["concerns"][0]["answers"] == MILD
    assert [m.instrument for m in episode.measurements] == ["phq9"]

    # Once shared, the plan shows no box and a second share stores nothing.
    assert esc(labels["links.share.title"]) not in walk.get("/plan").text
    again = walk.post("/share", {})
    assert again.status_code == 404
    assert rows(database, "episodes") == 1


def test_a_second_share_with_the_same_link_is_refused_and_writes_nothing(
    catalog: Catalog, database: Database, clock: MovingClock, clinic: Clinic
) -> None:
    patient = patient_of(clinic)
    secret = invitation(clinic, patient)
    app = create_app(Settings(secret_key="t" * 40), catalog, clock, database)
    first, second = TestClient(app), TestClient(app)  # two browsers, one link
    for browser in (first, second):
        assert browser.get(f"/invite/{secret}").status_code == 200
        walk_to_plan(browser, None)
    assert first.post("/share", data={"csrf": flow_answers(first)["csrf"]}).status_code == 200
    before = all_rows(database)
    refused = second.post("/share", data={"csrf": flow_answers(second)["csrf"]})
    assert refused.status_code == 404
    check_baseline(refused)
    assert esc(catalog.labels["links.share.used_title"]) in refused.text
    assert all_rows(database) == before
    assert "invitation" not in flow_answers(second)
    (episode,) = clinic.record.patient(clinic.me, patient.id).episodes
    assert episode.option is None and episode.plan is None  # "to discuss"
    assert episode.decision["flow"]["choice"] == "to_discuss"


def test_a_share_without_the_csrf_token_is_refused(
    client: TestClient, clinic: Clinic, database: Database
) -> None:
    secret = invitation(clinic, patient_of(clinic))
    client.get(f"/invite/{secret}")
    walk_to_plan(client)
    assert client.post("/share", data={}).status_code == 403
    assert client.post("/share", data={"csrf": "wrong"}).status_code == 403
    assert rows(database, "episodes") == 0


def test_an_expired_invitation_is_a_plain_404_page(
    client: TestClient, clinic: Clinic, clock: MovingClock, catalog: Catalog
) -> None:
    secret = invitation(clinic, patient_of(clinic))
    clock.advance(days=15)
    page = client.get(f"/invite/{secret}", headers={"accept": "text/html"})
    assert page.status_code == 404
    check_baseline(page)
    assert esc(catalog.labels["links.gone.title"]) in page.text
    assert esc(catalog.labels["links.gone.text"]) in page.text
    main = page.text[page.text.index('<main id="main"') :]
    assert f'{esc(catalog.labels["links.gone.help"])} <a href="/help">' in main
    assert COOKIE not in page.headers.get("set-cookie", "")


@pytest.mark.parametrize("secret", ["x" * 43, "short", "a" * 300, "bad%20secret"])
def test_an_unknown_invitation_or_check_in_is_a_404_page(
    client: TestClient, clinic: Clinic, secret: str
) -> None:
    for path in (f"/invite/{secret}", f"/check-in/{secret}"):
        page = client.get(path)
        assert page.status_code == 404, path
        main = page.text[page.text.index('<main id="main"') :]
        assert 'href="/help"' in main


def test_an_invitation_that_expires_during_the_flow_shares_nothing(
    client: TestClient, clinic: Clinic, clock: MovingClock, database: Database
) -> None:
    secret = invitation(clinic, patient_of(clinic))
    clock.advance(days=13, hours=23)  # opened on its last day
    assert client.get(f"/invite/{secret}").status_code == 200
    walk = walk_to_plan(client)
    clock.advance(hours=2)  # the flow cookie still holds; the link does not
    assert walk.post("/share", {}).status_code == 404
    assert rows(database, "episodes") == 0


def test_the_flow_without_an_invitation_stays_stateless(
    client: TestClient, catalog: Catalog, database: Database
) -> None:
    assert sum(all_rows(database).values()) == 0
    walk = walk_to_plan(client)
    plan = walk.get("/plan").text
    assert 'action="/share"' not in plan
    assert catalog.labels["links.share.title"] not in plan
    assert 'href="/share"' not in walk.get("/summary").text
    assert walk.get("/share").status_code == 404
    assert walk.post("/share", {}).status_code == 404
    assert sum(all_rows(database).values()) == 0


def test_reopening_the_same_invitation_keeps_the_answers_and_another_starts_afresh(
    client: TestClient, clinic: Clinic
) -> None:
    patient = patient_of(clinic)
    secret = invitation(clinic, patient)
    client.get(f"/invite/{secret}")
    walk_to_plan(client)
    client.get(f"/invite/{secret}")
    assert flow_answers(client)["concerns"] == ["depression"]
    other = invitation(clinic, patient)
    client.get(f"/invite/{other}")
    answers = flow_answers(client)
    assert answers["invitation"] == other and "concerns" not in answers


# --- the check-in -----------------------------------------------------------------------------


def answer_form(csrf: str, **instruments: Sequence[int | None]) -> dict[str, str]:
    data = {"csrf": csrf}
    for instrument, answers in instruments.items():
        for number, value in enumerate(answers, start=1):
            if value is not None:
                data[f"{instrument}.item{number}"] = str(value)
    return data


def test_a_check_in_shows_each_form_word_for_word_and_stores_one_measurement_each(
    client: TestClient, clinic: Clinic, catalog: Catalog, clock: MovingClock
) -> None:
    patient = patient_of(clinic)
    link = check_in_link(clinic, patient, ["phq9", "gad7"])
    assert link.instruments == ("phq9", "gad7")
    clock.advance(days=3)
    page = client.get(f"/check-in/{link.token}")
    assert page.status_code == 200
    check_baseline(page)
    small(page.text)
    for instrument_id in link.instruments:
        instrument = catalog.instruments[instrument_id]
        assert instrument.instructions is None or esc(instrument.instructions) in page.text
        for item in instrument.items:
            assert f"<legend>{item.number}. {esc(item.text or '')}</legend>" in page.text
            for option in instrument.options_for(item):
                assert f'name="{item.id}" value="{option.value}"' in page.text
                assert f"<span>{esc(option.text or '')}</span>" in page.text
    assert page.text.count("<fieldset") == 9 + 7
    assert "no risk" not in page.text.lower()

    sent = client.post(
        f"/check-in/{link.token}",
        data=answer_form(csrf_of(page.text), phq9=PHQ9_MODERATE, gad7=[1, 1, 1, 1, 0, 0, 0]),
    )
    assert sent.status_code == 200
    check_baseline(sent)
    assert esc(catalog.labels["links.check_in.thanks_text"]) in sent.text
    assert 'class="urgent"' not in sent.text
    zero = catalog.crisis.for_locale(patient.locale).zero_is_not_no_risk
    assert esc(zero) in sent.text  # a 0 on item 9 is not shown as safe
    assert "no risk" not in sent.text.lower()

    (episode,) = clinic.record.patient(clinic.me, patient.id).episodes
    stored = [m for m in episode.measurements if m.method == "check_in"]
    assert sorted((m.instrument, m.total) for m in stored) == [("gad7", 4), ("phq9", 10)]
    assert {m.taken_on for m in stored} == {dt.date(2026, 12, 4)}
    assert all(m.entered_by is None for m in stored)
    assert clinic.record.patient(clinic.me, patient.id).alerts == []

    # The link works once.
    used = client.get(f"/check-in/{link.token}")
    assert used.status_code == 404
    again = client.post(
        f"/check-in/{link.token}",
        data=answer_form(csrf_of(page.text), phq9=PHQ9_MODERATE, gad7=[1, 1, 1, 1, 0, 0, 0]),
    )
    assert again.status_code == 404
    (episode,) = clinic.record.patient(clinic.me, patient.id).episodes
    assert len([m for m in episode.measurements if m.method == "check_in"]) == 2


def test_a_positive_risk_answer_shows_crisis_help_first_and_raises_a_critical_alert(
    client: TestClient, clinic: Clinic, catalog: Catalog
) -> None:
    patient = patient_of(clinic, locale="en-GB")
    link = check_in_link(clinic, patient)
    page = client.get(f"/check-in/{link.token}")
    sent = client.post(
        f"/check-in/{link.token}", data=answer_form(csrf_of(page.text), phq9=PHQ9_RISK)
    )
    assert sent.status_code == 200
    check_baseline(sent)
    main = sent.text[sent.text.index('<main id="main"') :]
    first = re.search(r"<(h1|h2|p|section)\b[^>]*>", main[main.index(">") + 1 :])
    assert first is not None and first.group(0).startswith('<section class="urgent"')
    uk = catalog.crisis.for_locale("en-GB")
    assert main.index('class="urgent"') < main.index("<h1>")
    assert esc(uk.urgent_message) in main
    for resource in uk.resources:
        assert esc(resource.name) in main
    us_only = catalog.crisis.for_locale("en-US").resources[0].name
    assert esc(us_only) not in main  # the patient's country, not another
    assert esc(catalog.labels["links.check_in.told"]) in main
    alerts = clinic.record.patient(clinic.me, patient.id).alerts
    assert [(a.kind, a.reason) for a in alerts] == [("critical", "risk_answer")]


def test_missing_answers_come_back_beside_the_question_and_store_nothing(
    client: TestClient, clinic: Clinic, catalog: Catalog, database: Database
) -> None:
    patient = patient_of(clinic)
    link = check_in_link(clinic, patient)
    before = rows(database, "measurements")
    page = client.get(f"/check-in/{link.token}")
    partial = [2, 2, 1, None, 1, 1, 1, 1, None]
    sent = client.post(
        f"/check-in/{link.token}", data=answer_form(csrf_of(page.text), phq9=partial)
    )
    assert sent.status_code == 422
    check_baseline(sent)
    assert 'id="error-summary"' in sent.text
    assert 'href="#phq9-item4-0"' in sent.text and 'href="#phq9-item9-0"' in sent.text
    for number in (4, 9):
        fieldset = sent.text[sent.text.index(f'id="phq9-item{number}-error"') - 300 :]
        assert catalog.labels["flow.errors.choose_answer"] in fieldset[:600]
    assert re.search(r'name="phq9.item1" value="2" checked', sent.text)  # answers kept
    assert re.search(r'name="phq9.item8" value="1" checked', sent.text)
    assert rows(database, "measurements") == before
    # The link still works: the form can be sent once it is complete.
    assert client.get(f"/check-in/{link.token}").status_code == 200


def test_the_asq_asks_question_5_only_after_a_yes_and_a_yes_brings_help_at_once(
    client: TestClient, clinic: Clinic, catalog: Catalog, database: Database
) -> None:
    patient = patient_of(clinic)
    link = check_in_link(clinic, patient, ["gad7"])
    assert link.instruments == ("gad7", "asq")  # the risk screen is added
    page = client.get(f"/check-in/{link.token}")
    assert 'class="check-in-form asq"' in page.text
    csrf = csrf_of(page.text)
    gad7 = [1, 1, 1, 1, 0, 0, 0]

    # A "yes" without question 5: missing, nothing stored, crisis help already first.
    yes = client.post(
        f"/check-in/{link.token}", data=answer_form(csrf, gad7=gad7, asq=[1, 0, 0, 0])
    )
    assert yes.status_code == 422
    assert 'href="#asq-item5-0"' in yes.text
    main = yes.text[yes.text.index('<main id="main"') :]
    assert main.index('class="urgent"') < main.index("<h1>")
    assert rows(database, "measurements") == 1  # the episode's baseline only

    # Four "no" answers: question 5 is not needed.
    sent = client.post(
        f"/check-in/{link.token}", data=answer_form(csrf, gad7=gad7, asq=[0, 0, 0, 0])
    )
    assert sent.status_code == 200
    assert 'class="urgent"' not in sent.text
    (episode,) = clinic.record.patient(clinic.me, patient.id).episodes
    asq = [m for m in episode.measurements if m.instrument == "asq"]
    assert [m.answers for m in asq] == [(0, 0, 0, 0, None)]


def test_a_check_in_post_without_the_csrf_token_stores_nothing(
    client: TestClient, clinic: Clinic, database: Database
) -> None:
    link = check_in_link(clinic, patient_of(clinic))
    client.get(f"/check-in/{link.token}")
    data = answer_form("wrong", phq9=PHQ9_MODERATE)
    assert client.post(f"/check-in/{link.token}", data=data).status_code == 403
    assert rows(database, "measurements") == 1


def test_an_expired_check_in_is_refused(
    client: TestClient, clinic: Clinic, clock: MovingClock, database: Database
) -> None:
    link = check_in_link(clinic, patient_of(clinic))
    page = client.get(f"/check-in/{link.token}")
    clock.advance(days=8)
    assert client.get(f"/check-in/{link.token}").status_code == 404
    data = answer_form(csrf_of(page.text), phq9=PHQ9_MODERATE)
    assert client.post(f"/check-in/{link.token}", data=data).status_code == 404
    assert rows(database, "measurements") == 1


def test_a_check_in_needs_no_flow_cookie_and_outlives_one(
    client: TestClient, clinic: Clinic, clock: MovingClock, database: Database
) -> None:
    """The form's token is tied to the link, not to the flow cookie (which lives a day): a
    page left open for two days, in a browser that keeps no cookies, can still be sent."""
    link = check_in_link(clinic, patient_of(clinic))
    page = client.get(f"/check-in/{link.token}")
    assert COOKIE not in page.headers.get("set-cookie", "")
    clock.advance(days=2)
    client.cookies.clear()
    data = answer_form(csrf_of(page.text), phq9=PHQ9_MODERATE)
    assert client.post(f"/check-in/{link.token}", data=data).status_code == 200
    assert rows(database, "measurements") == 2
    # Another link's token does not open this one.
    other = check_in_link(clinic, patient_of(clinic, reference="R-200"))
    assert other.token is not None
    other_page = client.get(f"/check-in/{other.token}")
    forged = answer_form(csrf_of(page.text), phq9=PHQ9_MODERATE)
    assert csrf_of(other_page.text) != csrf_of(page.text)
    assert client.post(f"/check-in/{other.token}", data=forged).status_code == 403
    assert rows(database, "measurements") == 3  # the second episode's baseline only
