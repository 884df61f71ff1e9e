"""Reading grades: syllables checked by hand, formulas on passages computed by hand."""

from __future__ import annotations

import math

import pytest

from bothand.domain.knowledge.readability import (
    Grade,
    count_syllables,
    flesch_kincaid_grade,
    flesch_reading_ease,
    grade,
    sentences,
    smog_grade,
    words,
)

# Each count checked by saying the word aloud against a dictionary's syllable breaks.
HAND_COUNTED = {
    "the": 1,
    "queue": 1,
    "loved": 1,
    "helped": 1,
    "makes": 1,
    "whole": 1,
    "care": 1,
    "eyes": 1,
    "sleep": 1,
    "people": 2,
    "simple": 2,
    "doctor": 2,
    "homework": 2,
    "sometimes": 2,
    "guideline": 2,
    "being": 2,
    "trying": 2,
    "saying": 2,
    "wanted": 2,
    "needed": 2,
    "handled": 2,
    "uses": 2,
    "changes": 2,
    "tables": 2,
    "likely": 2,
    "safety": 2,
    "quiet": 2,
    "anxious": 2,
    "beyond": 2,
    "technique": 2,
    "centre": 2,
    "didn't": 2,
    "therapy": 3,
    "created": 3,
    "medicine": 3,
    "depression": 3,
    "clinician": 3,
    "idea": 3,
    "serious": 3,
    "usual": 3,
    "video": 3,
    "evidence": 3,
    "improvement": 3,
    "behaviour": 3,
    "medication": 4,
    "anxiety": 4,
    "psychiatrist": 4,
    "situation": 4,
    "experience": 4,
    "suicidal": 4,
    "schizophrenia": 5,
    "psychotherapy": 5,
    "immediately": 5,
    "hyperactivity": 6,
}


@pytest.mark.parametrize(("word", "expected"), sorted(HAND_COUNTED.items()))
def test_syllables_match_hand_counts(word: str, expected: int) -> None:
    assert count_syllables(word) == expected


def test_syllables_ignore_case_and_surrounding_punctuation() -> None:
    assert count_syllables("Therapy") == count_syllables("therapy") == 3
    assert count_syllables("(medicine),") == 3


def test_syllables_of_numbers_acronyms_and_compounds() -> None:
    assert count_syllables("988") == 1
    assert count_syllables("6-12") == 2
    assert count_syllables("4.5") == 2
    assert count_syllables("NHS") == 3
    assert count_syllables("PHQ-9") == 4
    assert count_syllables("long-term") == 2
    assert count_syllables("") == 0
    assert count_syllables("—") == 0


def test_syllables_are_deterministic() -> None:
    assert [count_syllables(w) for w in HAND_COUNTED] == [count_syllables(w) for w in HAND_COUNTED]


def test_sentences_respect_abbreviations_and_numbers() -> None:
    text = "Therapy helps, e.g. talking. It takes 6-12 weeks, approx. 4.5 months? Maybe!"
    assert sentences(text) == [
        "Therapy helps, e.g. talking.",
        "It takes 6-12 weeks, approx. 4.5 months?",
        "Maybe!",
    ]


def test_sentences_of_bullets_and_text_without_final_punctuation() -> None:
    text = "Ask about:\n- side effects\n- how long it\n  takes\n1. cost\nNo full stop here"
    assert sentences(text) == [
        "Ask about:",
        "side effects",
        "how long it takes",
        "cost",
        "No full stop here",
    ]


def test_words_drop_markers_and_punctuation() -> None:
    assert words("- Call 988, or text HOME (e.g. now).") == [
        "Call",
        "988",
        "or",
        "text",
        "HOME",
        "e.g",
        "now",
    ]
    assert words("It's a 6-12 week course.") == ["It's", "a", "6-12", "week", "course"]


def test_flesch_kincaid_of_hand_computed_passages() -> None:
    # 6 words, 1 sentence, 6 syllables: 0.39*6 + 11.8*1 - 15.59
    assert flesch_kincaid_grade("The cat sat on the mat.") == pytest.approx(-1.45)
    # 7 words, 2 sentences, 11 syllables (therapy 3, medicine 3)
    text = "Therapy can help. Medicine can help too."
    assert flesch_kincaid_grade(text) == pytest.approx(0.39 * 3.5 + 11.8 * 11 / 7 - 15.59)
    assert flesch_reading_ease(text) == pytest.approx(206.835 - 1.015 * 3.5 - 84.6 * 11 / 7)
    assert smog_grade(text) == pytest.approx(1.0430 * math.sqrt(2 * 30 / 2) + 3.1291)


def test_grade_bundles_the_counts() -> None:
    result = grade("Therapy can help. Medicine can help too.")
    assert result == Grade(
        words=7,
        sentences=2,
        fk=pytest.approx(4.3179, abs=1e-3),
        smog=pytest.approx(8.8418, abs=1e-3),
    )


def test_long_words_grade_higher_than_short_words() -> None:
    short = "We can talk. You can rest. It may help a lot."
    long = (
        "Psychotherapy demonstrates considerable effectiveness. "
        "Pharmacological treatment necessitates monitoring. "
        "Individualised combinations are recommended."
    )
    assert flesch_kincaid_grade(long) > flesch_kincaid_grade(short) + 5
    assert smog_grade(long) > smog_grade(short)
    assert flesch_reading_ease(long) < flesch_reading_ease(short)


def test_longer_sentences_grade_higher() -> None:
    split = "We talk. We rest. We walk. We eat."
    joined = "We talk and we rest and we walk and we eat."
    assert flesch_kincaid_grade(joined) > flesch_kincaid_grade(split)


@pytest.mark.parametrize("empty", ["", "   ", "\n\n", "- ", "...", "—"])
def test_empty_text_grades_zero(empty: str) -> None:
    assert flesch_kincaid_grade(empty) == 0.0
    assert smog_grade(empty) == 0.0
    assert flesch_reading_ease(empty) == 0.0
    assert grade(empty) == Grade(words=0, sentences=0, fk=0.0, smog=0.0)
