"""Accounts: clinics, users, first-run setup, sign-in (Argon2id, rate limits, TOTP), sessions
(idle and absolute limits, sign-out on the server) and API tokens, on SQLite and PostgreSQL."""

from __future__ import annotations

import pyotp
import pytest
from sqlalchemy import text

from bothand.catalog import Catalog
from bothand.domain.errors import InputError
from bothand.services.accounts import Accounts, SignInError
from bothand.storage import Database
from tests.conftest import MovingClock
from tests.record.helpers import PASSWORD, make_clinic


def test_passwords_are_stored_as_argon2id(
    catalog: Catalog, database: Database, clock: MovingClock
) -> None:
    make_clinic(catalog, database, clock)
    with database.engine.connect() as connection:
        hashes = connection.execute(text("SELECT password_hash FROM users")).scalars().all()
    assert hashes and all(h.startswith("$argon2id$") for h in hashes)
    assert not any(PASSWORD in h for h in hashes)


def test_sign_in_gives_a_server_side_session(
    catalog: Catalog, database: Database, clock: MovingClock
) -> None:
    clinic = make_clinic(catalog, database, clock)
    signed = clinic.accounts.sign_in("CLIN-n@example.org ", PASSWORD, "10.0.0.1")
    assert signed.user.id == clinic.clinician.id
    info = clinic.accounts.session(signed.session_id)
    assert info is not None and info.user.id == clinic.clinician.id and info.csrf == signed.csrf
    with database.engine.connect() as connection:
        stored = connection.execute(text("SELECT id_hash FROM sessions")).scalars().all()
    assert signed.session_id not in stored  # only its hash


def test_wrong_password_and_unknown_email_are_refused_alike(
    catalog: Catalog, database: Database, clock: MovingClock
) -> None:
    clinic = make_clinic(catalog, database, clock)
    for email, password in (
        ("clin-n@example.org", "wrong password!"),
        ("nobody@example.org", PASSWORD),
    ):
        with pytest.raises(SignInError) as refused:
            clinic.accounts.sign_in(email, password, "10.0.0.1")
        assert refused.value.reason == "wrong"


def test_failures_limit_an_account_then_the_window_passes(
    catalog: Catalog, database: Database, clock: MovingClock
) -> None:
    clinic = make_clinic(catalog, database, clock)
    for n in range(5):
        with pytest.raises(SignInError):
            clinic.accounts.sign_in("clin-n@example.org", "not it at all", f"10.0.0.{n}")
    with pytest.raises(SignInError) as refused:  # even the right password, from a new address
        clinic.accounts.sign_in("clin-n@example.org", PASSWORD, "10.9.9.9")
    assert refused.value.reason == "limited"
    clock.advance(minutes=16)
    assert clinic.accounts.sign_in("clin-n@example.org", PASSWORD, "10.9.9.9").user.email


def test_failures_limit_an_address_across_accounts(
    catalog: Catalog, database: Database, clock: MovingClock
) -> None:
    clinic = make_clinic(catalog, database, clock)
    for n in range(20):
        with pytest.raises(SignInError):
            clinic.accounts.sign_in(f"guess{n}@example.org", "not it at all", "10.0.0.7")
    with pytest.raises(SignInError) as refused:
        clinic.accounts.sign_in("clin-n@example.org", PASSWORD, "10.0.0.7")
    assert refused.value.reason == "limited"
    assert clinic.accounts.sign_in("clin-n@example.org", PASSWORD, "10.0.0.8")


def test_sessions_end_when_idle_at_the_absolute_limit_and_on_sign_out(
    catalog: Catalog, database: Database, clock: MovingClock
) -> None:
    clinic = make_clinic(catalog, database, clock)
    accounts = clinic.accounts
    idle = accounts.sign_in("clin-n@example.org", PASSWORD, "a")
    clock.advance(minutes=29)
    assert accounts.session(idle.session_id) is not None
    clock.advance(minutes=31)
    assert accounts.session(idle.session_id) is None
    busy = accounts.sign_in("clin-n@example.org", PASSWORD, "a")
    for _ in range(12 * 3 + 1):  # active every 20 minutes, for just over 12 hours
        clock.advance(minutes=20)
        found = accounts.session(busy.session_id)
    assert found is None
    out = accounts.sign_in("clin-n@example.org", PASSWORD, "a")
    accounts.sign_out(out.session_id)
    assert accounts.session(out.session_id) is None


def test_a_deactivated_user_loses_sessions_and_tokens(
    catalog: Catalog, database: Database, clock: MovingClock
) -> None:
    clinic = make_clinic(catalog, database, clock)
    signed = clinic.accounts.sign_in("clin-n@example.org", PASSWORD, "a")
    token = clinic.accounts.create_token("clin-n@example.org", "EHR")
    assert token.token and clinic.accounts.token_actor(token.token) is not None
    clinic.accounts.set_active(clinic.clinician.id, False, clinic.actor(clinic.admin))
    assert clinic.accounts.session(signed.session_id) is None
    assert clinic.accounts.token_actor(token.token) is None


def test_totp_is_needed_once_enabled_and_each_code_works_once(
    catalog: Catalog, database: Database, clock: MovingClock
) -> None:
    clinic = make_clinic(catalog, database, clock)
    accounts = clinic.accounts
    secret = Accounts.new_totp_secret()
    with pytest.raises(InputError, match="code"):
        accounts.enable_totp(
            clinic.clinician,
            secret,
            "000000" if pyotp.TOTP(secret).at(clock.now()) != "000000" else "111111",
        )
    clock.advance(seconds=30)
    accounts.enable_totp(clinic.clinician, secret, pyotp.TOTP(secret).at(clock.now()))
    with pytest.raises(SignInError) as refused:
        accounts.sign_in("clin-n@example.org", PASSWORD, "a")
    assert refused.value.reason == "code"
    clock.advance(seconds=30)
    code = pyotp.TOTP(secret).at(clock.now())
    assert accounts.sign_in("clin-n@example.org", PASSWORD, "a", code).user.totp_enabled
    with pytest.raises(SignInError):  # the same code again: replay
        accounts.sign_in("clin-n@example.org", PASSWORD, "a", code)
    assert "otpauth://totp/" in Accounts.totp_uri(secret, "clin-n@example.org", "North")


def test_tokens_are_shown_once_stored_hashed_and_revocable(
    catalog: Catalog, database: Database, clock: MovingClock
) -> None:
    clinic = make_clinic(catalog, database, clock)
    token = clinic.accounts.create_token("clin-n@example.org", "EHR bridge")
    assert token.token is not None and token.token.startswith("bh_")
    with database.engine.connect() as connection:
        stored = connection.execute(text("SELECT token_hash, name FROM api_tokens")).all()
    assert stored[0][1] == "EHR bridge" and token.token not in stored[0][0]
    assert all(t.token is None for t in clinic.accounts.tokens(clinic.clinician))
    actor = clinic.accounts.token_actor(token.token)
    assert actor is not None and actor.user is not None and actor.user.id == clinic.clinician.id
    assert clinic.accounts.revoke_token(clinic.clinician, token.id)
    assert clinic.accounts.token_actor(token.token) is None
    assert clinic.accounts.token_actor("bh_" + "x" * 43) is None


def test_setup_link_creates_the_clinic_and_its_first_admin_once(
    catalog: Catalog, database: Database, clock: MovingClock
) -> None:
    accounts = Accounts(database, clock)
    first = accounts.setup_link()
    second = accounts.setup_link()
    assert first is not None and second is not None and first.token and second.token
    assert not accounts.setup_usable(first.token)  # a new link retires the old one
    clinic, admin = accounts.complete_setup(
        second.token, "South Clinic", "boss@example.org", PASSWORD
    )
    assert admin.is_admin and admin.is_clinician and clinic.name == "South Clinic"
    assert accounts.setup_link() is None
    with pytest.raises(InputError, match="link"):
        accounts.complete_setup(second.token, "Again", "x@example.org", PASSWORD)


def test_setup_link_expires(catalog: Catalog, database: Database, clock: MovingClock) -> None:
    accounts = Accounts(database, clock)
    link = accounts.setup_link()
    assert link is not None and link.token is not None
    clock.advance(hours=25)
    assert not accounts.setup_usable(link.token)


@pytest.mark.parametrize(
    ("email", "roles", "password", "field"),
    [
        ("not-an-email", ["clinician"], PASSWORD, "email"),
        ("a@example.org", ["nurse"], PASSWORD, "role"),
        ("a@example.org", [], PASSWORD, "role"),
        ("a@example.org", ["clinician"], "short", "password"),
    ],
)
def test_bad_user_input_names_the_field(
    catalog: Catalog,
    database: Database,
    clock: MovingClock,
    email: str,
    roles: list[str],
    password: str,
    field: str,
) -> None:
    clinic = make_clinic(catalog, database, clock)
    with pytest.raises(InputError) as error:
        clinic.accounts.add_user(email, clinic.clinic_id, roles, password)
    assert error.value.field == field


def test_an_email_has_one_account(catalog: Catalog, database: Database, clock: MovingClock) -> None:
    clinic = make_clinic(catalog, database, clock)
    with pytest.raises(InputError, match="already has an account"):
        clinic.accounts.add_user("CLIN-n@example.org", clinic.clinic_id, ["clinician"], PASSWORD)
    with database.engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM users")).scalar() == 2


def test_text_a_database_cannot_hold_is_refused_not_an_error(
    catalog: Catalog, database: Database, clock: MovingClock
) -> None:
    clinic = make_clinic(catalog, database, clock)
    with pytest.raises(SignInError) as refused:
        clinic.accounts.sign_in("clin-n\x00@example.org", PASSWORD, "10.0.0.1")
    assert refused.value.reason == "wrong"
    with pytest.raises(InputError, match="name"):
        clinic.accounts.create_clinic("North\x00")
    assert not clinic.accounts.revoke_token(clinic.clinician, "t\x00")
