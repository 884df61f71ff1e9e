"""The clinic record's commands (DESIGN.md, "Track contract"):

    bothand db upgrade                       migrate the database to this version (idempotent)
    bothand db backup FILE                   consistent online copy (SQLite)
    bothand clinic create NAME               prints the clinic id
    bothand user add EMAIL --clinic ID --role clinician|admin [--password-stdin]
    bothand token create EMAIL [--name NAME] prints an API token once
    bothand audit verify                     0 if the hash chain holds; 1 and the first bad row
    bothand alerts sweep                     raise the time-based alerts now; prints how many
    bothand demo [--patients N] [--seed S] [--password-stdin]
                                             a synthetic clinic to look around in

Exit 0 done, 2 bad input with one line naming the field. The database is
``BOTHAND_DATABASE_URL``, or SQLite in ``BOTHAND_DATA_DIR``.
"""

from __future__ import annotations

import argparse
import getpass
import secrets
import sys
from pathlib import Path
from typing import Any

from bothand.catalog import Catalog
from bothand.domain.clock import SystemClock
from bothand.domain.errors import InputError
from bothand.services import demo
from bothand.services.accounts import MIN_PASSWORD, Accounts
from bothand.services.record import Record
from bothand.settings import Settings
from bothand.storage import Database


def add_commands(commands: Any) -> None:
    db = commands.add_parser("db", help="the clinic record's database: upgrade, backup")
    db_commands = db.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    upgrade = db_commands.add_parser("upgrade", help="migrate to this version (idempotent)")
    upgrade.set_defaults(handler=_db_upgrade)
    backup = db_commands.add_parser("backup", help="consistent online copy of SQLite")
    backup.add_argument("file", metavar="FILE", help="the new file to write")
    backup.set_defaults(handler=_db_backup)

    clinic = commands.add_parser("clinic", help="clinics: create")
    clinic_commands = clinic.add_subparsers(dest="clinic_command", metavar="ACTION", required=True)
    create = clinic_commands.add_parser("create", help="a new clinic; prints its id")
    create.add_argument("name", metavar="NAME")
    create.set_defaults(handler=_clinic_create)

    user = commands.add_parser("user", help="users: add")
    user_commands = user.add_subparsers(dest="user_command", metavar="ACTION", required=True)
    add = user_commands.add_parser("add", help="a clinician or admin of a clinic")
    add.add_argument("email", metavar="EMAIL")
    add.add_argument("--clinic", required=True, metavar="ID")
    add.add_argument(
        "--role",
        required=True,
        action="append",
        metavar="ROLE",
        help="clinician or admin (give --role twice for both)",
    )
    add.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    add.set_defaults(handler=_user_add)

    token = commands.add_parser("token", help="API tokens: create")
    token_commands = token.add_subparsers(dest="token_command", metavar="ACTION", required=True)
    token_create = token_commands.add_parser("create", help="a token for a user; shown once")
    token_create.add_argument("email", metavar="EMAIL")
    token_create.add_argument("--name", default="API token", metavar="NAME")
    token_create.set_defaults(handler=_token_create)

    audit = commands.add_parser("audit", help="the audit trail: verify")
    audit_commands = audit.add_subparsers(dest="audit_command", metavar="ACTION", required=True)
    verify = audit_commands.add_parser("verify", help="check the hash chain")
    verify.set_defaults(handler=_audit_verify)

    alerts = commands.add_parser("alerts", help="alerts: sweep")
    alerts_commands = alerts.add_subparsers(dest="alerts_command", metavar="ACTION", required=True)
    sweep = alerts_commands.add_parser(
        "sweep", help="raise the time-based alerts (overdue, review due) now; for cron"
    )
    sweep.set_defaults(handler=_alerts_sweep)

    make_demo = commands.add_parser(
        "demo", help="a synthetic clinic to look around in (made-up patients and scores)"
    )
    make_demo.add_argument("--patients", default="25", metavar="N", help="how many patients (25)")
    make_demo.add_argument(
        "--seed", default="1", metavar="S", help="same seed, same day: same clinic (1)"
    )
    make_demo.add_argument(
        "--password-stdin",
        action="store_true",
        help="read the demo clinician's password from stdin (else one is made and shown once)",
    )
    make_demo.set_defaults(handler=_demo)


def open_database(settings: Settings | None = None, *, migrate: bool = False) -> Database:
    """The configured database, checked to be at this code's migration. ``migrate``: bring an
    empty or older SQLite database up to date first (``bothand serve``'s one-step start)."""
    settings = settings or Settings.from_env()
    database = Database(settings.database)
    try:
        if migrate and database.is_sqlite:
            database.upgrade()
        database.require_current()
    except BaseException:
        database.dispose()
        raise
    return database


def _clock() -> SystemClock:
    return SystemClock(Settings.from_env().zone)


def _db_upgrade(args: argparse.Namespace, catalog: Catalog) -> int:
    with Database(Settings.from_env().database) as database:
        before, after = database.upgrade()
    if before == after:
        print(f"The database is already at migration {after}.")
    else:
        print(f"The database was migrated from {before or 'empty'} to {after}.")
    return 0


def _db_backup(args: argparse.Namespace, catalog: Catalog) -> int:
    with open_database() as database:
        database.backup(Path(args.file))
    print(f"Backed up to {args.file}.")
    return 0


def _clinic_create(args: argparse.Namespace, catalog: Catalog) -> int:
    with open_database() as database:
        clinic = Accounts(database, _clock()).create_clinic(args.name)
    print(clinic.id)
    return 0


def _user_add(args: argparse.Namespace, catalog: Catalog) -> int:
    password: str | None = None
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    elif sys.stdin.isatty():
        password = getpass.getpass("Password (at least 12 characters): ")
    with open_database() as database:
        user = Accounts(database, _clock()).add_user(args.email, args.clinic, args.role, password)
    print(user.id)
    if password is None:
        print("No password was set: set one before this user signs in.", file=sys.stderr)
    return 0


def _token_create(args: argparse.Namespace, catalog: Catalog) -> int:
    with open_database() as database:
        token = Accounts(database, _clock()).create_token(args.email, args.name)
    print(token.token)
    print("This token is shown only once. Keep it somewhere safe.", file=sys.stderr)
    return 0


def _whole(text: str, field: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise InputError(field, f"'{text}' is not a whole number") from None


def _demo(args: argparse.Namespace, catalog: Catalog) -> int:
    patients, seed = _whole(args.patients, "--patients"), _whole(args.seed, "--seed")
    if not 1 <= patients <= demo.MAX_PATIENTS:
        raise InputError("--patients", f"give a number from 1 to {demo.MAX_PATIENTS}")
    made_password = not args.password_stdin
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
        if len(password) < MIN_PASSWORD:  # before any work, not after the clinic is made
            raise InputError("password", f"use at least {MIN_PASSWORD} characters")
    else:
        password = secrets.token_urlsafe(12)
    settings = Settings.from_env()
    with open_database(settings, migrate=True) as database:
        made = demo.make_demo(catalog, database, SystemClock().now(), password, patients, seed)
    alerts = ", ".join(f"{count} {kind}" for kind, count in made.alerts.items()) or "none"
    last = f"DEMO-{made.patients:03d}"
    print(f"Made '{made.clinic.name}': every patient, score and date in it is made up.")
    print(
        f"  {made.patients} synthetic patients (DEMO-001 to {last}), {made.episodes} episodes, "
        f"{made.measurements} measurements since {made.first_day}; alerts raised: {alerts}."
    )
    print(f"  Sign in as {made.user.email}", end="")
    if made_password:
        print(f" with the password {password} (shown only once).")
    else:
        print(" with the password you gave.")
    base = (settings.public_url or "http://127.0.0.1:8000").rstrip("/")
    print(f"To look around: run scripts/run (or bothand serve), then open {base}/clinic/sign-in")
    return 0


def _audit_verify(args: argparse.Namespace, catalog: Catalog) -> int:
    with open_database() as database:
        count, broken = Record(catalog, database, _clock()).verify_audit()
    if broken is None:
        events = "event" if count == 1 else "events"
        print(f"The audit trail holds: {count} {events}, each linked to the one before.")
        return 0
    seq, why = broken
    print(f"The audit trail is broken at event {seq}: {why}.")
    return 1


def _alerts_sweep(args: argparse.Namespace, catalog: Catalog) -> int:
    with open_database() as database:
        raised = Record(catalog, database, _clock()).sweep()
    count = len(raised)
    print(f"The sweep raised {count} {'alert' if count == 1 else 'alerts'}.")
    return 0
