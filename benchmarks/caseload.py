"""The clinician's caseload page at scale: `GET /clinic` for a clinician with 500 patients in a
database of 100,000 episodes and 1,200,000 measurements, served over real HTTP, against the
same server's bare endpoint (`GET /api/health`) measured in turns in the same run.

    .venv/bin/python benchmarks/caseload.py [--database-url URL] [--scale 1.0]
                                            [--requests 500] [--keep] [--reuse] [--quick]

- **Build** (skipped with ``--reuse``): the schema by ``Database.upgrade()``, then the rows in
  bulk: Core ``executemany`` on SQLite, ``COPY`` on PostgreSQL. Ten clinics of ten clinicians;
  the benchmark's clinician has ``500 x scale`` patients, the others share the rest. Every
  patient has two episodes (one from over a year ago, one current), so 50,000 patients at
  scale 1. The measurements are shared evenly over the episodes (12 each at scale 1), PHQ-9
  and GAD-7 in turn, every two weeks or so up to today; about 1 in 300 is corrected (a second
  row supersedes it, as ``Record.record`` stores a correction). Alerts: about 3 in 100
  patients have an open critical alert, 6 in 100 another open alert, 10 in 100 a resolved
  one. Every episode has a real dated plan (``Record.decision_of``, one per option and start
  day, shared); its decision is cut to its case (the caseload never reads it, and the full
  recommendation would make the database some gigabytes). PostgreSQL is ``ANALYZE``d after
  the build (autovacuum would); SQLite is not (nothing runs it on a live clinic's file).
- **Serve**: ``uvicorn bothand.web.app:create_app --factory`` in its own process on loopback,
  ``BOTHAND_DATABASE_URL`` set to the database. The clinician's session is made by
  ``Accounts.sign_in`` (sessions live in the database), so no sign-in runs in the timing.
- **Measure**: one ``httpx.Client`` (keep-alive), ``--requests`` requests to each endpoint in
  turns (bare, caseload, bare, ...) after a warm-up of 20 each; the first caseload request
  (the plans not yet parsed) is reported on its own. Latency is the client's: from sending
  the request to the last byte. Every caseload answer is checked: 200, and the page's rows
  are the clinician's own patients (the first page: at most 100).

Goal (issue 12): the caseload's p99 under 50 ms, on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import re
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import Table, select, text

from bothand.catalog import load_catalog
from bothand.domain.clock import SystemClock
from bothand.services.accounts import Accounts
from bothand.services.record import Record
from bothand.storage import Database
from bothand.storage.models import (
    AlertRow,
    EpisodeRow,
    MeasurementRow,
    PatientAccessRow,
    PatientRow,
    UserRow,
)

GOAL_MS = 50.0
SEED = 20261207
EMAIL = "caseload.bench@example.org"
PASSWORD = "caseload benchmark password"
SECRET = "caseload-benchmark-secret-" + "k" * 32
EPISODES, MEASUREMENTS, MINE = 100_000, 1_200_000, 500
CLINICS, CLINICIANS = 10, 10  # clinics, clinicians per clinic
ZONES = ("Europe/London", "America/New_York", "UTC", "Australia/Sydney", "America/Chicago")
OPTIONS = ("therapy", "medication", "combined", "medication_first", "therapy_first")
SHOWN = re.compile(r'<th scope="row"><a href="/clinic/patients/([0-9a-f]{32})">')


def table(row: Any) -> Table:
    found: Table = row.__table__
    return found


# --- the data ---------------------------------------------------------------------------------


class Builder:
    """Rows for every table, made in memory in the order they are inserted."""

    def __init__(self, scale: float, seed: int, today: dt.date) -> None:
        self.rng = random.Random(seed)
        self.today = today
        self.episodes = max(20, int(EPISODES * scale))
        self.measurements = max(self.episodes * 2, int(MEASUREMENTS * scale))
        self.mine = max(5, int(MINE * scale))
        self.patients = self.episodes // 2
        self.now = dt.datetime.combine(today, dt.time(12), tzinfo=dt.UTC)
        self.catalog = load_catalog()
        self.plans: dict[tuple[str, dt.date], dict[str, Any]] = {}
        self.record = Record(self.catalog, Database("sqlite://"), SystemClock())

    def plan(self, option: str, start: dt.date) -> dict[str, Any]:
        key = (option, start)
        if key not in self.plans:
            case = {
                "concerns": [
                    {"condition": "depression", "instrument": "phq9", "answers": [2] * 8 + [0]}
                ],
                "preferences": {"medication": "open", "therapy": "open"},
            }
            _, plan = self.record.decision_of(case, option, start)
            assert plan is not None
            self.plans[key] = plan
        return self.plans[key]

    def moment(self, day: dt.date, minute: int = 0) -> dt.datetime:
        return dt.datetime.combine(day, dt.time(9), tzinfo=dt.UTC) + dt.timedelta(minutes=minute)

    def rows(
        self, clinics: list[str], users: list[list[str]], me: str
    ) -> Iterator[tuple[Table, list[dict[str, Any]]]]:
        rng, today = self.rng, self.today
        others = [u for clinic in users for u in clinic if u != me]
        clinic_of = {u: clinics[c] for c, clinic in enumerate(users) for u in clinic}
        patients, access, episodes, alerts = [], [], [], []
        owner: list[tuple[str, str, str]] = []  # patient id, clinic id, user id
        for n in range(self.patients):
            if n < self.mine:
                user, clinic = me, clinics[0]
            else:
                user = others[n % len(others)]
                clinic = clinic_of[user]
            patient = secrets.token_hex(16)
            owner.append((patient, clinic, user))
            patients.append(
                {
                    "id": patient,
                    "clinic_id": clinic,
                    "reference": f"P-{n:06d}",
                    "display_name": f"Person {n}" if n % 3 else None,
                    "timezone": ZONES[n % len(ZONES)],
                    "locale": "en",
                    "email": None,
                    "created_by": user,
                    "created_at": self.moment(today - dt.timedelta(days=500)),
                }
            )
            access.append({"patient_id": patient, "user_id": user, "granted_at": self.now})
        yield table(PatientRow), patients
        yield table(PatientAccessRow), access

        per_episode, extra = divmod(self.measurements, self.episodes)
        measurements: list[dict[str, Any]] = []
        index = 0
        for patient, clinic, user in owner:
            for current in (False, True):
                start = today - dt.timedelta(
                    days=rng.randint(20, 330) if current else rng.randint(420, 700)
                )
                end = today if current else start + dt.timedelta(days=rng.randint(120, 360))
                option = OPTIONS[index % len(OPTIONS)]
                episode = secrets.token_hex(16)
                case = {"concerns": [{"condition": "depression", "instrument": "phq9"}]}
                episodes.append(
                    {
                        "id": episode,
                        "patient_id": patient,
                        "clinic_id": clinic,
                        "source": "in_session",
                        "created_by": user,
                        "created_at": self.moment(start),
                        "decision": {"case": case},
                        "option": option,
                        "start": start,
                        "plan": self.plan(option, start),
                    }
                )
                count = per_episode + (1 if index < extra else 0)
                index += 1
                measurements.extend(self.series(episode, patient, user, start, end, count, current))
            roll = rng.random()
            if roll < 0.03:
                alerts.append(self.alert(patient, clinic, episodes[-1]["id"], "critical", "open"))
            elif roll < 0.09:
                alerts.append(
                    self.alert(patient, clinic, episodes[-1]["id"], "deterioration", "open")
                )
            elif roll < 0.19:
                alerts.append(
                    self.alert(patient, clinic, episodes[-1]["id"], "critical", "resolved")
                )
            if len(measurements) >= 50_000:  # the episodes first: the rows name them
                yield table(EpisodeRow), episodes
                yield table(MeasurementRow), measurements
                episodes, measurements = [], []
        yield table(EpisodeRow), episodes
        yield table(MeasurementRow), measurements
        yield table(AlertRow), alerts

    def series(
        self,
        episode: str,
        patient: str,
        user: str,
        start: dt.date,
        end: dt.date,
        count: int,
        current: bool,
    ) -> list[dict[str, Any]]:
        rng = self.rng
        span = max(0, (end - start).days)
        level = {"phq9": rng.randint(8, 24), "gad7": rng.randint(6, 19)}
        top = {"phq9": 27, "gad7": 21}
        found: list[dict[str, Any]] = []
        for i in range(count):
            instrument = "phq9" if i % 2 == 0 else "gad7"
            drift = rng.choice((-3, -2, -1, -1, 0, 1, 2)) if i >= 2 else 0
            level[instrument] = min(top[instrument], max(0, level[instrument] + drift))
            total = level[instrument]
            day = start + dt.timedelta(days=span * (i // 2 * 2) // max(1, count))
            items = 9 if instrument == "phq9" else 7
            answers = [min(3, max(0, total - 3 * k)) for k in range(items)]
            row = {
                "id": secrets.token_hex(16),
                "episode_id": episode,
                "patient_id": patient,
                "instrument": instrument,
                "answers": answers,
                "total": total,
                "severity": None,
                "risk_positive": False,
                "taken_on": day,
                "method": "in_session",
                "entered_by": user,
                "recorded_at": self.moment(day, i),
                "supersedes": None,
            }
            if found and rng.random() < 1 / 300 and found[-1]["supersedes"] is None:
                previous = found[-1]
                row.update(
                    instrument=previous["instrument"],
                    answers=previous["answers"],
                    taken_on=previous["taken_on"],
                    recorded_at=previous["recorded_at"] + dt.timedelta(hours=1),
                    supersedes=previous["id"],
                )
            found.append(row)
        return found

    def alert(
        self, patient: str, clinic: str, episode: str, kind: str, status: str
    ) -> dict[str, Any]:
        raised = self.now - dt.timedelta(days=self.rng.randint(0, 30))
        return {
            "id": secrets.token_hex(16),
            "clinic_id": clinic,
            "patient_id": patient,
            "episode_id": episode,
            "measurement_id": None,
            "kind": kind,
            "status": status,
            "raised_at": raised,
            "reason": "risk_answer" if kind == "critical" else "reliable_deterioration",
            "acknowledged_by": None,
            "acknowledged_at": raised if status == "resolved" else None,
            "acknowledge_note": None,
            "resolved_by": None,
            "resolved_at": raised if status == "resolved" else None,
            "resolve_note": None,
            "subject": None,
        }


def build(database: Database, scale: float, seed: int) -> tuple[int, int, int]:
    """Make the clinics, users and rows; returns (episodes, measurements, my patients)."""
    database.upgrade()
    clock = SystemClock()
    accounts = Accounts(database, clock)
    with database.engine.connect() as connection:
        if connection.execute(select(UserRow.id).limit(1)).first() is not None:
            raise SystemExit("the database already holds users: give an empty one, or --reuse")
    clinics, users = [], []
    for c in range(CLINICS):
        clinic = accounts.create_clinic(f"Clinic {c}")
        clinics.append(clinic.id)
        users.append(
            [
                accounts.add_user(
                    EMAIL if (c, u) == (0, 0) else f"clinician{c}-{u}@example.org",
                    clinic.id,
                    ["clinician"],
                    PASSWORD if (c, u) == (0, 0) else None,
                ).id
                for u in range(CLINICIANS)
            ]
        )
    builder = Builder(scale, seed, clock.today())
    counts: dict[str, int] = {}
    postgres = not database.is_sqlite
    with database.engine.begin() as connection:
        for target, rows in builder.rows(clinics, users, users[0][0]):
            if not rows:
                continue
            if postgres:
                copy(connection, target, rows)
            else:
                connection.execute(target.insert(), rows)
            counts[target.name] = counts.get(target.name, 0) + len(rows)
    if postgres:
        with database.engine.connect().execution_options(
            isolation_level="AUTOCOMMIT"
        ) as connection:
            connection.execute(text("ANALYZE"))
    return counts["episodes"], counts["measurements"], builder.mine


def copy(connection: Any, target: Table, rows: Sequence[dict[str, Any]]) -> None:
    """``COPY ... FROM STDIN`` on psycopg: moments as naive UTC (as ``UtcDateTime`` stores
    them), JSON as its text."""
    names = [column.name for column in target.columns]
    json_columns = {c.name for c in target.columns if c.type.__class__.__name__ == "JSON"}
    cursor = connection.connection.driver_connection.cursor()
    with cursor.copy(f"COPY {target.name} ({', '.join(names)}) FROM STDIN") as stream:
        for row in rows:
            values = []
            for name in names:
                value = row[name]
                if name in json_columns and value is not None:
                    value = json.dumps(value)
                elif isinstance(value, dt.datetime):
                    value = value.astimezone(dt.UTC).replace(tzinfo=None)
                values.append(value)
            stream.write_row(values)


# --- serving and timing -------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def serve(url: str, port: int) -> subprocess.Popen[bytes]:
    env = dict(os.environ, BOTHAND_SECRET_KEY=SECRET, BOTHAND_DATABASE_URL=url)
    command = [sys.executable, "-m", "uvicorn", "bothand.web.app:create_app", "--factory"]
    command += ["--port", str(port), "--log-level", "warning", "--no-access-log"]
    return subprocess.Popen(command, env=env)


def timed(client: httpx.Client, path: str) -> tuple[float, httpx.Response]:
    started = time.perf_counter()
    response = client.get(path)
    return (time.perf_counter() - started) * 1000, response


def check(response: httpx.Response, mine: set[str]) -> None:
    """200, and the rows are the clinician's own: the first page (100), or all of them (the
    page before it had pages)."""
    if response.status_code != 200:
        raise SystemExit(f"/clinic answered {response.status_code}")
    shown = SHOWN.findall(response.text)
    if len(shown) not in (min(100, len(mine)), len(mine)) or not set(shown) <= mine:
        raise SystemExit(f"/clinic showed {len(shown)} rows, not the clinician's own")


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def measure(url: str, requests: int, database: Database) -> dict[str, Any]:
    accounts = Accounts(database, SystemClock())
    signed = accounts.sign_in(EMAIL, PASSWORD, "127.0.0.1")
    with database.engine.connect() as connection:
        mine = {
            row[0]
            for row in connection.execute(
                select(PatientAccessRow.patient_id).where(
                    PatientAccessRow.user_id == signed.user.id
                )
            )
        }
    port = free_port()
    server = serve(url, port)
    try:
        base = f"http://127.0.0.1:{port}"
        cookies = {"bothand_session": signed.session_id}
        headers = {"accept": "text/html"}
        with httpx.Client(base_url=base, cookies=cookies, headers=headers, timeout=30) as client:
            for _ in range(200):
                try:
                    if client.get("/api/health").status_code == 200:
                        break
                except httpx.HTTPError:
                    time.sleep(0.1)
            cold, response = timed(client, "/clinic")
            check(response, mine)
            size = len(response.content)
            for _ in range(20):
                timed(client, "/api/health")
                check(timed(client, "/clinic")[1], mine)
            bare, page = [], []
            for _ in range(requests):
                took, _response = timed(client, "/api/health")
                bare.append(took)
                took, response = timed(client, "/clinic")
                check(response, mine)
                page.append(took)
    finally:
        server.terminate()
        server.wait(timeout=20)
    return {"bare": bare, "page": page, "cold": cold, "bytes": size, "patients": len(mine)}


def report(name: str, result: dict[str, Any], requests: int) -> str:
    bare, page = result["bare"], result["page"]
    bare50, page50 = statistics.median(bare), statistics.median(page)
    lines = [
        f"{name}: {result['patients']} patients of the clinician; {requests} requests per "
        f"endpoint in turns; first caseload request (plans not yet parsed) "
        f"{result['cold']:.1f} ms; page {result['bytes']:,} bytes",
        "",
        "| Database | Endpoint | p50 ms | p99 ms | max ms | p50 ÷ bare p50 |",
        "|---|---|---:|---:|---:|---:|",
        f"| {name} | `GET /api/health` (bare) | {bare50:.2f} | {percentile(bare, 0.99):.2f} "
        f"| {max(bare):.2f} | 1.0 |",
        f"| {name} | `GET /clinic` (caseload) | {page50:.2f} | {percentile(page, 0.99):.2f} "
        f"| {max(page):.2f} | {page50 / bare50:.1f} |",
    ]
    p99 = percentile(page, 0.99)
    verdict = "met" if p99 < GOAL_MS else "NOT met"
    lines += ["", f"{name}: caseload p99 {p99:.1f} ms, goal under {GOAL_MS:.0f} ms: {verdict}"]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="default: a new SQLite file in a temporary folder")
    parser.add_argument("--scale", type=float, default=1.0, help="share of the full size")
    parser.add_argument("--requests", type=int, default=500, help="per endpoint")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--keep", action="store_true", help="keep the SQLite file made")
    parser.add_argument("--reuse", action="store_true", help="measure a database built before")
    parser.add_argument("--quick", action="store_true", help="a tiny run (the test suite's)")
    args = parser.parse_args(argv)
    if args.quick:
        args.scale, args.requests = 0.002, 10
    folder = None
    url = args.database_url
    if url is None:
        if args.reuse:
            raise SystemExit("--reuse needs --database-url")
        folder = Path(tempfile.mkdtemp(prefix="bothand-caseload-"))
        url = f"sqlite:///{folder / 'bothand.sqlite3'}"
    database = Database(url)
    name = "SQLite" if database.is_sqlite else "PostgreSQL"
    try:
        if args.reuse:
            database.upgrade()  # this tree's migrations (its indexes) on a database built before
            print(f"{name}: measuring the database built before")
        else:
            started = time.perf_counter()
            episodes, measurements, mine = build(database, args.scale, args.seed)
            print(
                f"{name}: built {episodes:,} episodes, {measurements:,} measurements, "
                f"{mine} patients of the clinician, in {time.perf_counter() - started:.0f} s"
            )
        result = measure(url, args.requests, database)
        print()
        print(report(name, result, args.requests))
    finally:
        database.dispose()
        if folder is not None:
            if args.keep:
                print(f"kept: --database-url sqlite:///{folder / 'bothand.sqlite3'} --reuse")
            else:
                shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
