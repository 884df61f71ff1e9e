"""Calendar dates at the edge: the one rule for a plan's start date, shared by the JSON API
and the web pages. A start outside FIRST_DAY..LAST_DAY is a typo (and near year 9999 it would
overflow the plan's date arithmetic), so it is refused, naming the field."""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated

from pydantic import BeforeValidator, WithJsonSchema

from bothand.domain.errors import InputError

FIRST_DAY = dt.date(2000, 1, 1)
LAST_DAY = dt.date(2100, 12, 31)
# ASCII digits only: ``\d`` would also take "²" or "٣", and ``$`` a trailing newline.
_ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def parse_day(text: object, field: str) -> dt.date:
    """A date written ``YYYY-MM-DD`` between FIRST_DAY and LAST_DAY, or an InputError naming
    ``field``. Only a string is a date here: not a number of seconds, not a date-time."""
    if not isinstance(text, str) or not _ISO_DAY.fullmatch(text):
        raise InputError(field, "must be a date written YYYY-MM-DD, such as 2026-01-31")
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        raise InputError(field, f"'{text}' is not a date on the calendar") from None
    if not FIRST_DAY <= day <= LAST_DAY:
        raise InputError(
            field, f"must be a date from {FIRST_DAY.isoformat()} to {LAST_DAY.isoformat()}"
        )
    return day


def _start_day(value: object) -> dt.date:
    try:
        return parse_day(value, "start")
    except InputError as error:
        raise ValueError(error.problem) from None


StartDay = Annotated[
    dt.date,
    BeforeValidator(_start_day),
    WithJsonSchema(
        {
            "type": "string",
            "format": "date",
            "pattern": _ISO_DAY.pattern,
            "minLength": 10,
            "maxLength": 10,
            "description": f"YYYY-MM-DD, from {FIRST_DAY.isoformat()} to {LAST_DAY.isoformat()}",
        }
    ),
]
"""A plan's start date in a request body (pydantic): ``parse_day``'s rule, as a field type."""
