"""Security on every response, as plain ASGI middleware (cheap, and it also covers errors):

- redirects: always to a path, never to an absolute URL built from the Host header;
- headers: a strict Content-Security-Policy (no inline script or style), nosniff, no referrer,
  no framing, and ``Cache-Control: no-store`` on everything but static files, so a person's
  answers are never kept in a shared cache;
- a request body limit: a declared or streamed body over the limit gets 413 problem details
  before any handler reads it.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from starlette.requests import ClientDisconnect

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "frame-ancestors 'none'; form-action 'self'"
)
HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=(), interest-cohort=()"),
]


log = logging.getLogger("bothand.web")


class SecurityHeaders:
    """The headers above on every response, and the last line of defence: a bug below is
    logged as its exception type and a request id (never the body, the answers or the query)
    and answered with a 500 that carries the same id in ``X-Request-ID``: an HTML page for a
    person (``error_page``), problem details for the API and other clients."""

    def __init__(
        self,
        app: ASGIApp,
        static_prefix: str = "/static/",
        error_page: Callable[[], bytes] | None = None,
    ) -> None:
        self.app = app
        self.static_prefix = static_prefix
        self.error_page = error_page

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        static = str(scope.get("path", "")).startswith(self.static_prefix)
        started = False

        async def send_with_headers(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                headers = [
                    (name, _relative(value) if name.lower() == b"location" else value)
                    for name, value in message.get("headers", [])
                    if name.lower() != b"cache-control" or static
                ]
                headers += HEADERS
                if not static:
                    headers.append((b"cache-control", b"no-store"))
                message["headers"] = headers
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        except ClientDisconnect:
            # The client went away while its body was read (a closed tab, a load tester
            # stopping): not a bug, and there is no one left to answer.
            log.info("client disconnected before its request was read")
            return
        except Exception as error:
            # A bug below: log its type and an id (the exception's message could quote an
            # answer, so it is never logged), and answer like every other response.
            request_id = uuid.uuid4().hex
            log.error("internal error %s request_id=%s", type(error).__name__, request_id)
            if started:
                return  # the response is half sent: the client sees it cut short
            extra = [(b"x-request-id", request_id.encode())]
            if self.error_page is not None and _wants_page(scope):
                body = self.error_page()
                await send_with_headers(
                    {
                        "type": "http.response.start",
                        "status": 500,
                        "headers": [
                            (b"content-type", b"text/html; charset=utf-8"),
                            (b"content-length", str(len(body)).encode()),
                            *extra,
                        ],
                    }
                )
                await send_with_headers({"type": "http.response.body", "body": body})
                return
            await _problem(
                send_with_headers,
                500,
                "Internal error",
                "something went wrong; nothing was saved",
                headers=extra,
            )


def _relative(location: bytes) -> bytes:
    """A redirect within the app as a path: an absolute URL would echo the request's Host
    header (Starlette builds one when it adds a missing slash), which a forged Host turns
    into a redirect to another site. The app never redirects to another site."""
    if b"://" not in location:
        return location
    path = location.split(b"://", 1)[1].partition(b"/")
    return b"/" + path[2] if path[1] else b"/"


def _wants_page(scope: Scope) -> bool:
    """A person's browser (an HTML page was asked for, outside the API)."""
    if str(scope.get("path", "")).startswith("/api/"):
        return False
    accept = next((v for k, v in scope.get("headers", []) if k == b"accept"), b"")
    return b"text/html" in accept


class BodyLimit:
    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for name, value in scope.get("headers", []):
            if name == b"content-length" and (not value.isdigit() or int(value) > self.max_bytes):
                await _too_large(send, self.max_bytes)
                return
        seen = 0

        async def limited_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    raise _BodyTooLargeError
            return message

        try:
            await self.app(scope, limited_receive, send)
        except _BodyTooLargeError:
            await _too_large(send, self.max_bytes)


class _BodyTooLargeError(Exception):
    pass


async def _too_large(send: Send, limit: int) -> None:
    await _problem(
        send, 413, "Too large", f"(body): larger than the limit of {limit} bytes", "(body)"
    )


async def _problem(
    send: Send,
    status: int,
    title: str,
    detail: str,
    field: str | None = None,
    headers: list[tuple[bytes, bytes]] | None = None,
) -> None:
    content = {"type": "about:blank", "title": title, "status": status, "detail": detail}
    if field is not None:
        content["field"] = field
    body = json.dumps(content).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/problem+json"),
                (b"content-length", str(len(body)).encode()),
                *(headers or []),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
