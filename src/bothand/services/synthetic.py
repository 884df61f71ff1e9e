"""Synthetic patients for ``bothand demo``: who they are, the case each one brought, and the
answers they give at each visit so that their scores follow a chosen course (a remitter, a
responder, a slow responder, no change, getting worse).

Pure: no I/O and no clock. Everything is worked out from ``today``, a seeded
``random.Random`` and the shapes of the instruments (how many items, each item's highest
answer, which items ask about risk), so the same seed on the same day gives the same clinic.
``services.demo`` writes what this module plans through the real record.

Nothing here is clinical content: the courses are made-up illustrations, not predictions,
and every person made here is marked synthetic in their name.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from bothand.domain.assess.instruments import Instrument

Course = Literal["remit", "respond", "slow", "flat", "worse"]
COURSES: tuple[Course, ...] = ("remit", "respond", "slow", "flat", "worse")
SYNTHETIC = "(synthetic)"
NO_RISK_ASQ: tuple[int | None, ...] = (0, 0, 0, 0, None)  # questions 1-4 "no"; 5 not asked


@dataclass(frozen=True)
class Shape:
    """What the generator needs to know about an instrument: each item's lowest and highest
    answer (in order) and the positions of its risk items (left at their lowest unless a
    visit is planned to answer one)."""

    lows: tuple[int, ...]
    highs: tuple[int, ...]
    risk: frozenset[int] = frozenset()

    @property
    def ceiling(self) -> int:
        """The highest total reachable with every risk item at its lowest."""
        return sum(self.lows[i] if i in self.risk else h for i, h in enumerate(self.highs))

    @property
    def floor(self) -> int:
        return sum(self.lows)


def shape_of(instrument: Instrument) -> Shape:
    items = [item for item in instrument.items if item.in_total]
    if len(items) != len(instrument.items):
        raise ValueError(f"{instrument.id}: only instruments whose items all count are drawn")
    return Shape(
        tuple(item.min for item in items),
        tuple(item.max for item in items),
        frozenset(i for i, item in enumerate(items) if item.risk),
    )


def answers_for(
    total: int, shape: Shape, rng: random.Random, fixed: Mapping[int, int] | None = None
) -> list[int]:
    """Answers to every item that add up to exactly ``total``, each within its item's range.
    Items in ``fixed`` take the value given; the other risk items stay at their lowest. The
    rest share the total, spread the way people tend to answer (a point goes more often to
    an item with more room left)."""
    fixed = dict(fixed or {})
    count = len(shape.highs)
    for index, value in fixed.items():
        if not 0 <= index < count or not shape.lows[index] <= value <= shape.highs[index]:
            raise ValueError(f"item {index + 1} cannot be {value}")
    for index in shape.risk:
        fixed.setdefault(index, shape.lows[index])
    answers = [fixed.get(i, shape.lows[i]) for i in range(count)]
    free = [i for i in range(count) if i not in fixed]
    room = sum(shape.highs[i] - shape.lows[i] for i in free)
    left = total - sum(answers)
    if not 0 <= left <= room:
        low, high = sum(answers), sum(answers) + room
        raise ValueError(f"a total of {total} is outside {low}-{high} for these answers")
    for _ in range(left):
        open_items = [i for i in free if answers[i] < shape.highs[i]]
        weights = [shape.highs[i] - answers[i] for i in open_items]
        answers[rng.choices(open_items, weights)[0]] += 1
    return answers


def target(course: Course, baseline: int, ceiling: int, week: float, span_weeks: float) -> int:
    """The total a person on ``course`` is planned to score ``week`` weeks after their first
    visit, before the small day-to-day wobble; ``span_weeks``: how long they have been seen."""
    if course == "flat":
        value = float(baseline)
    elif course == "worse":
        onset = span_weeks * 0.4  # steady at first, then rising to the last visit
        share = 0.0 if week <= onset else min(1.0, (week - onset) / max(span_weeks - onset, 1))
        value = baseline + max(4, round(ceiling * 0.3)) * share
    else:
        end, onset, pace = {
            "remit": (0.15, 0.0, 4.0),
            "respond": (0.45, 0.0, 5.0),
            "slow": (0.4, 8.0, 6.0),
        }[course]
        share = 0.0 if week <= onset else 1 - math.exp(-(week - onset) / pace)
        value = baseline - (baseline - baseline * end) * share
    return max(0, min(ceiling, round(value)))


def totals(
    course: Course, baseline: int, ceiling: int, weeks: Sequence[float], rng: random.Random
) -> list[int]:
    """The planned total at each visit (``weeks`` after the first, in order): the first is
    the baseline and the last lies on the course exactly; those between wobble a little."""
    if not weeks:
        return []
    span = weeks[-1]
    wobble = max(1, round(ceiling / 24)) * (2 if course == "flat" else 1)
    found = []
    for position, week in enumerate(weeks):
        value = target(course, baseline, ceiling, week, span)
        if 0 < position < len(weeks) - 1:
            value += rng.randint(-wobble, wobble)
        found.append(max(0, min(ceiling, value)))
    found[0] = max(0, min(ceiling, baseline))
    return found


def visit_days(span: int, rng: random.Random) -> list[int]:
    """Days after the first visit when a person is seen: every two weeks for twelve weeks,
    then every four, a day or two either way, none after ``span``."""
    planned = [*range(0, 85, 14), *range(112, span + 1, 28)]
    days = [0]
    for day in planned[1:]:
        moved = day + rng.randint(-2, 2)
        if days[-1] < moved <= span:
            days.append(moved)
    return days


@dataclass(frozen=True)
class Profile:
    """One kind of synthetic patient: the concern tracked and its course."""

    family: str  # depression, generalized_anxiety, panic, ptsd, ocd, bipolar
    course: Course
    option: str
    baselines: Mapping[str, int]  # instrument -> first total, in the case's order
    began_days_ago: int
    medication: str = "open"  # the person's preferences
    therapy: str = "open"
    rated: str | None = None  # severity of a concern rated by the clinician (panic, bipolar)
    risk: bool = False  # the last visit answers a risk item above its lowest
    quiet_days: int = 0  # no visit in the last this many days: missed check-ins


PROFILES: tuple[Profile, ...] = (
    Profile("depression", "remit", "combined", {"phq9": 17}, 230, medication="unsure"),
    Profile("depression", "respond", "therapy", {"phq9": 12}, 200),
    Profile(
        "depression", "worse", "medication_first", {"phq9": 15}, 120, medication="prefer", risk=True
    ),
    Profile("generalized_anxiety", "remit", "therapy", {"gad7": 15}, 180),
    Profile("ptsd", "slow", "therapy", {"pcl5": 52}, 220, medication="prefer_to_avoid"),
    Profile("depression", "slow", "combined", {"phq9": 22}, 150),
    Profile("panic", "respond", "therapy", {"phq9": 9}, 160, rated="moderate"),
    Profile("ocd", "respond", "combined", {"ocir": 34}, 210),
    Profile("bipolar", "flat", "medication", {"phq9": 16}, 190, rated="moderate"),
    Profile("depression", "remit", "monitor", {"phq9": 7}, 100, medication="prefer_to_avoid"),
    Profile("depression", "flat", "therapy_first", {"phq9": 13}, 170, quiet_days=60),
    Profile("generalized_anxiety", "worse", "medication", {"gad7": 12}, 130, medication="prefer"),
    Profile("depression", "respond", "medication", {"phq9": 19}, 240, therapy="prefer_to_avoid"),
    Profile("ptsd", "remit", "combined", {"pcl5": 44}, 180),
    Profile("panic", "slow", "combined", {"phq9": 12}, 90, rated="severe"),
    Profile("depression", "remit", "therapy", {"phq9": 11}, 60),
    Profile("ocd", "flat", "therapy", {"ocir": 28}, 140, quiet_days=45),
    Profile("depression", "respond", "combined", {"phq9": 21}, 35),
    Profile("generalized_anxiety", "respond", "combined", {"gad7": 17}, 200),
    Profile("bipolar", "remit", "combined", {"phq9": 12}, 230, rated="moderate"),
    Profile("depression", "worse", "medication_first", {"phq9": 14}, 110, medication="prefer"),
    Profile("depression", "flat", "therapy", {"phq9": 8}, 21),
    Profile("ptsd", "flat", "medication", {"pcl5": 58}, 160, quiet_days=50),
    Profile("generalized_anxiety", "remit", "therapy_first", {"gad7": 10}, 75),
    Profile("depression", "respond", "therapy", {"phq9": 18}, 14),
)
NAMES = (
    "Ash", "Blake", "Cameron", "Dana", "Eden", "Finley", "Gray", "Harper", "Indigo", "Jordan",
    "Kai", "Logan", "Morgan", "Noel", "Oakley", "Parker", "Quinn", "Reese", "Sage", "Taylor",
    "Umber", "Val", "Wren", "Avery", "Rowan",
)  # fmt: skip
ZONES = (
    ("Europe/London", "en-GB"),
    ("America/New_York", "en-US"),
    ("America/Chicago", "en-US"),
    ("America/Los_Angeles", "en-US"),
)


@dataclass(frozen=True)
class Visit:
    on: dt.date
    minute: int  # minutes after midnight, in the patient's zone
    answers: Mapping[str, list[int]]  # instrument -> answers, in the case's order


@dataclass(frozen=True)
class SyntheticPatient:
    reference: str
    display_name: str
    timezone: str
    locale: str
    profile: Profile
    case: dict[str, Any]
    start: dt.date
    minute: int  # when the episode was made on ``start``
    visits: list[Visit] = field(default_factory=list)  # after the first, in order


def roster(
    count: int, today: dt.date, shapes: Mapping[str, Shape], seed: int = 0
) -> list[SyntheticPatient]:
    """``count`` synthetic patients seen up to ``today``: the profiles in order (so even a
    handful holds the patient who answers a risk item), then again with their first scores and
    start dates moved a little."""
    if count < 1:
        raise ValueError("count must be at least 1")
    rng = random.Random(seed)
    found = []
    for number in range(1, count + 1):
        profile = PROFILES[(number - 1) % len(PROFILES)]
        if number > len(PROFILES):
            profile = _varied(profile, shapes, rng)
        found.append(_patient(number, profile, today, shapes, rng))
    return found


def _varied(profile: Profile, shapes: Mapping[str, Shape], rng: random.Random) -> Profile:
    baselines = {
        instrument: max(1, min(shapes[instrument].ceiling - 1, total + rng.randint(-2, 2)))
        for instrument, total in profile.baselines.items()
    }
    began = max(14, min(240, profile.began_days_ago + rng.randint(-20, 20)))
    quiet = min(profile.quiet_days, began - 14)
    return replace(profile, baselines=baselines, began_days_ago=began, quiet_days=quiet)


def _patient(
    number: int, profile: Profile, today: dt.date, shapes: Mapping[str, Shape], rng: random.Random
) -> SyntheticPatient:
    zone, locale = ZONES[(number - 1) % len(ZONES)]
    name = NAMES[(number - 1) % len(NAMES)]
    start = today - dt.timedelta(days=profile.began_days_ago)
    span = profile.began_days_ago - profile.quiet_days
    days = visit_days(span, rng)
    weeks = [day / 7 for day in days]
    series = {
        instrument: totals(profile.course, baseline, shapes[instrument].ceiling, weeks, rng)
        for instrument, baseline in profile.baselines.items()
    }
    answers_at: list[dict[str, list[int]]] = []
    for position in range(len(days)):
        at_visit: dict[str, list[int]] = {}
        for instrument, values in series.items():
            shape = shapes[instrument]
            fixed: dict[int, int] = {}
            if profile.risk and position == len(days) - 1 and position > 0 and shape.risk:
                fixed = {min(shape.risk): shape.lows[min(shape.risk)] + 1}
            total = values[position] + sum(fixed.values())
            at_visit[instrument] = answers_for(total, shape, rng, fixed)
        answers_at.append(at_visit)
    case = _case(profile, answers_at[0], rng)
    visits = [
        Visit(start + dt.timedelta(days=day), rng.randrange(9 * 60, 17 * 60), answers)
        for day, answers in zip(days[1:], answers_at[1:], strict=True)
    ]
    return SyntheticPatient(
        reference=f"DEMO-{number:03d}",
        display_name=f"{name} {chr(ord('A') + (number * 7) % 26)}. {SYNTHETIC}",
        timezone=zone,
        locale=locale,
        profile=profile,
        case=case,
        start=start,
        minute=rng.randrange(9 * 60, 16 * 60),
        visits=visits,
    )


def _case(profile: Profile, first: Mapping[str, list[int]], rng: random.Random) -> dict[str, Any]:
    # Panic and bipolar disorder are rated by the clinician (the intake has no free validated
    # measure for them), so the low mood that comes with them is followed on the PHQ-9.
    concerns: list[dict[str, Any]] = []
    if profile.rated is not None:
        concerns.append({"condition": profile.family, "severity": profile.rated})
    tracked = "depression" if profile.rated is not None else profile.family
    for instrument, answers in first.items():
        concerns.append({"condition": tracked, "instrument": instrument, "answers": answers})
    case: dict[str, Any] = {
        "concerns": concerns,
        "preferences": {"medication": profile.medication, "therapy": profile.therapy},
        "age": rng.randint(19, 68),
    }
    if "phq9" not in first:  # no risk question among the answers: the ASQ was asked
        case["risk_screen"] = {"instrument": "asq", "answers": list(NO_RISK_ASQ)}
    return case
