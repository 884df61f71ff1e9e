"""Settings are read from the environment in one place (``Settings.from_env``), validated, and
handed to the catalog loader; the clock gives the date in the deployment's zone."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from bothand.catalog import load_catalog
from bothand.domain.clock import FixedClock, SystemClock
from bothand.domain.errors import InputError
from bothand.settings import Settings


def test_settings_come_from_the_environment_given(tmp_path: Path) -> None:
    settings = Settings.from_env(
        {
            "BOTHAND_SECRET_KEY": "s" * 32,
            "BOTHAND_CONTENT_DIR": str(tmp_path),
            "BOTHAND_LICENSED_WORDING": str(tmp_path / "wording"),
            "BOTHAND_SECURE_COOKIES": "true",
            "BOTHAND_TIME_ZONE": "Europe/London",
            "BOTHAND_PDF_WORKERS": "3",
        }
    )
    assert settings.secret_key == "s" * 32 and settings.secure_cookies
    assert settings.content_dir == tmp_path and settings.wording_dir == tmp_path / "wording"
    assert settings.time_zone == "Europe/London" and settings.pdf_workers == 3


def test_without_a_key_each_process_makes_its_own() -> None:
    first, second = Settings.from_env({}), Settings.from_env({})
    assert len(first.secret_key) >= 32 and first.secret_key != second.secret_key
    assert first.content_dir is None and first.time_zone == "UTC"


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("BOTHAND_TIME_ZONE", "Mars/Olympus"),
        ("BOTHAND_SECRET_KEY", "short"),
        ("BOTHAND_MAX_BODY_BYTES", "lots"),
        ("BOTHAND_PDF_WORKERS", "0"),
    ],
)
def test_a_bad_setting_is_an_input_error_naming_the_variable(name: str, value: str) -> None:
    with pytest.raises(InputError) as caught:
        Settings.from_env({name: value})
    assert caught.value.field == name


def test_the_catalog_loader_reads_no_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BOTHAND_LICENSED_WORDING", "/nonexistent/wording")
    monkeypatch.setenv("BOTHAND_CONTENT_DIR", "/nonexistent/content")
    assert load_catalog().version  # the bundled content, no licensed wording


def test_the_clock_gives_the_date_in_its_zone() -> None:
    at = dt.datetime(2026, 12, 31, 23, 30, tzinfo=dt.UTC)
    assert FixedClock(at).today() == dt.date(2026, 12, 31)
    auckland = Settings(secret_key="k" * 32, time_zone="Pacific/Auckland").zone
    assert FixedClock(at.astimezone(auckland)).today() == dt.date(2027, 1, 1)
    assert SystemClock(auckland).now().tzinfo is auckland
    with pytest.raises(ValueError, match="aware"):
        FixedClock(dt.datetime(2026, 1, 1))
