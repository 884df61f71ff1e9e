"""Problem details (RFC 9457): the body of every 4xx (and of a bare 500) over HTTP, sent as
``application/problem+json``. ``detail`` is one line that starts with the field it is about;
``field`` repeats that field when the problem is about one."""

from __future__ import annotations

from typing import NotRequired

from typing_extensions import TypedDict


class ProblemDetails(TypedDict):
    type: str
    title: str
    status: int
    detail: str
    field: NotRequired[str]
