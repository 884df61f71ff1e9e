"""Dates on the web, in one place: the start date as a form sends it, and dates in words. The
bounds, and the start date given as a query value, are ``contract/dates.py``'s one rule.
Pure functions; "today" comes from the app's clock, never from here."""

from __future__ import annotations

import datetime as dt
import re

from bothand.contract.dates import FIRST_DAY, LAST_DAY

# Day, month and year typed into a plain text box: ASCII digits only, so "²" or a run of
# 5,000 digits is simply not a date (``str.isdigit`` accepts both, and ``int`` then fails).
_TYPED_DATE = re.compile(r"([0-9]{1,2})[/.-]([0-9]{1,2})[/.-]([0-9]{4})")


def _plausible(day: dt.date | None) -> dt.date | None:
    return day if day is not None and FIRST_DAY <= day <= LAST_DAY else None


def parse_typed_start(raw: object, locale: str) -> dt.date | None:
    """A start date from the plan form: as a date input sends it (2026-01-31), or as typed
    into the plain text box some browsers show instead: 31/1/2026 in the UK, 1/31/2026 in the
    US. None when it is not a date between the bounds."""
    text = raw.strip() if isinstance(raw, str) else ""
    if not text.isascii():
        return None
    try:
        return _plausible(dt.date.fromisoformat(text))
    except ValueError:
        pass
    typed = _TYPED_DATE.fullmatch(text)
    if typed is None:
        return None
    first, second, year = (int(part) for part in typed.groups())
    month, day = (second, first) if locale == "en-GB" else (first, second)
    try:
        return _plausible(dt.date(year, month, day))
    except ValueError:
        return None


def date_text(day: dt.date, locale: str) -> str:
    """A date in words, the way people in the chosen country write it."""
    if locale == "en-GB":
        return f"{day.day} {day:%B %Y}"
    return f"{day:%B} {day.day}, {day.year}"


def long_date(day: dt.date) -> str:
    """``2026-11-27`` as "27 November 2026" (the learn pages and the summary)."""
    return date_text(day, "en-GB")
