"""Every benchmark script still imports against the current tree: the benchmarks are not run
by the suite, so a module they name that moved would otherwise go unnoticed until someone
measures (benchmarks/web.py once imported a settings module that no longer existed)."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bothand.catalog import Catalog

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"
SCRIPTS = sorted(BENCHMARKS.glob("*.py"))


def test_there_are_benchmark_scripts() -> None:
    assert {path.name for path in SCRIPTS} >= {"run.py", "web.py", "cases.py"}


@pytest.mark.parametrize("path", SCRIPTS, ids=[path.name for path in SCRIPTS])
def test_a_benchmark_script_imports(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.syspath_prepend(str(BENCHMARKS))  # the scripts import their neighbours
    spec = importlib.util.spec_from_file_location(f"benchmark_{path.stem}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, spec.name, module)
    spec.loader.exec_module(module)  # runs only definitions: each script's work is under main


def test_generated_cases_use_every_preference_the_intake_offers(
    catalog: Catalog, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The generator draws preferences from the intake's list, not a copy of its own that
    falls behind (it once had no ``prefer``)."""
    monkeypatch.syspath_prepend(str(BENCHMARKS))
    from cases import generate

    given = {
        case["preferences"][kind]
        for case in generate(catalog, 200)
        for kind in ("medication", "therapy")
    }
    assert given == set(catalog.intake.preferences)


def test_the_record_benchmark_runs_in_its_quick_mode(tmp_path: Path) -> None:
    """benchmarks/record.py end to end on a few rows (SQLite; PostgreSQL too when
    ``BOTHAND_TEST_POSTGRES_URL`` is set): it must still run against the current services.
    Only that it runs and prints its table is checked, never a rate."""
    done = subprocess.run(
        [sys.executable, str(BENCHMARKS / "record.py"), "--quick", "--dir", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "| SQLite | bare insert + commit |" in done.stdout
    assert "| SQLite | `Record.record` |" in done.stdout
    if os.environ.get("BOTHAND_TEST_POSTGRES_URL"):
        assert "| PostgreSQL | `Record.record` |" in done.stdout
    assert list(tmp_path.iterdir()) == []  # its SQLite files are removed


def test_the_follow_up_benchmark_runs_in_its_quick_mode(tmp_path: Path) -> None:
    """benchmarks/follow_up.py end to end on a few rows: it must still run against the current
    services. Only that it runs and prints both paths is checked, never a rate."""
    done = subprocess.run(
        [sys.executable, str(BENCHMARKS / "follow_up.py"), "--quick", "--dir", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "| SQLite | `record(follow_up=False)` |" in done.stdout
    assert "| SQLite | `record(follow_up=True)` |" in done.stdout
    if os.environ.get("BOTHAND_TEST_POSTGRES_URL"):
        assert "| PostgreSQL | `record(follow_up=True)` |" in done.stdout
    assert list(tmp_path.iterdir()) == []


def test_the_caseload_benchmark_runs_in_its_quick_mode() -> None:
    """benchmarks/caseload.py end to end at a tiny scale on SQLite (build, serve, measure): it
    must still run against the current app. Only that it runs, checks every page it got and
    prints its table is checked, never a time."""
    done = subprocess.run(
        [sys.executable, str(BENCHMARKS / "caseload.py"), "--quick"],
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "| SQLite | `GET /api/health` (bare) |" in done.stdout
    assert "| SQLite | `GET /clinic` (caseload) |" in done.stdout
    assert "5 patients of the clinician" in done.stdout
