"""The record's commands (DESIGN.md's Track contract), in process, on SQLite and PostgreSQL:
exit 0 done, 2 bad input naming the field, 1 for a broken audit chain."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
from sqlalchemy import text

from bothand.catalog import Catalog
from bothand.cli import main
from bothand.storage import Database
from tests.conftest import MovingClock
from tests.record.helpers import case, make_clinic


@pytest.fixture
def env(database: Database, monkeypatch: pytest.MonkeyPatch) -> Database:
    monkeypatch.setenv("BOTHAND_DATABASE_URL", database.url)
    return database


def run(
    args: list[str], capsys: pytest.CaptureFixture[str], stdin: str = ""
) -> tuple[int, str, str]:
    import sys

    old = sys.stdin
    sys.stdin = io.StringIO(stdin)
    try:
        code = main(args)
    finally:
        sys.stdin = old
    out, err = capsys.readouterr()
    return code, out, err


def test_the_commands_set_up_a_clinic(env: Database, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["db", "upgrade"], capsys)[1].startswith("The database is already at migration")
    code, clinic_id, _ = run(["clinic", "create", "North Clinic"], capsys)
    assert code == 0 and len(clinic_id.strip()) == 32
    code, _user_id, _ = run(
        [
            "user",
            "add",
            "a@example.org",
            "--clinic",
            clinic_id.strip(),
            "--role",
            "admin",
            "--role",
            "clinician",
            "--password-stdin",
        ],
        capsys,
        "a long enough password\n",
    )
    assert code == 0
    code, token, err = run(["token", "create", "a@example.org", "--name", "EHR"], capsys)
    assert code == 0 and token.startswith("bh_") and "only once" in err
    code, out, _ = run(["audit", "verify"], capsys)
    assert code == 0 and "3 events" in out
    with env.engine.connect() as connection:
        roles = connection.execute(text("SELECT is_admin, is_clinician FROM users")).one()
    assert tuple(roles) == (True, True)


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (["clinic", "create", "   "], "name"),
        (["user", "add", "x@example.org", "--clinic", "nope", "--role", "clinician"], "clinic"),
        (["user", "add", "bad", "--clinic", "nope", "--role", "clinician"], "email"),
        (["token", "create", "ghost@example.org"], "email"),
    ],
)
def test_bad_input_exits_2_naming_the_field(
    env: Database, capsys: pytest.CaptureFixture[str], args: list[str], field: str
) -> None:
    code, _out, err = run(args, capsys)
    assert code == 2 and err.startswith(f"bothand: {field}:") and err.count("\n") == 1


def test_audit_verify_exits_1_at_the_first_bad_event(
    env: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in ("One", "Two", "Three"):
        run(["clinic", "create", name], capsys)
    with env.engine.begin() as connection:
        if env.is_sqlite:
            connection.execute(text("DROP TRIGGER audit_events_no_update"))
        else:
            connection.execute(text("ALTER TABLE audit_events DISABLE TRIGGER USER"))
        connection.execute(text("UPDATE audit_events SET action = 'x' WHERE seq = 2"))
    code, out, _ = run(["audit", "verify"], capsys)
    assert code == 1 and "event 2" in out


def test_a_fresh_data_folder_needs_an_upgrade_first(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("BOTHAND_DATABASE_URL", raising=False)
    monkeypatch.setenv("BOTHAND_DATA_DIR", str(tmp_path / "data"))
    code, _, err = run(["clinic", "create", "North"], capsys)
    assert code == 2 and "bothand db upgrade" in err
    assert not (tmp_path / "data").exists()  # looking did not create it
    head = Database("sqlite://").head()  # this code's newest migration
    assert run(["db", "upgrade"], capsys)[1] == f"The database was migrated from empty to {head}.\n"
    assert run(["db", "backup", str(tmp_path / "copy.sqlite3")], capsys)[0] == 0
    assert (tmp_path / "copy.sqlite3").stat().st_size > 0


def test_serve_refuses_a_database_newer_than_the_code(
    env: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    with env.engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = 'f00d'"))
    code, _, err = run(["serve", "--port", "1"], capsys)
    assert code == 2 and "newer than this version of Bothand" in err


def test_alerts_sweep_raises_the_time_based_alerts_once(
    env: Database,
    capsys: pytest.CaptureFixture[str],
    catalog: Catalog,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """An episode started 60 days ago with only its baseline score: its latest missed
    questionnaire is overdue (one alert, not one per missed point), raised once."""
    sixty_days_ago = dt.datetime.now(dt.UTC) - dt.timedelta(days=60)
    clock = MovingClock(sixty_days_ago)
    clinic = make_clinic(catalog, env, clock)
    patient = clinic.record.add_patient(clinic.me, "MRN-1", "UTC")
    clinic.record.create_episode(clinic.me, patient.id, case(), "medication", sixty_days_ago.date())
    assert run(["alerts", "sweep"], capsys) == (0, "The sweep raised 1 alert.\n", "")
    assert run(["alerts", "sweep"], capsys) == (0, "The sweep raised 0 alerts.\n", "")
    [(alert, _)] = clinic.record.alerts(clinic.me, "open")
    assert alert.kind == "overdue" and alert.reason == "review_point_missed"
    monkeypatch.setenv("BOTHAND_SWEEP_MINUTES", "often")
    code, out, err = run(["alerts", "sweep"], capsys)
    assert code == 2 and out == "" and err.startswith("bothand: BOTHAND_SWEEP_MINUTES:")


def test_serve_sweeps_in_the_background_unless_set_to_0(env: Database, catalog: Catalog) -> None:
    import time

    from bothand.cli.commands import _sweeper
    from bothand.settings import Settings

    settings = Settings(secret_key="s" * 40, database_url=env.url, sweep_minutes=0)
    assert _sweeper(settings, catalog) is None
    sweeper = _sweeper(settings.model_copy(update={"sweep_minutes": 60}), catalog)
    assert sweeper is not None
    deadline = time.monotonic() + 10
    while sweeper.runs < 1 and time.monotonic() < deadline:  # it sweeps at once
        time.sleep(0.02)
    sweeper.stop()
    assert sweeper.runs == 1
