"""A dated care plan as an iCalendar file (RFC 5545) that people can add to their calendar.

One short event per milestone: an all-day event on the first day of its window, titled
"Bothand: " and the milestone's short title, with a reminder the day before. The whole window
is written in the event's description.

Why all-day on one date, not the whole window and not a timed event: a window of two weeks
(or six months) as one all-day event fills every day of a phone's month view with a banner,
and people stop reading it. A timed event would make up an appointment time the plan does not
know, and would move when the phone changes time zone. An all-day event sits at the top of
its day in Apple, Google and Outlook calendars, blocks no time (TRANSP:TRANSPARENT), and its
date is the same wherever the phone is.

The reminder is ``TRIGGER;RELATED=START:-PT15H``: 15 hours before the day begins, that is at
9:00 the day before in the phone's own time (the form Apple Calendar writes for "1 day before
at 9 AM"); ``-P1D`` would ring at midnight.

The output depends only on the plan, the short titles and the ``stamp`` passed in (never on
the clock), so the same plan gives the same bytes: event ids are built from the milestone id
and its first date, which also lets a calendar update an event when the same plan is imported
again.

This module renders; it decides nothing. The words of each event are the plan's own text, the
window's dates and one closing line that sends the reader back to their clinician.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from icalendar import Alarm, Calendar, Event

from bothand.domain.errors import InputError
from bothand.domain.plan.plan import Milestone, Plan

PRODID = "-//Bothand//Bothand care plan//EN"
UID_DOMAIN = "bothand"
TITLE_PREFIX = "Bothand: "
CLOSING_LINE = "Go over this step with your clinician before you change anything."
REMINDER = dt.timedelta(hours=-15)  # 9:00 the day before an all-day event, in local time
REMINDER_NOTE = "Tomorrow"

_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def plan_to_ics(
    plan: Plan,
    *,
    stamp: dt.datetime,
    short_titles: Mapping[str, str] | None = None,
    calendar_name: str = "Bothand care plan",
) -> bytes:
    """The plan as iCalendar bytes (CRLF line ends, lines folded at 75 octets).

    ``plan`` must be dated (``Plan.dated``); ``stamp`` is when the file is made, with a time
    zone, and becomes every event's DTSTAMP in UTC (pass the injected clock's ``now()``).
    ``short_titles`` maps milestone ids to calendar titles (``Timeline.short_titles``); a
    milestone without one keeps its full title.
    """
    if not plan.is_dated:
        raise InputError("start", "the plan has no dates yet; give a start date first")
    if stamp.tzinfo is None or stamp.utcoffset() is None:
        raise InputError("stamp", "must carry a time zone, for example UTC")
    stamp_utc = stamp.astimezone(dt.UTC).replace(microsecond=0)
    titles = short_titles or {}

    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("name", calendar_name)  # RFC 7986
    calendar.add("x-wr-calname", calendar_name)  # the older name many calendar apps read
    for milestone in plan.milestones:
        title = TITLE_PREFIX + titles.get(milestone.id, milestone.title)
        calendar.add_component(_event(milestone, title, stamp_utc))
    ical: bytes = calendar.to_ical()
    return ical


def window_words(start: dt.date, end: dt.date) -> str:
    """When the step is due, in words: one day, or the first and last day of its window."""
    if start == end:
        return f"When: {_day(start)}."
    return f"When: from {_day(start)} to {_day(end)}."


def _day(day: dt.date) -> str:
    return f"{_DAYS[day.weekday()]} {day.day} {_MONTHS[day.month - 1]} {day.year}"


def _event(milestone: Milestone, title: str, stamp: dt.datetime) -> Event:
    if milestone.date_from is None or milestone.date_to is None:  # is_dated checked this
        raise InputError("start", f"{milestone.id} has no dates yet")
    event = Event()
    event.add("uid", f"{milestone.id}-{milestone.date_from.isoformat()}@{UID_DOMAIN}")
    event.add("dtstamp", stamp)
    event.add("dtstart", milestone.date_from)
    # One all-day event: DTEND is the day after (RFC 5545 3.6.1), so the event is one day long.
    event.add("dtend", milestone.date_from + dt.timedelta(days=1))
    event.add("summary", title)
    description = (
        f"{milestone.title}\n\n{milestone.text}\n\n"
        f"{window_words(milestone.date_from, milestone.date_to)}\n\n{CLOSING_LINE}"
    )
    event.add("description", description)
    event.add("categories", [milestone.kind])
    event.add("transp", "TRANSPARENT")  # a reminder, not time that is busy
    alarm = Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("trigger", REMINDER, parameters={"RELATED": "START"})
    alarm.add("description", f"{REMINDER_NOTE}: {title}")
    event.add_component(alarm)
    return event
