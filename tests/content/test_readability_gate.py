"""Reading-grade gate for patient-facing text.

Every field typed ``PatientText`` in the gated content files is graded with the project's own
readability module. The gate fails when a longer text (over 40 words) grades above school
grade 8 on Flesch-Kincaid, or when the average grade of all texts is above 8. Short texts
(names, labels) are not gated one by one: a formula says little about five words, but they
still count in the average.

To gate more content, add a ``(model, file)`` pair to ``GATED``; a file that does not exist
yet is skipped by ``all_patient_texts`` and reported by ``test_gated_files_exist``.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from pydantic import BaseModel

from bothand.catalog import CONTENT_DIR, parse, read_yaml
from bothand.domain.crisis import CrisisDirectory
from bothand.domain.evidence import Evidence
from bothand.domain.explainers import Explainers
from bothand.domain.knowledge import iter_patient_texts
from bothand.domain.readability import Grade, grade

MAX_GRADE = 8.0  # Flesch-Kincaid, for any single text longer than LONG_TEXT_WORDS
MAX_AVERAGE_GRADE = 8.0  # Flesch-Kincaid, averaged over every gated text
LONG_TEXT_WORDS = 40
SHOW_WORST = 10

# (model, file relative to the content folder). Extend this list to gate more content.
GATED: tuple[tuple[type[BaseModel], str], ...] = (
    (Evidence, "evidence.yaml"),
    (CrisisDirectory, "crisis.yaml"),
    (Explainers, "explainers/options.yaml"),
)


def _texts_of(model: type[BaseModel], path: Path, name: str) -> Iterator[tuple[str, str]]:
    parsed = parse(model, read_yaml(path), str(path))
    for where, text in iter_patient_texts(parsed):
        yield f"{name}: {where}", text


def all_patient_texts(
    gated: tuple[tuple[type[BaseModel], str], ...] = GATED,
    content_dir: Path = CONTENT_DIR,
) -> list[tuple[str, str]]:
    """``(where, text)`` for every patient-facing text in the gated files that exist."""
    found: list[tuple[str, str]] = []
    for model, name in gated:
        path = content_dir / name
        if path.is_file():
            found.extend(_texts_of(model, path, name))
    return found


def _graded() -> list[tuple[str, str, Grade]]:
    return [(where, text, grade(text)) for where, text in all_patient_texts()]


def _describe(rows: list[tuple[str, str, Grade]]) -> str:
    worst = sorted(rows, key=lambda row: row[2].fk, reverse=True)[:SHOW_WORST]
    lines = [
        f"  FK {g.fk:4.1f}  SMOG {g.smog:4.1f}  {g.words:3d} words  {where}: {text[:80]!r}"
        for where, text, g in worst
    ]
    return "\n".join(lines)


@pytest.mark.parametrize(("model", "name"), GATED, ids=[name for _, name in GATED])
def test_gated_files_exist_and_hold_patient_text(model: type[BaseModel], name: str) -> None:
    path = CONTENT_DIR / name
    assert path.is_file(), f"{name} is gated but missing from {CONTENT_DIR}"
    assert list(_texts_of(model, path, name)), f"{name} holds no patient-facing text"


def test_long_texts_read_at_grade_8_or_lower() -> None:
    rows = _graded()
    too_hard = [row for row in rows if row[2].words > LONG_TEXT_WORDS and row[2].fk > MAX_GRADE]
    assert not too_hard, (
        f"{len(too_hard)} text(s) over {LONG_TEXT_WORDS} words grade above {MAX_GRADE}:\n"
        + _describe(too_hard)
    )


def test_average_grade_is_8_or_lower() -> None:
    rows = _graded()
    assert rows, "no patient-facing text found"
    average = statistics.mean(row[2].fk for row in rows)
    assert average <= MAX_AVERAGE_GRADE, (
        f"average Flesch-Kincaid grade {average:.2f} over {len(rows)} texts is above "
        f"{MAX_AVERAGE_GRADE}; the hardest:\n" + _describe(rows)
    )


def test_the_gate_can_fail(tmp_path: Path) -> None:
    hard = (
        "Pharmacological augmentation demonstrates considerable heterogeneity across "
        "randomised investigations, necessitating individualised consideration of "
        "comorbidities, contraindications and longitudinal tolerability profiles "
        "throughout maintenance."
    )
    (tmp_path / "explainers").mkdir()
    statement = {"text": hard, "sources": ["x"]}
    content = {
        "meta": {"version": "0", "reviewed": "2026-01-01"},
        "options": [
            {
                "id": "therapy",
                "name": "Therapy",
                "summary": hard,
                "benefits": statement,
                "harms": statement,
                "what_it_is_like": statement,
            }
        ],
    }
    options = tmp_path / "explainers" / "options.yaml"
    options.write_text(yaml.safe_dump(content), encoding="utf-8")
    texts = all_patient_texts(((Explainers, "explainers/options.yaml"),), tmp_path)
    assert len(texts) == 5
    assert all(grade(text).fk > MAX_GRADE for where, text in texts if "name" not in where)
    assert statistics.mean(grade(text).fk for _, text in texts) > MAX_AVERAGE_GRADE
