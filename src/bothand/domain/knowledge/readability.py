"""Reading grades for patient-facing text: syllables, sentences, words and three formulas.

This module owns the measurement the content tests use to keep every text a patient reads at
about a US school grade 8 or lower (Flesch-Kincaid, SMOG, Flesch reading ease). It is pure:
standard library only, no downloads, no dictionaries, deterministic for a given input.

The syllable count is an English spelling heuristic, not a pronouncing dictionary. It counts
vowel groups and then corrects the common cases where spelling and sound part ways (a silent
final ``e``, ``-le``, ``-ed`` and ``-es`` endings, vowel pairs that are said as two syllables
such as ``ia`` in "media"), with a short table of common words the rules still get wrong. It
is within one syllable of a dictionary for nearly all everyday words, which is what a
readability formula needs; it must not be used for anything that needs exact phonetics.

Conventions worth knowing when reading a grade:

- A run of digits ("988", "2026") counts as one word of one syllable per digit group, so
  "6-12" is one word of two syllables. Digits are read at a glance, so this is deliberate.
- A hyphenated or slashed compound ("long-term", "and/or", "PHQ-9") is one word whose
  syllables are the sum of its parts.
- Lines that start with a bullet marker ("-", "*", "•", "1.", "2)", "a)") are sentences of
  their own even without final punctuation; so is a paragraph without final punctuation.
- Full stops after known abbreviations ("e.g.", "i.e.", "Dr.", "vs.", "approx.") and inside
  numbers ("4.5") do not end a sentence; neither does one followed by a lower-case word.
- Empty text (no words) grades 0.0 on every formula rather than dividing by zero.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

__all__ = [
    "Grade",
    "count_syllables",
    "flesch_kincaid_grade",
    "flesch_reading_ease",
    "grade",
    "sentences",
    "smog_grade",
    "words",
]

_VOWELS = frozenset("aeiou")

# Words the rules below still count wrongly; lower case, letters only.
_EXCEPTIONS: dict[str, int] = {
    "adhd": 4,
    "anyone": 3,
    "asrs": 4,
    "behavior": 3,
    "behaviors": 3,
    "behaviour": 3,
    "behaviours": 3,
    "behavioral": 4,
    "behavioural": 4,
    "business": 2,
    "businesses": 3,
    "dr": 2,
    "element": 3,
    "elements": 3,
    "ideal": 3,
    "ideally": 4,
    "maybe": 2,
    "moreover": 3,
    "mr": 2,
    "mrs": 2,
    "ocd": 3,
    "recipe": 3,
    "science": 2,
    "sciences": 3,
    "scientific": 4,
    "scientist": 3,
    "scientists": 3,
    "someone": 2,
    "wherever": 3,
}

# First halves of common compounds that end in a silent "e" ("homework", "guideline"):
# counted as two words so the inner "e" is not heard as a syllable.
_COMPOUND_HEADS = (
    "some",
    "any",
    "every",
    "home",
    "life",
    "time",
    "care",
    "guide",
    "safe",
    "side",
    "whole",
    "like",
    "more",
    "there",
    "where",
    "wide",
    "note",
    "base",
    "house",
)

# Vowel pairs said as two syllables; each match adds one to the vowel-group count.
_SPLITS = tuple(
    re.compile(pattern)
    for pattern in (
        r"(?<![cts])ia",  # media, trial, psychiatry (not social, initial, Asia)
        r"(?<![tscxgh])io(?!n)",  # radio, period, serious (not action, anxious, religious)
        r"iu",  # medium
        r"ii",  # skiing
        r"(?<![qg])ua",  # usual, situation (not equal, language)
        r"(?<![qg])ue(?=[nl])",  # fluent, cruel, influence
        r"(?<![qg])ui(?=d|n(?!g))",  # fluid, ruin, genuine
        r"sui(?=c)",  # suicide
        r"(?<![cts])ie(?=n[ct])",  # client, experience (not patient, ancient)
        r"ie(?=t)",  # quiet, diet, anxiety, society
        r"(?<![gc])eo(?!ple)|^[gc]eo",  # video, theory, geography (not people, surgeon)
        r"crea(?=t(?!u))",  # create, creative
        r"^rea(?=ct|li[sz]|lit)",  # react, realise, reality
        r"ism$",  # autism
        r"[ds]nt$",  # didn't, isn't (apostrophes already removed)
    )
)
_IER = re.compile(r"[^aeiouy]ie(?:r|rs|st)$")  # happier, easiest
_EA_END = re.compile(r"ea$")  # idea, area (not tea)
_SILENT_UE = re.compile(r"[aeiouy][qg]ue[sd]?$")  # technique, fatigue, league
_SILENT_INNER_E = re.compile(
    r"[aeiouy][^aeiouy]e(?:ly|ty|ment|ments|ful|fully|fulness|ness|less)$"
)  # likely, safety, movement, hopeful

_PART = re.compile(r"[^\W\d_]+|\d+")
_APOSTROPHES = re.compile(r"['’]")


def _vowel_mask(word: str) -> list[bool]:
    """True where a letter is heard as a vowel. ``y`` is a consonant first ("you") or between
    two vowels ("beyond", "player") and a vowel elsewhere ("therapy", "trying")."""
    mask = [letter in _VOWELS for letter in word]
    for index, letter in enumerate(word):
        if letter != "y":
            continue
        between_vowels = (
            0 < index < len(word) - 1 and word[index - 1] in _VOWELS and word[index + 1] in _VOWELS
        )
        mask[index] = index > 0 and not between_vowels
    return mask


def _vowel_groups(mask: list[bool]) -> int:
    groups = 0
    previous = False
    for is_vowel in mask:
        if is_vowel and not previous:
            groups += 1
        previous = is_vowel
    return groups


def _syllables_of_letters(word: str) -> int:
    """Syllables of one lower-case run of letters."""
    if word in _EXCEPTIONS:
        return _EXCEPTIONS[word]
    if not any(letter in "aeiouy" for letter in word):
        return len(word)  # an acronym read letter by letter: "nhs", "ptsd", "gp"
    for head in _COMPOUND_HEADS:
        rest = word[len(head) :]
        if word.startswith(head) and len(rest) >= 3 and rest[0] not in "aeiouy":
            return _syllables_of_letters(head) + _syllables_of_letters(rest)

    mask = _vowel_mask(word)
    count = _vowel_groups(mask)
    count += sum(len(pattern.findall(word)) for pattern in _SPLITS)
    if _IER.search(word) and len(word) > 5:
        count += 1
    if _EA_END.search(word) and len(word) > 3:
        count += 1
    if word.endswith("ing") and len(word) > 4 and mask[-4]:
        count += 1  # being, going, trying: the vowel before "ing" is its own syllable

    def consonant(index: int) -> bool:
        return -len(word) <= index < len(word) and not mask[index]

    if count > 1 and _SILENT_UE.search(word):
        count -= 1
    if count > 1 and _SILENT_INNER_E.search(word):
        count -= 1
    if count > 1 and len(word) >= 3 and word.endswith("e") and consonant(-2):
        # A final "e" after a consonant is silent ("have", "whole"), except in "-le" and
        # "-re" after another consonant ("simple", "people", "centre").
        heard = word[-2] in "lr" and consonant(-3) and word[-3] != word[-2]
        if not heard:
            count -= 1
    elif count > 1 and len(word) > 3 and word.endswith("ed") and consonant(-3):
        heard = word[-3] in "td" or (word[-3] in "lr" and consonant(-4) and word[-4] != word[-3])
        if not heard:
            count -= 1  # loved, helped (not wanted, needed, handled, hundred)
    elif count > 1 and len(word) > 3 and word.endswith("es") and consonant(-3):
        heard = (
            word[-3] in "sxzcg"
            or word[-4:-2] in ("ch", "sh")
            or (word[-3] in "lr" and consonant(-4) and word[-4] != word[-3])
        )
        if not heard:
            count -= 1  # makes, times (not uses, boxes, changes, tables)
    return max(1, count)


def count_syllables(word: str) -> int:
    """Syllables in one word, by an English spelling heuristic.

    Apostrophes are dropped ("don't" is "dont"); letters and digit runs are counted part by
    part, so "PHQ-9" is 3 + 1 and "6-12" is 1 + 1. Text with no letters or digits is 0.
    """
    parts = _PART.findall(_APOSTROPHES.sub("", word))
    total = 0
    for part in parts:
        total += 1 if part.isdigit() else _syllables_of_letters(part.lower())
    return total


_BULLET = re.compile(r"^(?:[-*•–—·▪◦]|\(?\d{1,3}[.)]|\(?[a-z]\))\s+")
_WORD = re.compile(r"[^\W_]+(?:[-'’.&/–][^\W_]+)*")
_TERMINATOR = re.compile(r"[.!?…]+[\"'”’)\]]*(?=\s|$)")
_ABBREVIATIONS = frozenset(
    {"al", "approx", "cf", "dept", "dr", "fig", "jr", "mr", "mrs", "ms", "prof", "sr", "st", "vs"}
)
_DOTTED = re.compile(r"^(?:[a-z]\.)+[a-z]$")  # e.g, i.e, u.s (the final dot is the match)


def _units(text: str) -> list[str]:
    """Paragraphs and bullet items, each joined onto one line."""
    units: list[str] = []
    current: list[str] = []

    def flush() -> None:
        joined = " ".join(current).strip()
        if joined:
            units.append(joined)
        current.clear()

    bullet_indent: int | None = None  # indentation of the open bullet item, if any
    for raw in text.splitlines():
        line = raw.strip()
        indent = len(raw) - len(raw.lstrip())
        if not line:
            flush()
            bullet_indent = None
            continue
        bullet = _BULLET.match(line)
        if bullet:
            flush()
            bullet_indent = indent
            line = line[bullet.end() :]
        elif bullet_indent is not None and indent <= bullet_indent:
            # Not indented under the bullet: the list has ended and a new paragraph begins.
            flush()
            bullet_indent = None
        current.append(line)
    flush()
    return units


def _ends_sentence(unit: str, match: re.Match[str]) -> bool:
    following = unit[match.end() :].lstrip()
    if not following:
        return True
    if following[0].islower():
        return False  # "e.g. when", "approx. five": a full stop mid-sentence
    if match.group().startswith("."):
        before = unit[: match.start()].split()
        token = before[-1].lower().lstrip("([\"'“‘") if before else ""
        if token in _ABBREVIATIONS or _DOTTED.match(token):
            return False
    return True


def sentences(text: str) -> list[str]:
    """The sentences of ``text``, in order; each holds at least one word."""
    found: list[str] = []
    for unit in _units(text):
        start = 0
        for match in _TERMINATOR.finditer(unit):
            if _ends_sentence(unit, match):
                found.append(unit[start : match.end()].strip())
                start = match.end()
        found.append(unit[start:].strip())
    return [sentence for sentence in found if _WORD.search(sentence)]


def words(text: str) -> list[str]:
    """The words of ``text`` without bullet markers or surrounding punctuation."""
    return [word for unit in _units(text) for word in _WORD.findall(unit)]


@dataclass(frozen=True)
class _Counts:
    words: int
    sentences: int
    syllables: int
    polysyllables: int


def _count(text: str) -> _Counts:
    found = words(text)
    if not found:
        return _Counts(0, 0, 0, 0)
    per_word = [count_syllables(word) for word in found]
    return _Counts(
        words=len(found),
        sentences=max(1, len(sentences(text))),
        syllables=sum(per_word),
        polysyllables=sum(1 for n in per_word if n >= 3),
    )


def _flesch_kincaid(counts: _Counts) -> float:
    if counts.words == 0:
        return 0.0
    return 0.39 * counts.words / counts.sentences + 11.8 * counts.syllables / counts.words - 15.59


def _smog(counts: _Counts) -> float:
    if counts.words == 0:
        return 0.0
    return 1.0430 * math.sqrt(counts.polysyllables * 30 / counts.sentences) + 3.1291


def flesch_kincaid_grade(text: str) -> float:
    """Flesch-Kincaid grade level: 0.39 words/sentence + 11.8 syllables/word - 15.59."""
    return _flesch_kincaid(_count(text))


def smog_grade(text: str) -> float:
    """SMOG grade: 1.0430 * sqrt(polysyllables * 30 / sentences) + 3.1291.

    Polysyllables are words of three or more syllables. SMOG was built on samples of 30
    sentences; on a short text it is a rough guide only.
    """
    return _smog(_count(text))


def flesch_reading_ease(text: str) -> float:
    """Flesch reading ease: 206.835 - 1.015 words/sentence - 84.6 syllables/word.

    Higher is easier; 60-70 is plain English. Empty text gives 0.0.
    """
    counts = _count(text)
    if counts.words == 0:
        return 0.0
    return (
        206.835 - 1.015 * counts.words / counts.sentences - 84.6 * counts.syllables / counts.words
    )


@dataclass(frozen=True)
class Grade:
    """The reading grade of one text."""

    words: int
    sentences: int
    fk: float
    smog: float


def grade(text: str) -> Grade:
    """Word and sentence counts with the Flesch-Kincaid and SMOG grades of ``text``."""
    counts = _count(text)
    return Grade(
        words=counts.words,
        sentences=counts.sentences,
        fk=_flesch_kincaid(counts),
        smog=_smog(counts),
    )
