"""Durable writes: measurements recorded per second through the service, against a bare
insert of one row per committed transaction on the same database, side by side in one run.

    .venv/bin/python benchmarks/record.py [--rows 200] [--rounds 5] [--postgres URL]
                                          [--dir DIR] [--no-postgres] [--profile] [--quick]

- **service**: ``Record.record(actor, episode_id, "phq9", answers, taken_on,
  follow_up=False)`` for each row: find the episode within what the clinician may see, score
  the form, store the measurement, chain its audit event, commit (issue 11's write; the
  episode's progress after it, which the API also returns, is issue 12's follow-up and is
  left out here). On SQLite with ``storage/db.py``'s own settings (WAL,
  ``synchronous=FULL``, every transaction ``BEGIN IMMEDIATE``).
- **bare insert** (the baseline): the driver alone (stdlib ``sqlite3``; ``psycopg`` on
  PostgreSQL) inserting one row ``(id, episode, total, answers)`` and committing it, on the
  same disk with the same pragmas (SQLite), or in the same scratch database (PostgreSQL).

Both commit once per row, so both wait for the same durable commit (an fsync of the WAL on
SQLite); the ratio service ÷ bare shows what the service adds on top of that wait. Target
(issue 11): at least 0.3.

Each database is made fresh (SQLite: a folder under ``--dir``, default the system's temporary
folder; PostgreSQL: a scratch database made on the server of ``--postgres`` or
``BOTHAND_TEST_POSTGRES_URL`` and dropped at the end). The paths run in turn, baseline then
service, for ``--rounds`` rounds of ``--rows`` rows each, after a short untimed warm-up; the
table gives the median rate, its range over the rounds, and the ratio of the medians. Each
round records into a new episode (made untimed), so an episode holds at most ``--rows``
measurements, as a real one holds tens. The answers are seeded PHQ-9 forms with item 9 at 0
(no critical alert: the plain path).
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import gc
import json
import os
import pstats
import random
import secrets
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from bothand.catalog import Catalog, load_catalog
from bothand.domain.clock import SystemClock
from bothand.domain.record import Actor
from bothand.services.accounts import Accounts
from bothand.services.record import Record
from bothand.storage import Database
from bothand.storage.db import BUSY_TIMEOUT_MS

TARGET = 0.3  # service ÷ bare insert
SEED = 20261206
CASE = {
    "concerns": [{"condition": "depression", "instrument": "phq9", "answers": [1] * 8 + [0]}],
    "preferences": {"medication": "open", "therapy": "open"},
}

Timed = Callable[[list[list[int]]], tuple[float, float]]  # records the forms: wall, CPU seconds


def forms(rng: random.Random, n: int) -> list[list[int]]:
    """PHQ-9 answer lists, items 1-8 at random, item 9 at 0."""
    return [[rng.randint(0, 3) for _ in range(8)] + [0] for _ in range(n)]


# --- the bare inserts ---------------------------------------------------------------------


def bare_sqlite(path: Path) -> tuple[Timed, Callable[[], None]]:
    connection = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    for pragma in (
        "journal_mode=WAL",
        "foreign_keys=ON",
        f"busy_timeout={BUSY_TIMEOUT_MS}",
        "synchronous=FULL",
    ):
        connection.execute(f"PRAGMA {pragma}")
    connection.execute(
        "CREATE TABLE m (id TEXT PRIMARY KEY, episode TEXT, total INTEGER, answers TEXT)"
    )
    episode = secrets.token_hex(16)

    def run(batch: list[list[int]]) -> tuple[float, float]:
        started, cpu = time.perf_counter(), time.process_time()
        for answers in batch:
            connection.execute("BEGIN IMMEDIATE")
            connection.execute(
                "INSERT INTO m VALUES (?, ?, ?, ?)",
                (secrets.token_hex(16), episode, sum(answers), json.dumps(answers)),
            )
            connection.execute("COMMIT")
        return time.perf_counter() - started, time.process_time() - cpu

    return run, connection.close


def bare_postgres(url: str) -> tuple[Timed, Callable[[], None]]:
    import psycopg

    connection = psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://", 1))
    connection.execute(
        "CREATE TABLE m (id TEXT PRIMARY KEY, episode TEXT, total INTEGER, answers TEXT)"
    )
    connection.commit()
    episode = secrets.token_hex(16)

    def run(batch: list[list[int]]) -> tuple[float, float]:
        started, cpu = time.perf_counter(), time.process_time()
        for answers in batch:
            connection.execute(
                "INSERT INTO m VALUES (%s, %s, %s, %s)",
                (secrets.token_hex(16), episode, sum(answers), json.dumps(answers)),
            )
            connection.commit()
        return time.perf_counter() - started, time.process_time() - cpu

    return run, connection.close


# --- the service ----------------------------------------------------------------------------


@dataclass
class Service:
    record: Record
    actor: Actor
    patient_id: str
    taken_on: dt.date

    def new_episode(self) -> str:
        return self.record.create_episode(self.actor, self.patient_id, CASE, None, None).id

    def timed(self) -> Timed:
        def run(batch: list[list[int]]) -> tuple[float, float]:
            episode = self.new_episode()  # untimed: a new episode per round
            record, actor, taken_on = self.record.record, self.actor, self.taken_on
            started, cpu = time.perf_counter(), time.process_time()
            for answers in batch:
                record(actor, episode, "phq9", answers, taken_on, follow_up=False)
            return time.perf_counter() - started, time.process_time() - cpu

        return run


def service(catalog: Catalog, database: Database) -> Service:
    database.upgrade()
    clock = SystemClock()
    accounts = Accounts(database, clock)
    clinic = accounts.create_clinic("Benchmark")
    user = accounts.add_user("bench@example.org", clinic.id, ["clinician"], None)
    actor = Actor("user", user.id, user.role, user.clinic_id, user)
    record = Record(catalog, database, clock)
    patient = record.add_patient(actor, "B-1", "UTC")
    return Service(record, actor, patient.id, clock.today())


@contextmanager
def scratch_postgres(url: str) -> Iterator[str]:
    from sqlalchemy import create_engine, text

    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    name = f"bothand_bench_{secrets.token_hex(4)}"
    with admin.connect() as connection:
        connection.execute(text(f"CREATE DATABASE {name}"))
    try:
        yield url.rsplit("/", 1)[0] + "/" + name
    finally:
        with admin.connect() as connection:
            connection.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        admin.dispose()


def postgres_settings(url: str) -> str:
    import psycopg

    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://", 1)) as connection:
        values = [
            f"{name}={connection.execute(f'SHOW {name}').fetchone()[0]}"  # type: ignore[index]
            for name in ("fsync", "synchronous_commit", "wal_sync_method")
        ]
    return ", ".join(values)


# --- timing -----------------------------------------------------------------------------------


@dataclass
class Result:
    database: str
    bare: list[float]  # rows per second, one per round
    service: list[float]
    bare_cpu: list[float]  # CPU microseconds of this process per row, one per round
    service_cpu: list[float]


def interleave(
    database: str,
    bare: Timed,
    served: Timed,
    rng: random.Random,
    rows: int,
    rounds: int,
    warmup: int,
) -> Result:
    bare(forms(rng, warmup))
    served(forms(rng, warmup))
    result = Result(database, [], [], [], [])
    for _ in range(rounds):
        for run, rates, cpus in (
            (bare, result.bare, result.bare_cpu),
            (served, result.service, result.service_cpu),
        ):
            batch = forms(rng, rows)
            gc.collect()
            wall, cpu = run(batch)
            rates.append(rows / wall)
            cpus.append(cpu / rows * 1e6)
    return result


def profile(served: Timed, rng: random.Random, rows: int, top: int) -> None:
    batch = forms(rng, rows)
    profiler = cProfile.Profile()
    profiler.enable()
    served(batch)
    profiler.disable()
    for key in ("tottime", "cumulative"):
        print(f"\ncProfile of the service, {rows} rows, by {key}:")
        pstats.Stats(profiler).sort_stats(key).print_stats(top)


def table(results: list[Result], rows: int, rounds: int) -> str:
    lines = [
        f"{rounds} rounds of {rows} rows per path, baseline and service in turn",
        "",
        "| Database | Path | Rows/s (median) | Range | Service ÷ bare (median; per round) "
        "| CPU µs/row (median) |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for result in results:
        bare, served = statistics.median(result.bare), statistics.median(result.service)
        per_round = [s / b for s, b in zip(result.service, result.bare, strict=True)]
        for name, rates, ratio, cpu in (
            ("bare insert + commit", result.bare, "1.00", result.bare_cpu),
            (
                "`Record.record`",
                result.service,
                f"**{served / bare:.2f}** ({min(per_round):.2f}–{max(per_round):.2f})",
                result.service_cpu,
            ),
        ):
            lines.append(
                f"| {result.database} | {name} | {statistics.median(rates):,.0f} | "
                f"{min(rates):,.0f}–{max(rates):,.0f} | {ratio} | {statistics.median(cpu):,.0f} |"
            )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=200, help="rows per path per round")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--warmup", type=int, default=20, help="untimed rows per path first")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--dir", type=Path, default=None, help="where the SQLite files go")
    parser.add_argument("--postgres", default=os.environ.get("BOTHAND_TEST_POSTGRES_URL"))
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--profile", action="store_true", help="cProfile one service round")
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--quick", action="store_true", help="a tiny run (the test suite's)")
    args = parser.parse_args(argv)
    if args.quick:
        args.rows, args.rounds, args.warmup = 5, 2, 2
    rng = random.Random(args.seed)
    catalog = load_catalog()
    results: list[Result] = []

    folder = Path(tempfile.mkdtemp(prefix="bothand-bench-", dir=args.dir))
    try:
        database = Database(f"sqlite:///{folder / 'bothand.sqlite3'}")
        served = service(catalog, database)
        bare, close = bare_sqlite(folder / "bare.sqlite3")
        print(f"SQLite in {folder} (WAL, synchronous=FULL), sqlite {sqlite3.sqlite_version}")
        results.append(
            interleave("SQLite", bare, served.timed(), rng, args.rows, args.rounds, args.warmup)
        )
        if args.profile:
            profile(served.timed(), rng, args.rows, args.top)
        close()
        database.dispose()
    finally:
        shutil.rmtree(folder, ignore_errors=True)

    if args.postgres and not args.no_postgres:
        with scratch_postgres(args.postgres) as url:
            print(f"PostgreSQL scratch database ({postgres_settings(url)})")
            database = Database(url)
            served = service(catalog, database)
            bare, close = bare_postgres(url)
            results.append(
                interleave(
                    "PostgreSQL", bare, served.timed(), rng, args.rows, args.rounds, args.warmup
                )
            )
            if args.profile:
                profile(served.timed(), rng, args.rows, args.top)
            close()
            database.dispose()
    else:
        print("PostgreSQL skipped: give --postgres URL or set BOTHAND_TEST_POSTGRES_URL")

    print()
    print(table(results, args.rows, args.rounds))
    for result in results:
        ratio = statistics.median(result.service) / statistics.median(result.bare)
        verdict = "met" if ratio >= TARGET else "NOT met"
        print(f"{result.database}: service ÷ bare {ratio:.2f}, target ≥ {TARGET}: {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
