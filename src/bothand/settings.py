"""One validated ``Settings`` for the whole app, built where a program starts (the command
line's ``main()``, the web app's ``create_app()``), never at import. ``from_env`` is the only
place that reads ``BOTHAND_*`` environment variables; the rest of the code is handed a
``Settings`` (or the paths in it), so tests build one directly.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from datetime import tzinfo
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from bothand.domain.errors import InputError


class Settings(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    secret_key: str = Field(min_length=32)  # signs the flow cookie; share it across workers
    content_dir: Path | None = None  # a clinic's reviewed copy of the content folder
    wording_dir: Path | None = None  # licensed questionnaire wording, one <id>.yaml each
    secure_cookies: bool = False  # set true behind HTTPS
    max_body_bytes: int = Field(default=64 * 1024, ge=1024)
    flow_max_age_seconds: int = Field(default=24 * 3600, ge=60)
    time_zone: str = "UTC"  # the zone whose date is "today" for a plan's default start
    pdf_workers: int = Field(default=2, ge=1, le=64)  # PDFs rendered at once; more get 503
    data_dir: Path = Path("bothand-data")  # where the default SQLite database lives
    database_url: str | None = None  # postgresql+psycopg://...; None: SQLite in data_dir
    public_url: str | None = None  # e.g. https://bothand.clinic.org: links sent to people
    # How often ``bothand serve`` raises the time-based alerts (overdue, review due); 0: never
    # (run ``bothand alerts sweep`` from cron instead).
    sweep_minutes: int = Field(default=15, ge=0, le=24 * 60)

    @field_validator("time_zone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"'{value}' is not an IANA time zone, such as Europe/London") from None
        return value

    @property
    def database(self) -> str:
        """The database URL: ``database_url``, or the SQLite file in ``data_dir``."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'bothand.sqlite3').as_posix()}"

    @property
    def zone(self) -> tzinfo:
        return ZoneInfo(self.time_zone)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """``BOTHAND_SECRET_KEY`` (a random key per process when unset: fine for one process,
        not for several workers), ``BOTHAND_CONTENT_DIR``, ``BOTHAND_LICENSED_WORDING``,
        ``BOTHAND_SECURE_COOKIES``, ``BOTHAND_MAX_BODY_BYTES``, ``BOTHAND_TIME_ZONE``,
        ``BOTHAND_PDF_WORKERS``, ``BOTHAND_DATA_DIR``, ``BOTHAND_DATABASE_URL``,
        ``BOTHAND_PUBLIC_URL``, ``BOTHAND_SWEEP_MINUTES``. A bad value is an InputError naming
        the variable."""
        env = os.environ if environ is None else environ
        values: dict[str, object] = {
            "secret_key": env.get("BOTHAND_SECRET_KEY") or secrets.token_urlsafe(48),
            "secure_cookies": env.get("BOTHAND_SECURE_COOKIES", "").lower() in ("1", "true", "yes"),
        }
        names = {
            "content_dir": "BOTHAND_CONTENT_DIR",
            "wording_dir": "BOTHAND_LICENSED_WORDING",
            "max_body_bytes": "BOTHAND_MAX_BODY_BYTES",
            "time_zone": "BOTHAND_TIME_ZONE",
            "pdf_workers": "BOTHAND_PDF_WORKERS",
            "data_dir": "BOTHAND_DATA_DIR",
            "database_url": "BOTHAND_DATABASE_URL",
            "public_url": "BOTHAND_PUBLIC_URL",
            "sweep_minutes": "BOTHAND_SWEEP_MINUTES",
        }
        values.update({field: env[name] for field, name in names.items() if env.get(name)})
        try:
            return cls.model_validate(values)
        except ValidationError as error:
            first = error.errors()[0]
            field = str(first["loc"][0]) if first["loc"] else "secret_key"
            name = names.get(field, f"BOTHAND_{field.upper()}")
            message = str(first["msg"]).removeprefix("Value error, ")
            raise InputError(name, message) from None
