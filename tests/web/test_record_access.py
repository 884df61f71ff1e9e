"""Who may see what through the record API: every route under ``/api/patients``,
``/api/episodes`` and ``/api/alerts`` (found in the app's routes, so a new one is covered
without editing this file) answers 404 to every kind of foreign id, writes nothing and leaves
no audit event naming
the record; the same request for the caller's own record works, so the 404 is about access,
not a broken request. A token that is revoked (or whose user is inactive) is a 401; a user who
is only an admin sees no patient at all."""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.routing import iter_route_contexts
from httpx import Response
from sqlalchemy import text

from bothand.catalog import Catalog
from bothand.storage import Database
from tests.conftest import MovingClock
from tests.record.helpers import PASSWORD, PHQ9_RISK, case
from tests.web.record_api_helpers import Api, audit_events, counts, make_api

RECORD_PREFIXES = ("/api/patients", "/api/episodes", "/api/alerts")
PARAMETER = re.compile(r"\{(\w+)\}")


def record_routes(api: Api) -> list[tuple[str, str]]:
    """(method, path) of every record API route the app serves."""
    found = []
    for route in iter_route_contexts(api.app.routes):  # the routes of included routers too
        path = route.path or ""
        if path.startswith(RECORD_PREFIXES) and route.methods:
            found += [(method, path) for method in sorted(route.methods - {"HEAD"})]
    return sorted(found)


# A valid body for each route: a route with none here fails the tests below until one is
# given, so every new route is checked with a request that would otherwise succeed.
BODIES: dict[tuple[str, str], Callable[[], Any]] = {
    ("POST", "/api/patients"): lambda: {"reference": "MRN-9", "timezone": "Europe/London"},
    ("GET", "/api/patients"): lambda: None,
    ("POST", "/api/patients/{patient}/episodes"): lambda: {
        "case": case(),
        "option": "therapy",
        "start": "2026-12-01",
    },
    ("POST", "/api/episodes/{episode}/measurements"): lambda: {
        "instrument": "phq9",
        "answers": [1, 1, 1, 1, 1, 1, 1, 1, 0],
        "taken_on": "2026-12-01",
    },
    ("GET", "/api/episodes/{episode}"): lambda: None,
    ("POST", "/api/episodes/{episode}/check-ins"): lambda: {},
    ("GET", "/api/alerts"): lambda: None,
    # In this order (sorted), the caller's own alert is acknowledged, then resolved.
    ("POST", "/api/alerts/{alert}/acknowledge"): lambda: {"note": "Seen"},
    ("POST", "/api/alerts/{alert}/resolve"): lambda: {"note": "Called them"},
}


@dataclass
class World:
    """The caller (North's first clinician), a colleague at North whose patient is not
    shared with the caller, and another clinic (South) with its own patient."""

    api: Api
    mine: dict[str, str]
    colleague: dict[str, str]
    colleague_token: str
    south: dict[str, str]

    def foreign(self, parameter: str) -> dict[str, str]:
        """Each kind of id the caller must not reach, for a path parameter."""
        other = {"patient": "episode", "episode": "patient", "alert": "patient"}[parameter]
        return {
            "other clinic": self.south[parameter],
            "same clinic, not shared": self.colleague[parameter],
            "does not exist": secrets.token_hex(16),
            f"the caller's own {other} id": self.mine[other],
            "not an id": "x" * 300,
            "the caller's own id and a NUL": self.mine[parameter] + "%00",
        }


def _records(api: Api, reference: str, token: str | None = None) -> dict[str, str]:
    patient = api.patient(reference, token)
    made = api.post(
        f"/api/patients/{patient}/episodes",
        {"case": case(), "option": "therapy", "start": "2026-12-01"},
        token,
    )
    assert made.status_code == 201, made.text
    episode = made.json()["id"]
    risk = api.post(  # item 9 above 0: a critical alert
        f"/api/episodes/{episode}/measurements",
        {"instrument": "phq9", "answers": PHQ9_RISK, "taken_on": "2026-12-01"},
        token,
    )
    assert risk.status_code == 201, risk.text
    [alert] = risk.json()["alerts"]
    return {"patient": patient, "episode": episode, "alert": alert["id"]}


@pytest.fixture
def world(catalog: Catalog, database: Database, clock: MovingClock) -> World:
    api = make_api(catalog, database, clock)
    accounts = api.clinic.accounts
    colleague = accounts.add_user(
        "colleague@example.org", api.clinic.clinic_id, ["clinician"], PASSWORD
    )
    colleague_token = accounts.create_token(colleague.email, "colleague").token
    assert colleague_token is not None
    south = make_api(catalog, database, clock, name="South", tag="s")
    return World(
        api,
        _records(api, "MRN-1"),
        _records(api, "MRN-2", colleague_token),
        colleague_token,
        _records(south, "MRN-1"),
    )


def alert_states(database: Database) -> list[tuple[str, str]]:
    """Each alert's id and status: a state change writes no row, so counts miss it."""
    with database.engine.connect() as connection:
        rows = connection.execute(text("SELECT id, status FROM alerts ORDER BY id")).all()
    return [(row[0], row[1]) for row in rows]


def _send(api: Api, method: str, path: str, body: Any, token: str | None = None) -> Response:
    if method == "GET":
        return api.get(path, token)
    return api.post(path, body, token)


def _fill(path: str, ids: dict[str, str]) -> str:
    return PARAMETER.sub(lambda m: ids[m[1]], path)


def test_the_routes_are_found_and_each_has_a_body(world: World) -> None:
    routes = record_routes(world.api)
    assert len(routes) >= 9
    missing = [route for route in routes if route not in BODIES]
    assert missing == [], f"give these routes a valid body in BODIES: {missing}"


def test_every_route_answers_404_to_every_foreign_id_and_writes_nothing(world: World) -> None:
    api = world.api
    failures = []
    checked = 0
    for method, path in record_routes(api):
        parameters = PARAMETER.findall(path)
        if not parameters:
            continue
        for parameter in parameters:
            for kind, foreign in world.foreign(parameter).items():
                before = counts(api.database), alert_states(api.database)
                seq = max(e["seq"] for e in audit_events(api.database))
                ids = {**world.mine, parameter: foreign}
                found = _send(api, method, _fill(path, ids), BODIES[method, path]())
                checked += 1
                if found.status_code != 404:
                    failures.append(f"{method} {path} with {kind}: {found.status_code}")
                    continue
                assert found.headers["content-type"] == "application/problem+json"
                assert found.json()["status"] == 404
                if (counts(api.database), alert_states(api.database)) != before:
                    failures.append(f"{method} {path} with {kind}: wrote rows")
                if audit_events(api.database, seq):  # none at all, so none naming the record
                    failures.append(f"{method} {path} with {kind}: left an audit event")
    assert checked >= 6 * 6
    assert failures == []


def test_the_same_requests_work_for_the_callers_own_records(world: World) -> None:
    """The control: with the caller's own ids, every route succeeds (so each 404 above is
    about access). Sharing the colleague's patient opens it to the caller."""
    api = world.api
    for method, path in record_routes(api):
        found = _send(api, method, _fill(path, world.mine), BODIES[method, path]())
        assert found.status_code in (200, 201), (method, path, found.text)
    colleague = api.clinic.accounts.token_actor(world.colleague_token)
    assert colleague is not None
    api.clinic.record.share_patient(colleague, world.colleague["patient"], api.clinic.clinician.id)
    for method, path in record_routes(api):
        if PARAMETER.search(path):
            found = _send(api, method, _fill(path, world.colleague), BODIES[method, path]())
            assert found.status_code in (200, 201), (method, path, found.text)


def test_the_caseload_holds_only_the_callers_patients(world: World) -> None:
    listed = world.api.get("/api/patients").json()["patients"]
    assert [row["patient"]["id"] for row in listed] == [world.mine["patient"]]


def test_a_correction_of_a_foreign_measurement_is_404_and_writes_nothing(world: World) -> None:
    api = world.api
    colleague_measurement = _first_measurement(api, world.colleague_token, world.colleague)
    own_other_episode = api.episode(world.mine["patient"])
    own_measurement = _first_measurement(api, api.token, {"episode": own_other_episode})
    for supersedes in (colleague_measurement, own_measurement, secrets.token_hex(16)):
        before = counts(api.database)
        found = api.post(
            f"/api/episodes/{world.mine['episode']}/measurements",
            {
                "instrument": "phq9",
                "answers": [0] * 9,
                "taken_on": "2026-12-01",
                "supersedes": supersedes,
            },
        )
        assert found.status_code == 404, found.text
        assert counts(api.database) == before


def _first_measurement(api: Api, token: str, ids: dict[str, str]) -> str:
    found = api.get(f"/api/episodes/{ids['episode']}", token)
    assert found.status_code == 200, found.text
    measurement: str = found.json()["measurements"][0]["id"]
    return measurement


# --- the token and its user ---------------------------------------------------------------


def _every_request(world: World) -> list[tuple[str, str, Any]]:
    return [
        (method, _fill(path, world.mine), BODIES[method, path]())
        for method, path in record_routes(world.api)
    ]


@pytest.mark.parametrize(
    "header",
    [None, "", "Bearer", "Bearer nope", "Basic dXNlcjpwYXNz", "Bearer bh_" + "0" * 40],
)
def test_no_valid_token_is_401_on_every_route(world: World, header: str | None) -> None:
    api = world.api
    before = counts(api.database)
    for method, path, body in _every_request(world):
        headers = {"authorization": header} if header is not None else {}
        found = api.client.request(method, path, json=body, headers=headers)
        assert found.status_code == 401, (method, path, found.text)
        assert found.headers["www-authenticate"] == "Bearer"
        assert found.headers["content-type"] == "application/problem+json"
    assert counts(api.database) == before


def test_a_revoked_token_is_401_on_every_route(world: World) -> None:
    api = world.api
    user = api.clinic.clinician
    [token] = api.clinic.accounts.tokens(user)
    assert api.clinic.accounts.revoke_token(user, token.id)
    before = counts(api.database)
    for method, path, body in _every_request(world):
        assert _send(api, method, path, body).status_code == 401, (method, path)
    assert counts(api.database) == before


def test_an_inactive_users_token_is_401(world: World) -> None:
    api = world.api
    system = api.clinic.actor(api.clinic.admin)
    api.clinic.accounts.set_active(api.clinic.clinician.id, False, system)
    for method, path, body in _every_request(world):
        assert _send(api, method, path, body).status_code == 401, (method, path)


def test_an_admin_who_is_not_a_clinician_sees_no_patient(world: World) -> None:
    api = world.api
    admin_token = api.clinic.accounts.create_token(api.clinic.admin.email, "admin").token
    assert admin_token is not None
    before = counts(api.database)
    for method, path, body in _every_request(world):
        found = _send(api, method, path, body, admin_token)
        assert found.status_code == 404, (method, path, found.text)
        assert found.headers["content-type"] == "application/problem+json"
    assert counts(api.database) == before
