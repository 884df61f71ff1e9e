"""The clock: what day it is, in a given time zone. Code that needs "today" (a plan's default
start, the date a summary was made) is handed a ``Clock`` instead of calling
``date.today()``, so the day follows the deployment's zone and tests fix it.

Pure: the zone is a ``tzinfo`` made by the caller (``Settings.zone``); nothing here reads the
time-zone database or the environment.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Protocol


class Clock(Protocol):
    def now(self) -> dt.datetime:
        """The current moment, aware, in the clock's zone."""
        ...

    def today(self) -> dt.date:
        """The date in the clock's zone."""
        ...


@dataclass(frozen=True)
class SystemClock:
    """The computer's clock, read in ``zone``."""

    zone: dt.tzinfo = dt.UTC

    def now(self) -> dt.datetime:
        return dt.datetime.now(self.zone)

    def today(self) -> dt.date:
        return self.now().date()


@dataclass(frozen=True)
class FixedClock:
    """A clock that always says ``at`` (for tests and reproducible output)."""

    at: dt.datetime

    def __post_init__(self) -> None:
        if self.at.tzinfo is None:
            raise ValueError("a fixed clock needs an aware datetime")

    def now(self) -> dt.datetime:
        return self.at

    def today(self) -> dt.date:
        return self.at.date()
