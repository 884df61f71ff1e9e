"""The decision flow's state, kept only in the person's browser: a signed cookie (nothing is
stored on the server unless the person chooses to save it). Signing stops tampering; the
cookie is HttpOnly and SameSite=Lax, and also carries the CSRF token that every form posts back.
"""

from __future__ import annotations

import secrets
from typing import Any

from fastapi import Request, Response
from itsdangerous import BadSignature, URLSafeTimedSerializer

from bothand.web.settings import Settings

COOKIE = "bothand_flow"


class FlowState:
    """Read and write the flow cookie. The state is a small JSON object (answers, choices)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.signer = URLSafeTimedSerializer(settings.secret_key, salt="bothand.flow")

    def read(self, request: Request) -> dict[str, Any]:
        raw = request.cookies.get(COOKIE)
        if raw:
            try:
                data = self.signer.loads(raw, max_age=self.settings.flow_max_age_seconds)
                if isinstance(data, dict) and isinstance(data.get("csrf"), str):
                    return data
            except BadSignature:
                pass
        return {"csrf": secrets.token_urlsafe(24)}

    def write(self, response: Response, state: dict[str, Any]) -> None:
        response.set_cookie(
            COOKIE,
            self.signer.dumps(state),
            max_age=self.settings.flow_max_age_seconds,
            httponly=True,
            samesite="lax",
            secure=self.settings.secure_cookies,
            path="/",
        )

    def clear(self, response: Response) -> None:
        response.delete_cookie(COOKIE, path="/")

    @staticmethod
    def csrf_ok(state: dict[str, Any], token: str | None) -> bool:
        expected = state.get("csrf")
        return (
            isinstance(expected, str)
            and isinstance(token, str)
            and secrets.compare_digest(expected, token)
        )
