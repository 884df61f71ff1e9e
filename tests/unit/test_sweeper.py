"""The background alert sweep of ``bothand serve`` (``services.alerts.Sweeper``) and its
setting: it runs at once and then every so many minutes, keeps going after a failure (logged
by type only), and closes its database when stopped; ``BOTHAND_SWEEP_MINUTES`` is 15 unless
set, 0 turns it off, and a bad value names the variable."""

from __future__ import annotations

import logging
import threading

import pytest

from bothand.domain.errors import InputError
from bothand.services.alerts import Sweeper
from bothand.settings import Settings


def test_runs_at_once_survives_a_failure_and_closes(caplog: pytest.LogCaptureFixture) -> None:
    calls: list[int] = []
    closed = threading.Event()
    second = threading.Event()

    def sweep() -> int:
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("patient MRN-1 said something")  # never logged
        second.set()
        return 3

    with caplog.at_level(logging.INFO, logger="bothand.alerts"):
        sweeper = Sweeper(sweep, minutes=0.001, close=closed.set).start()  # every 60 ms
        assert second.wait(5)
        sweeper.stop()
    assert closed.is_set() and len(calls) >= 2
    assert "alert sweep failed: RuntimeError" in caplog.text
    assert "MRN-1" not in caplog.text
    assert "alert sweep raised 3 alerts" in caplog.text


def test_stop_does_not_wait_for_the_next_run() -> None:
    ran = threading.Event()
    sweeper = Sweeper(lambda: ran.set() or 0, minutes=60).start()
    assert ran.wait(5)
    sweeper.stop(timeout=5)
    assert not sweeper._thread.is_alive()


def test_a_sweeper_needs_minutes() -> None:
    with pytest.raises(ValueError, match="more than 0"):
        Sweeper(lambda: 0, minutes=0)


def test_the_setting() -> None:
    assert Settings.from_env({}).sweep_minutes == 15
    assert Settings.from_env({"BOTHAND_SWEEP_MINUTES": "0"}).sweep_minutes == 0
    assert Settings.from_env({"BOTHAND_SWEEP_MINUTES": "5"}).sweep_minutes == 5
    for bad in ("-1", "often", "100000"):
        with pytest.raises(InputError) as caught:
            Settings.from_env({"BOTHAND_SWEEP_MINUTES": bad})
        assert caught.value.field == "BOTHAND_SWEEP_MINUTES"
