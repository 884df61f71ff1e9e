"""A dated care plan as an iCalendar file (RFC 5545) that people can add to their calendar.

One all-day event per milestone, spanning its date window. The output depends only on the
plan and the ``stamp`` passed in (never on the clock), so the same plan gives the same bytes:
event ids are built from the milestone id and its first date, which also lets a calendar
update an event when the same plan is imported again.

This module renders; it decides nothing. The words of each event are the plan's own text plus
one closing line that sends the reader back to their clinician.
"""

from __future__ import annotations

import datetime as dt

from icalendar import Calendar, Event

from bothand.domain.errors import InputError
from bothand.domain.plan.plan import Milestone, Plan

PRODID = "-//Bothand//Bothand care plan//EN"
UID_DOMAIN = "bothand"
CLOSING_LINE = "Go over this step with your clinician before you change anything."


def plan_to_ics(
    plan: Plan, *, stamp: dt.datetime, calendar_name: str = "Bothand care plan"
) -> bytes:
    """The plan as iCalendar bytes (CRLF line ends, lines folded at 75 octets).

    ``plan`` must be dated (``Plan.dated``); ``stamp`` is when the file is made, with a time
    zone, and becomes every event's DTSTAMP in UTC.
    """
    if not plan.is_dated:
        raise InputError("start", "the plan has no dates yet; give a start date first")
    if stamp.tzinfo is None or stamp.utcoffset() is None:
        raise InputError("stamp", "must carry a time zone, for example UTC")
    stamp_utc = stamp.astimezone(dt.UTC).replace(microsecond=0)

    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("name", calendar_name)  # RFC 7986
    calendar.add("x-wr-calname", calendar_name)  # the older name many calendar apps read
    for milestone in plan.milestones:
        calendar.add_component(_event(milestone, stamp_utc))
    ical: bytes = calendar.to_ical()
    return ical


def _event(milestone: Milestone, stamp: dt.datetime) -> Event:
    if milestone.date_from is None or milestone.date_to is None:  # is_dated checked this
        raise InputError("start", f"{milestone.id} has no dates yet")
    event = Event()
    event.add("uid", f"{milestone.id}-{milestone.date_from.isoformat()}@{UID_DOMAIN}")
    event.add("dtstamp", stamp)
    event.add("dtstart", milestone.date_from)
    # DTEND of an all-day event is the day *after* the last day (RFC 5545 3.6.1).
    event.add("dtend", milestone.date_to + dt.timedelta(days=1))
    event.add("summary", milestone.title)
    event.add("description", f"{milestone.text}\n\n{CLOSING_LINE}")
    event.add("categories", [milestone.kind])
    event.add("transp", "TRANSPARENT")  # a reminder, not time that is busy
    return event
