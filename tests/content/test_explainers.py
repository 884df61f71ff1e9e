"""The explainer knowledge base: conditions, treatments, the guide's ideas and the glossary.

Each file is parsed on its own with the catalog's reader (the full ``load_catalog`` needs
every other content file, which is checked elsewhere). These tests pin what the files must
hold, that their cross-references resolve, that every source id is known, that no text names
a dose or a medicine, or tells the reader to start or stop a medicine alone, and that the
texts read at about school grade 8 or lower.
"""

from __future__ import annotations

import re
import statistics
from functools import cache
from pathlib import Path

import pytest

from bothand.catalog import CONTENT_DIR, parse, read_yaml
from bothand.domain.knowledge.base import iter_patient_texts, iter_source_ids
from bothand.domain.knowledge.explainers import Explainers
from bothand.domain.knowledge.readability import grade
from bothand.domain.vocab import CONDITIONS

EXPLAINERS_DIR = CONTENT_DIR / "explainers"
KINDS = ("conditions", "treatments", "ideas", "terms")

# The bibliography ids that exist. The full catalog check (every source id resolves in
# sources.yaml) replaces this hard-coded list once sources.yaml and load_catalog are ready.
ALLOWED_SOURCES = frozenset(
    {
        "guide_bothand",
        "whiteford_2013",
        "morina_2014_ptsd_remission",  # natural course of PTSD (IPDAS QL1)
        "scott_2022_untreated_anxiety",  # wait-list course of anxiety (IPDAS QL1)
        "nice_ng222",
        "nice_qs8",
        "nice_cg90",
        "nice_cg113",
        "nice_cg159",
        "nice_cg31",
        "nice_ng116",
        "nice_cg185",
        "nice_cg178",
        "nice_ng87",
        "vadod_ptsd_2023",
        "vadod_mdd_2022",
        "acp_mdd_2023",
        "apa_depression_2019",
        "cuijpers_2020_nma",
        "cuijpers_2021_primary_care",
        "cuijpers_2014_combined",
        "cuijpers_2009_adding_ad",
        "cuijpers_2013_direct",
        "simon_2024_review",
        "cuijpers_2013_relapse_cbt",
        "hollon_2005",
        "hollon_2015",
        "geddes_2003",
        "relapse_maintenance_2021",
        "lewis_2021_antler",
        "furukawa_2006",
        "skapinakis_2016",
        "fineberg_2018",
        "hetrick_2010_cochrane",
        "hoskins_2015",
        "oud_2016_bipolar",
        "bond_anderson_2015",
        "chatterton_2017",
        "leucht_2012",
        "clark_2018_iapt",
        "nhs_tt_manual",
        "nhs_tt_outcomes",
        "howard_1986",
        "hansen_2002",
        "guo_2015_mbc",
        "taylor_2006",
        "mchugh_2013",
        "kwan_2010",
        "read_2014",
        "mayo_dmc",
        "healthwise_antidepressant",
        "joseph_williams_2014_ipdas",
        "barr_2016",
        "kroenke_2001_phq9",
        "kroenke_2003_phq2",
        "spitzer_2006_gad7",
        "kroenke_2007_gad2",
        "weathers_2013_pcl5",
        "blevins_2015",
        "bovin_2016",
        "foa_2002_ocir",
        "abramovitch_2020",
        "kessler_2005_asrs",
        "kessler_2007_asrs",
        "hirschfeld_2000_mdq",
        "mundt_2002_wsas",
        "hedis_drr",  # remission and response definitions (citation check, audit 12)
    }
)

INSTRUMENT_IDS = frozenset({"phq9", "phq2", "gad7", "gad2", "pcl5", "ocir", "asrs", "mdq", "wsas"})

THERAPIES = (
    "cbt",
    "behavioural_activation",
    "exposure_therapy",
    "erp",
    "trauma_focused_cbt",
    "cpt",
    "prolonged_exposure",
    "emdr",
    "ipt",
    "psychodynamic",
    "cbt_psychosis",
    "family_intervention",
    "bipolar_psychoeducation",
    "parent_training",
    "guided_self_help",
    "counselling",
)
MEDICATIONS = (
    "antidepressants",
    "anti_anxiety_medicines",
    "adhd_medicines",
    "mood_stabilisers",
    "antipsychotics",
)

IDEAS = (
    "idea.different_tools",
    "idea.floor_and_staircase",
    "idea.one_may_be_enough",
    "idea.preference_matters",
    "idea.start_together_or_in_turn",
    "idea.stable_then_review",
    "idea.taper_with_clinician",
    "idea.skills_stay",
)

REQUIRED_TERMS = (
    "term.antidepressant",
    "term.ssri",
    "term.stimulant",
    "term.mood_stabiliser",
    "term.antipsychotic",
    "term.cbt",
    "term.exposure",
    "term.erp",
    "term.emdr",
    "term.trauma_focused_therapy",
    "term.psychoeducation",
    "term.remission",
    "term.relapse",
    "term.response",
    "term.taper",
    "term.withdrawal_symptoms",
    "term.side_effect",
    "term.watchful_waiting",
    "term.questionnaire_score",
    "term.severity",
    "term.first_line",
    "term.guided_self_help",
    "term.psychosis",
    "term.mania_hypomania",
)

# Medicine and brand names that must never appear: Bothand talks about groups of medicines.
MEDICINE_NAMES = (
    "sertraline", "fluoxetine", "paroxetine", "citalopram", "escitalopram", "fluvoxamine",
    "venlafaxine", "duloxetine", "mirtazapine", "bupropion", "trazodone", "vortioxetine",
    "vilazodone", "clomipramine", "lithium", "valproate", "lamotrigine", "carbamazepine",
    "quetiapine", "olanzapine", "risperidone", "aripiprazole", "haloperidol", "clozapine",
    "methylphenidate", "lisdexamfetamine", "dexamfetamine", "atomoxetine", "guanfacine",
    "pregabalin", "diazepam", "lorazepam", "alprazolam", "clonazepam", "benzodiazepine",
    "prozac", "zoloft", "lexapro", "ritalin", "adderall", "concerta", "xanax", "valium",
)  # fmt: skip

DOSE = re.compile(r"\b\d+(?:\.\d+)?\s*(?:mg|mcg|µg|g|ml)\b|\bmg\b|\bmilligram", re.IGNORECASE)
# A sentence that tells the reader to start or stop on their own: an imperative at the start
# of a sentence, or "you can/should ... stop". Fine when the same sentence names who decides.
SELF_DIRECTED = re.compile(
    r"(?:^|\byou\s+(?:can|could|should|may|might|must)\s+(?:just\s+)?)"
    r"(?:stop|start|begin|quit|come off|cut down|cut back|reduce|lower)\b",
    re.IGNORECASE,
)
WHO_DECIDES = re.compile(r"\b(?:prescriber|clinician|doctor|care team)\b", re.IGNORECASE)


@cache
def load(kind: str) -> Explainers:
    path = EXPLAINERS_DIR / f"{kind}.yaml"
    return parse(Explainers, read_yaml(path), str(path))


def all_texts() -> list[tuple[str, str]]:
    return [
        (f"{kind}.{where}", text)
        for kind in KINDS
        for where, text in iter_patient_texts(load(kind))
    ]


def sentences_of(text: str) -> list[str]:
    return [s.strip() for s in re.split(r"(?<=[.!?])\s+", text) if s.strip()]


# --- each file holds only its own list ----------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_file_fills_only_its_own_list(kind: str) -> None:
    explainers = load(kind)
    assert explainers.meta.version == "2026.12.0"
    assert str(explainers.meta.reviewed) == "2026-11-27"
    assert getattr(explainers, kind), f"{kind}.yaml has no {kind}"
    for other in ("conditions", "treatments", "options", "ideas", "terms"):
        if other != kind:
            assert getattr(explainers, other) == (), f"{kind}.yaml also fills {other}"


@pytest.mark.parametrize("kind", KINDS)
def test_ids_are_unique(kind: str) -> None:
    ids = [item.id for item in getattr(load(kind), kind)]
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)


# --- conditions ---------------------------------------------------------------------------


def test_all_nine_conditions_and_no_others() -> None:
    assert sorted(c.id for c in load("conditions").conditions) == sorted(CONDITIONS)


def test_conditions_follow_the_canonical_order() -> None:
    assert tuple(c.id for c in load("conditions").conditions) == CONDITIONS


def test_each_condition_says_exactly_one_thing_about_no_treatment() -> None:
    for condition in load("conditions").conditions:
        given = (condition.without_treatment is not None) + (
            condition.without_treatment_unknown is not None
        )
        assert given == 1, condition.id


def test_instruments_are_known_ids() -> None:
    for condition in load("conditions").conditions:
        unknown = set(condition.instruments) - INSTRUMENT_IDS
        assert not unknown, (condition.id, sorted(unknown))


def test_ptsd_has_no_invented_severity_bands() -> None:
    ptsd = next(c for c in load("conditions").conditions if c.id == "ptsd")
    assert "no tested bands" in ptsd.severity_judged.text


# --- treatments ---------------------------------------------------------------------------


def test_treatments_are_exactly_the_listed_ids_with_their_kinds() -> None:
    kinds = {t.id: t.kind for t in load("treatments").treatments}
    expected = {t: "therapy" for t in THERAPIES} | {m: "medication" for m in MEDICATIONS}
    assert kinds == expected


def test_first_line_therapies_and_medication_classes_resolve() -> None:
    treatments = {t.id: t for t in load("treatments").treatments}
    for condition in load("conditions").conditions:
        for therapy_id in condition.first_line_therapies:
            assert therapy_id in treatments, (condition.id, therapy_id)
            assert treatments[therapy_id].kind == "therapy", (condition.id, therapy_id)
            assert condition.id in treatments[therapy_id].conditions, (condition.id, therapy_id)
        for medication_id in condition.medication_classes:
            assert medication_id in treatments, (condition.id, medication_id)
            assert treatments[medication_id].kind == "medication", (condition.id, medication_id)
            assert condition.id in treatments[medication_id].conditions, (
                condition.id,
                medication_id,
            )


def test_treatment_conditions_are_valid() -> None:
    for treatment in load("treatments").treatments:
        assert set(treatment.conditions) <= set(CONDITIONS), treatment.id
        assert len(set(treatment.conditions)) == len(treatment.conditions), treatment.id


def test_every_medicine_says_talk_to_the_prescriber_before_stopping() -> None:
    for treatment in load("treatments").treatments:
        if treatment.kind == "medication":
            text = treatment.what_it_is_like.text.lower()
            assert "do not stop" in text, treatment.id
            assert "prescriber" in text, treatment.id


def test_medicine_timing_is_not_the_guides_four_to_six_weeks() -> None:
    # The evidence: some change in 1-2 weeks, most can tell by about 4, full effect 6-8.
    for treatment in load("treatments").treatments:
        if treatment.kind == "medication":
            text = treatment.time_to_help.text
            assert not re.search(r"\b4\s*(?:-|–|to)\s*6 weeks", text), treatment.id
    antidepressants = next(t for t in load("treatments").treatments if t.id == "antidepressants")
    for phrase in ("1 to 2 weeks", "4 weeks", "6 to 8 weeks", "12 weeks"):
        assert phrase in antidepressants.time_to_help.text


# --- ideas and terms ----------------------------------------------------------------------


def test_ideas_are_the_guides_eight() -> None:
    assert tuple(i.id for i in load("ideas").ideas) == IDEAS


def test_required_terms_are_explained() -> None:
    ids = {t.id for t in load("terms").terms}
    missing = set(REQUIRED_TERMS) - ids
    assert not missing, sorted(missing)
    assert all(i.startswith("term.") for i in ids)


# --- sources ------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_every_source_id_is_known(kind: str) -> None:
    explainers = load(kind)
    unknown = [(p, s) for p, s in iter_source_ids(explainers) if s not in ALLOWED_SOURCES]
    assert not unknown, unknown


# --- what the texts must never say --------------------------------------------------------


def test_no_text_names_a_dose() -> None:
    found = [(where, text) for where, text in all_texts() if DOSE.search(text)]
    assert not found, found


def test_no_text_names_a_medicine_or_brand() -> None:
    pattern = re.compile(r"\b(?:" + "|".join(MEDICINE_NAMES) + r")s?\b", re.IGNORECASE)
    found = [(where, m.group()) for where, text in all_texts() for m in pattern.finditer(text)]
    assert not found, found


def test_no_text_tells_the_reader_to_start_or_stop_alone() -> None:
    found = [
        (where, sentence)
        for where, text in all_texts()
        for sentence in sentences_of(text)
        if SELF_DIRECTED.search(sentence) and not WHO_DECIDES.search(sentence)
    ]
    assert not found, found


def test_the_self_directed_check_can_fail() -> None:
    assert SELF_DIRECTED.search("Stop taking it once you feel better.")
    assert SELF_DIRECTED.search("If it bothers you, you can just stop.")
    assert not SELF_DIRECTED.search("Do not stop suddenly.")


# --- reading grade ------------------------------------------------------------------------

LONG_TEXT_WORDS = 40
MAX_GRADE = 8.0


def test_long_texts_read_at_grade_8_or_lower() -> None:
    too_hard = []
    for where, text in all_texts():
        measured = grade(text)
        if measured.words > LONG_TEXT_WORDS and measured.fk > MAX_GRADE:
            too_hard.append((where, round(measured.fk, 1)))
    assert not too_hard, too_hard


def test_average_grade_is_8_or_lower() -> None:
    grades = [grade(text).fk for _, text in all_texts()]
    assert statistics.mean(grades) <= MAX_GRADE


def test_files_are_where_the_catalog_looks() -> None:
    for kind in KINDS:
        assert Path(EXPLAINERS_DIR / f"{kind}.yaml").is_file()
