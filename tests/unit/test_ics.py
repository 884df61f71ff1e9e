"""The care plan as an iCalendar file: parsed back, checked line by line, byte-stable."""

from __future__ import annotations

import datetime as dt
from functools import cache

import pytest
from icalendar import Calendar

from bothand.catalog import CONTENT_DIR, parse, read_yaml
from bothand.domain.errors import InputError
from bothand.domain.plan.plan import Plan, PlanRequest
from bothand.domain.plan.planner import build_plan
from bothand.domain.plan.timeline import Timeline
from bothand.reports.ics import CLOSING_LINE, PRODID, plan_to_ics

STAMP = dt.datetime(2026, 11, 27, 9, 30, tzinfo=dt.UTC)
START = dt.date(2026, 12, 7)


@cache
def timeline() -> Timeline:
    path = CONTENT_DIR / "timeline.yaml"
    return parse(Timeline, read_yaml(path), str(path))


def make_plan(option: str = "combined", *concerns: tuple[str, str]) -> Plan:
    request = PlanRequest.model_validate(
        {
            "option": option,
            "concerns": concerns or (("depression", "moderate"), ("ocd", "mild")),
            "age": 30,
            "at_risk": False,
        }
    )
    return build_plan(timeline(), request)


@cache
def ics_bytes() -> bytes:
    return plan_to_ics(make_plan().dated(START), stamp=STAMP)


def test_calendar_properties() -> None:
    calendar = Calendar.from_ical(ics_bytes())
    assert str(calendar["VERSION"]) == "2.0"
    assert str(calendar["PRODID"]) == PRODID
    assert str(calendar["X-WR-CALNAME"]) == "Bothand care plan"


def test_one_event_per_milestone_with_the_right_fields() -> None:
    plan = make_plan().dated(START)
    events = Calendar.from_ical(plan_to_ics(plan, stamp=STAMP)).walk("VEVENT")
    assert len(events) == len(plan.milestones)
    uids = set()
    for event, milestone in zip(events, plan.milestones, strict=True):
        uid = str(event["UID"])
        assert uid == f"{milestone.id}-{milestone.date_from}@bothand"
        uids.add(uid)
        assert event.decoded("DTSTAMP") == STAMP
        start = event.decoded("DTSTART")
        end = event.decoded("DTEND")
        assert type(start) is dt.date
        assert type(end) is dt.date
        assert end > start
        assert start == milestone.date_from
        assert milestone.date_to is not None
        assert end == milestone.date_to + dt.timedelta(days=1)
        assert str(event["SUMMARY"]) == milestone.title
        description = str(event["DESCRIPTION"])
        assert description.startswith(milestone.text)
        assert description.endswith(CLOSING_LINE)
    assert len(uids) == len(events)


def test_lines_end_with_crlf_and_fit_in_75_octets() -> None:
    data = ics_bytes()
    assert data.endswith(b"\r\n")
    assert b"\n" not in data.replace(b"\r\n", b"")
    lines = data.split(b"\r\n")[:-1]
    assert lines[0] == b"BEGIN:VCALENDAR"
    assert max(len(line) for line in lines) <= 75
    assert any(line.startswith(b" ") for line in lines)  # long descriptions were folded


def test_same_plan_and_stamp_give_the_same_bytes() -> None:
    again = plan_to_ics(make_plan().dated(START), stamp=STAMP)
    assert again == ics_bytes()


def test_stamp_is_written_in_utc() -> None:
    local = STAMP.astimezone(dt.timezone(dt.timedelta(hours=-5)))
    data = plan_to_ics(make_plan().dated(START), stamp=local)
    assert data == ics_bytes()
    assert b"DTSTAMP:20261127T093000Z" in data


def test_calendar_name_can_be_set() -> None:
    data = plan_to_ics(make_plan().dated(START), stamp=STAMP, calendar_name="My plan")
    assert str(Calendar.from_ical(data)["X-WR-CALNAME"]) == "My plan"


def test_another_start_moves_every_event() -> None:
    later = plan_to_ics(make_plan().dated(START + dt.timedelta(days=7)), stamp=STAMP)
    first = Calendar.from_ical(ics_bytes()).walk("VEVENT")
    moved = Calendar.from_ical(later).walk("VEVENT")
    for a, b in zip(first, moved, strict=True):
        assert b.decoded("DTSTART") - a.decoded("DTSTART") == dt.timedelta(days=7)
        assert str(a["UID"]) != str(b["UID"])


def test_undated_plan_is_refused() -> None:
    with pytest.raises(InputError) as caught:
        plan_to_ics(make_plan(), stamp=STAMP)
    assert caught.value.field == "start"


def test_stamp_without_time_zone_is_refused() -> None:
    with pytest.raises(InputError) as caught:
        plan_to_ics(make_plan().dated(START), stamp=dt.datetime(2026, 11, 27, 9, 30))
    assert caught.value.field == "stamp"


@pytest.mark.parametrize("option", ["therapy", "medication", "monitor", "therapy_first"])
def test_every_option_renders(option: str) -> None:
    plan = make_plan(option, ("ptsd", "severe")).dated(START)
    events = Calendar.from_ical(plan_to_ics(plan, stamp=STAMP)).walk("VEVENT")
    assert [str(e["SUMMARY"]) for e in events] == [m.title for m in plan.milestones]
