"""Crash test: nothing the server acknowledged is lost when its process is killed.

The real server runs in a process of its own (uvicorn, as ``bothand serve`` runs it) on a
migrated database: a SQLite file in ``BOTHAND_DATA_DIR`` (WAL, ``synchronous=FULL``), or a
fresh PostgreSQL database in ``BOTHAND_DATABASE_URL``. Writer threads post PHQ-9 measurements
to ``POST /api/episodes/{id}/measurements`` with an API token and note every measurement the
server answered 201 for. At seeded random moments the server gets SIGKILL (no shutdown, no
flush: as if the machine lost power to the process), is started again on the same database,
and the writers go on. At the end every acknowledged measurement must be in the record as sent
(its answers, total and date), and the audit trail's hash chain must hold.

A request in flight when the server dies gets no answer: the writer counts it as not
acknowledged. It may or may not have been stored (the commit can finish just before the kill);
both are correct, so only acknowledged ids are checked.
"""

from __future__ import annotations

import datetime as dt
import itertools
import os
import random
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from bothand.catalog import Catalog
from bothand.domain.clock import FixedClock
from bothand.domain.record import Actor
from bothand.services.accounts import Accounts
from bothand.services.record import Record
from bothand.storage import Database
from tests.record.helpers import case

REPO = Path(__file__).resolve().parents[2]
SEED = 20261206
ROUNDS = 3  # kills per database
WRITERS = 4
START_SECONDS = 30
# The setup's clock: the episode opens on this day; the measurements are dated on it or the
# few days after, all before the server's own today (it reads the computer's clock).
OPENED = dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.UTC)
APP = "bothand.web.app:create_app"


@dataclass
class Target:
    """One migrated database and the environment that points a server at it."""

    url: str
    env: dict[str, str]


@pytest.fixture(params=["sqlite", "postgresql"])
def target(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Target]:
    env = {**os.environ, "BOTHAND_SECRET_KEY": "crash-test-" + "k" * 40}
    env.pop("BOTHAND_DATABASE_URL", None)
    if request.param == "sqlite":
        data = tmp_path / "data"
        env["BOTHAND_DATA_DIR"] = str(data)
        yield _migrated(Target(f"sqlite:///{(data / 'bothand.sqlite3').as_posix()}", env))
        return
    from sqlalchemy import create_engine, text

    base_url = request.getfixturevalue("postgres_url")
    name = f"bothand_crash_{secrets.token_hex(6)}"
    admin = create_engine(base_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f"CREATE DATABASE {name}"))
    url = base_url.rsplit("/", 1)[0] + "/" + name
    env["BOTHAND_DATABASE_URL"] = url
    try:
        yield _migrated(Target(url, env))
    finally:
        with admin.connect() as connection:
            connection.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        admin.dispose()


def _migrated(target: Target) -> Target:
    subprocess.run(
        [sys.executable, "-m", "bothand.cli", "db", "upgrade"],
        cwd=REPO,
        env=target.env,
        check=True,
        capture_output=True,
    )
    return target


# --- the server ------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class Server:
    """The app in its own uvicorn process, started again on the same port after each kill."""

    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.env = env
        self.log = log
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        command = [
            sys.executable,
            "-m",
            "uvicorn",
            APP,
            "--factory",
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--no-server-header",
            "--no-access-log",
            "--log-level",
            "warning",
        ]
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                command, cwd=REPO, env=self.env, stdout=out, stderr=subprocess.STDOUT
            )
        deadline = time.monotonic() + START_SECONDS
        with httpx.Client(trust_env=False, timeout=1) as client:
            while time.monotonic() < deadline and self.process.poll() is None:
                try:
                    if client.get(self.base + "/api/health").status_code == 200:
                        return
                except httpx.TransportError:
                    pass
                time.sleep(0.05)
        self.stop()
        raise AssertionError(f"the server did not start:\n{self.tail()}")

    def kill(self) -> None:
        """SIGKILL: the process ends at once, with no chance to finish or flush anything."""
        assert self.process is not None
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)

    def tail(self) -> str:
        return self.log.read_text(errors="replace")[-4000:] if self.log.exists() else ""


# --- the writers -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Sent:
    id: str
    answers: tuple[int, ...]
    taken_on: dt.date


@dataclass
class Writers:
    """Threads posting measurements until told to stop; what the server acknowledged."""

    url: str
    token: str
    stop: threading.Event = field(default_factory=threading.Event)
    acknowledged: list[Sent] = field(default_factory=list)
    unanswered: int = 0  # requests that got no response (the server was down or died)
    unexpected: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def run(self, number: int) -> None:
        rng = random.Random(SEED + number)
        headers = {"Authorization": f"Bearer {self.token}"}
        with httpx.Client(trust_env=False, timeout=10, headers=headers) as client:
            while not self.stop.is_set():
                answers = [rng.randint(0, 3) for _ in range(8)] + [0]
                taken_on = OPENED.date() + dt.timedelta(days=rng.randint(0, 3))
                body = {"instrument": "phq9", "answers": answers, "taken_on": str(taken_on)}
                try:
                    response = client.post(self.url, json=body)
                except httpx.TransportError:
                    with self.lock:
                        self.unanswered += 1
                    time.sleep(0.02)  # the server is down: try again shortly
                    continue
                with self.lock:
                    if response.status_code == 201:
                        self.acknowledged.append(
                            Sent(response.json()["id"], tuple(answers), taken_on)
                        )
                    else:
                        self.unexpected.append(f"{response.status_code} {response.text[:300]}")


# --- the test --------------------------------------------------------------------------------


def test_every_acknowledged_measurement_survives_sigkill(
    target: Target, catalog: Catalog, tmp_path: Path
) -> None:
    database = Database(target.url)
    clock = FixedClock(OPENED)
    accounts = Accounts(database, clock)
    clinic = accounts.create_clinic("Crash")
    user = accounts.add_user("crash@example.org", clinic.id, ["clinician"], None)
    token = accounts.create_token(user.email, "crash test").token
    assert token is not None
    actor = Actor("user", user.id, user.role, user.clinic_id, user)
    record = Record(catalog, database, clock)
    patient = record.add_patient(actor, "CRASH-1", "UTC")
    episode = record.create_episode(actor, patient.id, case(), None, OPENED.date())
    before = {m.id for m in episode.measurements}  # the decision's baseline
    database.dispose()

    server = Server(target.env, tmp_path / "server.log")
    writers = Writers(f"{server.base}/api/episodes/{episode.id}/measurements", token)
    threads = [threading.Thread(target=writers.run, args=(n,)) for n in range(WRITERS)]
    rng = random.Random(SEED)
    acknowledged_by_round: list[int] = []  # how many were acknowledged when each kill came
    try:
        server.start()
        for thread in threads:
            thread.start()
        for _ in range(ROUNDS):
            time.sleep(rng.uniform(0.4, 1.6))  # the writers write; then, mid-request, a kill
            server.kill()
            with writers.lock:
                acknowledged_by_round.append(len(writers.acknowledged))
            time.sleep(rng.uniform(0.0, 0.3))
            server.start()  # recovers on the same database
        time.sleep(0.8)
    finally:
        writers.stop.set()
        for thread in threads:
            thread.join(timeout=30)
        server.stop()

    assert writers.unexpected == [], server.tail()
    assert writers.unanswered > 0  # the kills did interrupt the writers
    # Every round, the restarted server took writes again.
    counts = [0, *acknowledged_by_round, len(writers.acknowledged)]
    assert all(a < b for a, b in itertools.pairwise(counts)), (counts, server.tail())

    database = Database(target.url)
    try:
        record = Record(catalog, database, FixedClock(OPENED))
        stored_episode, _, _ = record.episode(actor, episode.id)
        stored = {m.id: m for m in stored_episode.measurements if m.id not in before}
        for sent in writers.acknowledged:
            measurement = stored.get(sent.id)
            assert measurement is not None, f"acknowledged measurement {sent.id} was lost"
            assert measurement.instrument == "phq9"
            assert measurement.answers == sent.answers
            assert measurement.total == sum(sent.answers)
            assert measurement.taken_on == sent.taken_on
        # No more than were sent: at most one per request that got no answer.
        assert len(stored) <= len(writers.acknowledged) + writers.unanswered
        count, broken = record.verify_audit()
        assert broken is None, broken
        assert count >= len(stored)
    finally:
        database.dispose()
