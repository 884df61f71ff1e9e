"""``bothand demo`` (DESIGN.md's Track contract), in process, on SQLite and PostgreSQL: a
clinic marked synthetic, its patients each with an episode and months of measurements made
through ``Record``, a critical alert, and a refusal to run twice."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import text

from bothand.domain.clock import FixedClock
from bothand.services import demo
from bothand.services.accounts import Accounts
from bothand.services.record import Record
from bothand.storage import Database
from tests.record.test_cli_record import env, run

__all__ = ["env"]  # the fixture, used by name

PASSWORD = "a long enough password"


def rows(database: Database, sql: str) -> list[Any]:
    with database.engine.connect() as connection:
        return list(connection.execute(text(sql)).all())


def test_demo_fills_a_synthetic_clinic(
    env: Database, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[str] = []
    record = Record.record

    def spy(self: Record, *args: Any, **kwargs: Any) -> Any:
        calls.append(args[2])
        return record(self, *args, **kwargs)

    monkeypatch.setattr(Record, "record", spy)
    code, out, err = run(["demo", "--patients", "5", "--password-stdin"], capsys, PASSWORD + "\n")
    assert (code, err) == (0, "")
    assert "Demo clinic (synthetic data)" in out and "made up" in out
    assert "5 synthetic patients (DEMO-001 to DEMO-005)" in out and "1 critical" in out
    assert "scripts/run" in out and "/clinic/sign-in" in out and "demo@example.org" in out

    assert rows(env, "SELECT name FROM clinics") == [("Demo clinic (synthetic data)",)]
    patients = rows(env, "SELECT reference, display_name FROM patients ORDER BY reference")
    assert [p[0] for p in patients] == [f"DEMO-00{n}" for n in range(1, 6)]
    assert all(p[1].endswith("(synthetic)") for p in patients)
    episodes = rows(
        env,
        "SELECT p.reference, e.option, e.start, e.created_at FROM episodes e"
        " JOIN patients p ON p.id = e.patient_id ORDER BY p.reference",
    )
    assert [e[0] for e in episodes] == [p[0] for p in patients]  # one episode each
    assert [e[1] for e in episodes] == [
        "combined",
        "therapy",
        "medication_first",
        "therapy",
        "therapy",
    ]
    today = dt.datetime.now(dt.UTC).date()
    for _, _, start, created in episodes:
        start = start if isinstance(start, dt.date) else dt.date.fromisoformat(start)
        assert today - dt.timedelta(days=245) <= start <= today - dt.timedelta(days=100)
        assert str(created)[:10] == start.isoformat()  # made on its day, not today
    spread = rows(
        env,
        "SELECT episode_id, COUNT(*), MIN(taken_on), MAX(taken_on) FROM measurements"
        " WHERE instrument <> 'asq' GROUP BY episode_id",
    )
    assert len(spread) == 5
    for _, count, first, last in spread:
        days = (dt.date.fromisoformat(str(last)) - dt.date.fromisoformat(str(first))).days
        assert 8 <= count <= 13 and days >= 90  # fortnightly, then monthly, for months
    measured = rows(env, "SELECT COUNT(*) FROM measurements")[0][0]
    baselines = rows(env, "SELECT COUNT(*) FROM measurements m JOIN episodes e"
                     " ON e.id = m.episode_id WHERE m.taken_on = e.start")[0][0]  # fmt: skip
    assert len(calls) == measured - baselines  # every later one through Record.record
    assert f"{measured} measurements" in out
    alerts = rows(env, "SELECT kind, status FROM alerts WHERE kind = 'critical'")
    assert alerts == [("critical", "open")]
    assert run(["audit", "verify"], capsys)[0] == 0

    # the password given signs the demo clinician in
    accounts = Accounts(env, FixedClock(dt.datetime.now(dt.UTC)))
    assert accounts.sign_in("demo@example.org", PASSWORD, "127.0.0.1").user.is_clinician

    # and a second run into the same database is refused, in one line naming the problem
    code, out, err = run(["demo", "--patients", "2", "--password-stdin"], capsys, PASSWORD + "\n")
    assert code == 2 and out == "" and err.startswith("bothand: demo: ") and err.count("\n") == 1
    assert rows(env, "SELECT COUNT(*) FROM patients")[0][0] == 5


def test_demo_without_a_password_makes_one_and_shows_it_once(
    env: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(["demo", "--patients", "1", "--seed", "4"], capsys)
    assert code == 0 and "shown only once" in out
    password = out.split("with the password ")[1].split(" ")[0]
    accounts = Accounts(env, FixedClock(dt.datetime.now(dt.UTC)))
    assert accounts.sign_in(demo.EMAIL, password, "127.0.0.1").user.email == demo.EMAIL


@pytest.mark.parametrize(
    ("args", "stdin", "field"),
    [
        (["--patients", "0"], "", "--patients"),
        (["--patients", "501"], "", "--patients"),
        (["--patients", "many"], "", "--patients"),
        (["--seed", "x"], "", "--seed"),
        (["--password-stdin"], "short\n", "password"),
    ],
)
def test_bad_flags_exit_2_in_one_line(
    env: Database, capsys: pytest.CaptureFixture[str], args: list[str], stdin: str, field: str
) -> None:
    code, out, err = run(["demo", *args], capsys, stdin)
    assert code == 2 and out == "" and err == f"bothand: {field}: " + err.split(": ", 2)[2]
    assert err.count("\n") == 1
    assert rows(env, "SELECT COUNT(*) FROM clinics")[0][0] == 0  # nothing was made
