"""Reading-grade gate for every patient-facing text in the catalog.

What is graded: every ``PatientText`` in every content file, as ``Catalog.patient_texts()``
walks them: explainers, evidence, rule reasons, interface labels, the timeline, the crisis
directory and the texts the project writes around each instrument (what it asks about, what a
score means, band meanings, why licensed wording is missing). Official questionnaire wording
is a plain ``str`` and is never graded: it must be shown exactly as published.

Placeholders are filled before grading, with the values a reader most often sees:
``{condition}`` becomes "depression", ``{therapy}`` the timeline's name for CBT, ``{length}``
a course of 8 to 12 sessions in the timeline's own words, ``{low}``/``{high}`` 8 and 12,
``{option}`` the name of the option "both at the same time", ``{path}`` and ``{reason}`` the
terminal's file name and a system error, ``{weeks}`` 6 (a re-decision at "is it helping?"),
``{was}`` and ``{now}`` two fits' names. A placeholder the gate does not know fails the
gate, so no text escapes grading.

The rules, with the project's own formulas (``bothand.domain.knowledge.readability``):

1. Any single text of more than 40 words must grade 8 or lower on Flesch-Kincaid. Shorter
   texts (names, labels, headings, one-line reasons) are not gated one by one: a formula
   says little about five words.
2. The whole corpus must grade 8 or lower on Flesch-Kincaid, counted word-weighted: all texts
   are taken together as one document (each its own paragraph), so words, sentences and
   syllables are pooled before the formula is applied. That is how readability formulas are
   meant to be used, on a sample of running text; a one-word name cannot dominate the result
   as it can in a plain mean of per-text grades. Short texts count here.
3. The SMOG grade of the whole corpus is reported beside it (not gated: SMOG needs samples
   of 30 sentences and is a cross-check, not a second gate).

``pytest -s tests/content/test_readability_gate.py`` prints a summary: texts, words, the
corpus Flesch-Kincaid and SMOG grades, and the five hardest long texts.
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass

import pytest

from bothand.catalog import Catalog
from bothand.domain.knowledge.readability import Grade, grade

MAX_GRADE = 8.0  # Flesch-Kincaid, for any single text longer than LONG_TEXT_WORDS
MAX_CORPUS_GRADE = 8.0  # Flesch-Kincaid of all texts pooled into one document
LONG_TEXT_WORDS = 40
SHOW_WORST = 5

TYPICAL_CONDITION = "depression"
TYPICAL_THERAPY = "cbt"
TYPICAL_SESSIONS = (8, 12)
TYPICAL_OPTION = "combined"
TYPICAL_WEEKS = 6


@dataclass(frozen=True)
class Graded:
    where: str
    text: str  # with placeholders filled
    grade: Grade


@dataclass(frozen=True)
class Corpus:
    texts: int
    grade: Grade  # of all texts pooled into one document


def placeholder_values(catalog: Catalog) -> dict[str, str]:
    """What each placeholder becomes before grading: what a reader most often sees."""
    low, high = TYPICAL_SESSIONS
    course = catalog.timeline.course_length
    return {
        "condition": TYPICAL_CONDITION,
        "therapy": catalog.timeline.therapy_names[TYPICAL_THERAPY],
        "length": course.range.format(low=low, high=high),
        "low": str(low),
        "high": str(high),
        "path": "bothand-plan.ics",  # the file name the terminal offers
        "reason": "Permission denied",  # what the system says most often
        "option": next(o.name for o in catalog.explainers.options if o.id == TYPICAL_OPTION),
        "weeks": str(TYPICAL_WEEKS),  # a re-decision's weeks of treatment ("is it helping?")
        "was": catalog.labels.text["fit.reasonable"],  # a re-decision's fit, before and now
        "now": catalog.labels.text["fit.usual_start"],
    }


def fill(text: str, values: dict[str, str]) -> str:
    """``text`` with every ``{name}`` replaced; an unknown name is an error, not a pass."""
    names = {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}
    unknown = names - set(values)
    if unknown:
        raise KeyError(f"unknown placeholder(s) {sorted(unknown)} in {text[:60]!r}")
    return text.format(**{name: values[name] for name in names})


def graded_texts(texts: list[tuple[str, str]], values: dict[str, str]) -> list[Graded]:
    found = []
    for where, text in texts:
        filled = fill(text, values)
        found.append(Graded(where, filled, grade(filled)))
    return found


def corpus_of(rows: list[Graded]) -> Corpus:
    """All texts as one document: each text its own paragraph, so no sentence runs across
    two texts and the formulas see pooled words, sentences and syllables."""
    return Corpus(texts=len(rows), grade=grade("\n\n".join(row.text for row in rows)))


def too_hard(rows: list[Graded]) -> list[Graded]:
    """Long texts (rule 1) that grade above the limit."""
    return [row for row in rows if row.grade.words > LONG_TEXT_WORDS and row.grade.fk > MAX_GRADE]


def hardest(rows: list[Graded], count: int = SHOW_WORST) -> list[Graded]:
    """The hardest long texts; all texts if none is long (as in a small test corpus)."""
    long = [row for row in rows if row.grade.words > LONG_TEXT_WORDS] or rows
    return sorted(long, key=lambda row: row.grade.fk, reverse=True)[:count]


def describe(rows: list[Graded]) -> str:
    return "\n".join(
        f"  FK {row.grade.fk:4.1f}  SMOG {row.grade.smog:4.1f}  {row.grade.words:3d} words  "
        f"{row.where}: {row.text[:70]!r}"
        for row in rows
    )


def summary(rows: list[Graded]) -> str:
    corpus = corpus_of(rows)
    return (
        f"readability: {corpus.texts} texts, {corpus.grade.words} words, "
        f"{corpus.grade.sentences} sentences; corpus Flesch-Kincaid {corpus.grade.fk:.2f} "
        f"(limit {MAX_CORPUS_GRADE}), corpus SMOG {corpus.grade.smog:.2f}; "
        f"hardest texts over {LONG_TEXT_WORDS} words:\n" + describe(hardest(rows))
    )


@pytest.fixture(scope="module")
def rows(catalog: Catalog) -> list[Graded]:
    found = graded_texts(list(catalog.patient_texts()), placeholder_values(catalog))
    print("\n" + summary(found))
    return found


# --- what is graded ---------------------------------------------------------------------------


def test_every_content_file_contributes_patient_text(rows: list[Graded]) -> None:
    parts = {row.where.split(".")[0] for row in rows}
    assert parts >= {"explainers", "evidence", "rules", "labels", "timeline", "crisis"}
    instruments = {row.where.split(".")[1] for row in rows if row.where.startswith("instruments.")}
    assert instruments == {
        "phq9", "phq2", "gad7", "gad2", "pcl5", "asrs", "mdq", "ocir", "wsas", "asq"
    }  # fmt: skip


def test_reasons_labels_and_optional_texts_are_graded(rows: list[Graded]) -> None:
    wheres = {row.where for row in rows}
    assert "rules.reasons[0].text" in wheres
    assert "labels.text.disclaimer" in wheres
    assert "timeline.course_length.range" in wheres
    assert any(w.startswith("crisis.locales[0].urgent_message") for w in wheres)
    # Optional texts (``PatientText | None``) are easy to miss in a walk over the models.
    assert any(w.endswith(".without_treatment_unknown") for w in wheres)
    assert "instruments.asrs.licence.unavailable_reason" in wheres


def test_every_part_of_an_option_statement_is_graded(catalog: Catalog, rows: list[Graded]) -> None:
    graded = {row.where: row.text for row in rows}
    parts = [
        (f"explainers.options[{i}].{field}.parts[{j}].text", part.text)
        for i, option in enumerate(catalog.explainers.options)
        for field in ("benefits", "harms", "what_it_is_like")
        for j, part in enumerate(getattr(option, field).parts)
    ]
    assert parts, "options.yaml should hold condition-specific parts"
    for where, text in parts:
        assert graded.get(where) == text, where


def test_option_statements_read_at_grade_8_or_lower_with_all_their_parts(
    catalog: Catalog,
) -> None:
    # Split into parts, a statement's pieces may each be under the long-text limit; the
    # /learn page reads them together (each part after its "For <condition>:" label), so the
    # whole is graded as one text too.
    whole = [
        (
            f"explainers.options.{option.id}.{field}",
            " ".join([statement.text, *(p.text for p in statement.parts)]),
        )
        for option in catalog.explainers.options
        for field in ("benefits", "harms", "what_it_is_like")
        for statement in [getattr(option, field)]
    ]
    rows = graded_texts(whole, placeholder_values(catalog))
    failing = too_hard(rows)
    assert not failing, describe(failing)


def test_official_instrument_wording_is_not_graded(catalog: Catalog, rows: list[Graded]) -> None:
    graded = {row.text for row in rows}
    for instrument in catalog.instruments.values():
        official = {text for _, text in instrument.texts() if text is not None}
        official -= {"Yes", "No"}  # the ASQ's answers are also the project's own labels
        assert not graded & official, instrument.id


def test_placeholders_are_filled_before_grading(rows: list[Graded]) -> None:
    assert not [row.where for row in rows if re.search(r"\{\w+\}", row.text)]
    reason = next(row for row in rows if row.where == "rules.reasons[0].text")
    assert TYPICAL_CONDITION in reason.text


def test_an_unknown_placeholder_fails_the_gate() -> None:
    with pytest.raises(KeyError, match="unknown placeholder"):
        fill("For {condtion}, therapy is a usual first step.", {"condition": "depression"})


# --- the gate ---------------------------------------------------------------------------------


def test_long_texts_read_at_grade_8_or_lower(rows: list[Graded]) -> None:
    failing = too_hard(rows)
    assert not failing, (
        f"{len(failing)} text(s) over {LONG_TEXT_WORDS} words grade above {MAX_GRADE}:\n"
        + describe(failing)
        + "\n"
        + summary(rows)
    )


def test_the_corpus_reads_at_grade_8_or_lower(rows: list[Graded]) -> None:
    corpus = corpus_of(rows)
    assert corpus.texts > 500, "the catalog should hold hundreds of patient texts"
    assert corpus.grade.fk <= MAX_CORPUS_GRADE, summary(rows)


def test_the_corpus_grade_pools_words_not_texts() -> None:
    # One long easy text and one hard word: a mean of grades would be dominated by the word.
    easy = "You can talk with your clinician. " * 20
    rows = graded_texts([("easy", easy), ("name", "Psychopharmacological")], {})
    mean = sum(row.grade.fk for row in rows) / len(rows)
    pooled = corpus_of(rows).grade
    assert pooled.words == 121
    assert pooled.fk < MAX_CORPUS_GRADE < mean


HARD = (
    "Pharmacological augmentation demonstrates considerable heterogeneity across randomised "
    "investigations, necessitating individualised consideration of comorbidities, "
    "contraindications and longitudinal tolerability profiles throughout maintenance, "
    "particularly regarding discontinuation phenomena, pharmacokinetic interactions and "
    "idiosyncratic hypersensitivity reactions documented retrospectively in observational "
    "registries. Consequently, multidisciplinary deliberation concerning therapeutic "
    "alternatives remains indispensable."
)


def test_the_gate_can_fail() -> None:
    rows = graded_texts([("evidence.figures[0].uncertainty", HARD), ("labels.text.x", "Yes")], {})
    assert rows[0].grade.words > LONG_TEXT_WORDS
    assert [row.where for row in too_hard(rows)] == ["evidence.figures[0].uncertainty"]
    assert corpus_of(rows).grade.fk > MAX_CORPUS_GRADE
    assert "evidence.figures[0].uncertainty" in summary(rows)


def test_one_hard_text_in_the_real_catalog_is_caught(rows: list[Graded]) -> None:
    spiked = [*rows, *graded_texts([("rules.reasons[999].text", HARD)], {})]
    assert [row.where for row in too_hard(spiked)] == ["rules.reasons[999].text"]
