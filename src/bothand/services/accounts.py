"""Use-case: accounts. Clinics, users, first-run setup, sign-in with server-side sessions,
TOTP, and API tokens. Passwords are hashed with Argon2id (argon2-cffi's defaults, RFC 9106's
second recommended profile); TOTP is RFC 6238 through pyotp, each code usable once.

Sign-in failures are counted per account and per address (both kept only as hashes) and limit
further attempts for a quarter of an hour. Sessions end after 30 minutes idle or 12 hours in
all, whichever is first, and when the person signs out (on the server, not just the cookie).

Nothing here logs a password, a code, a token or an email address.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Literal

import pyotp
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from bothand.domain.clock import Clock
from bothand.domain.errors import BothandError, InputError
from bothand.domain.record import ROLES, Actor, ApiToken, Clinic, Link, Role, User, one_line
from bothand.storage import Database, Store, unit_of_work

HASHER = PasswordHasher()  # Argon2id, t=3, m=64 MiB, p=4
MIN_PASSWORD = 12
IDLE = dt.timedelta(minutes=30)
ABSOLUTE = dt.timedelta(hours=12)
TOUCH_EVERY = dt.timedelta(minutes=1)
FAILURE_WINDOW = dt.timedelta(minutes=15)
MAX_ACCOUNT_FAILURES = 5
MAX_ADDRESS_FAILURES = 20
SETUP_LINK_LIFE = dt.timedelta(hours=24)
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
SYSTEM = Actor("system", "system", "system", None)
# A hash to verify against when the account does not exist, so a wrong email takes as long
# as a wrong password and does not tell which accounts exist.
_DUMMY_HASH = HASHER.hash(secrets.token_urlsafe(16))


class SignInError(BothandError):
    """Sign-in did not succeed. ``reason``: ``wrong`` (email, password or code),
    ``limited`` (too many failures: wait), ``code`` (a TOTP code is needed)."""

    def __init__(self, reason: Literal["wrong", "limited", "code"]) -> None:
        self.reason = reason
        super().__init__(f"sign-in refused: {reason}")


@dataclass(frozen=True)
class SignedIn:
    user: User
    session_id: str  # the cookie's value: only its hash is stored
    csrf: str


@dataclass(frozen=True)
class SessionInfo:
    user: User
    clinic: Clinic
    csrf: str

    @property
    def actor(self) -> Actor:
        return Actor("user", self.user.id, self.user.role, self.user.clinic_id, self.user)


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise InputError("password", f"use at least {MIN_PASSWORD} characters")
    if len(password) > 1024:
        raise InputError("password", "use at most 1024 characters")
    return HASHER.hash(password)


def check_email(email: str) -> str:
    email = one_line(email, "email", 320).lower()
    if not EMAIL.match(email) or len(email) > 320:
        raise InputError("email", "give an email address such as name@clinic.org")
    return email


def check_roles(roles: list[str]) -> frozenset[Role]:
    if not roles:
        raise InputError("role", "give clinician, admin, or both")
    found: set[Role] = set()
    for role in roles:
        if role not in ROLES:
            raise InputError("role", f"'{role}' is not a role; use clinician or admin")
        found.add(role)
    return frozenset(found)


class Accounts:
    def __init__(self, database: Database, clock: Clock) -> None:
        self.database = database
        self.clock = clock

    def _now(self) -> dt.datetime:
        return self.clock.now().astimezone(dt.UTC)

    def _work(self) -> AbstractContextManager[Store]:
        return unit_of_work(self.database, self._now())

    # --- clinics, users, tokens ---------------------------------------------------------

    def create_clinic(self, name: str, actor: Actor = SYSTEM) -> Clinic:
        name = one_line(name, "name", 200)
        if not name:
            raise InputError("name", "give the clinic a name of 1 to 200 characters")
        with self._work() as store:
            clinic = store.add_clinic(name)
            store.audit(
                Actor(actor.kind, actor.id, actor.role, clinic.id, actor.user),
                "clinic.create",
                "clinic",
                clinic.id,
            )
            return clinic

    def add_user(
        self,
        email: str,
        clinic_id: str,
        roles: list[str],
        password: str | None,
        actor: Actor = SYSTEM,
    ) -> User:
        email = check_email(email)
        granted = check_roles(roles)
        hashed = hash_password(password) if password is not None else None
        with self._work() as store:
            if store.clinic(clinic_id) is None or (
                actor.clinic_id is not None and actor.clinic_id != clinic_id
            ):
                raise InputError("clinic", f"no clinic has the id {clinic_id}")
            user = store.add_user(clinic_id, email, granted, hashed)
            store.audit(_in(actor, clinic_id), "user.create", "user", user.id)
            return user

    def set_password(self, user_id: str, password: str, actor: Actor) -> None:
        hashed = hash_password(password)
        with self._work() as store:
            user = store.user(user_id)
            if user is None or (actor.clinic_id is not None and user.clinic_id != actor.clinic_id):
                raise InputError("user", "no such user")
            store.set_password_hash(user_id, hashed)
            store.end_sessions_of(user_id)
            store.audit(_in(actor, user.clinic_id), "user.password", "user", user_id)

    def set_active(self, user_id: str, active: bool, actor: Actor) -> None:
        with self._work() as store:
            user = store.user(user_id)
            if user is None or (actor.clinic_id is not None and user.clinic_id != actor.clinic_id):
                raise InputError("user", "no such user")
            store.set_active(user_id, active)
            if not active:
                store.end_sessions_of(user_id)
            action = "user.activate" if active else "user.deactivate"
            store.audit(_in(actor, user.clinic_id), action, "user", user_id)

    def users(self, actor: Actor) -> list[User]:
        assert actor.clinic_id is not None
        with self._work() as store:
            store.audit(actor, "users.read", "clinic", actor.clinic_id)
            return store.users_of(actor.clinic_id)

    def set_require_totp(self, clinic_id: str, required: bool, actor: Actor) -> None:
        with self._work() as store:
            store.set_require_totp(clinic_id, required)
            store.audit(_in(actor, clinic_id), "clinic.require_totp", "clinic", clinic_id)

    def create_token(self, email: str, name: str, actor: Actor = SYSTEM) -> ApiToken:
        email = check_email(email)
        name = one_line(name, "name", 100) or "API token"
        with self._work() as store:
            user = store.user_by_email(email)
            if user is None or (actor.clinic_id is not None and user.clinic_id != actor.clinic_id):
                raise InputError("email", f"no user has the email {email}")
            token = store.add_token(user.id, name)
            store.audit(_in(actor, user.clinic_id), "token.create", "token", token.id)
            return token

    def revoke_token(self, user: User, token_id: str) -> bool:
        with self._work() as store:
            done = store.revoke_token(user.id, token_id)
            if done:
                store.audit(_actor(user), "token.revoke", "token", token_id)
            return done

    def tokens(self, user: User) -> list[ApiToken]:
        with self._work() as store:
            return store.tokens_of(user.id)

    def token_actor(self, secret: str) -> Actor | None:
        """The actor of a bearer token, or None (unknown, revoked, or its user inactive)."""
        if not secret.startswith("bh_") or len(secret) > 100:
            return None
        with self._work() as store:
            found = store.token_user(secret)
        if found is None or not found[1].active:
            return None
        token, user = found
        return Actor("token", token.id, user.role, user.clinic_id, user)

    # --- first run ----------------------------------------------------------------------

    def setup_link(self) -> Link | None:
        """A new one-time setup link when the database has no clinic yet (older setup links
        stop working); None once a clinic exists."""
        with self._work() as store:
            if store.has_clinic():
                return None
            store.expire_links("setup")
            link = store.add_link("setup", self._now() + SETUP_LINK_LIFE)
            store.audit(SYSTEM, "setup_link.create", "link", link.id)
            return link

    def setup_usable(self, secret: str) -> bool:
        with self._work() as store:
            link = store.link(secret, "setup")
            return link is not None and link.usable(self._now()) and not store.has_clinic()

    def complete_setup(
        self, secret: str, clinic_name: str, email: str, password: str
    ) -> tuple[Clinic, User]:
        """Create the clinic and its first admin (also a clinician) from the setup link."""
        name = one_line(clinic_name, "clinic", 200)
        if not name:
            raise InputError("clinic", "give the clinic a name of 1 to 200 characters")
        email = check_email(email)
        hashed = hash_password(password)
        with self._work() as store:
            link = store.link(secret, "setup")
            now = self._now()
            if link is None or not link.usable(now) or store.has_clinic():
                raise InputError("link", "this setup link has been used or has expired")
            store.use_link(link.id)
            clinic = store.add_clinic(name)
            user = store.add_user(clinic.id, email, frozenset(("admin", "clinician")), hashed)
            actor = Actor("link", link.id, "setup", clinic.id)
            store.audit(actor, "clinic.create", "clinic", clinic.id)
            store.audit(actor, "user.create", "user", user.id)
            return clinic, user

    # --- sign-in and sessions -----------------------------------------------------------

    def sign_in(self, email: str, password: str, address: str, code: str = "") -> SignedIn:
        account_key = "account:" + email.strip().lower()
        address_key = "address:" + address
        refused: Literal["wrong", "limited", "code"] | None = None
        with self._work() as store:
            signed, refused = self._try_sign_in(
                store, email, password, code, account_key, address_key
            )
        if refused == "wrong":
            self._fail(account_key, address_key)  # after the sign-in's transaction ends
        if refused is not None:
            raise SignInError(refused)
        assert signed is not None
        return signed

    def _try_sign_in(
        self,
        store: Store,
        email: str,
        password: str,
        code: str,
        account_key: str,
        address_key: str,
    ) -> tuple[SignedIn | None, Literal["wrong", "limited", "code"] | None]:
        """One attempt, in the caller's transaction; a refusal writes nothing here (the
        caller counts a failure in a transaction of its own, after this one ends)."""
        now = self._now()
        since = now - FAILURE_WINDOW
        if (
            store.failures(account_key, since) >= MAX_ACCOUNT_FAILURES
            or store.failures(address_key, since) >= MAX_ADDRESS_FAILURES
        ):
            return None, "limited"
        user = store.user_by_email(email.strip().lower())
        stored = store.password_hash(user.id) if user is not None else None
        if not _verify(stored or _DUMMY_HASH, password) or user is None or not user.active:
            return None, "wrong"
        secret, _ = store.totp(user.id)
        if secret is not None:
            if not code.strip():
                return None, "code"
            step = _totp_step(secret, code, now)
            if step is None or not store.set_totp_step(user.id, step):
                return None, "wrong"
        if stored is not None and HASHER.check_needs_rehash(stored):
            store.set_password_hash(user.id, HASHER.hash(password))
        store.clear_failures(account_key)
        session_id = secrets.token_urlsafe(32)
        csrf = secrets.token_urlsafe(32)
        store.add_session(session_id, user.id, csrf)
        store.audit(_actor(user), "session.start", "user", user.id)
        return SignedIn(user, session_id, csrf), None

    def _fail(self, *keys: str) -> None:
        with self._work() as store:
            for key in keys:
                store.add_failure(key)

    def session(self, session_id: str) -> SessionInfo | None:
        """The signed-in user of a session still within its idle and absolute limits."""
        if not session_id or len(session_id) > 100:
            return None
        now = self._now()
        with self._work() as store:
            found = store.find_session(session_id)
            if found is None:
                return None
            user_id, csrf, created, seen = found
            user = store.user(user_id)
            if user is None or not user.active or now - seen > IDLE or now - created > ABSOLUTE:
                store.end_session(session_id)
                return None
            if now - seen > TOUCH_EVERY:
                store.touch_session(session_id)
            clinic = store.clinic(user.clinic_id)
            assert clinic is not None
            return SessionInfo(user, clinic, csrf)

    def sign_out(self, session_id: str) -> None:
        with self._work() as store:
            found = store.find_session(session_id)
            store.end_session(session_id)
            if found is not None:
                user = store.user(found[0])
                if user is not None:
                    store.audit(_actor(user), "session.end", "user", user.id)

    # --- TOTP ---------------------------------------------------------------------------

    @staticmethod
    def new_totp_secret() -> str:
        return pyotp.random_base32()

    @staticmethod
    def totp_uri(secret: str, email: str, issuer: str) -> str:
        return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=issuer)

    def enable_totp(self, user: User, secret: str, code: str) -> None:
        step = _totp_step(secret, code, self._now())
        if step is None:
            raise InputError("code", "that code did not match; type the 6 digits shown now")
        with self._work() as store:
            store.set_totp(user.id, secret, step)
            store.audit(_actor(user), "user.totp_enable", "user", user.id)

    def disable_totp(self, user_id: str, actor: Actor) -> None:
        with self._work() as store:
            target = store.user(user_id)
            if target is None or target.clinic_id != actor.clinic_id:
                raise InputError("user", "no such user")
            store.set_totp(user_id, None)
            store.audit(actor, "user.totp_disable", "user", user_id)


def _verify(stored: str, password: str) -> bool:
    try:
        return HASHER.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


def _totp_step(secret: str, code: str, now: dt.datetime) -> int | None:
    """The 30-second step a code belongs to (now, or one step either side), or None."""
    code = code.strip().replace(" ", "")
    if not code.isdigit() or len(code) != 6:
        return None
    totp = pyotp.TOTP(secret)
    for offset in (0, -1, 1):
        moment = now + dt.timedelta(seconds=30 * offset)
        if secrets.compare_digest(totp.at(moment), code):
            return int(moment.timestamp()) // 30
    return None


def _actor(user: User) -> Actor:
    return Actor("user", user.id, user.role, user.clinic_id, user)


def _in(actor: Actor, clinic_id: str) -> Actor:
    """The actor, with the clinic whose record the event belongs to."""
    return Actor(actor.kind, actor.id, actor.role, actor.clinic_id or clinic_id, actor.user)


__all__ = [
    "Accounts",
    "SessionInfo",
    "SignInError",
    "SignedIn",
    "Store",
    "hash_password",
]
