"""Tests that read ``../shared`` skip without it on a checkout of its own, and fail under CI."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.shared import SHARED, need_shared

PATH_TO_SHARED = re.compile(r"""/\s*["']shared["']|["']\.\./shared""")


@pytest.mark.parametrize("ci", ["true", "TRUE", "1"])
def test_a_missing_shared_folder_fails_under_ci(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, ci: str
) -> None:
    monkeypatch.setenv("CI", ci)
    with pytest.raises(pytest.fail.Exception, match=r"shared is missing.*CI=true"):
        need_shared(tmp_path / "shared" / "tools" / "copycheck.py")


@pytest.mark.parametrize("ci", [None, "", "false"])
def test_a_missing_shared_folder_skips_elsewhere(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, ci: str | None
) -> None:
    if ci is None:
        monkeypatch.delenv("CI", raising=False)
    else:
        monkeypatch.setenv("CI", ci)
    with pytest.raises(pytest.skip.Exception, match="shared is missing"):
        need_shared(tmp_path / "shared" / "tools" / "copycheck.py")


def test_a_present_path_is_returned(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CI", "true")
    assert need_shared(tmp_path) == tmp_path


def test_the_path_pattern_tells_a_path_from_a_word() -> None:
    assert PATH_TO_SHARED.search('REPO.parent / "shared" / "guide"')
    assert PATH_TO_SHARED.search("open('../shared/DESIGN.md')")
    assert not PATH_TO_SHARED.search('assert episode.source == "shared"')


def test_every_test_that_reads_shared_goes_through_the_helper() -> None:
    """No test reaches ``../shared`` on its own (and so could skip or pass silently)."""
    tests = Path(__file__).resolve().parents[1]
    own = {tests / "shared.py", Path(__file__).resolve()}
    strays = []
    for path in sorted(tests.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        if path in own:
            continue
        # a path built to the folder: / "shared", "../shared"; not the word "shared" as a value
        builds_the_path = bool(PATH_TO_SHARED.search(text))
        if builds_the_path or ("SHARED" in text and "need_shared(" not in text):
            strays.append(path.relative_to(tests).as_posix())
    assert not strays, f"read ../shared through tests/shared.py (need_shared): {strays}"
    assert SHARED.name == "shared"
