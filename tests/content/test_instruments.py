"""The instrument definitions in content/instruments: official wording unchanged, LOINC codes
right (the pitfalls of research/instruments.md §19), licence gating, and the checks that make
a broken definition fail loudly."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import ValidationError

from bothand.catalog import CONTENT_DIR, load_instruments
from bothand.domain.assess.instruments import Instrument
from bothand.domain.assess.scoring import parse_answer, score
from bothand.domain.errors import ContentError
from bothand.domain.knowledge.base import iter_patient_texts
from bothand.domain.knowledge.readability import grade
from tests.shared import SHARED, need_shared

FOLDER = CONTENT_DIR / "instruments"
REFERENCE = SHARED / "reference" / "instruments"
SHIPPED = ("phq9", "phq2", "gad7", "gad2", "pcl5", "asq")
NOT_SHIPPED = ("asrs", "mdq", "ocir", "wsas")
ALLOWED_SOURCES = {
    "kroenke_2001_phq9", "kroenke_2003_phq2", "spitzer_2006_gad7", "kroenke_2007_gad2",
    "weathers_2013_pcl5", "blevins_2015", "bovin_2016", "foa_2002_ocir", "abramovitch_2020",
    "kessler_2005_asrs", "kessler_2007_asrs", "hirschfeld_2000_mdq", "mundt_2002_wsas",
    "nhs_data_dictionary_wsas", "simon_2013_item9", "louzon_2016_item9", "lowe_2004_mcid",
    "jacobson_truax_1991", "loinc", "nice_ng222", "nimh_asq_toolkit", "horowitz_2012_asq",
}  # fmt: skip


@cache
def _loaded() -> tuple[dict[str, Instrument], dict[str, str]]:
    return load_instruments(FOLDER, None)


def _instrument(instrument_id: str) -> Instrument:
    return _loaded()[0][instrument_id]


def _reference(name: str) -> dict[str, Any]:
    path = need_shared(REFERENCE / f"{name}.en.json")
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def test_all_instruments_load() -> None:
    instruments, _ = _loaded()
    assert sorted(instruments) == sorted(SHIPPED + NOT_SHIPPED)


# --- official wording ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("instrument_id", "reference", "numbers"),
    [
        ("phq9", "phq9", range(1, 10)),
        ("phq2", "phq9", range(1, 3)),
        ("gad7", "gad7", range(1, 8)),
        ("gad2", "gad7", range(1, 3)),
        ("pcl5", "pcl5", range(1, 21)),
    ],
)
def test_wording_matches_the_reference_exactly(
    instrument_id: str, reference: str, numbers: range
) -> None:
    ref = _reference(reference)
    instrument = _instrument(instrument_id)
    assert instrument.instructions == ref["instructions"]
    assert instrument.lead_in == ref.get("lead_in")
    assert instrument.time_frame == ref["time_frame"]
    ref_items = {item["number"]: item for item in ref["items"]}
    assert [item.number for item in instrument.items] == list(numbers)
    for item in instrument.items:
        assert item.text == ref_items[item.number]["text"], f"item {item.number}"
        assert item.loinc == ref_items[item.number]["loinc"], f"item {item.number}"
    assert [(o.value, o.text, o.loinc) for o in instrument.options] == [
        (o["value"], o["text"], o["loinc_answer_code"]) for o in ref["answer_options"]
    ]
    # The attribution line (Pfizer) or citation (PCL-5) travels with the wording.
    assert instrument.licence.attribution == (ref["copyright"] or ref["citation"])
    if ref.get("loinc_notice"):
        assert instrument.licence.loinc_notice == ref["loinc_notice"]


@pytest.mark.parametrize(("instrument_id", "reference"), [("phq9", "phq9"), ("gad7", "gad7")])
def test_difficulty_question_matches_the_reference(instrument_id: str, reference: str) -> None:
    ref = _reference(reference)["difficulty_item"]
    (extra,) = _instrument(instrument_id).extra_items
    assert extra.id == f"{instrument_id}.difficulty"
    assert extra.text == ref["text"]
    assert extra.loinc == ref["loinc"] == "69722-7"
    assert [(o.value, o.text, o.loinc) for o in extra.options] == [
        (o["value"], o["text"], o["loinc_answer_code"]) for o in ref["answer_options"]
    ]


def test_panel_and_total_codes_match_the_reference() -> None:
    for instrument_id in ("phq9", "gad7"):
        ref = _reference(instrument_id)
        instrument = _instrument(instrument_id)
        assert instrument.panel_loinc == ref["panel_loinc"]
        assert instrument.total_loinc == ref["total_score_loinc"]


def test_official_wording_is_not_graded_as_our_own_text() -> None:
    for instrument in _loaded()[0].values():
        ours = {text for _, text in iter_patient_texts(instrument)}
        official = {text for _, text in instrument.texts() if text is not None}
        assert not ours & official, instrument.id
        assert instrument.instructions not in ours


def test_our_own_texts_read_at_grade_8_or_lower() -> None:
    # Official wording is exempt (it is not PatientText); what we wrote must be plain.
    too_hard = [
        (instrument.id, where, round(grade(text).fk, 1))
        for instrument in _loaded()[0].values()
        for where, text in iter_patient_texts(instrument)
        if grade(text).fk > 8.0
    ]
    assert not too_hard


# --- §19 pitfalls --------------------------------------------------------------------------


def test_difficulty_answer_codes_are_not_swapped() -> None:
    for instrument_id in ("phq9", "gad7"):
        codes = {o.text: o.loinc for o in _instrument(instrument_id).extra_items[0].options}
        assert codes["Very difficult"] == "LA6575-0"
        assert codes["Extremely difficult"] == "LA6574-3"
        assert codes["Not difficult at all"] == "LA6572-7"
        assert codes["Somewhat difficult"] == "LA6573-5"


def test_total_codes_are_not_panel_codes() -> None:
    phq9, gad7 = _instrument("phq9"), _instrument("gad7")
    assert (phq9.panel_loinc, phq9.total_loinc) == ("44249-1", "44261-6")
    assert (gad7.panel_loinc, gad7.total_loinc) == ("69737-5", "70274-6")
    assert gad7.total_loinc != "70273-5"
    phq2 = _instrument("phq2")
    assert (phq2.panel_loinc, phq2.total_loinc) == ("55757-9", "55758-7")


def test_item_loinc_codes() -> None:
    assert {item.number: item.loinc for item in _instrument("phq9").items} == {
        1: "44250-9", 2: "44255-8", 3: "44259-0", 4: "44254-1", 5: "44251-7",
        6: "44258-2", 7: "44252-5", 8: "44253-3", 9: "44260-8",
    }  # fmt: skip
    gad7_codes = {item.number: item.loinc for item in _instrument("gad7").items}
    assert gad7_codes == {
        1: "69725-0", 2: "68509-9", 3: "69733-4", 4: "69734-2",
        5: "69735-9", 6: "69689-8", 7: "69736-7",
    }  # fmt: skip
    wrong = {"69726-8", "69727-6", "69728-4", "69729-2", "69730-0", "69731-8"}
    assert not wrong & set(gad7_codes.values())
    assert [item.loinc for item in _instrument("gad2").items] == [gad7_codes[1], gad7_codes[2]]
    assert [item.loinc for item in _instrument("phq2").items] == ["44250-9", "44255-8"]
    assert _instrument("phq9").items[8].loinc == "44260-8"


def test_unconfirmed_loinc_codes_are_null() -> None:
    gad2 = _instrument("gad2")
    assert gad2.panel_loinc is None and gad2.total_loinc is None
    for instrument_id in ("pcl5", *NOT_SHIPPED):
        instrument = _instrument(instrument_id)
        assert instrument.panel_loinc is None and instrument.total_loinc is None
        assert all(item.loinc is None for item in instrument.items)


def test_zero_option_is_not_at_all_never_not_at_all_sure() -> None:
    for instrument_id in ("phq9", "phq2", "gad7", "gad2", "pcl5"):
        zero = _instrument(instrument_id).options[0]
        assert (zero.value, zero.text) == (0, "Not at all")
        assert all("sure" not in (o.text or "") for o in _instrument(instrument_id).options)


def test_ocir_subscale_definition() -> None:
    subscales = {s.id: s.items for s in _instrument("ocir").subscales}
    assert subscales == {
        "ocir.hoarding": (1, 7, 13),
        "ocir.checking": (2, 8, 14),
        "ocir.ordering": (3, 9, 15),
        "ocir.neutralising": (4, 10, 16),
        "ocir.washing": (5, 11, 17),
        "ocir.obsessing": (6, 12, 18),
    }


def test_pcl5_clusters_and_no_bands() -> None:
    pcl5 = _instrument("pcl5")
    assert {s.id: s.items for s in pcl5.subscales} == {
        "pcl5.cluster_b": (1, 2, 3, 4, 5),
        "pcl5.cluster_c": (6, 7),
        "pcl5.cluster_d": (8, 9, 10, 11, 12, 13, 14),
        "pcl5.cluster_e": (15, 16, 17, 18, 19, 20),
    }
    assert pcl5.bands == ()
    assert pcl5.measures_severity is False


def test_only_phq9_item9_and_the_asq_are_risk_items() -> None:
    risk = [item.id for i in _loaded()[0].values() for item in i.items if item.risk]
    assert risk == [f"asq.item{n}" for n in range(1, 6)] + ["phq9.item9"]


def test_severity_is_measured_only_where_bands_are_validated() -> None:
    measures = {i.id for i in _loaded()[0].values() if i.measures_severity}
    assert measures == {"phq9", "gad7", "ocir"}


# --- provenance ----------------------------------------------------------------------------


def test_sources_are_from_the_agreed_list() -> None:
    for instrument in _loaded()[0].values():
        used = set(instrument.sources) | set(instrument.missing.sources)
        for rule in instrument.rules:
            used |= set(rule.sources)
        assert used <= ALLOWED_SOURCES, (instrument.id, used - ALLOWED_SOURCES)


def test_shipped_instruments_keep_their_licence_lines() -> None:
    for instrument_id in SHIPPED:
        licence = _instrument(instrument_id).licence
        assert licence.ships_wording is True
        assert licence.unavailable_reason is None
    for instrument_id in ("phq9", "phq2", "gad7", "gad2"):
        assert "Pfizer" in _instrument(instrument_id).licence.attribution
    assert "Weathers" in _instrument("pcl5").licence.attribution
    assert "public domain" in _instrument("pcl5").licence.statement.lower()


# --- licence gating ------------------------------------------------------------------------


def test_without_wording_the_licensed_instruments_are_unavailable_but_scorable() -> None:
    instruments, unavailable = _loaded()
    assert sorted(unavailable) == sorted(NOT_SHIPPED)
    assert unavailable["asrs"] == (
        "The words of the ASRS v1.1, an ADHD form, are not free to share. "
        "A clinic with a licence can add them."
    )
    for instrument_id in NOT_SHIPPED:
        instrument = instruments[instrument_id]
        assert instrument.licence.ships_wording is False
        assert instrument.has_wording is False
        assert instrument.short_name in unavailable[instrument_id]
        assert all(text is None for _, text in instrument.texts())
        answers: list[int | None] = [item.max for item in instrument.items]
        assert score(instrument, answers).total == instrument.total_max
    assert all(instruments[i].has_wording for i in SHIPPED)


def _made_up_asrs_wording() -> dict[str, Any]:
    return {
        "instrument": "asrs",
        "licence": "Test licence: made-up wording for the test suite only",
        "instructions": "Made-up instruction for testing.",
        "items": {number: f"Made-up question {number}" for number in range(1, 7)},
        "options": {0: "Zero-ish", 1: "One-ish", 2: "Two-ish", 3: "Three-ish", 4: "Four-ish"},
    }


def test_licensed_wording_makes_an_instrument_available(tmp_path: Path) -> None:
    (tmp_path / "asrs.yaml").write_text(yaml.safe_dump(_made_up_asrs_wording()))
    instruments, unavailable = load_instruments(FOLDER, tmp_path)
    asrs = instruments["asrs"]
    assert "asrs" not in unavailable
    assert sorted(unavailable) == ["mdq", "ocir", "wsas"]
    assert asrs.has_wording is True
    assert asrs.licence.ships_wording is False  # the project still does not ship it
    assert asrs.wording_licence == "Test licence: made-up wording for the test suite only"
    assert asrs.instructions == "Made-up instruction for testing."
    assert asrs.items[2].text == "Made-up question 3"
    assert parse_answer(asrs, 0, "three") == 3
    # Scoring is the same with or without wording.
    assert score(asrs, [0, 4, 3, 1, 2, 1]) == score(_instrument("asrs"), [0, 4, 3, 1, 2, 1])


def test_licensed_wording_with_item_options_and_extra_items(tmp_path: Path) -> None:
    wording = {
        "instrument": "mdq",
        "licence": "Test licence: made-up wording for the test suite only",
        "instructions": "Made-up instruction.",
        "items": {number: f"Made-up part {number}" for number in range(1, 16)},
        "options": {0: "Nope", 1: "Yep"},
        "item_options": {15: {0: "None", 1: "Small", 2: "Middling", 3: "Big"}},
        "extra_items": {"mdq.family_history": "Made-up Q4", "mdq.prior_diagnosis": "Made-up Q5"},
        "extra_item_options": {
            "mdq.family_history": {0: "Nope", 1: "Yep"},
            "mdq.prior_diagnosis": {0: "Nope", 1: "Yep"},
        },
    }
    (tmp_path / "mdq.yaml").write_text(yaml.safe_dump(wording))
    instruments, unavailable = load_instruments(FOLDER, tmp_path)
    mdq = instruments["mdq"]
    assert "mdq" not in unavailable and mdq.has_wording
    assert parse_answer(mdq, 14, "mid") == 2
    assert parse_answer(mdq, 0, "yep") == 1
    assert mdq.extra_items[0].options[1].loinc == "LA33-6"  # codes survive the merge
    assert mdq.screen == _instrument("mdq").screen


def test_incomplete_licensed_wording_is_refused(tmp_path: Path) -> None:
    wording = _made_up_asrs_wording()
    del wording["items"][6]
    (tmp_path / "asrs.yaml").write_text(yaml.safe_dump(wording))
    with pytest.raises(ContentError) as caught:
        load_instruments(FOLDER, tmp_path)
    assert "asrs.yaml" in caught.value.where
    assert "missing [6]" in caught.value.problem


def test_licensed_wording_needs_every_option_text(tmp_path: Path) -> None:
    wording = _made_up_asrs_wording()
    del wording["options"][4]
    (tmp_path / "asrs.yaml").write_text(yaml.safe_dump(wording))
    with pytest.raises(ContentError, match="no text for option 4"):
        load_instruments(FOLDER, tmp_path)


# --- checks on broken definitions -----------------------------------------------------------


def _phq9_data() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((FOLDER / "phq9.yaml").read_text(encoding="utf-8"))
    return data


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["bands"][1].update(min=6), "bands leave a gap: 5-5 is not covered"),
        (lambda d: d["bands"][2].update(min=9), "overlaps"),
        (lambda d: d["bands"][4].update(max=26), "bands must end at the highest total 27"),
        (lambda d: d["bands"][0].update(min=1), "bands leave a gap: 0-0"),
        (lambda d: d["bands"][0].update(severity=None), "needs a severity"),
        (lambda d: d["items"][2].update(id="phq9.item30"), "must have id 'phq9.item3'"),
        (lambda d: d["items"][0].update(max=4), "option values [0, 1, 2, 3] must be 0..4"),
        (lambda d: d.update(total_loinc="44261-5"), "LOINC code 44261-5 has a wrong check digit"),
        (lambda d: d["items"][0].update(text=None), "wording is missing for items[1]"),
        (lambda d: d["missing"].update(max_missing=9), "must leave at least one answered item"),
    ],
)
def test_broken_definitions_are_refused_naming_the_instrument(change: Any, message: str) -> None:
    data = _phq9_data()
    change(data)
    with pytest.raises(ValidationError) as caught:
        Instrument.model_validate(data)
    assert "instrument 'phq9'" in str(caught.value)
    assert message in str(caught.value)


def test_a_broken_file_is_reported_with_its_path(tmp_path: Path) -> None:
    data = _phq9_data()
    data["bands"][1]["min"] = 6
    (tmp_path / "phq9.yaml").write_text(yaml.safe_dump(data, allow_unicode=True))
    with pytest.raises(ContentError) as caught:
        load_instruments(tmp_path, None)
    assert caught.value.where.endswith("phq9.yaml")
    assert "instrument 'phq9': bands leave a gap" in caught.value.problem


def test_unknown_fields_are_refused() -> None:
    data = _phq9_data()
    data["bandz"] = []
    with pytest.raises(ValidationError):
        Instrument.model_validate(data)


def test_unshipped_wording_cannot_slip_into_content() -> None:
    data: dict[str, Any] = yaml.safe_load((FOLDER / "asrs.yaml").read_text(encoding="utf-8"))
    data["items"][0]["text"] = "Some question text"
    with pytest.raises(ValidationError, match="does not let us ship wording"):
        Instrument.model_validate(data)


def test_file_name_must_match_the_id(tmp_path: Path) -> None:
    (tmp_path / "depression.yaml").write_text(
        (FOLDER / "phq9.yaml").read_text(encoding="utf-8"), encoding="utf-8"
    )
    with pytest.raises(ContentError, match="does not match the file name"):
        load_instruments(tmp_path, None)
