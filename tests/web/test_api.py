"""The JSON API through the ASGI app (TestClient): the contract of each endpoint, determinism,
security headers on every kind of response, and hostile or malformed input, which must always
get a 4xx ``application/problem+json`` naming the field, never a 500."""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any, get_args

import pytest
from fastapi.testclient import TestClient
from httpx2 import Response
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bothand import services
from bothand.catalog import Catalog, load_catalog
from bothand.domain.vocab import Condition, Fit, OptionId
from bothand.settings import Settings
from bothand.web.app import create_app

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
PROBLEM = "application/problem+json"
JSON = {"content-type": "application/json"}
LIMIT = 64 * 1024
OPTION_IDS = set(get_args(OptionId))
CONDITIONS = list(get_args(Condition))
MILD = json.loads((EXAMPLES / "mild-depression.json").read_text())
RISK = json.loads((EXAMPLES / "severe-depression-with-risk.json").read_text())
ENDPOINTS = {
    "/api/recommend": "post",
    "/api/score/{instrument}": "post",
    "/api/plan": "post",
    "/api/instruments": "get",
}


@pytest.fixture(scope="module")
def api(catalog: Catalog) -> Iterator[TestClient]:
    """One app for the module (Hypothesis needs a fixture wider than a test). Server errors
    come back as responses, not exceptions, so a 500 is seen and reported as a status."""
    app = create_app(Settings(secret_key="api-tests-" + "k" * 40), catalog)
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


def post_raw(api: TestClient, body: bytes, headers: dict[str, str] | None = None) -> Response:
    return api.post("/api/recommend", content=body, headers=JSON if headers is None else headers)


def assert_problem(response: Response, *fields: str) -> dict[str, Any]:
    """A 4xx problem details body whose ``detail`` starts with the field it is about (one of
    ``fields`` when given), and whose ``field`` member, when there is one, is that field."""
    assert 400 <= response.status_code < 500, (response.status_code, response.text[:300])
    assert response.headers["content-type"].startswith(PROBLEM), response.headers
    body: dict[str, Any] = response.json()
    assert body["status"] == response.status_code
    assert isinstance(body.get("title"), str) and body["title"]
    assert "Traceback" not in response.text
    detail = body.get("detail")
    assert isinstance(detail, str), body
    named = detail.split(": ", 1)[0] if ": " in detail else None
    assert named and " " not in named, f"detail does not start with a field name: {body}"
    if "field" in body:
        assert body["field"] == named, body
    if fields:
        assert named in fields, f"expected the field {' or '.join(fields)}: {body}"
    return body


# --- the contract ---------------------------------------------------------------------------


def test_recommend_returns_the_contract_with_safety_first(api: TestClient) -> None:
    response = api.post("/api/recommend", json=MILD)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    result = response.json()
    assert next(iter(result)) == "safety"
    assert {"safety", "assessments", "options", "floor", "plan", "trace"} <= set(result)
    safety = result["safety"]
    assert safety["urgent"] is False
    assert safety["resources"], "crisis contacts are always given"
    options = result["options"]
    assert len(options) == 6 and {option["id"] for option in options} == OPTION_IDS
    for option in options:
        assert option["fit"] in ("usual_start", "reasonable", "less_suited")
        assert option["summary"]
        assert option["reasons"], option["id"]
        assert all(reason["sources"] for reason in option["reasons"]), option["id"]
    assert result["plan"]["option"] in OPTION_IDS and result["plan"]["milestones"]
    assert result["trace"] and all({"rule", "fired", "because"} <= set(t) for t in result["trace"])


def test_recommend_puts_a_positive_risk_answer_first(api: TestClient) -> None:
    result = api.post("/api/recommend", json=RISK).json()
    assert next(iter(result)) == "safety"
    assert result["safety"]["urgent"] is True
    assert result["safety"]["resources"]
    assert len(result["options"]) == 6, "no option is ever hidden"
    samaritans, shout = result["safety"]["resources"][:2]  # the example is in the UK
    assert samaritans["actions"] == [
        {"kind": "call", "label": "Call 116 123", "href": "tel:116123"}
    ]
    assert shout["actions"] == [
        {"kind": "text", "label": "Text SHOUT to 85258", "href": "sms:85258?body=SHOUT"}
    ]


@pytest.mark.parametrize("case", [MILD, RISK], ids=["mild", "risk"])
def test_same_case_twice_gives_byte_identical_json(api: TestClient, case: dict[str, Any]) -> None:
    first = api.post("/api/recommend", json=case)
    second = api.post("/api/recommend", json=case)
    assert first.status_code == second.status_code == 200
    assert first.content == second.content


def test_score_phq9_item_9_above_zero_is_urgent(api: TestClient) -> None:
    result = api.post("/api/score/phq9", json={"answers": [0, 0, 0, 0, 0, 0, 0, 0, 1]}).json()
    assert next(iter(result)) == "safety"
    assert result["safety"]["urgent"] is True
    assert "phq9.item9" in result["safety"]["flags"]
    assert result["score"]["instrument"] == "phq9" and result["score"]["total"] == 1


def test_score_phq9_item_9_zero_is_not_urgent(api: TestClient) -> None:
    result = api.post("/api/score/phq9", json={"answers": [2, 2, 2, 2, 0, 0, 0, 0, 0]}).json()
    assert result["safety"]["urgent"] is False
    assert result["score"]["total"] == 8


PANIC = {"concerns": [{"condition": "panic", "severity": "moderate"}], "locale": "en-GB"}


def test_a_case_with_no_risk_question_says_risk_not_assessed(api: TestClient) -> None:
    safety = api.post("/api/recommend", json=PANIC).json()["safety"]
    assert safety["urgent"] is False and safety["risk_assessed"] is False
    assert safety["review_flags"] == ["risk_not_assessed"] and safety["clinician_flag"] is True
    assert "cannot say anything about your safety" in " ".join(safety["notes"])


@pytest.mark.parametrize(
    ("answers", "urgent", "review"),
    [
        ([0, 0, 0, 0, None], False, []),
        ([0, 0, 0, 1, 0], True, ["asq.positive_screen"]),
        ([1, 0, 1, 0, 1], True, ["asq.acute_positive", "asq.positive_screen"]),
    ],
)
def test_the_case_takes_asq_answers(
    api: TestClient, answers: list[int | None], urgent: bool, review: list[str]
) -> None:
    case = {**PANIC, "risk_screen": {"instrument": "asq", "answers": answers}}
    result = api.post("/api/recommend", json=case).json()
    safety = result["safety"]
    assert safety["risk_assessed"] is True and safety["urgent"] is urgent
    assert safety["review_flags"] == review and safety["clinician_flag"] is urgent
    assert len(result["options"]) == 6
    if urgent:
        assert safety["resources"][0]["name"] == "Samaritans"


def test_asq_question_5_after_a_yes_must_be_answered(api: TestClient) -> None:
    case = {**PANIC, "risk_screen": {"answers": [1, 0, 0, 0, None]}}
    assert_problem(api.post("/api/recommend", json=case), "risk_screen.answers[4]")
    case = {**PANIC, "risk_screen": {"instrument": "phq9", "answers": [0] * 9}}
    assert_problem(api.post("/api/recommend", json=case), "risk_screen.instrument")


def test_score_asq_and_pcl5_item_16(api: TestClient) -> None:
    asq = api.post("/api/score/asq", json={"answers": [0, 1, 0, 0, 0]}).json()
    assert asq["safety"]["urgent"] is True and asq["score"]["screen_positive"] is True
    pcl5 = api.post("/api/score/pcl5", json={"answers": [0] * 15 + [2] + [0] * 4}).json()
    assert pcl5["safety"]["urgent"] is False
    assert pcl5["score"]["review"] == ["pcl5.item16_risky_behaviour"]
    assert "pcl5.item16_risky_behaviour" in pcl5["safety"]["review_flags"]


def test_score_unknown_instrument_names_the_field(api: TestClient) -> None:
    body = assert_problem(api.post("/api/score/nope", json={"answers": [0]}), "instrument")
    assert "phq9" in body["detail"]


def test_plan_is_dated_from_the_start(api: TestClient) -> None:
    start = dt.date(2026, 1, 5)
    response = api.post(
        "/api/plan", json={"case": MILD, "option": "therapy", "start": start.isoformat()}
    )
    assert response.status_code == 200
    plan = response.json()
    assert plan["option"] == "therapy" and plan["milestones"]
    for milestone in plan["milestones"]:
        date_from = dt.date.fromisoformat(milestone["date_from"])
        date_to = dt.date.fromisoformat(milestone["date_to"])
        assert date_from == start + dt.timedelta(days=milestone["day_from"])
        assert date_to == start + dt.timedelta(days=milestone["day_to"])
        assert start <= date_from <= date_to


def test_plan_without_start_is_undated(api: TestClient) -> None:
    plan = api.post("/api/plan", json={"case": MILD, "option": "combined"}).json()
    assert plan["milestones"]
    assert all(milestone.get("date_from") is None for milestone in plan["milestones"])


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"case": MILD, "option": "pills"}, "option"),
        ({"case": MILD, "option": "therapy", "start": "2026-02-30"}, "start"),
        ({"case": {**MILD, "prefrences": {}}, "option": "therapy"}, "case.prefrences"),
        ({"option": "therapy"}, "case"),
    ],
    ids=["bad-option", "bad-date", "unknown-field-in-case", "no-case"],
)
def test_plan_bad_input_names_the_field(api: TestClient, body: dict[str, Any], field: str) -> None:
    assert_problem(api.post("/api/plan", json=body), field)


@pytest.mark.parametrize(
    "start",
    [
        "9999-12-31",  # was a 500: the plan's date arithmetic overflowed
        "0001-01-01",
        "1999-12-31",
        "2101-01-01",
        1767225600,  # a Unix time is not a date here
        "2026-01-05T00:00:00",
        "2026-1-5",
        "２０２６-01-05",  # full-width digits
        "2026-01-05\n",
        "",
    ],
)
def test_plan_start_must_be_an_iso_date_from_2000_to_2100(api: TestClient, start: Any) -> None:
    body = assert_problem(
        api.post("/api/plan", json={"case": MILD, "option": "therapy", "start": start}), "start"
    )
    assert body["status"] == 422


@pytest.mark.parametrize("start", ["2000-01-01", "2100-12-31"])
def test_plan_start_at_either_bound_is_dated(api: TestClient, start: str) -> None:
    response = api.post("/api/plan", json={"case": MILD, "option": "combined", "start": start})
    assert response.status_code == 200, response.text
    assert response.json()["milestones"][0]["date_from"] >= start


def test_instruments_lists_each_with_availability(api: TestClient, catalog: Catalog) -> None:
    response = api.get("/api/instruments")
    assert response.status_code == 200
    listed = {item["id"]: item for item in response.json()}
    assert set(listed) == set(catalog.instruments)
    for item in listed.values():
        assert {"id", "name", "items", "available", "reason"} <= set(item)
        assert item["available"] or item["reason"], f"{item['id']}: unavailable without reason"
    assert listed["phq9"]["available"] is True
    assert listed["asrs"]["available"] is False and listed["asrs"]["reason"]


def test_openapi_lists_the_four_endpoints(api: TestClient) -> None:
    response = api.get("/openapi.json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    record = ("/api/patients", "/api/episodes", "/api/alerts")  # the record's: test_record_api.py
    assert {path for path in paths if not path.startswith(record)} == set(ENDPOINTS), sorted(paths)
    for path, method in ENDPOINTS.items():
        assert method in paths[path], (path, sorted(paths[path]))


def _refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        own = [node["$ref"]] if "$ref" in node else []
        return own + [ref for value in node.values() for ref in _refs(value)]
    if isinstance(node, list):
        return [ref for value in node for ref in _refs(value)]
    return []


def test_every_ref_in_the_served_openapi_resolves_within_it(api: TestClient) -> None:
    document = api.get("/openapi.json").json()
    refs = _refs(document)
    assert refs, "the document refers to no schema at all"
    schemas = document["components"]["schemas"]
    for ref in refs:
        assert ref.startswith("#/components/schemas/"), ref  # never #/$defs/...
        assert ref.removeprefix("#/components/schemas/") in schemas, ref
    assert "$defs" not in json.dumps(document)


def _resolve(document: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


@pytest.mark.parametrize(("path", "method"), ENDPOINTS.items())
def test_openapi_documents_each_200_and_each_problem(
    api: TestClient, path: str, method: str
) -> None:
    document = api.get("/openapi.json").json()
    responses = document["paths"][path][method]["responses"]
    ok = _resolve(document, responses["200"]["content"]["application/json"]["schema"])
    assert ok.get("properties") or ok.get("items"), (path, ok)  # not the empty schema
    problems = {"413", "415", "422"} if method == "post" else set()
    assert problems <= set(responses), (path, sorted(responses))
    for status in problems:
        content = responses[status]["content"]
        assert set(content) == {PROBLEM}, (path, status, content)
        schema = _resolve(document, content[PROBLEM]["schema"])
        assert {"type", "title", "status", "detail"} <= set(schema["required"]), schema
    if method == "post":
        body = document["paths"][path][method]["requestBody"]["content"]["application/json"]
        assert _resolve(document, body["schema"])["properties"], path


def test_the_200_schemas_name_the_contract_fields(api: TestClient) -> None:
    schemas = api.get("/openapi.json").json()["components"]["schemas"]
    assert list(schemas["Recommendation"]["properties"]) == [
        "safety",
        "assessments",
        "options",
        "floor",
        "plan",
        "trace",
        "content",
        "contract_version",
    ]
    assert schemas["Option"]["properties"]["fit"]["enum"] == list(get_args(Fit))
    assert "date_from" not in schemas["Milestone"]["required"]
    assert {"risk_assessed", "review_flags"} <= set(schemas["Safety"]["properties"])


# --- hostile and malformed input ------------------------------------------------------------

_MILD_BYTES = json.dumps(MILD).encode()


def _with(extra: bytes) -> bytes:
    """The mild case with one more member written as raw JSON text."""
    return _MILD_BYTES[:-1] + b", " + extra + b"}"


def _answers(first: bytes) -> bytes:
    return (
        b'{"concerns": [{"condition": "depression", "instrument": "phq9", "answers": ['
        + first
        + b", 0, 0, 0, 0, 0, 0, 0, 0]}]}"
    )


HOSTILE: list[Any] = [
    pytest.param(b"{not json", JSON, "(body)", id="invalid-json"),
    pytest.param(b'{"concerns": [', JSON, "(body)", id="truncated-json"),
    pytest.param(_with(b'"age": "34"'), JSON, "age", id="string-for-number"),
    pytest.param(_with(b'"age": 34.5'), JSON, "age", id="fraction-for-number"),
    pytest.param(
        _with(b'"able_to_engage_in_therapy": "yes"'),
        JSON,
        "able_to_engage_in_therapy",
        id="string-for-bool",
    ),
    pytest.param(_answers(b'"2"'), JSON, "concerns[0].answers[0]", id="string-answer"),
    pytest.param(b'{"concerns": "depression"}', JSON, "concerns", id="string-for-list"),
    pytest.param(_with(b'"prefrences": {}'), JSON, "prefrences", id="unknown-field"),
    pytest.param(b'{"concerns": []}', JSON, "concerns", id="no-concerns"),
    pytest.param(
        b'{"concerns": [{"condition": "grief"}]}', JSON, "concerns[0].condition", id="bad-enum"
    ),
    pytest.param(_with(b'"age": 1' + b"0" * 400), JSON, "age", id="huge-integer-400-digits"),
    pytest.param(_answers(b"9" * 5000), JSON, "(body)", id="huge-integer-5000-digits"),
    pytest.param(_answers(b"NaN"), JSON, ("(body)", "concerns[0].answers[0]"), id="nan"),
    pytest.param(_with(b'"age": Infinity'), JSON, ("(body)", "age"), id="infinity"),
    pytest.param(_with(b'"age": -Infinity'), JSON, ("(body)", "age"), id="minus-infinity"),
    pytest.param(
        b'{"concerns": ' + b"[" * 5000 + b"]" * 5000 + b"}", JSON, "(body)", id="deeply-nested"
    ),
    pytest.param(b'{"concerns": "\xff\xfe"}', JSON, "(body)", id="non-utf8-bytes"),
    pytest.param(b"", JSON, "(body)", id="empty-body"),
    pytest.param(b"", {}, "(body)", id="empty-body-no-content-type"),
    pytest.param(b"[" + _MILD_BYTES + b"]", JSON, ("(body)", "(case)"), id="array-not-object"),
    pytest.param(b"null", JSON, ("(body)", "(case)"), id="null"),
    pytest.param(b'"case"', JSON, ("(body)", "(case)"), id="string-not-object"),
    pytest.param(_MILD_BYTES, {"content-type": "text/plain"}, "(body)", id="text-plain"),
    pytest.param(
        b"concerns=depression",
        {"content-type": "application/x-www-form-urlencoded"},
        "(body)",
        id="form-encoded",
    ),
    pytest.param(_MILD_BYTES, {"content-type": "application/xml"}, "(body)", id="xml-type"),
]


@pytest.mark.parametrize(("body", "headers", "fields"), HOSTILE)
def test_hostile_input_gets_problem_details_naming_the_field(
    api: TestClient, body: bytes, headers: dict[str, str], fields: str | tuple[str, ...]
) -> None:
    assert_problem(post_raw(api, body, headers), *([fields] if isinstance(fields, str) else fields))


@pytest.mark.parametrize(
    "content_type",
    [
        "application/json",
        "application/json; charset=utf-8",
        "Application/JSON;Charset=UTF-8",
        'application/json; charset="utf-8"',
        "application/json ; charset=utf-8",
    ],
)
def test_json_media_types_are_accepted(api: TestClient, content_type: str) -> None:
    response = post_raw(api, _MILD_BYTES, {"content-type": content_type})
    assert response.status_code == 200, (content_type, response.text[:300])


@pytest.mark.parametrize(
    "content_type",
    [
        "text/plain; x=application/json",  # was accepted: a substring test
        "text/plain; charset=application/json",
        "application/jsonp",
        "application/json-seq",
        "xapplication/json",
        "application/json, text/plain",
        "application/json; charset=latin-1",
        "application/json; charset",
        "application/merge-patch+json",
        "application/problem+json",
        "multipart/form-data; boundary=application/json",
        "",
    ],
)
def test_other_media_types_are_415_problem_details(api: TestClient, content_type: str) -> None:
    response = post_raw(api, _MILD_BYTES, {"content-type": content_type})
    assert response.status_code == 415, (content_type, response.text[:300])
    assert_problem(response, "(body)")


# Malformed bodies that are wrong for any endpoint, sent to the other two that take JSON.
BODY = ("(body)",)
ANY: tuple[str, ...] = ()  # NaN may be refused as JSON or as a value: either names a field
MALFORMED: list[Any] = [
    pytest.param(b"{not json", JSON, BODY, id="invalid-json"),
    pytest.param(b"[" * 5000 + b"]" * 5000, JSON, BODY, id="deeply-nested"),
    pytest.param(b'{"answers": [' + b"9" * 5000 + b"]}", JSON, BODY, id="huge-integer-5000-digits"),
    pytest.param(b'{"answers": [NaN]}', JSON, ANY, id="nan"),
    pytest.param(b'{"answers": "\xff\xfe"}', JSON, BODY, id="non-utf8-bytes"),
    pytest.param(b"", JSON, BODY, id="empty-body"),
    pytest.param(b"[]", JSON, BODY, id="array-not-object"),
    pytest.param(b'{"answers": []}', {"content-type": "text/plain"}, BODY, id="text-plain"),
    pytest.param(b"x" * (LIMIT + 1), JSON, BODY, id="oversized-body"),
]


@pytest.mark.parametrize("path", ["/api/score/phq9", "/api/plan"])
@pytest.mark.parametrize(("body", "headers", "fields"), MALFORMED)
def test_malformed_body_at_score_and_plan_gets_problem_details(
    api: TestClient, path: str, body: bytes, headers: dict[str, str], fields: tuple[str, ...]
) -> None:
    assert_problem(api.post(path, content=body, headers=headers), *fields)


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/api/recommend", _answers(b"0").replace(b'"phq9"', b'"\\ud800"')),
        ("/api/recommend", b'{"concerns": [{"condition": "\\ud800"}]}'),
        ("/api/recommend", _with(b'"\\ud800": 1')),
        ("/api/score/phq9", b'{"answers": [0], "\\udfff": 1}'),
        (
            "/api/plan",
            b'{"case": {"concerns": [{"condition": "depression"}]}, "option": "\\ud800"}',
        ),
    ],
    ids=["instrument", "condition", "key", "score-key", "plan-option"],
)
def test_a_lone_surrogate_quoted_in_an_error_is_not_a_500(
    api: TestClient, path: str, body: bytes
) -> None:
    # "\\ud800" is valid JSON but cannot be encoded as UTF-8: an error that quotes it back
    # must still be sent (escaped or replaced), not crash into a 500.
    assert_problem(api.post(path, content=body, headers=JSON))


def test_oversized_body_is_413(api: TestClient) -> None:
    response = post_raw(api, b'{"a": "' + b"x" * (LIMIT + 1) + b'"}')
    assert response.status_code == 413
    assert_problem(response, "(body)")


def test_oversized_streamed_body_without_length_is_413(api: TestClient) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'{"a": "'
        for _ in range(20):
            yield b"x" * 8192
        yield b'"}'

    response = api.post("/api/recommend", content=chunks(), headers=JSON)
    assert response.status_code == 413
    assert_problem(response, "(body)")


def test_wrong_method_is_problem_details(api: TestClient) -> None:
    response = api.get("/api/recommend")
    assert response.status_code == 405
    assert response.headers["content-type"].startswith(PROBLEM)


def test_unknown_api_path_is_problem_details(api: TestClient) -> None:
    response = api.get("/api/nope", headers={"accept": "text/html"})
    assert response.status_code == 404
    assert response.headers["content-type"].startswith(PROBLEM)


# --- security headers -----------------------------------------------------------------------


def _requests() -> list[Any]:
    return [
        pytest.param("get", "/", {}, id="page-start"),
        pytest.param("get", "/help", {}, id="page-help"),
        pytest.param("get", "/docs", {}, id="page-docs"),
        pytest.param("get", "/no-such-page", {"headers": {"accept": "text/html"}}, id="page-404"),
        pytest.param("get", "/openapi.json", {}, id="openapi"),
        pytest.param("get", "/api/health", {}, id="api-health"),
        pytest.param("get", "/api/instruments", {}, id="api-instruments"),
        pytest.param("post", "/api/recommend", {"json": MILD}, id="api-200"),
        pytest.param("post", "/api/recommend", {"json": {}}, id="api-422"),
        pytest.param("get", "/api/recommend", {}, id="api-405"),
        pytest.param("get", "/api/nope", {}, id="api-404"),
        pytest.param(
            "post", "/api/recommend", {"content": b"x" * (LIMIT + 1), "headers": JSON}, id="api-413"
        ),
    ]


def _assert_security_headers(response: Response) -> None:
    headers = response.headers
    csp = headers["content-security-policy"]
    for directive in (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
        "form-action 'self'",
    ):
        assert directive in csp, f"CSP lacks {directive!r}: {csp}"
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "no-referrer"
    assert headers["x-frame-options"] == "DENY"
    for name in ("content-security-policy", "x-content-type-options", "cache-control"):
        assert len(headers.get_list(name)) == 1, f"{name} sent {headers.get_list(name)}"
    assert "server" not in headers or "uvicorn" not in headers["server"].lower()


@pytest.mark.parametrize(("method", "path", "kwargs"), _requests())
def test_security_headers_and_no_store_on_pages_and_api(
    api: TestClient, method: str, path: str, kwargs: dict[str, Any]
) -> None:
    response = api.request(method.upper(), path, **kwargs)
    _assert_security_headers(response)
    assert response.headers["cache-control"] == "no-store", (path, response.status_code)


def test_a_bug_gives_a_bare_500_with_security_headers(catalog: Catalog) -> None:
    # A route that fails the way a bug would, on an app of its own: the 500 must be problem
    # details without a traceback, and still carry the CSP, nosniff and no-store.
    app = create_app(Settings(secret_key="api-tests-" + "k" * 40), catalog)

    def boom() -> None:
        raise RuntimeError("secret internals")

    app.add_api_route("/api/boom", boom)
    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.get("/api/boom")
    assert response.status_code == 500
    assert response.headers["content-type"].startswith(PROBLEM)
    assert "secret internals" not in response.text and "Traceback" not in response.text
    _assert_security_headers(response)
    assert response.headers.get("cache-control") == "no-store"


@pytest.mark.parametrize(
    "path",
    ["/static/css/bothand.css", "/static/css/print.css", "/static/js/htmx.min.js"],
)
def test_static_files_are_cached_long_with_security_headers(api: TestClient, path: str) -> None:
    response = api.get(path)
    assert response.status_code == 200
    _assert_security_headers(response)
    cache = response.headers["cache-control"]
    assert "max-age=31536000" in cache and "immutable" in cache and "no-store" not in cache


# --- random input never gives a 500 ---------------------------------------------------------

# Text with the characters that break encoders and logs mixed in: a lone surrogate (legal as a
# JSON escape, not encodable as UTF-8), NUL, a right-to-left override and a byte-order mark.
_texts = st.text(
    alphabet=st.sampled_from(["\ud800", "\udfff", "\x00", "\u202e", "\ufeff"]) | st.characters(),
    max_size=20,
)
_scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=True, allow_infinity=True)
    | _texts
)
json_values = st.recursive(
    _scalars,
    lambda children: st.lists(children, max_size=6) | st.dictionaries(_texts, children, max_size=6),
    max_leaves=25,
)
# Shaped like a case, with any value anywhere, so validation goes deep, not just to the top.
_concern = st.fixed_dictionaries(
    {"condition": st.sampled_from(CONDITIONS) | json_values},
    optional={
        "instrument": st.sampled_from(["phq9", "gad7", "pcl5", "asrs", "nope"]) | _texts,
        "answers": st.lists(st.integers(-2, 5) | st.none() | json_values, max_size=25)
        | json_values,
        "severity": st.sampled_from(["minimal", "mild", "moderate", "severe"]) | json_values,
    },
)
case_like = st.fixed_dictionaries(
    {"concerns": st.lists(_concern, max_size=4) | json_values},
    optional={
        "preferences": st.fixed_dictionaries(
            {},
            optional={
                "medication": st.sampled_from(["open", "prefer_to_avoid", "unsure"]) | json_values,
                "therapy": json_values,
            },
        )
        | json_values,
        "able_to_engage_in_therapy": st.booleans() | json_values,
        "history": json_values,
        "age": st.integers(-5, 130) | json_values,
        "locale": st.sampled_from(["en", "en-GB", "en-US", "xx"]) | json_values,
        "extra": json_values,
    },
)
_any_day = st.one_of(
    st.dates(),
    st.dates(min_value=dt.date(9990, 1, 1)),
    st.dates(max_value=dt.date(10, 12, 31)),
)
RANDOM = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def _dumps(value: Any) -> bytes:
    # allow_nan (the default) writes NaN / Infinity literals, which clients do send.
    return json.dumps(value).encode()


def _check_random(response: Response) -> None:
    assert response.status_code < 500, response.text[:300]
    if response.status_code >= 400:
        assert response.headers["content-type"].startswith(PROBLEM)
    else:
        assert next(iter(response.json())) == "safety"


@RANDOM
@given(value=json_values | case_like)
def test_random_json_at_recommend_never_gives_500(api: TestClient, value: Any) -> None:
    _check_random(post_raw(api, _dumps(value)))


@RANDOM
@given(
    instrument=st.sampled_from(["phq9", "gad7", "pcl5", "phq2", "asrs", "x"]),
    value=json_values
    | st.fixed_dictionaries(
        {"answers": st.lists(st.integers(-3, 5) | st.none() | json_values, max_size=25)},
        optional={"locale": json_values},
    ),
)
def test_random_json_at_score_never_gives_500(api: TestClient, instrument: str, value: Any) -> None:
    response = api.post(f"/api/score/{instrument}", content=_dumps(value), headers=JSON)
    assert response.status_code < 500, response.text[:300]


@RANDOM
@given(
    value=json_values
    | st.fixed_dictionaries(
        {"case": case_like, "option": st.sampled_from(sorted(OPTION_IDS)) | json_values},
        # Any date, and dates near either end of the calendar (9999-12-31 overflowed once).
        optional={"start": _any_day.map(dt.date.isoformat) | json_values},
    )
)
def test_random_json_at_plan_never_gives_500(api: TestClient, value: Any) -> None:
    response = api.post("/api/plan", content=_dumps(value), headers=JSON)
    assert response.status_code < 500, response.text[:300]


@RANDOM
@given(
    day=_any_day,
    option=st.sampled_from(sorted(OPTION_IDS)),
    case=st.sampled_from([MILD, RISK]),
)
def test_any_calendar_date_as_start_is_a_plan_or_a_422_never_a_500(
    api: TestClient, day: dt.date, option: str, case: dict[str, Any]
) -> None:
    body = {"case": case, "option": option, "start": day.isoformat()}
    response = api.post("/api/plan", json=body)
    if dt.date(2000, 1, 1) <= day <= dt.date(2100, 12, 31):
        assert response.status_code == 200, response.text[:300]
    else:
        assert_problem(response, "start")


def test_nan_is_not_silently_accepted_as_an_answer(api: TestClient) -> None:
    # A NaN or a fraction must never be rounded into an answer or an age.
    assert math.isnan(json.loads(_answers(b"NaN"))["concerns"][0]["answers"][0])
    assert_problem(post_raw(api, _answers(b"NaN")), "(body)", "concerns[0].answers[0]")
    assert_problem(post_raw(api, _answers(b"1.0")), "concerns[0].answers[0]")
    assert_problem(post_raw(api, _answers(b"true")), "concerns[0].answers[0]")


def test_the_app_compiles_the_rules_and_timeline_before_the_first_request() -> None:
    fresh = load_catalog()
    assert "planner" not in fresh.timeline.__dict__
    create_app(Settings(secret_key="t" * 40), fresh)
    assert "planner" in fresh.timeline.__dict__  # the cached property was built
    hits = services.engine.cache_info().hits
    services.engine(fresh)
    assert services.engine.cache_info().hits == hits + 1  # compiled already, not now


# --- byte for byte, as before the contract models -------------------------------------------

RECORDED_DIR = Path(__file__).resolve().parent / "recorded"
# Recorded on 2f07036, where the API built its JSON by hand (the to_contract methods).
BEFORE_CONTRACT_MODELS = RECORDED_DIR / "api-2f07036.json"
# The same requests, replayed on this tree whenever content changes a response on purpose;
# the commit that re-records says why (history: git log -- tests/web/recorded).
RECORDED = RECORDED_DIR / "api-602104e.json"


def _calls(path: Path) -> list[dict[str, Any]]:
    calls: list[dict[str, Any]] = json.loads(path.read_text(encoding="utf-8"))
    return calls


def _send(api: TestClient, call: dict[str, Any]) -> Response:
    if call["body"] is None:
        return api.request(call["method"], call["path"])
    return api.request(call["method"], call["path"], json=call["body"])


def _key_paths(value: Any, prefix: str = "") -> set[str]:
    """Every key path in a JSON value, list positions folded: the shape, not the data."""
    if isinstance(value, dict):
        paths = set()
        for key, item in value.items():
            paths |= {f"{prefix}.{key}"} | _key_paths(item, f"{prefix}.{key}")
        return paths
    if isinstance(value, list):
        return set().union(*(_key_paths(item, f"{prefix}[]") for item in value))
    return set()


@pytest.mark.parametrize("call", _calls(RECORDED), ids=lambda call: call["path"].rsplit("/", 1)[1])
def test_responses_are_byte_identical_to_those_recorded(
    api: TestClient, call: dict[str, Any]
) -> None:
    response = _send(api, call)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.content == call["response"].encode("utf-8")


@pytest.mark.parametrize(
    "call", _calls(BEFORE_CONTRACT_MODELS), ids=lambda call: call["path"].rsplit("/", 1)[1]
)
def test_responses_keep_the_shape_recorded_before_the_contract_models(
    api: TestClient, call: dict[str, Any]
) -> None:
    """Content may change what the fields say; the contract's fields stay the same, except
    for fields added to the contract since (``ADDED_KEYS``), which must be there."""
    response = _send(api, call)
    assert response.status_code == 200
    now = _key_paths(response.json())
    assert now - ADDED_KEYS == _key_paths(json.loads(call["response"]))
    assert {key for key in ADDED_KEYS if key.rsplit(".", 1)[0] in now} <= now


# Added to the contract after 2f07036 (README, "the case contract"): whether risk was
# assessed and what the clinician must look at (issue 10: risk on every path), and the met
# rules that flag the clinician in a score.
ADDED_KEYS = {".safety.risk_assessed", ".safety.review_flags", ".score.review"}


def test_the_two_recordings_hold_the_same_requests() -> None:
    before = [(c["method"], c["path"], c["body"]) for c in _calls(BEFORE_CONTRACT_MODELS)]
    assert before == [(c["method"], c["path"], c["body"]) for c in _calls(RECORDED)]
