"""The clinician's pages (routes/clinic.py) on the real app, bound to each test database
(SQLite and PostgreSQL) and a clock the test moves: setup link, sign-in (ok, wrong, limited,
TOTP), session idle timeout and sign-out, CSRF, caseload, patients, measurements with a risk
answer, admin-only pages, and 404 for every id another clinic owns."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

import pyotp
import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from starlette.routing import BaseRoute

from bothand.catalog import Catalog
from bothand.services.accounts import Accounts
from bothand.settings import Settings
from bothand.storage import Database
from bothand.web.app import create_app
from bothand.web.deps import SESSION_COOKIE
from tests.conftest import MovingClock
from tests.record.helpers import PASSWORD, PHQ9_MODERATE, PHQ9_RISK, Clinic, case, make_clinic

MAX_PAGE_BYTES = 100_000
CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def _app(catalog: Catalog, clock: MovingClock, database: Database, **settings: Any) -> FastAPI:
    return create_app(Settings(secret_key="t" * 40, **settings), catalog, clock, database)


def csrf_of(html: str) -> str:
    found = CSRF.search(html)
    assert found, "the page has no form with a CSRF token"
    return found.group(1)


def sign_in(
    client: TestClient, email: str, password: str = PASSWORD, code: str = "", next_: str = ""
) -> Any:  # the test client's response
    page = client.get("/clinic/sign-in")
    assert page.status_code == 200
    data = {"csrf": csrf_of(page.text), "email": email, "password": password, "code": code}
    if next_:
        data["next"] = next_
    return client.post("/clinic/sign-in", data=data, follow_redirects=False)


@dataclass
class World:
    app: FastAPI
    client: TestClient
    north: Clinic
    south: Clinic
    clock: MovingClock

    def signed_in(self, email: str) -> str:
        """Sign ``self.client`` in; the session's CSRF token."""
        response = sign_in(self.client, email)
        assert response.status_code == 303
        return csrf_of(self.client.get("/clinic").text)


@pytest.fixture
def world(catalog: Catalog, database: Database, clock: MovingClock) -> World:
    north = make_clinic(catalog, database, clock, "North", "n")
    south = make_clinic(catalog, database, clock, "South", "s")
    app = _app(catalog, clock, database)
    return World(app, TestClient(app), north, south, clock)


def _patient_with_episode(
    clinic: Clinic, reference: str, answers: list[int] | None = None
) -> tuple[str, str]:
    patient = clinic.record.add_patient(clinic.me, reference, "Europe/London", "en-GB")
    episode = clinic.record.create_episode(clinic.me, patient.id, case(answers), None, None)
    return patient.id, episode.id


# --- first run ---------------------------------------------------------------------------


def test_setup_link_creates_the_clinic_and_signs_the_admin_in(
    catalog: Catalog, database: Database, clock: MovingClock
) -> None:
    accounts = Accounts(database, clock)
    link = accounts.setup_link()
    assert link is not None and link.token
    client = TestClient(_app(catalog, clock, database))
    page = client.get(f"/setup/{link.token}")
    assert page.status_code == 200
    form = {"clinic": "Riverside", "email": "first@example.org", "password": PASSWORD}
    refused = client.post(f"/setup/{link.token}", data=form, follow_redirects=False)
    assert refused.status_code == 403
    assert accounts.setup_usable(link.token)  # nothing written
    short = client.post(
        f"/setup/{link.token}",
        data={**form, "password": "short", "csrf": csrf_of(page.text)},
        follow_redirects=False,
    )
    assert short.status_code == 422 and 'id="f-password-error"' in short.text
    done = client.post(
        f"/setup/{link.token}", data={**form, "csrf": csrf_of(page.text)}, follow_redirects=False
    )
    assert done.status_code == 303 and done.headers["location"] == "/clinic"
    assert SESSION_COOKIE in done.cookies
    home = client.get("/clinic")
    assert home.status_code == 200 and "Riverside" in home.text and "first@example.org" in home.text
    assert 'href="/clinic/users"' in home.text  # the first user is an admin
    again = client.get(f"/setup/{link.token}")
    assert again.status_code == 404
    assert catalog.labels["clinic.setup.gone_title"] in again.text


# --- sign-in and sessions ----------------------------------------------------------------


def test_sign_in_sets_a_safe_cookie_and_honours_only_clinic_paths(world: World) -> None:
    email = world.north.clinician.email
    ok = sign_in(world.client, email, next_="/clinic/patients/new")
    assert ok.status_code == 303
    assert ok.headers["location"] == "/clinic/patients/new"
    cookie = ok.headers["set-cookie"].lower()
    assert f"{SESSION_COOKIE}=" in cookie and "httponly" in cookie
    assert "samesite=lax" in cookie and "path=/" in cookie and "secure" not in cookie
    for hostile in (
        "https://evil.example/clinic",
        "//evil.example/clinic",
        "/clinic\\@evil",
        "/learn",
    ):
        other = TestClient(world.app)
        moved = sign_in(other, email, next_=hostile)
        assert moved.headers["location"] == "/clinic", hostile


def test_secure_cookie_when_configured(
    catalog: Catalog, database: Database, clock: MovingClock
) -> None:
    north = make_clinic(catalog, database, clock)
    client = TestClient(
        _app(catalog, clock, database, secure_cookies=True), base_url="https://testserver"
    )
    response = sign_in(client, north.clinician.email)
    assert "secure" in response.headers["set-cookie"].lower()


def test_wrong_email_and_wrong_password_read_the_same_then_limited(
    world: World, catalog: Catalog
) -> None:
    wrong = catalog.labels["clinic.sign_in.wrong"]
    bad_password = sign_in(world.client, world.north.clinician.email, "not the password at all")
    bad_email = sign_in(world.client, "nobody@example.org", PASSWORD)
    for response in (bad_password, bad_email):
        assert response.status_code == 401 and wrong in response.text
        assert SESSION_COOKIE not in response.cookies
    for _ in range(4):
        sign_in(world.client, world.north.clinician.email, "still not the password")
    limited = sign_in(world.client, world.north.clinician.email, PASSWORD)
    assert limited.status_code == 429
    assert catalog.labels["clinic.sign_in.limited"] in limited.text
    world.clock.advance(minutes=16)
    assert sign_in(world.client, world.north.clinician.email).status_code == 303


def test_sign_in_asks_for_the_code_when_totp_is_on(world: World, catalog: Catalog) -> None:
    secret = pyotp.random_base32()
    user = world.north.clinician
    world.north.accounts.enable_totp(user, secret, pyotp.TOTP(secret).at(world.clock.now()))
    world.clock.advance(seconds=90)  # a code is good once: the next sign-in uses a new one
    asked = sign_in(world.client, user.email)
    assert asked.status_code == 401
    assert catalog.labels["clinic.sign_in.code"] in asked.text
    assert 'aria-invalid="true"' in asked.text
    wrong = sign_in(
        world.client,
        user.email,
        code="000000" if pyotp.TOTP(secret).at(world.clock.now()) != "000000" else "111111",
    )
    assert wrong.status_code == 401
    ok = sign_in(world.client, user.email, code=pyotp.TOTP(secret).at(world.clock.now()))
    assert ok.status_code == 303


def test_required_totp_sends_the_user_to_set_it_up(world: World) -> None:
    admin = world.north.admin
    world.north.accounts.set_require_totp(world.north.clinic_id, True, world.north.actor(admin))
    sign_in(world.client, admin.email)
    moved = world.client.get("/clinic/users", follow_redirects=False)
    assert moved.status_code == 303 and moved.headers["location"] == "/clinic/account/totp"
    page = world.client.get("/clinic/account/totp")
    secret = re.search(r'name="secret" value="([A-Z2-7]+)"', page.text)
    assert secret is not None
    done = world.client.post(
        "/clinic/account/totp",
        data={
            "csrf": csrf_of(page.text),
            "secret": secret.group(1),
            "code": pyotp.TOTP(secret.group(1)).at(world.clock.now()),
        },
        follow_redirects=False,
    )
    assert done.status_code == 303
    assert world.client.get("/clinic/users").status_code == 200


def test_idle_session_ends_after_30_minutes(world: World) -> None:
    world.signed_in(world.north.clinician.email)
    world.clock.advance(minutes=29)
    assert world.client.get("/clinic").status_code == 200  # activity keeps it alive
    world.clock.advance(minutes=31)
    gone = world.client.get("/clinic/patients/new", follow_redirects=False)
    assert gone.status_code == 303
    assert gone.headers["location"] == "/clinic/sign-in?next=/clinic/patients/new"


def test_sign_out_ends_the_session_on_the_server(world: World) -> None:
    csrf = world.signed_in(world.north.clinician.email)
    old = world.client.cookies[SESSION_COOKIE]
    out = world.client.post("/clinic/sign-out", data={"csrf": csrf}, follow_redirects=False)
    assert out.status_code == 303 and out.headers["location"] == "/clinic/sign-in"
    replay = TestClient(world.app, cookies={SESSION_COOKIE: old})
    assert replay.get("/clinic", follow_redirects=False).status_code == 303


def test_forms_without_csrf_are_refused_and_write_nothing(world: World) -> None:
    csrf = world.signed_in(world.north.clinician.email)
    form = {"reference": "R-9", "timezone": "Europe/London", "locale": "en-GB"}
    for token in (None, "wrong"):
        data = form if token is None else {**form, "csrf": token}
        refused = world.client.post("/clinic/patients/new", data=data, follow_redirects=False)
        assert refused.status_code == 403
    assert world.north.record.caseload(world.north.me) == []
    no_token = world.client.post("/clinic/sign-out", data={}, follow_redirects=False)
    assert no_token.status_code == 403
    assert world.client.get("/clinic").status_code == 200  # still signed in
    page = TestClient(world.app).post(
        "/clinic/sign-in",
        data={"email": world.north.clinician.email, "password": PASSWORD},
        follow_redirects=False,
    )
    assert page.status_code == 403
    assert csrf  # the session's token was there to use


# --- caseload, patients, measurements ----------------------------------------------------


def test_caseload_shows_only_own_patients(world: World) -> None:
    north, south = world.north, world.south
    north.record.add_patient(north.me, "MINE-1", "Europe/London")
    colleague = north.accounts.add_user(
        "other-n@example.org", north.clinic_id, ["clinician"], PASSWORD
    )
    north.record.add_patient(north.actor(colleague), "THEIRS-2", "Europe/London")
    south.record.add_patient(south.me, "SOUTH-3", "Europe/London")
    world.signed_in(north.clinician.email)
    page = world.client.get("/clinic")
    assert "MINE-1" in page.text
    assert "THEIRS-2" not in page.text and "SOUTH-3" not in page.text


def test_admin_without_clinician_role_gets_a_note(world: World, catalog: Catalog) -> None:
    world.signed_in(world.north.admin.email)
    page = world.client.get("/clinic")
    assert page.status_code == 200
    assert catalog.labels["clinic.caseload.not_clinician"] in page.text


def test_add_patient_shows_errors_beside_the_field(world: World) -> None:
    csrf = world.signed_in(world.north.clinician.email)
    form = world.client.get("/clinic/patients/new")
    assert 'value="UTC"' in form.text  # the clinic's zone by default (settings.time_zone)
    bad = world.client.post(
        "/clinic/patients/new",
        data={"csrf": csrf, "reference": "R-1", "timezone": "Mars/Base", "locale": "en-GB"},
    )
    assert bad.status_code == 422
    assert 'id="f-timezone-error"' in bad.text and "Mars/Base" in bad.text
    assert world.north.record.caseload(world.north.me) == []
    good = world.client.post(
        "/clinic/patients/new",
        data={"csrf": csrf, "reference": "R-1", "timezone": "Europe/London", "locale": "en-GB"},
        follow_redirects=False,
    )
    assert good.status_code == 303
    assert good.headers["location"].startswith("/clinic/patients/")


def test_measurement_with_a_risk_answer_flags_the_patient(world: World, catalog: Catalog) -> None:
    north = world.north
    calm_id, _ = _patient_with_episode(north, "AAA-CALM")
    patient_id, episode_id = _patient_with_episode(north, "ZZZ-RISK")
    csrf = world.signed_in(north.clinician.email)
    chooser = world.client.get(f"/clinic/episodes/{episode_id}/measurements/new")
    assert chooser.status_code == 200
    assert chooser.text.index('value="phq9"') < chooser.text.index(
        'value="gad7"'
    )  # the episode's own first
    form = world.client.get(f"/clinic/episodes/{episode_id}/measurements/new?instrument=phq9")
    phq9 = catalog.instruments["phq9"]
    for item in phq9.items:  # the official wording, word for word
        assert str(item.text).replace("'", "&#39;") in form.text
    data: dict[str, str] = {"csrf": csrf, "instrument": "phq9", "taken_on": "2026-12-01"}
    missing = dict(data, **{f"phq9.item{n}": str(v) for n, v in enumerate(PHQ9_RISK[:8], 1)})
    refused = world.client.post(f"/clinic/episodes/{episode_id}/measurements/new", data=missing)
    assert refused.status_code == 422 and 'id="phq9-item9-error"' in refused.text
    data.update({f"phq9.item{n}": str(v) for n, v in enumerate(PHQ9_RISK, 1)})
    saved = world.client.post(
        f"/clinic/episodes/{episode_id}/measurements/new", data=data, follow_redirects=False
    )
    assert saved.status_code == 303
    page = world.client.get(saved.headers["location"])
    risk = catalog.labels["clinic.risk.title"]
    assert risk in page.text and catalog.labels["clinic.risk.review_today"] in page.text
    assert page.text.index(risk) < page.text.index("<h1")  # crisis help first
    assert catalog.labels["clinic.risk.just_saved"] in page.text
    assert catalog.labels["clinic.flag.critical"] in page.text
    later = world.client.get(f"/clinic/patients/{patient_id}")
    assert risk in later.text  # the alert stays
    caseload = world.client.get("/clinic").text
    assert caseload.index("ZZZ-RISK") < caseload.index("AAA-CALM")  # flagged patients first
    assert catalog.labels["clinic.flag.critical"] in caseload
    calm = world.client.get(f"/clinic/patients/{calm_id}")
    assert risk not in calm.text


def test_correcting_a_measurement_marks_both(world: World, catalog: Catalog) -> None:
    north = world.north
    patient_id, episode_id = _patient_with_episode(north, "P-1", PHQ9_MODERATE)
    csrf = world.signed_in(north.clinician.email)
    page = world.client.get(f"/clinic/patients/{patient_id}").text
    link = re.search(r'href="(/clinic/episodes/[^"]+supersedes=[^"]+)"', page)
    assert link is not None
    form = world.client.get(link.group(1).replace("&amp;", "&"))
    assert 'name="supersedes"' in form.text and catalog.instruments["phq9"].short_name in form.text
    supersedes = re.search(r'name="supersedes" value="([^"]+)"', form.text)
    assert supersedes is not None
    data = {
        "csrf": csrf,
        "instrument": "phq9",
        "taken_on": "2026-12-01",
        "supersedes": supersedes.group(1),
    }
    data.update({f"phq9.item{n}": "0" for n in range(1, 10)})
    done = world.client.post(
        f"/clinic/episodes/{episode_id}/measurements/new", data=data, follow_redirects=False
    )
    assert done.status_code == 303
    after = world.client.get(f"/clinic/patients/{patient_id}").text
    assert catalog.labels["clinic.measure.superseded"] in after
    assert catalog.labels["clinic.measure.corrected"] in after


def test_invitation_and_check_in_links_are_absolute_with_a_named_qr(
    catalog: Catalog, database: Database, clock: MovingClock
) -> None:
    north = make_clinic(catalog, database, clock)
    patient_id, episode_id = _patient_with_episode(north, "P-1")
    app = _app(catalog, clock, database, public_url="https://bothand.example.org")
    client = TestClient(app)
    assert sign_in(client, north.clinician.email).status_code == 303
    csrf = csrf_of(client.get("/clinic").text)
    invite = client.post(f"/clinic/patients/{patient_id}/invite", data={"csrf": csrf})
    assert invite.status_code == 200
    assert 'value="https://bothand.example.org/invite/' in invite.text
    assert re.search(r'<svg role="img" aria-labelledby="qr-title"', invite.text)
    assert f'<title id="qr-title">{catalog.labels["clinic.link.qr_invite"]}</title>' in invite.text
    check_in = client.post(f"/clinic/episodes/{episode_id}/check-in", data={"csrf": csrf})
    assert check_in.status_code == 200
    assert 'value="https://bothand.example.org/check-in/' in check_in.text
    without = TestClient(_app(catalog, clock, database))
    sign_in(without, north.clinician.email)
    token = csrf_of(without.get("/clinic").text)
    base = without.post(f"/clinic/patients/{patient_id}/invite", data={"csrf": token})
    assert 'value="http://testserver/invite/' in base.text


def test_in_session_episode_from_the_patient_page(world: World) -> None:
    north = world.north
    patient = north.record.add_patient(north.me, "P-1", "Europe/London")
    csrf = world.signed_in(north.clinician.email)
    made = world.client.post(
        f"/clinic/patients/{patient.id}/episodes",
        data={"csrf": csrf, "condition": "depression"},
        follow_redirects=False,
    )
    assert made.status_code == 303
    record = north.record.patient(north.me, patient.id)
    assert len(record.episodes) == 1 and record.episodes[0].source == "in_session"
    bad = world.client.post(
        f"/clinic/patients/{patient.id}/episodes", data={"csrf": csrf, "condition": "nope"}
    )
    assert bad.status_code == 422


# --- every page ----------------------------------------------------------------------------


def test_every_page_renders_small_with_the_clinic_header(world: World) -> None:
    north = world.north
    both = north.accounts.add_user(
        "both-n@example.org", north.clinic_id, ["clinician", "admin"], PASSWORD
    )
    patient = north.record.add_patient(north.actor(both), "P-1", "Europe/London")
    episode = north.record.create_episode(
        north.actor(both), patient.id, case(PHQ9_RISK), "therapy", world.clock.today()
    )
    csrf = world.signed_in(both.email)
    world.client.post("/clinic/account/tokens", data={"csrf": csrf, "name": "script"})
    pages = [
        "/clinic",
        "/clinic/patients/new",
        f"/clinic/patients/{patient.id}",
        f"/clinic/episodes/{episode.id}/measurements/new",
        f"/clinic/episodes/{episode.id}/measurements/new?instrument=pcl5",
        "/clinic/users",
        "/clinic/audit",
        f"/clinic/audit?patient={patient.id}",
        "/clinic/account/totp",
        "/clinic/account/tokens",
    ]
    for url in pages:
        page = world.client.get(url)
        assert page.status_code == 200, url
        assert len(page.content) < MAX_PAGE_BYTES, url
        assert "clinic-nav" in page.text and "North" in page.text, url
        assert 'action="/clinic/sign-out"' in page.text, url
        assert "<script" not in page.text and "style=" not in page.text, url
    for url in (f"/clinic/patients/{patient.id}/invite", f"/clinic/episodes/{episode.id}/check-in"):
        page = world.client.post(url, data={"csrf": csrf})
        assert page.status_code == 200 and len(page.content) < MAX_PAGE_BYTES, url
        assert "<script" not in page.text and "style=" not in page.text, url
    patient_page = world.client.get(f"/clinic/patients/{patient.id}").text
    assert "Talking therapy" in patient_page  # the chosen option, its plan and the options
    assert str(world.clock.today()) in patient_page
    audit = world.client.get("/clinic/audit").text
    assert "patient.read" in audit and "measurement.create" in audit
    assert "both-n@example.org" not in audit.split("<main")[1]  # ids, not emails


def test_admin_pages_are_forbidden_to_a_clinician(world: World) -> None:
    csrf = world.signed_in(world.north.clinician.email)
    assert world.client.get("/clinic/users").status_code == 403
    assert world.client.get("/clinic/audit").status_code == 403
    added = world.client.post(
        "/clinic/users",
        data={"csrf": csrf, "email": "new@example.org", "roles": "clinician", "password": PASSWORD},
    )
    assert added.status_code == 403
    assert (
        world.client.post(
            "/clinic/users/require-totp", data={"csrf": csrf, "required": "yes"}
        ).status_code
        == 403
    )
    users = world.north.accounts.users(world.north.actor(world.north.admin))
    assert "new@example.org" not in {u.email for u in users}


def test_admin_adds_and_turns_off_users(world: World) -> None:
    csrf = world.signed_in(world.north.admin.email)
    bad = world.client.post(
        "/clinic/users", data={"csrf": csrf, "email": "new@example.org", "password": PASSWORD}
    )
    assert bad.status_code == 422 and "has-error" in bad.text
    added = world.client.post(
        "/clinic/users",
        data={"csrf": csrf, "email": "new@example.org", "roles": "clinician", "password": PASSWORD},
        follow_redirects=False,
    )
    assert added.status_code == 303
    target = world.north.clinician
    off = world.client.post(
        f"/clinic/users/{target.id}/active",
        data={"csrf": csrf, "active": "no"},
        follow_redirects=False,
    )
    assert off.status_code == 303
    assert sign_in(TestClient(world.app), target.email).status_code == 401
    listing = world.client.get("/clinic/users").text
    assert "new@example.org" in listing


def test_tokens_are_shown_once_and_revoked(world: World) -> None:
    csrf = world.signed_in(world.north.clinician.email)
    made = world.client.post("/clinic/account/tokens", data={"csrf": csrf, "name": "script"})
    token = re.search(r'value="(bh_[^"]+)"', made.text)
    assert token is not None
    assert world.north.accounts.token_actor(token.group(1)) is not None
    again = world.client.get("/clinic/account/tokens").text
    assert token.group(1) not in again
    token_id = world.north.accounts.tokens(world.north.clinician)[0].id
    gone = world.client.post(
        f"/clinic/account/tokens/{token_id}/revoke", data={"csrf": csrf}, follow_redirects=False
    )
    assert gone.status_code == 303
    assert world.north.accounts.token_actor(token.group(1)) is None


def _all_routes(app: FastAPI) -> list[BaseRoute]:
    """The app's routes, those of included routers too (newer FastAPI wraps each included
    router in one entry, with the router as ``original_router``)."""
    found: list[BaseRoute] = []
    for route in app.routes:
        inner = getattr(route, "original_router", None)
        found.extend(inner.routes if inner is not None else [route])
    return found


def test_every_clinic_route_with_an_id_is_404_for_another_clinics_record(world: World) -> None:
    south = world.south
    patient_id, episode_id = _patient_with_episode(south, "S-1")
    token = south.accounts.create_token(south.clinician.email, "theirs")
    _patient_with_episode(south, "S-2", PHQ9_RISK)
    [(alert, _)] = south.record.alerts(south.me)
    foreign = {
        "alert_id": alert.id,
        "patient_id": patient_id,
        "episode_id": episode_id,
        "user_id": south.clinician.id,
        "token_id": token.id,
    }
    both = world.north.accounts.add_user(
        "both-n@example.org", world.north.clinic_id, ["clinician", "admin"], PASSWORD
    )
    csrf = world.signed_in(both.email)
    checked = 0
    for route in _all_routes(world.app):
        if not isinstance(route, APIRoute) or not route.path.startswith("/clinic"):
            continue
        names = re.findall(r"\{(\w+)\}", route.path)
        if not names:
            continue
        unknown = [name for name in names if name not in foreign]
        assert not unknown, f"{route.path}: give this test a foreign {unknown}"
        url = route.path
        for name in names:
            url = url.replace("{" + name + "}", foreign[name])
        for method in sorted((route.methods or set()) - {"HEAD"}):
            data = (
                {"csrf": csrf, "active": "no", "condition": "depression"}
                if method == "POST"
                else None
            )
            response = world.client.request(method, url, data=data, follow_redirects=False)
            assert response.status_code == 404, f"{method} {url}: {response.status_code}"
            checked += 1
    assert checked >= 8
    # the audit filter with another clinic's patient is a 404 too
    assert world.client.get(f"/clinic/audit?patient={patient_id}").status_code == 404
    # and a supersedes of another clinic's measurement
    mine = world.north.record.add_patient(world.north.actor(both), "N-1", "Europe/London")
    own_episode = world.north.record.create_episode(
        world.north.actor(both), mine.id, case(), None, None
    ).id
    south_measurement = south.record.patient(south.me, patient_id).episodes[0].measurements[0].id
    url = f"/clinic/episodes/{own_episode}/measurements/new?supersedes={south_measurement}"
    assert world.client.get(url).status_code == 404


def test_going_through_it_together_opens_the_flow_for_this_patient_here(world: World) -> None:
    token = world.signed_in("clin-n@example.org")
    patient = world.north.record.add_patient(world.north.me, "T-1", "Europe/London", "en-GB")
    page = world.client.get(f"/clinic/patients/{patient.id}")
    assert 'action="/clinic/patients/' + patient.id + '/together"' in page.text
    moved = world.client.post(
        f"/clinic/patients/{patient.id}/together", data={"csrf": token}, follow_redirects=False
    )
    assert moved.status_code == 303 and moved.headers["location"].startswith("/invite/")
    welcome = world.client.get(moved.headers["location"])
    assert welcome.status_code == 200
    assert world.north.record.invitation(moved.headers["location"].split("/")[-1]) is not None
    refused = world.client.post(f"/clinic/patients/{patient.id}/together", data={"csrf": "x"})
    assert refused.status_code == 403


def test_the_plan_shows_each_review_points_status_in_words_and_a_shape(world: World) -> None:
    north = world.north
    world.clock.at = dt.datetime(2026, 11, 15, 14, tzinfo=dt.UTC)  # made before the start
    patient = north.record.add_patient(north.me, "P-plan", "America/New_York")
    episode = north.record.create_episode(
        north.me, patient.id, case(), "therapy", dt.date(2026, 12, 1)
    )
    world.clock.at = dt.datetime(2026, 12, 10, 15, tzinfo=dt.UTC)
    north.record.record(north.me, episode.id, "phq9", PHQ9_MODERATE, dt.date(2026, 12, 10))
    world.clock.at = dt.datetime(2027, 1, 1, 3, tzinfo=dt.UTC)  # 31 December in New York
    world.signed_in(north.clinician.email)
    page = world.client.get(f"/clinic/patients/{patient.id}")
    assert page.status_code == 200
    plan = page.text.split('<ol class="milestones">')[1].split("</ol>")[0]
    statuses = re.findall(r'class="review-status review-(\w+)"><span aria-hidden="true">', plan)
    assert statuses == [  # therapy from 1 December, in the plan's order
        "overdue",  # the baseline on the start day: the scores were taken before it
        "done",  # scores at each session: one on 10 December
        "done",  # therapy starts (1 to 15 December)
        "due",  # is it helping? (29 December to 12 January)
        "upcoming",
        "upcoming",
        "upcoming",
    ]
    for words in ("Overdue", "Done", "Due now", "Coming up"):
        assert words in plan
    assert "<script" not in page.text and "style=" not in page.text
