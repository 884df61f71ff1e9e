"""The ``bothand`` command line: the pipeline in a terminal.

Exit status: 0 done; 2 bad input (one line on stderr naming the field); 3 the content folder is
invalid; 70 an internal error (a short line, never a traceback); 130 interrupted.
Nothing a person types is logged or written anywhere they did not ask for.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TextIO

from bothand import services
from bothand.catalog import Catalog, load_catalog
from bothand.cli import record, session
from bothand.cli.terminal import render_explainer, render_plan, render_recommendation
from bothand.contract import dump_plan, to_json
from bothand.contract.dates import parse_day
from bothand.domain.clock import SystemClock
from bothand.domain.errors import BothandError, ContentError, InputError
from bothand.domain.vocab import OPTION_IDS
from bothand.reports.ics import plan_to_ics
from bothand.services.accounts import Accounts
from bothand.services.alerts import Sweeper
from bothand.services.record import Record
from bothand.settings import Settings


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    handler: Callable[[argparse.Namespace, Catalog], int] = args.handler
    try:
        settings = Settings.from_env()
        catalog = load_catalog(settings.content_dir, settings.wording_dir)
        return handler(args, catalog)
    except InputError as error:
        print(f"bothand: {error}", file=sys.stderr)
        return 2
    except ContentError as error:
        print(f"bothand: content is invalid: {error}", file=sys.stderr)
        return 3
    except BothandError as error:
        print(f"bothand: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except Exception as error:  # the last line of defence: no traceback reaches a person
        print(
            f"bothand: internal error ({type(error).__name__}); nothing was saved", file=sys.stderr
        )
        return 70


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="bothand",
        description="Therapy, medication, or both: get ready for a conversation with a clinician.",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    parser.set_defaults(handler=_start)

    start = commands.add_parser(
        "start", help="guided session: questionnaires, preferences, options, plan"
    )
    start.set_defaults(handler=_start)

    questionnaire = commands.add_parser(
        "questionnaire", help="answer one questionnaire in the terminal"
    )
    questionnaire.add_argument(
        "instrument", metavar="INSTRUMENT", help="for example phq9, gad7, pcl5"
    )
    questionnaire.add_argument("--locale", default="en", help="for crisis contacts (default: en)")
    questionnaire.set_defaults(handler=_questionnaire)

    recommend = commands.add_parser("recommend", help="options with fits and reasons for a case")
    recommend.add_argument(
        "file", nargs="?", default="-", metavar="FILE", help="case JSON ('-' = stdin)"
    )
    recommend.add_argument("--json", action="store_true", help="print the contract JSON")
    recommend.set_defaults(handler=_recommend)

    plan = commands.add_parser("plan", help="a dated care-plan timeline for one option")
    plan.add_argument(
        "file", nargs="?", default="-", metavar="FILE", help="case JSON ('-' = stdin)"
    )
    plan.add_argument("--option", required=True, metavar="ID", help=", ".join(OPTION_IDS))
    plan.add_argument("--start", required=True, metavar="DATE", help="start date, YYYY-MM-DD")
    plan.add_argument("--ics", metavar="OUT", help="also write the milestones as an .ics calendar")
    plan.add_argument("--json", action="store_true", help="print JSON")
    plan.set_defaults(handler=_plan)

    explain = commands.add_parser(
        "explain", help="a condition, option, treatment or term in plain words"
    )
    explain.add_argument("id", metavar="ID", help="for example depression, combined, cbt")
    explain.set_defaults(handler=_explain)

    serve = commands.add_parser("serve", help="run the web app")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (127.0.0.1)")
    serve.add_argument("--port", type=int, default=8000, help="port (8000)")
    serve.add_argument(
        "--workers", type=int, default=1, help="processes (1); set BOTHAND_SECRET_KEY when > 1"
    )
    serve.add_argument(
        "--proxy-headers",
        action="store_true",
        help="trust X-Forwarded-* from --forwarded-allow-ips",
    )
    serve.add_argument(
        "--forwarded-allow-ips", default="127.0.0.1", help="proxies to trust (127.0.0.1)"
    )
    serve.set_defaults(handler=_serve)

    instruments = commands.add_parser(
        "instruments", help="list questionnaires and whether they can be used"
    )
    instruments.set_defaults(handler=_instruments)
    record.add_commands(commands)
    return parser


# --- commands ---------------------------------------------------------------------------


def _recommend(args: argparse.Namespace, catalog: Catalog) -> int:
    result = services.recommend(catalog, read_case(args.file))
    if args.json:
        sys.stdout.write(to_json(result))
    else:
        sys.stdout.write(render_recommendation(result, catalog))
    return 0


def _plan(args: argparse.Namespace, catalog: Catalog) -> int:
    start = parse_date(args.start, "--start")
    plan = services.care_plan(catalog, read_case(args.file), args.option, start)
    if args.ics:
        body = plan_to_ics(plan, stamp=_stamp(), short_titles=catalog.timeline.short_titles)
        write_atomically(Path(args.ics), body)
    if args.json:
        sys.stdout.write(to_json(dump_plan(plan)))
    else:
        sys.stdout.write(render_plan(dump_plan(plan), catalog))
    return 0


def _explain(args: argparse.Namespace, catalog: Catalog) -> int:
    sys.stdout.write(render_explainer(args.id, catalog))
    return 0


def _instruments(args: argparse.Namespace, catalog: Catalog) -> int:
    rows = services.list_instruments(catalog)
    for row in rows:
        status = "available" if row["available"] else f"unavailable: {row['reason']}"
        print(f"{row['id']:<8} {row['name']} ({row['items']} questions) - {status}")
    return 0


def _questionnaire(args: argparse.Namespace, catalog: Catalog) -> int:
    return session.run_questionnaire(catalog, args.instrument, args.locale, sys.stdin, sys.stdout)


def _serve(args: argparse.Namespace, catalog: Catalog) -> int:
    import uvicorn

    if args.workers > 1 and not os.environ.get("BOTHAND_SECRET_KEY"):
        raise InputError("--workers", "set BOTHAND_SECRET_KEY so every worker signs alike")
    settings = Settings.from_env()
    database = record.open_database(settings, migrate=True)  # SQLite: migrated in one step
    link = Accounts(database, SystemClock(settings.zone)).setup_link()
    database.dispose()
    if link is not None:
        base = settings.public_url or f"http://{args.host}:{args.port}"
        print(
            "No clinic is set up yet. Open this one-time link to create the clinic and its "
            f"first admin (it works for 24 hours):\n  {base.rstrip('/')}/setup/{link.token}",
            flush=True,
        )
    sweeper = _sweeper(settings, catalog)
    try:
        uvicorn.run(
            "bothand.web.app:create_app",
            factory=True,
            host=args.host,
            port=args.port,
            workers=args.workers,
            proxy_headers=args.proxy_headers,
            forwarded_allow_ips=args.forwarded_allow_ips,
            server_header=False,
            access_log=False,  # access logs would hold paths; nothing about a person is logged
        )
    finally:
        if sweeper is not None:
            sweeper.stop()
    return 0


def _sweeper(settings: Settings, catalog: Catalog) -> Sweeper | None:
    """The alert sweep, every ``settings.sweep_minutes`` in this process (one for all workers),
    on its own connection; None when set to 0."""
    if not settings.sweep_minutes:
        return None
    database = record.open_database(settings)
    sweep = Record(catalog, database, SystemClock(settings.zone)).sweep
    return Sweeper(lambda: len(sweep()), settings.sweep_minutes, database.dispose).start()


def _start(args: argparse.Namespace, catalog: Catalog) -> int:
    clock = SystemClock(Settings.from_env().zone)  # "today" in the settings' time zone
    return session.run_session(catalog, sys.stdin, sys.stdout, clock)


# --- input ------------------------------------------------------------------------------


def read_case(name: str, stdin: TextIO | None = None) -> Any:
    """Read case JSON from a file or stdin; any problem is an InputError naming the source."""
    field = "stdin" if name == "-" else name
    try:
        text = (
            (stdin or sys.stdin).read()
            if name == "-"
            else Path(name).read_text(encoding="utf-8-sig")
        )
    except FileNotFoundError:
        raise InputError(field, "no such file") from None
    except IsADirectoryError:
        raise InputError(field, "is a folder, not a file") from None
    except UnicodeDecodeError:
        raise InputError(field, "is not UTF-8 text") from None
    except OSError as error:
        raise InputError(field, f"cannot be read ({error.strerror})") from None
    if not text.strip():
        raise InputError(field, "is empty; expected a case as JSON")
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise InputError(
            field, f"is not valid JSON (line {error.lineno}, column {error.colno}: {error.msg})"
        ) from None


def parse_date(text: str, field: str) -> dt.date:
    """A start date by the one rule the API and the pages use too (``contract.dates``)."""
    return parse_day(text, field)


def write_atomically(path: Path, data: bytes) -> None:
    """Write all of ``data`` or nothing: a temporary file in the same folder, then a rename."""
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise InputError("--ics", f"folder '{folder}' does not exist")
    handle, temporary = tempfile.mkstemp(prefix=".bothand-", dir=folder)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _stamp() -> dt.datetime:
    """DTSTAMP for calendars: now, or SOURCE_DATE_EPOCH for reproducible output."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), tz=dt.UTC)
    return dt.datetime.now(tz=dt.UTC)


if __name__ == "__main__":  # pragma: no cover (python -m bothand.cli.commands)
    raise SystemExit(main())
