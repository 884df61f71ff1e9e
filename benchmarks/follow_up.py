"""The cost of follow-up: recording a measurement with its follow-up (the episode's progress,
review points and their findings, the alerts and re-decisions they raise) against recording
it without, side by side in one run, on SQLite and PostgreSQL.

    .venv/bin/python benchmarks/follow_up.py [--rows 100] [--rounds 5] [--history 20]
                                             [--postgres URL] [--no-postgres] [--quick]

- **without follow-up** (the baseline): ``Record.record(..., follow_up=False)``: find the
  episode, score the form, store the measurement and its audit event, raise a critical alert
  if the risk item is positive, commit (issue 11's write).
- **with follow-up**: ``Record.record(..., follow_up=True)``, what the API calls: the same
  write, then in the same transaction the episode's scores in force are read back, progress is
  worked out per instrument, and the follow-up of issue 12 runs (review points, findings,
  deterioration and review alerts, re-decisions) as far as this tree has it.

Each timed row goes into an episode that already holds ``--history`` measurements spread over
the weeks since its plan started (made untimed, with a clock moved back in time, each with its
follow-up, so the alerts and re-decisions its review points called for exist already: the
timed row pays for checking them, as a steady day in a clinic does), as a real episode in its
third month does; a round uses a fresh set of such episodes, one per row, so
no episode grows past ``--history`` + 1. The forms are seeded PHQ-9 answers with item 9 at 0.
Both paths commit once per row; the ratio with ÷ without shows what follow-up costs on top.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from bothand.catalog import Catalog, load_catalog
from bothand.domain.record import Actor
from bothand.services.accounts import Accounts
from bothand.services.record import Record
from bothand.storage import Database
from record import SEED, forms, scratch_postgres

CASE = {
    "concerns": [{"condition": "depression", "instrument": "phq9", "answers": [2] * 8 + [0]}],
    "preferences": {"medication": "open", "therapy": "open"},
}
OPTION = "medication_first"


@dataclass
class Clock:
    """Moved by hand while the history is made, then set to the real now for the timing."""

    at: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))

    def now(self) -> dt.datetime:
        return self.at

    def today(self) -> dt.date:
        return self.at.date()


@dataclass
class Bench:
    record: Record
    clock: Clock
    actor: Actor
    patient_id: str
    history: int
    rng: random.Random

    def episodes(self, n: int) -> list[str]:
        """``n`` episodes started ``history`` weeks ago, each with a score a week (untimed)."""
        now = dt.datetime.now(dt.UTC)
        made: list[str] = []
        for _ in range(n):
            began = now - dt.timedelta(weeks=self.history)
            self.clock.at = began
            episode = self.record.create_episode(
                self.actor, self.patient_id, CASE, OPTION, began.date()
            )
            for week in range(1, self.history):
                self.clock.at = began + dt.timedelta(weeks=week)
                answers = forms(self.rng, 1)[0]
                self.record.record(
                    self.actor, episode.id, "phq9", answers, self.clock.today(), follow_up=True
                )
            made.append(episode.id)
        self.clock.at = now
        return made

    def timed(self, follow_up: bool) -> Callable[[list[list[int]]], float]:
        def run(batch: list[list[int]]) -> float:
            episodes = self.episodes(len(batch))  # untimed
            record, actor, today = self.record.record, self.actor, self.clock.today()
            gc.collect()
            started = time.perf_counter()
            for episode, answers in zip(episodes, batch, strict=True):
                record(actor, episode, "phq9", answers, today, follow_up=follow_up)
            return time.perf_counter() - started

        return run


def bench(catalog: Catalog, database: Database, history: int, rng: random.Random) -> Bench:
    database.upgrade()
    clock = Clock()
    accounts = Accounts(database, clock)
    clinic = accounts.create_clinic("Benchmark")
    user = accounts.add_user("bench@example.org", clinic.id, ["clinician"], None)
    actor = Actor("user", user.id, user.role, user.clinic_id, user)
    record = Record(catalog, database, clock)
    patient = record.add_patient(actor, "B-1", "UTC")
    return Bench(record, clock, actor, patient.id, history, rng)


@dataclass
class Result:
    database: str
    without: list[float] = field(default_factory=list)  # rows per second, one per round
    with_follow_up: list[float] = field(default_factory=list)


def interleave(name: str, runs: Bench, rows: int, rounds: int, rng: random.Random) -> Result:
    runs.timed(False)(forms(rng, 2))  # warm-up, untimed
    runs.timed(True)(forms(rng, 2))
    result = Result(name)
    for _ in range(rounds):
        for follow_up, rates in ((False, result.without), (True, result.with_follow_up)):
            wall = runs.timed(follow_up)(forms(rng, rows))
            rates.append(rows / wall)
    return result


def table(results: list[Result], rows: int, rounds: int, history: int) -> str:
    lines = [
        f"{rounds} rounds of {rows} rows per path, in turn; each episode already holds "
        f"{history} scores",
        "",
        "| Database | Path | Rows/s (median) | Range | ms/row (median) "
        "| With ÷ without (median; per round) |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for r in results:
        per_round = [w / b for w, b in zip(r.with_follow_up, r.without, strict=True)]
        ratio = statistics.median(r.with_follow_up) / statistics.median(r.without)
        for label, rates, shown in (
            ("`record(follow_up=False)`", r.without, "1.00"),
            (
                "`record(follow_up=True)`",
                r.with_follow_up,
                f"**{ratio:.2f}** ({min(per_round):.2f}–{max(per_round):.2f})",
            ),
        ):
            median = statistics.median(rates)
            lines.append(
                f"| {r.database} | {label} | {median:,.0f} | {min(rates):,.0f}–"
                f"{max(rates):,.0f} | {1000 / median:.1f} | {shown} |"
            )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100, help="rows per path per round")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--history", type=int, default=20, help="scores already in an episode")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--dir", type=Path, default=None, help="where the SQLite file goes")
    parser.add_argument("--postgres", default=os.environ.get("BOTHAND_TEST_POSTGRES_URL"))
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--quick", action="store_true", help="a tiny run (the test suite's)")
    args = parser.parse_args(argv)
    if args.quick:
        args.rows, args.rounds, args.history = 3, 1, 6
    rng = random.Random(args.seed)
    catalog = load_catalog()
    results: list[Result] = []
    folder = Path(tempfile.mkdtemp(prefix="bothand-bench-", dir=args.dir))
    try:
        database = Database(f"sqlite:///{folder / 'bothand.sqlite3'}")
        runs = bench(catalog, database, args.history, rng)
        results.append(interleave("SQLite", runs, args.rows, args.rounds, rng))
        database.dispose()
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    if args.postgres and not args.no_postgres:
        with scratch_postgres(args.postgres) as url:
            database = Database(url)
            runs = bench(catalog, database, args.history, rng)
            results.append(interleave("PostgreSQL", runs, args.rows, args.rounds, rng))
            database.dispose()
    else:
        print("PostgreSQL skipped: give --postgres URL or set BOTHAND_TEST_POSTGRES_URL")
    print(table(results, args.rows, args.rounds, args.history))
    return 0


if __name__ == "__main__":
    sys.exit(main())
