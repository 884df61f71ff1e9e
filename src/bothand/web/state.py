"""The flow's answers, kept only in the person's browser: a signed cookie (nothing is stored on
the server). Signing stops tampering; the cookie is HttpOnly and SameSite=Lax, and also
carries the CSRF token that every form posts back.

Reading validates the cookie as ``FlowAnswers``. A missing, expired, badly signed or
wrongly shaped cookie (an older version's, under a fixed key) reads as a fresh start, so no
page, ``/`` included, can fail on it. The signer's timestamps come from the app's clock.
"""

from __future__ import annotations

import secrets

from fastapi import Request, Response
from itsdangerous import BadData, TimestampSigner, URLSafeTimedSerializer
from pydantic import ValidationError

from bothand.domain.clock import Clock
from bothand.settings import Settings
from bothand.web.flowstate import FlowAnswers

COOKIE = "bothand_flow"
SALT = "bothand.flow"


def signer_for(secret_key: str, clock: Clock) -> URLSafeTimedSerializer:
    """The cookie's serializer, stamping and checking age with ``clock``."""

    class ClockSigner(TimestampSigner):
        def get_timestamp(self) -> int:
            return int(clock.now().timestamp())

    return URLSafeTimedSerializer(secret_key, salt=SALT, signer=ClockSigner)


class FlowCookie:
    """Read and write the flow cookie."""

    def __init__(self, settings: Settings, clock: Clock) -> None:
        self.settings = settings
        self.signer = signer_for(settings.secret_key, clock)

    def read(self, request: Request) -> FlowAnswers:
        raw = request.cookies.get(COOKIE)
        if raw:
            try:
                return FlowAnswers.model_validate(
                    self.signer.loads(raw, max_age=self.settings.flow_max_age_seconds)
                )
            except (BadData, ValidationError, ValueError, RecursionError):
                pass  # unreadable: start afresh (nothing about it is logged)
        return FlowAnswers.fresh()

    def write(self, response: Response, state: FlowAnswers) -> None:
        response.set_cookie(
            COOKIE,
            self.signer.dumps(state.to_cookie()),
            max_age=self.settings.flow_max_age_seconds,
            httponly=True,
            samesite="lax",
            secure=self.settings.secure_cookies,
            path="/",
        )

    def clear(self, response: Response) -> None:
        response.delete_cookie(COOKIE, path="/")

    @staticmethod
    def csrf_ok(state: FlowAnswers, token: object) -> bool:
        return isinstance(token, str) and secrets.compare_digest(
            state.csrf.encode(), token.encode("utf-8", "surrogatepass")
        )
