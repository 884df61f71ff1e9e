"""What Bothand promises never to say (DESIGN.md, "What the project is not"), checked on every
patient-facing text in the catalog (``Catalog.patient_texts()``).

A text must never:

- name a medicine or a brand (Bothand speaks of groups: "antidepressants", "stimulants");
- name a dose ("20 mg", "mg", "milligrams");
- tell the reader to start or stop a medicine on their own. A sentence breaks this rule when
  it tells the reader to start, stop, come off, lower, cut down, skip or change a medicine
  (an imperative such as "Stop taking it", "you can ... stop", or the phrases "stop taking",
  "start taking", "stop your medicine" whatever the subject: "people stop taking it" is
  read as advice too) and does not itself name who decides
  with them: a prescriber, clinician, doctor, GP, psychiatrist or care team. A negated verb
  ("Do not stop suddenly") is a warning, not an instruction, and is fine. The sentence must
  name the clinician even when the one before it does: texts are shown in many places, and a
  sentence can be quoted alone;
- say "no risk" (or "risk-free", "zero risk", "without risk"): a risk item answered 0 is
  shown as 0, never as no risk.

A finding names the text's place in the catalog and the words that broke the rule.
"""

from __future__ import annotations

import re

import pytest

from bothand.catalog import Catalog
from bothand.domain.knowledge.readability import sentences

# The names the project brief lists, then the brands and other medicines the explainer tests
# already refused (tests/content/test_explainers.py). Group names ("antidepressants",
# "stimulants", "benzodiazepines") are how Bothand speaks, so they are not listed here.
MEDICINE_NAMES = (
    "sertraline", "fluoxetine", "escitalopram", "citalopram", "paroxetine", "venlafaxine",
    "duloxetine", "mirtazapine", "bupropion", "lithium", "quetiapine", "olanzapine",
    "risperidone", "aripiprazole", "haloperidol", "clozapine", "methylphenidate",
    "lisdexamfetamine", "atomoxetine", "guanfacine", "clomipramine", "diazepam", "lorazepam",
    "alprazolam",
    "fluvoxamine", "trazodone", "vortioxetine", "vilazodone", "valproate", "lamotrigine",
    "carbamazepine", "dexamfetamine", "pregabalin", "clonazepam",
    "prozac", "zoloft", "lexapro", "ritalin", "adderall", "concerta", "xanax", "valium",
)  # fmt: skip
MEDICINE = re.compile(r"\b(?:" + "|".join(MEDICINE_NAMES) + r")s?\b", re.IGNORECASE)

DOSE = re.compile(
    r"\b\d+(?:\.\d+)?\s*(?:mg|mcg|µg|g|ml|milligrams?)\b|\b(?:mg|mcg|milligrams?)\b",
    re.IGNORECASE,
)

_VERB = (
    r"(?:stop|start|begin|quit|come off|cut down|cut back|reduce|lower|taper|skip|halve|"
    r"double|increase|switch)"
)
_MODAL = r"(?:can|could|should|may|might|must|need to|ought to|are free to|are able to)"
# An instruction to the reader: an imperative opening the sentence (after an optional
# "Just" / "Then" / an "If ..." clause), a verb after "you <modal>" (also later in a list:
# "you can keep taking it, lower it slowly, or come off it"), or the fixed phrases.
INSTRUCTION = re.compile(
    rf"^(?:(?:just|then|simply|so|now|please)\s+)?(?:if\b[^,]*,\s*)?(?P<imperative>{_VERB})\b"
    rf"|\byou\s+{_MODAL}\s+(?:[^.;:]*?,\s*(?:or\s+|and\s+)?)?"
    rf"(?:(?:just|simply|also|then|safely)\s+)?(?P<modal>{_VERB})\b"
    r"|\b(?P<phrase>(?:stop|start|quit)\s+(?:taking|using)"
    r"|(?:stop|start|quit|come off)\s+your\s+"
    r"(?:medicines?|medications?|pills?|tablets?|antidepressants?|doses?))\b",
    re.IGNORECASE,
)
ABOUT_MEDICINE = re.compile(
    r"\b(?:medicines?|medications?|pills?|tablets?|doses?|antidepressants?|stimulants?|"
    r"mood stabilisers?|antipsychotics?|taking|prescri\w*)\b",
    re.IGNORECASE,
)
NEGATED = re.compile(r"(?:\bnot|n't|\bnever|\bno)\s+(?:\w+\s+)?$", re.IGNORECASE)
WHO_DECIDES = re.compile(
    r"\b(?:prescriber|clinician|doctor|GP|psychiatrist|care team)s?\b", re.IGNORECASE
)
NO_RISK = re.compile(r"\bno risk\b|\brisk[- ]free\b|\bzero risk\b|\bwithout risk\b", re.IGNORECASE)


def self_directed(sentence: str) -> str | None:
    """The words that tell the reader to start or stop a medicine alone, if any."""
    if WHO_DECIDES.search(sentence):
        return None
    for match in INSTRUCTION.finditer(sentence):
        kind = match.lastgroup or ""
        start = match.start(kind)
        if NEGATED.search(sentence[:start]):
            continue  # "Do not stop suddenly", "you should not stop": a warning
        if kind != "phrase" and not ABOUT_MEDICINE.search(sentence):
            continue  # "Start date", "you can start small": not about a medicine
        return sentence[match.start() : match.end()]
    return None


def violations(texts: list[tuple[str, str]]) -> list[str]:
    """Every broken promise as ``where: rule: words``."""
    found = []
    for where, text in texts:
        for pattern, rule in ((MEDICINE, "names a medicine"), (DOSE, "names a dose")):
            found += [f"{where}: {rule}: {m.group()!r}" for m in pattern.finditer(text)]
        found += [f"{where}: says no risk: {m.group()!r}" for m in NO_RISK.finditer(text)]
        for sentence in sentences(text):
            words = self_directed(sentence)
            if words is not None:
                found.append(f"{where}: start/stop alone: {words!r} in {sentence!r}")
    return found


@pytest.fixture(scope="module")
def texts(catalog: Catalog) -> list[tuple[str, str]]:
    return list(catalog.patient_texts())


def test_the_walk_covers_the_whole_catalog(texts: list[tuple[str, str]]) -> None:
    parts = {where.split(".")[0] for where, _ in texts}
    assert parts == {
        "explainers",
        "evidence",
        "crisis",
        "rules",
        "timeline",
        "labels",
        "instruments",
        "redecide",
    }


def test_no_text_breaks_a_promise(texts: list[tuple[str, str]]) -> None:
    found = violations(texts)
    assert not found, f"{len(found)} patient text(s) break a promise:\n" + "\n".join(
        f"  {line}" for line in found
    )


# --- each check can fail ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("Your doctor may suggest sertraline.", "names a medicine"),
        ("Prozac is one example.", "names a medicine"),
        ("Lithium keeps mood steady.", "names a medicine"),
        ("Most people take 20 mg a day.", "names a dose"),
        ("The dose is given in mg.", "names a dose"),
        ("Your score of 0 means no risk.", "says no risk"),
        ("This choice is risk-free.", "says no risk"),
        ("Stop taking it once you feel better.", "start/stop alone"),
        ("If it bothers you, stop your medicine.", "start/stop alone"),
        ("You can just stop the pills when you feel well.", "start/stop alone"),
        ("You can keep taking it, lower it slowly, or come off it.", "start/stop alone"),
        ("Together you can decide to keep going, or stop a medicine.", "start/stop alone"),
        ("Many people stop taking it too soon.", "start/stop alone"),
        ("Start taking the tablets tonight.", "start/stop alone"),
    ],
)
def test_a_broken_promise_is_found(text: str, rule: str) -> None:
    found = violations([("demo.text", text)])
    assert [line.split(": ")[1] for line in found] == [rule], found
    assert found[0].startswith("demo.text: ")


@pytest.mark.parametrize(
    "text",
    [
        "Do not stop suddenly. Talk to your prescriber first.",
        "Do not stop or change how you take them on your own.",
        "You should not stop taking it without a plan.",
        "If you decide to stop a medicine, plan it with your prescriber.",
        "You can keep taking it or lower it slowly, with your clinician.",
        "Start date (YYYY-MM-DD), or press Enter for today:",
        "Start your therapy sessions",
        "You start small. Over time the fear shrinks.",
        "After stopping, symptoms are more likely to come back than after therapy.",
        "More had it come back if they stopped their medicine.",
        "Adults with depression who start a medicine for it.",
        "Calming pills called benzodiazepines are not advised for panic.",
        "A risk item answered 0 is shown as 0.",
        "Antidepressants and stimulants are groups of medicines.",
    ],
)
def test_allowed_wording_is_not_flagged(text: str) -> None:
    assert violations([("demo.text", text)]) == []
