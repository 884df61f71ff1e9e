"""Hostile input to the web pages never gives a 500 (issue 9, item 8): hand-made regressions
for each hole found by a probe, then Hypothesis over the class — any Unicode or huge number in
any form field of the flow, and any JSON in a validly signed cookie.

Also here: 405 keeps ``Allow``, every page answers HEAD, redirects never echo the Host
header, a bug is logged by type and request id only and shown to a browser as a page, and
PDF rendering is bounded (503 with ``Retry-After`` when busy).
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from itsdangerous import URLSafeTimedSerializer

from bothand.catalog import Catalog
from bothand.domain.clock import FixedClock
from bothand.settings import Settings
from bothand.web.app import create_app
from bothand.web.state import COOKIE, SALT

SECRET = "t" * 40  # tests/web/conftest.py's key
PHQ9 = [f"phq9.item{n}" for n in range(1, 10)]
FILLED: dict[str, Any] = {
    "csrf": "hostile-test",
    "locale": "en-GB",
    "concerns": ["depression", "panic"],
    "answers": {"depression": [1, 1, 1, 1, 1, 1, 0, 0, 0]},
    "instruments": {"depression": "phq9"},
    "severity": {"panic": "moderate"},
    "results_seen": True,
    "preferences": {"medication": "open", "therapy": "open"},
    "engage": True,
}
GET_PAGES = (
    "/",
    "/help",
    "/concerns",
    "/about",
    "/questions/depression",
    "/questions/panic",
    "/safety",
    "/results",
    "/values",
    "/options",
    "/plan",
    "/summary",
    "/learn",
    "/learn/about",
    "/learn/sources",
    "/learn/depression",
)
POSTS = (
    "/concerns",
    "/about",
    "/questions/depression",
    "/questions/depression/save",
    "/questions/panic",
    "/safety",
    "/values",
    "/options",
    "/plan",
)
WEIRD_NUMBERS = ("²", "³", "٣", "１", "1" * 5000, "-" + "9" * 5000, "0x1", "1e3", "2 2", "\x00")


def signed(state: Any, secret: str = SECRET) -> str:
    return URLSafeTimedSerializer(secret, salt=SALT).dumps(state)


def with_answers(client: TestClient, state: Any = FILLED) -> TestClient:
    client.cookies.set(COOKIE, signed(state))
    return client


@pytest.fixture
def quiet(client: TestClient) -> TestClient:
    """A client that reports a 500 as a response, as a browser would see it."""
    return TestClient(client.app, raise_server_exceptions=False)


# --- numbers that str.isdigit() accepts and int() does not ------------------------------------


@pytest.mark.parametrize("weird", WEIRD_NUMBERS)
def test_odd_digits_in_answers_are_missing_answers_not_errors(
    quiet: TestClient, weird: str
) -> None:
    with_answers(quiet)
    form = {"csrf": FILLED["csrf"], **dict.fromkeys(PHQ9, weird)}
    page = quiet.post("/questions/depression", data=form)
    assert page.status_code == 422  # every answer is missing, and the form says so
    assert quiet.post("/questions/depression/save", data=form).status_code == 204


@pytest.mark.parametrize(
    "typed",
    [
        "²/1/2026",
        "1/²/2026",
        "1/1/²⁰²⁶",
        "1" * 5000 + "/1/2026",
        "1/1/" + "2" * 5000,
        "２０２６-01-31",
    ],
)
def test_odd_digits_in_a_typed_start_date_ask_for_a_real_date(
    quiet: TestClient, catalog: Catalog, typed: str
) -> None:
    with_answers(quiet)
    page = quiet.post("/plan", data={"csrf": FILLED["csrf"], "option": "therapy", "start": typed})
    assert page.status_code == 422
    assert catalog.labels["flow.plan.error_start"] in page.text


@pytest.mark.parametrize("typed", ["²", "1" * 5000, "121", "-1", "4.5", "forty"])
def test_an_age_that_is_not_a_whole_number_in_range_is_asked_again(
    quiet: TestClient, catalog: Catalog, typed: str
) -> None:
    with_answers(quiet)
    page = quiet.post("/about", data={"csrf": FILLED["csrf"], "age": typed})
    assert page.status_code == 422
    assert catalog.labels["intake.age_error"] in page.text
    assert len(page.text) < 100_000  # a huge entry is not echoed back in full


# --- a validly signed cookie of the wrong shape -----------------------------------------------

BAD_SHAPES: list[Any] = [
    {"csrf": 5},
    {"csrf": "x", "concerns": "depression"},
    {"csrf": "x", "concerns": ["depression", "depression"], "severity": {"depression": "mild"}},
    {"csrf": "x", "concerns": ["depression"], "answers": {"depression": "1,1,1"}},
    {"csrf": "x", "concerns": ["depression"], "severity": {"depression": ["mild"]}},
    {"csrf": "x", "preferences": ["open"]},
    {"csrf": "x", "start": "9999-12-31", "option": "therapy"},
    {"csrf": "x", "values": {"matter": {"speed": 3}}},  # a shape takeaway.py once guessed at
    {"csrf": "x", "future_key": True},
    ["not", "an", "object"],
    "just a string",
    None,
]


@pytest.mark.parametrize("state", BAD_SHAPES)
def test_a_signed_cookie_of_the_wrong_shape_reads_as_a_fresh_start(
    quiet: TestClient, state: Any
) -> None:
    with_answers(quiet, state)
    for path in (*GET_PAGES, "/summary.pdf", "/plan.ics"):
        response = quiet.get(path, follow_redirects=False)
        assert response.status_code in (200, 303, 422), (path, response.status_code)
    start = quiet.get("/")
    assert start.status_code == 200
    assert 'action="/reset"' not in start.text  # nothing of the old cookie is shown
    token = re.search(r'name="csrf" value="([^"]+)"', quiet.get("/concerns").text)
    assert token is not None
    moved = quiet.post(
        "/concerns",
        data={"csrf": token.group(1), "concern": "depression", "locale": "en-US"},
        follow_redirects=False,
    )
    assert moved.status_code == 303  # and the person can carry on from there


# --- methods, HEAD, redirects ----------------------------------------------------------------


@pytest.mark.parametrize("path", (*GET_PAGES, "/summary.pdf", "/plan.ics"))
def test_every_page_answers_head(client: TestClient, path: str) -> None:
    with_answers(client)
    response = client.head(path, follow_redirects=False)
    assert response.status_code in (200, 303)
    assert response.content == b""


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("DELETE", "/values", "GET, HEAD, POST"),
        ("PUT", "/", "GET, HEAD"),
        ("POST", "/summary", "GET, HEAD"),
        ("GET", "/reset", "POST"),
        ("PATCH", "/questions/depression/save", "POST"),
        ("GET", "/api/recommend", "POST"),
    ],
)
def test_a_405_names_the_allowed_methods(
    client: TestClient, method: str, path: str, allowed: str
) -> None:
    response = client.request(method, path)
    assert response.status_code == 405
    assert response.headers["allow"] == allowed


@pytest.mark.parametrize("path", ["/static", "/learn/", "/learn/sources/"])
def test_redirects_never_echo_the_host_header(client: TestClient, path: str) -> None:
    response = client.get(path, headers={"host": "evil.example"}, follow_redirects=False)
    assert response.is_redirect
    location = response.headers["location"]
    assert location.startswith("/") and "evil" not in location


# --- a bug --------------------------------------------------------------------------------------


def _app_with_a_bug(catalog: Catalog) -> FastAPI:
    app = create_app(Settings(secret_key=SECRET), catalog)

    def boom(answer: str = "") -> None:
        raise ValueError(f"invalid literal for int(): {answer!r}")

    app.add_api_route("/boom", boom, include_in_schema=False)
    app.add_api_route("/api/boom", boom)
    return app


def test_a_bug_is_logged_by_type_and_request_id_and_never_by_its_message(
    catalog: Catalog, caplog: pytest.LogCaptureFixture
) -> None:
    with (
        TestClient(_app_with_a_bug(catalog), raise_server_exceptions=False) as client,
        caplog.at_level(logging.ERROR, logger="bothand.web"),
    ):
        response = client.get("/boom?answer=my-private-answer", headers={"accept": "text/html"})
    assert response.status_code == 500
    request_id = response.headers["x-request-id"]
    lines = [record.getMessage() for record in caplog.records if record.name == "bothand.web"]
    assert lines == [f"internal error ValueError request_id={request_id}"]
    assert "my-private-answer" not in caplog.text and "/boom" not in caplog.text


def test_a_client_that_goes_away_mid_body_is_not_an_internal_error(
    app: FastAPI, caplog: pytest.LogCaptureFixture
) -> None:
    """wrk stopping, or a closed tab: the body never arrives. Nothing is logged as an error
    and nothing is sent (there is no one to send it to)."""
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    sent: list[dict[str, Any]] = []
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/api/recommend",
        "raw_path": b"/api/recommend",
        "query_string": b"",
        "root_path": "",
        "headers": [(b"content-type", b"application/json"), (b"content-length", b"100")],
        "client": ("127.0.0.1", 1),
        "server": ("127.0.0.1", 8000),
    }

    async def receive() -> dict[str, Any]:
        return {"type": "http.disconnect"}

    async def send(message: Any) -> None:
        sent.append(dict(message))

    # In a thread of its own: the browser tests may leave an event loop running here.
    with caplog.at_level(logging.INFO, logger="bothand.web"), ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, app(scope, receive, send)).result()
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert not [m for m in sent if m["type"] == "http.response.start" and m["status"] >= 500]


def test_a_bug_shows_a_page_to_a_browser_and_problem_details_to_the_api(
    catalog: Catalog,
) -> None:
    with TestClient(_app_with_a_bug(catalog), raise_server_exceptions=False) as client:
        page = client.get("/boom", headers={"accept": "text/html,application/xhtml+xml"})
        api = client.get("/api/boom", headers={"accept": "text/html"})
        script = client.get("/boom", headers={"accept": "application/json"})
    assert page.status_code == 500 and page.headers["content-type"].startswith("text/html")
    assert catalog.labels["flow.error.internal"] in page.text and "<h1>" in page.text
    assert "Traceback" not in page.text and "invalid literal" not in page.text
    for response in (api, script):
        assert response.status_code == 500
        assert response.headers["content-type"] == "application/problem+json"
    assert page.headers["content-security-policy"] and page.headers["cache-control"] == "no-store"


# --- PDF rendering is bounded ---------------------------------------------------------------


def test_pdfs_beyond_the_limit_get_503_with_retry_after(app: FastAPI, catalog: Catalog) -> None:
    client = with_answers(TestClient(app))
    limit = app.state.pdf_limit
    limit._busy = limit.workers  # every worker is rendering
    busy = client.get("/summary.pdf", headers={"accept": "text/html"})
    assert busy.status_code == 503
    assert busy.headers["retry-after"].isdigit()
    assert catalog.labels["flow.error.busy"] in busy.text
    limit._busy = 0
    assert client.get("/summary.pdf").headers["content-type"] == "application/pdf"


# --- the clock ------------------------------------------------------------------------------------


def test_the_plan_starts_today_in_the_deployments_time_zone(catalog: Catalog) -> None:
    # 23:30 on 31 December in UTC is already 1 January in Auckland.
    at = dt.datetime(2026, 12, 31, 23, 30, tzinfo=dt.UTC)
    settings_ = Settings(secret_key=SECRET, time_zone="Pacific/Auckland")
    clock = FixedClock(at.astimezone(settings_.zone))
    app = create_app(settings_, catalog, clock)
    client = TestClient(app)
    client.cookies.set(COOKIE, app.state.flow.signer.dumps(FILLED))  # stamped by that clock
    plan = client.get("/plan").text
    assert 'value="2027-01-01"' in plan


# --- the whole class: Hypothesis ----------------------------------------------------------------

FUZZ = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.function_scoped_fixture,
        HealthCheck.data_too_large,
    ],
)
FIELDS = (
    *PHQ9,
    "phq9.difficulty",
    *(f"asq.item{n}" for n in range(1, 6)),
    "severity",
    "concern",
    "locale",
    "age",
    "age_unsaid",
    "episodes",
    "tried_medication",
    "tried_therapy",
    "matter_speed",
    "leaning",
    "medication",
    "therapy",
    "engage",
    "sure_sure",
    "option",
    "start",
)
hostile_text = st.one_of(
    st.text(max_size=40),
    st.sampled_from(WEIRD_NUMBERS),
    st.integers().map(str),
    st.integers(min_value=10**50, max_value=10**400).map(str),
    st.builds(lambda a, b, c: f"{a}/{b}/{c}", st.integers(), st.integers(), st.integers()),
    st.text(alphabet=st.characters(categories=("Nd", "No")), min_size=1, max_size=12),
)


@FUZZ
@given(
    path=st.sampled_from(POSTS),
    form=st.dictionaries(st.sampled_from(FIELDS), hostile_text, max_size=12),
)
def test_any_text_in_any_form_field_never_gives_a_500(
    quiet: TestClient, path: str, form: dict[str, str]
) -> None:
    with_answers(quiet)
    form = {**form, "csrf": FILLED["csrf"]}
    response = quiet.post(path, data=form, follow_redirects=False)
    assert response.status_code < 500, (path, form)
    following = quiet.get(response.headers.get("location", "/"), follow_redirects=False)
    assert following.status_code < 500


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats(allow_nan=False)
    | st.text(max_size=12),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=12,
)
state_keys = st.sampled_from(
    (*FILLED, "age", "episodes", "tried", "values", "leaning", "option", "start", "extras", "risk")
)
cookie_states = st.one_of(
    json_values,
    st.dictionaries(state_keys, json_values, max_size=8).map(lambda d: {"csrf": "x", **d}),
    st.builds(lambda key, value: {**FILLED, key: value}, state_keys, json_values),
)


@FUZZ
@given(state=cookie_states, path=st.sampled_from((*GET_PAGES, "/plan.ics")))
def test_any_signed_cookie_never_gives_a_500(quiet: TestClient, state: Any, path: str) -> None:
    with_answers(quiet, state)
    assert quiet.get(path, follow_redirects=False).status_code < 500


@FUZZ
@given(raw=st.text(max_size=200) | st.binary(max_size=200).map(lambda b: b.hex()))
def test_any_unsigned_cookie_never_gives_a_500(quiet: TestClient, raw: str) -> None:
    quiet.cookies.set(COOKIE, raw.encode("ascii", "ignore").decode() or "x")
    assert quiet.get("/results", follow_redirects=False).status_code < 500


# --- the pipeline runs once per request ---------------------------------------------------------


@pytest.mark.parametrize("path", ["/results", "/options", "/plan", "/summary", "/plan.ics"])
def test_each_page_runs_the_pipeline_once(
    client: TestClient, monkeypatch: pytest.MonkeyPatch, path: str
) -> None:
    from bothand import services

    runs: list[object] = []
    real = services.run_case

    def counted(catalog: Catalog, case: Any) -> Any:
        runs.append(case)
        return real(catalog, case)

    monkeypatch.setattr(services, "run_case", counted)
    risky = {**FILLED, "answers": {"depression": [1, 1, 1, 1, 1, 1, 0, 0, 2]}}  # item 9 above 0
    response = with_answers(client, {**risky, "option": "medication_first"}).get(path)
    assert response.status_code == 200
    assert len(runs) == 1, f"{path} ran the pipeline {len(runs)} times"
