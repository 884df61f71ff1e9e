"""Use-case: a synthetic clinic to look around in (``bothand demo``).

Makes a clinic named as synthetic, one clinician (also its admin), and synthetic patients
(``services.synthetic``) each with an episode decided by the real engine and months of
measurements. Everything goes through ``Accounts`` and ``Record`` exactly as a clinic's own
work would, on a clock this module moves forward from about eight months ago to now: every
row and audit event is stamped on the day it happened in the story, and whatever ``Record``
works out when a measurement is recorded (progress, alerts, anything added later) is worked
out here too. It refuses to run into a database that already holds the demo clinic.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Literal
from zoneinfo import ZoneInfo

from bothand.catalog import Catalog
from bothand.domain.errors import InputError
from bothand.domain.record import Actor, Clinic, User
from bothand.services.accounts import Accounts
from bothand.services.record import Record
from bothand.services.synthetic import SyntheticPatient, roster, shape_of
from bothand.storage import Database, unit_of_work

CLINIC_NAME = "Demo clinic (synthetic data)"
EMAIL = "demo@example.org"  # example.org is reserved for examples: it reaches no one
INSTRUMENTS = ("phq9", "gad7", "pcl5", "ocir")
MAX_PATIENTS = 500


@dataclass
class SteppingClock:
    """A clock the demo moves forward by hand through its story (never backwards)."""

    at: dt.datetime

    def now(self) -> dt.datetime:
        return self.at

    def today(self) -> dt.date:
        return self.at.date()

    def move_to(self, moment: dt.datetime) -> None:
        self.at = max(self.at, moment)


@dataclass(frozen=True)
class DemoClinic:
    clinic: Clinic
    user: User
    patients: int
    episodes: int
    measurements: int
    first_day: dt.date
    alerts: dict[str, int] = field(default_factory=dict)  # kind -> how many were raised


def make_demo(
    catalog: Catalog,
    database: Database,
    now: dt.datetime,
    password: str,
    patients: int = 25,
    seed: int = 1,
) -> DemoClinic:
    """Fill ``database`` with the demo clinic as of ``now`` (aware). ``password``: the demo
    clinician's. Raises ``InputError`` for a bad count or when the demo clinic exists."""
    if not 1 <= patients <= MAX_PATIENTS:
        raise InputError("--patients", f"give a number from 1 to {MAX_PATIENTS}")
    now = now.astimezone(dt.UTC)
    with unit_of_work(database, now) as store:
        if store.user_by_email(EMAIL) is not None:
            raise InputError(
                "demo",
                f"this database already holds the demo clinic (its clinician {EMAIL}); "
                "use an empty one",
            )
    shapes = {name: shape_of(catalog.instruments[name]) for name in INSTRUMENTS}
    # Visits are planned up to yesterday, so none lands later today than now in any zone.
    people = roster(patients, now.date() - dt.timedelta(days=1), shapes, seed)
    steps = _steps(people, now)
    first_day = min(person.start for person in people)
    clock = SteppingClock(min(moment for moment, _, _ in steps) - dt.timedelta(days=1))
    accounts = Accounts(database, clock)
    clinic = accounts.create_clinic(CLINIC_NAME)
    user = accounts.add_user(EMAIL, clinic.id, ["admin", "clinician"], password)
    writer = _Writer(Record(catalog, database, clock), user)
    for moment, _, step in steps:
        clock.move_to(moment)
        writer.do(step)
    clock.move_to(now)
    return DemoClinic(
        clinic,
        user,
        writer.patients,
        writer.episodes,
        writer.measurements,
        first_day,
        dict(sorted(writer.alerts.items())),
    )


@dataclass(frozen=True)
class Step:
    """One thing that happened: a patient added, their episode opened, or one instrument
    measured on a visit ``on``."""

    action: Literal["patient", "episode", "measure"]
    person: SyntheticPatient
    on: dt.date | None = None
    instrument: str = ""


class _Writer:
    """Writes the story's steps as the demo clinician; counts what was made."""

    def __init__(self, record: Record, user: User) -> None:
        self.record = record
        self.actor = Actor("user", user.id, user.role, user.clinic_id, user)
        self.patient_ids: dict[str, str] = {}
        self.episode_ids: dict[str, str] = {}
        self.patients = self.episodes = self.measurements = 0
        self.alerts: dict[str, int] = {}

    def do(self, step: Step) -> None:
        if step.action == "patient":
            self.add_patient(step.person)
        elif step.action == "episode":
            self.open_episode(step.person)
        else:
            assert step.on is not None
            self.measure(step.person, step.on, step.instrument)

    def add_patient(self, person: SyntheticPatient) -> None:
        patient = self.record.add_patient(
            self.actor, person.reference, person.timezone, person.locale, person.display_name
        )
        self.patient_ids[person.reference] = patient.id
        self.patients += 1

    def open_episode(self, person: SyntheticPatient) -> None:
        episode = self.record.create_episode(
            self.actor,
            self.patient_ids[person.reference],
            person.case,
            person.profile.option,
            person.start,
        )
        self.episode_ids[person.reference] = episode.id
        self.episodes += 1
        self.measurements += len(episode.measurements)

    def measure(self, person: SyntheticPatient, on: dt.date, instrument: str) -> None:
        visit = next(v for v in person.visits if v.on == on)
        episode_id = self.episode_ids[person.reference]
        recorded = self.record.record(
            self.actor, episode_id, instrument, visit.answers[instrument], on
        )
        self.measurements += 1
        for alert in recorded.alerts:
            self.alerts[alert.kind] = self.alerts.get(alert.kind, 0) + 1


def _steps(people: list[SyntheticPatient], now: dt.datetime) -> list[tuple[dt.datetime, int, Step]]:
    """Every step of every person's story at its moment (UTC), in the order they happened;
    a step that would fall after ``now`` is left out."""
    steps: list[tuple[dt.datetime, int, Step]] = []

    def at(person: SyntheticPatient, day: dt.date, minute: int) -> dt.datetime:
        local = dt.datetime.combine(day, dt.time(), ZoneInfo(person.timezone))
        return (local + dt.timedelta(minutes=minute)).astimezone(dt.UTC)

    def add(moment: dt.datetime, step: Step) -> None:
        if moment <= now:
            steps.append((moment, len(steps), step))

    for person in people:
        begun = at(person, person.start, person.minute)
        add(begun - dt.timedelta(minutes=10), Step("patient", person))
        add(begun, Step("episode", person))
        for visit in person.visits:
            for offset, instrument in enumerate(visit.answers):
                add(
                    at(person, visit.on, visit.minute + offset),
                    Step("measure", person, visit.on, instrument),
                )
    steps.sort(key=lambda entry: (entry[0], entry[1]))
    return steps
