"""The project writes its own sentences: facts carry over from the guide and the research
notes in ``../shared``, wording does not.

This runs the shared copy checker (``../shared/tools/copycheck.py``, loaded with importlib so
its rules are used, not copied: its word splitter, its run length of 9 words and its list of
sources, the guide and the research notes) over every file git tracks or would track, as the
checker does. Unlike the command-line checker, which stops at the first hit in a file, every
repeated run is reported.

Two kinds of run are allowed, and nothing else:

(a) In ``src/bothand/content/instruments/*.yaml``, a run that lies inside one official
    wording string of that same file: an item's ``text``, ``instructions``, ``lead_in``, an
    answer option's text (shared, per item or of an extra item), an extra item's ``text``, or
    a licence line (``licence.attribution``, ``licence.statement``, ``licence.loinc_notice``).
    Validated questionnaire wording must be shown exactly as published, so it is the one
    place repeated words are right.
(b) A run made only of numbers: test vectors such as answer lists are data, not wording.

Without ``../shared`` (a checkout on its own) the test is skipped, and under ``CI=true`` it fails
(``tests/shared.py``).
"""

from __future__ import annotations

import importlib.util
import subprocess
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from types import ModuleType
from typing import Any

import pytest
import yaml

from tests.shared import SHARED, need_shared

REPO = Path(__file__).resolve().parents[2]
COPYCHECK = SHARED / "tools" / "copycheck.py"
INSTRUMENTS_GLOB = "src/bothand/content/instruments/*.yaml"
# The kinds of file the checker reads (its own list, kept in step with copycheck.py).
CHECKED_SUFFIXES = frozenset(
    {".py", ".md", ".yaml", ".yml", ".html", ".txt", ".json", ".po", ".toml", ".rst", ".j2"}
)


@dataclass(frozen=True)
class Finding:
    """One run of repeated words (two or more overlapping 9-word windows are one run)."""

    file: str
    words: str
    source: str

    def __str__(self) -> str:
        return f'{self.file}: "{self.words}" (as in {self.source})'


def load_copycheck(path: Path = COPYCHECK) -> ModuleType:
    spec = importlib.util.spec_from_file_location("copycheck", path)
    assert spec is not None and spec.loader is not None, path
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def read_sources(copycheck: ModuleType, shared: Path = SHARED) -> dict[str, str]:
    """Every 9-word window of the guide and the research notes -> the file it is in."""
    sources = sorted((shared / "guide").glob("*.txt")) + sorted((shared / "research").glob("*.md"))
    seen: dict[str, str] = {}
    for source in sources:
        for window in copycheck.shingles(copycheck.words(source.read_text(errors="ignore"))):
            seen.setdefault(window, source.name)
    return seen


def project_files(root: Path = REPO) -> list[str]:
    """Files git tracks or would track (as the checker lists them), with a checked suffix."""
    try:
        listed = subprocess.run(
            ["git", "ls-files", "-co", "--exclude-standard"],
            cwd=root,
            capture_output=True,
            text=True,
            timeout=20,
            check=True,
        ).stdout.split()
    except (OSError, subprocess.SubprocessError):
        pytest.skip("git is not available to list the project's files")
    return sorted(rel for rel in listed if PurePosixPath(rel).suffix in CHECKED_SUFFIXES)


def official_strings(data: Any) -> Iterator[str]:
    """The official wording and licence lines recorded in one instrument file."""
    if not isinstance(data, dict):
        return
    for key in ("instructions", "lead_in"):
        if isinstance(data.get(key), str):
            yield data[key]
    licence = data.get("licence") or {}
    for key in ("attribution", "statement", "loinc_notice"):
        if isinstance(licence.get(key), str):
            yield licence[key]
    for entry in [*(data.get("items") or []), *(data.get("extra_items") or [])]:
        if isinstance(entry.get("text"), str):
            yield entry["text"]
        yield from _option_texts(entry.get("options"))
    yield from _option_texts(data.get("options"))


def _option_texts(options: Any) -> Iterator[str]:
    for option in options or []:
        if isinstance(option, dict) and isinstance(option.get("text"), str):
            yield option["text"]


def official_windows(copycheck: ModuleType, path: Path) -> Counter[str]:
    """How often each 9-word window lies inside an official string of an instrument file."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    windows: Counter[str] = Counter()
    for text in official_strings(data):
        found = copycheck.words(text)
        size = copycheck.N
        windows.update(" ".join(found[i : i + size]) for i in range(len(found) - size + 1))
    return windows


def is_allowed(window: str, rel: str, official: Counter[str]) -> bool:
    """Whether one occurrence of ``window`` in file ``rel`` is excused. An official window is
    used up as it is excused, so words repeated *outside* the official string (in the
    project's own text of the same file, or in a comment) are still found."""
    if all(word.isdigit() for word in window.split()):
        return True  # (b) numbers only: data, not wording
    if PurePosixPath(rel).match(INSTRUMENTS_GLOB) and official[window] > 0:
        official[window] -= 1
        return True  # (a) inside the official wording of that same file
    return False


def findings_in(copycheck: ModuleType, seen: dict[str, str], root: Path, rel: str) -> list[Finding]:
    """Repeated runs in one file that are not excused, merged into maximal runs."""
    path = root / rel
    try:
        found = copycheck.words(path.read_text(errors="ignore"))
    except OSError:
        return []
    size = copycheck.N
    is_instrument = PurePosixPath(rel).match(INSTRUMENTS_GLOB)
    official = official_windows(copycheck, path) if is_instrument else Counter[str]()
    starts = [
        (start, seen[window])
        for start in range(len(found) - size + 1)
        if (window := " ".join(found[start : start + size])) in seen
        and not is_allowed(window, rel, official)
    ]
    runs: list[tuple[int, int, str]] = []  # (first start, last start, source)
    for start, source in starts:
        if runs and start == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], start, runs[-1][2])
        else:
            runs.append((start, start, source))
    return [Finding(rel, " ".join(found[a : b + size]), source) for a, b, source in runs]


def all_findings(copycheck: ModuleType, root: Path, files: list[str]) -> list[Finding]:
    seen = read_sources(copycheck)
    return [finding for rel in files for finding in findings_in(copycheck, seen, root, rel)]


@pytest.fixture(scope="module")
def copycheck() -> ModuleType:
    need_shared(COPYCHECK)
    return load_copycheck()


# --- the check --------------------------------------------------------------------------------


def test_no_wording_is_repeated_from_the_guide_or_the_research_notes(
    copycheck: ModuleType,
) -> None:
    findings = all_findings(copycheck, REPO, project_files())
    assert not findings, (
        f"{len(findings)} run(s) of {copycheck.N} or more words repeat ../shared; "
        "write them in the project's own words:\n" + "\n".join(f"  {f}" for f in findings)
    )


def test_the_checker_reads_the_whole_project(copycheck: ModuleType) -> None:
    files = project_files()
    assert "src/bothand/content/rules.yaml" in files
    assert "src/bothand/content/instruments/phq9.yaml" in files
    assert "tests/content/test_own_words.py" in files
    assert not [rel for rel in files if rel.startswith(".venv/")]


# --- the check can fail, and its exceptions are narrow ----------------------------------------


def _guide_run(copycheck: ModuleType) -> str:
    """A real 12-word run from the guide, so the test does not itself repeat one."""
    guide = next((SHARED / "guide").glob("*.txt"))
    found = copycheck.words(guide.read_text(errors="ignore"))
    start = next(i for i in range(len(found)) if not any(w.isdigit() for w in found[i : i + 12]))
    return " ".join(found[start : start + 12])


def test_a_copied_sentence_fails_with_file_and_words(copycheck: ModuleType, tmp_path: Path) -> None:
    run = _guide_run(copycheck)
    (tmp_path / "notes.md").write_text(f"Our own start. {run.capitalize()}. Our own end.\n")
    findings = all_findings(copycheck, tmp_path, ["notes.md"])
    assert len(findings) == 1
    assert findings[0].file == "notes.md"
    assert findings[0].words == run  # the whole run, not only its first 9 words
    assert findings[0].source.endswith(".txt")


def test_copied_words_in_an_instrument_file_fail_outside_official_wording(
    copycheck: ModuleType, tmp_path: Path
) -> None:
    run = _guide_run(copycheck)
    folder = tmp_path / "src" / "bothand" / "content" / "instruments"
    folder.mkdir(parents=True)
    data = {
        "id": "demo",
        "instructions": run,  # official wording: allowed
        "about": run,  # the project's own text: not allowed
        "items": [{"number": 1, "text": "Feeling fine"}],
    }
    (folder / "demo.yaml").write_text(yaml.safe_dump(data), encoding="utf-8")
    findings = all_findings(copycheck, tmp_path, ["src/bothand/content/instruments/demo.yaml"])
    assert [f.words for f in findings] == [run]
    assert findings[0].file == "src/bothand/content/instruments/demo.yaml"
    # The same official line in any other file is not excused.
    (tmp_path / "copy.yaml").write_text(yaml.safe_dump({"instructions": run}), encoding="utf-8")
    assert [f.words for f in all_findings(copycheck, tmp_path, ["copy.yaml"])] == [run]


def test_only_runs_made_wholly_of_numbers_are_excused() -> None:
    none: Counter[str] = Counter()
    assert is_allowed("1 2 3 4 5 6 7 8 9", "tests/unit/test_x.py", none)
    assert not is_allowed("1 2 3 4 5 6 7 8 mild", "tests/unit/test_x.py", none)


def test_official_wording_is_excused_once_per_official_occurrence() -> None:
    window = "feeling calm and steady on most days this month"
    phq9 = "src/bothand/content/instruments/phq9.yaml"
    assert not is_allowed(window, "src/bothand/content/rules.yaml", Counter({window: 1}))
    assert not is_allowed(window, phq9, Counter())
    official = Counter({window: 1})
    assert is_allowed(window, phq9, official)
    assert not is_allowed(window, phq9, official)  # a second copy is not official wording
