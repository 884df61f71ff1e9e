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
from bothand.reports.ics import CLOSING_LINE, PRODID, TITLE_PREFIX, plan_to_ics

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


def titles() -> dict[str, str]:
    return timeline().short_titles


@cache
def ics_bytes() -> bytes:
    return plan_to_ics(make_plan().dated(START), stamp=STAMP, short_titles=titles())


def test_calendar_properties() -> None:
    calendar = Calendar.from_ical(ics_bytes())
    assert str(calendar["VERSION"]) == "2.0"
    assert str(calendar["PRODID"]) == PRODID
    assert str(calendar["X-WR-CALNAME"]) == "Bothand care plan"


def test_one_short_event_per_milestone_with_the_right_fields() -> None:
    plan = make_plan().dated(START)
    events = Calendar.from_ical(plan_to_ics(plan, stamp=STAMP, short_titles=titles())).walk(
        "VEVENT"
    )
    assert len(events) == len(plan.milestones)
    uids = set()
    for event, milestone in zip(events, plan.milestones, strict=True):
        uid = str(event["UID"])
        assert uid == f"{milestone.id}-{milestone.date_from}@bothand"
        uids.add(uid)
        assert event.decoded("DTSTAMP") == STAMP
        start = event.decoded("DTSTART")
        end = event.decoded("DTEND")
        # an all-day event of one day, on the first day of the milestone's window
        assert type(start) is dt.date
        assert type(end) is dt.date
        assert start == milestone.date_from
        assert end == start + dt.timedelta(days=1)
        assert str(event["SUMMARY"]) == TITLE_PREFIX + titles()[milestone.id]
        assert str(event["TRANSP"]) == "TRANSPARENT"
        description = str(event["DESCRIPTION"])
        assert description.startswith(milestone.title + "\n\n" + milestone.text)
        assert description.endswith(CLOSING_LINE)
    assert len(uids) == len(events)


def test_every_event_has_a_reminder_at_nine_the_day_before() -> None:
    for event in Calendar.from_ical(ics_bytes()).walk("VEVENT"):
        (alarm,) = event.walk("VALARM")
        assert str(alarm["ACTION"]) == "DISPLAY"
        assert alarm["TRIGGER"].params["RELATED"] == "START"
        # midnight of the all-day event minus 15 hours: 9:00 the day before, local time
        assert alarm.decoded("TRIGGER") == dt.timedelta(hours=-15)
        assert str(alarm["DESCRIPTION"]).endswith(str(event["SUMMARY"]))
    assert b"TRIGGER;RELATED=START:-PT15H\r\n" in ics_bytes()


def test_titles_are_short_and_say_bothand() -> None:
    for event in Calendar.from_ical(ics_bytes()).walk("VEVENT"):
        summary = str(event["SUMMARY"])
        assert summary.startswith("Bothand: ")
        assert len(summary) <= len("Bothand: ") + 24


def test_every_milestone_of_the_timeline_has_a_short_title() -> None:
    short = timeline().short_titles
    assert set(short) == {template.id for template in timeline().milestones}
    for title in short.values():
        assert 0 < len(title) <= 24
        assert title[0].isupper()


def test_the_window_is_in_the_description() -> None:
    plan = make_plan("medication", ("depression", "moderate")).dated(START)
    review = next(m for m in plan.milestones if m.id == "milestone.first_medication_review")
    assert (review.day_from, review.day_to) == (10, 14)
    event = next(
        e
        for e in Calendar.from_ical(plan_to_ics(plan, stamp=STAMP)).walk("VEVENT")
        if str(e["UID"]).startswith("milestone.first_medication_review-")
    )
    assert "When: from Thursday 17 December 2026 to Monday 21 December 2026." in str(
        event["DESCRIPTION"]
    )
    baseline = next(
        e
        for e in Calendar.from_ical(plan_to_ics(plan, stamp=STAMP)).walk("VEVENT")
        if str(e["UID"]).startswith("milestone.remeasure_baseline-")
    )
    assert "When: Monday 7 December 2026." in str(baseline["DESCRIPTION"])


def test_without_short_titles_the_full_title_is_used() -> None:
    plan = make_plan().dated(START)
    events = Calendar.from_ical(plan_to_ics(plan, stamp=STAMP)).walk("VEVENT")
    assert [str(e["SUMMARY"]) for e in events] == [TITLE_PREFIX + m.title for m in plan.milestones]


def test_no_wall_clock_in_the_file() -> None:
    """DTSTAMP is the stamp passed in (the injected clock's), everywhere it appears."""
    data = ics_bytes()
    assert data.count(b"DTSTAMP:") == len(make_plan().milestones)
    assert data.count(b"DTSTAMP:20261127T093000Z") == len(make_plan().milestones)


def test_valid_rfc5545_structure() -> None:
    """Each component is closed, every event carries the properties RFC 5545 requires
    (UID, DTSTAMP, DTSTART) and every alarm ACTION, TRIGGER and DESCRIPTION."""
    lines = ics_bytes().split(b"\r\n")[:-1]
    unfolded: list[bytes] = []
    for line in lines:
        if line.startswith(b" "):
            unfolded[-1] += line[1:]
        else:
            unfolded.append(line)
    stack: list[bytes] = []
    props: list[set[bytes]] = []
    for line in unfolded:
        name = line.split(b":", 1)[0].split(b";", 1)[0]
        if name == b"BEGIN":
            stack.append(line.split(b":", 1)[1])
            props.append(set())
        elif name == b"END":
            kind = line.split(b":", 1)[1]
            assert stack.pop() == kind
            seen = props.pop()
            if kind == b"VEVENT":
                assert {b"UID", b"DTSTAMP", b"DTSTART", b"DTEND", b"SUMMARY"} <= seen
            if kind == b"VALARM":
                assert {b"ACTION", b"TRIGGER", b"DESCRIPTION"} <= seen
        else:
            props[-1].add(name)
    assert stack == []


def test_lines_end_with_crlf_and_fit_in_75_octets() -> None:
    data = ics_bytes()
    assert data.endswith(b"\r\n")
    assert b"\n" not in data.replace(b"\r\n", b"")
    lines = data.split(b"\r\n")[:-1]
    assert lines[0] == b"BEGIN:VCALENDAR"
    assert max(len(line) for line in lines) <= 75
    assert any(line.startswith(b" ") for line in lines)  # long descriptions were folded


def test_same_plan_and_stamp_give_the_same_bytes() -> None:
    again = plan_to_ics(make_plan().dated(START), stamp=STAMP, short_titles=titles())
    assert again == ics_bytes()


def test_stamp_is_written_in_utc() -> None:
    local = STAMP.astimezone(dt.timezone(dt.timedelta(hours=-5)))
    data = plan_to_ics(make_plan().dated(START), stamp=local, short_titles=titles())
    assert data == ics_bytes()
    assert b"DTSTAMP:20261127T093000Z" in data


def test_calendar_name_can_be_set() -> None:
    data = plan_to_ics(make_plan().dated(START), stamp=STAMP, calendar_name="My plan")
    assert str(Calendar.from_ical(data)["X-WR-CALNAME"]) == "My plan"


def test_another_start_moves_every_event() -> None:
    later = plan_to_ics(
        make_plan().dated(START + dt.timedelta(days=7)), stamp=STAMP, short_titles=titles()
    )
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
    events = Calendar.from_ical(plan_to_ics(plan, stamp=STAMP, short_titles=titles())).walk(
        "VEVENT"
    )
    assert [str(e["SUMMARY"]) for e in events] == [
        TITLE_PREFIX + titles()[m.id] for m in plan.milestones
    ]
