"""The catalog: the real content loads, and broken content is refused with a message that
names the file and the place.

Each test of a broken catalog copies the content folder to a temporary folder, breaks one
thing, loads the copy with ``load_catalog`` and checks the ``ContentError`` word for word
where it matters. A copy that is left unbroken loads (``test_an_unbroken_copy_loads``), so
each refusal is caused by the one thing the test broke.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from bothand.catalog import CONTENT_DIR, Catalog, load_catalog
from bothand.domain.errors import ContentError
from bothand.domain.vocab import CONDITIONS, OPTION_IDS

Data = Any  # parsed YAML


@pytest.fixture
def content(tmp_path: Path) -> Path:
    """A private copy of the content folder, loaded without any licensed wording (the loader
    reads no environment: wording comes only from the folder it is given)."""
    copy = tmp_path / "content"
    shutil.copytree(CONTENT_DIR, copy)
    return copy


def replace_once(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} should occur once in {path.name}"
    path.write_text(text.replace(old, new), encoding="utf-8")


def edit_yaml(path: Path, change: Callable[[Data], None]) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def refusal(content: Path) -> ContentError:
    with pytest.raises(ContentError) as caught:
        load_catalog(content)
    return caught.value


def by_id(items: list[dict[str, Any]], item_id: str) -> dict[str, Any]:
    return next(item for item in items if item["id"] == item_id)


def index_of(items: list[dict[str, Any]], item_id: str) -> int:
    return next(i for i, item in enumerate(items) if item["id"] == item_id)


# --- the real catalog -------------------------------------------------------------------------


def test_the_real_catalog_loads(catalog: Catalog) -> None:
    assert catalog.version == "2026.12.0"
    assert tuple(c.id for c in catalog.explainers.conditions) == CONDITIONS
    assert {o.id for o in catalog.explainers.options} == set(OPTION_IDS)
    assert sorted(catalog.instruments) == sorted(
        ["phq9", "phq2", "gad7", "gad2", "pcl5", "asrs", "mdq", "ocir", "wsas", "asq"]
    )
    assert sorted(catalog.unavailable) == ["asrs", "mdq", "ocir", "wsas"]
    for condition in CONDITIONS:
        assert catalog.rules.base_rules(condition), condition
    assert catalog.rules.reasons and catalog.crisis.locales and catalog.timeline.milestones


def test_an_unbroken_copy_loads(content: Path) -> None:
    copy = load_catalog(content)
    assert copy.version == "2026.12.0"
    assert len(list(copy.patient_texts())) == len(list(load_catalog().patient_texts()))


# --- sources and references ------------------------------------------------------------------


def test_an_unknown_source_in_a_reason_is_refused(content: Path) -> None:
    position = 0

    def change(data: Data) -> None:
        nonlocal position
        position = index_of(data["reasons"], "reason.common.minimal_monitor")
        data["reasons"][position]["sources"] = ["nice_ng222", "no_such_source"]

    edit_yaml(content / "rules.yaml", change)
    error = refusal(content)
    assert error.where == f"rules.yaml: reasons[{position}].sources"
    assert error.problem == "source 'no_such_source' is not in sources.yaml"


@pytest.mark.parametrize(
    ("file", "old", "new", "where"),
    [
        (
            "rules.yaml",
            "sources: [nice_ng87, nice_ng222, nice_ng134, fda_2007_antidepressant_warning]",
            "sources: [nice_ng87, nice_ng222, nice_ng134, no_such_source]",
            "rules.yaml: age_bands.sources",
        ),
        (
            "rules.yaml",
            '  sources: [guide_bothand]\n  note: "The plan follows',
            '  sources: [no_such_source]\n  note: "The plan follows',
            "rules.yaml: plan_option.sources",
        ),
        (
            "timeline.yaml",
            "previous_episodes_at_least: 1\n  sources: [nice_ng222, nice_cg90]",
            "previous_episodes_at_least: 1\n  sources: [no_such_source]",
            "timeline.yaml: high_relapse_risk.sources",
        ),
    ],
)
def test_an_unknown_source_of_a_clinical_number_is_refused(
    content: Path, file: str, old: str, new: str, where: str
) -> None:
    replace_once(content / file, old, new)
    error = refusal(content)
    assert error.where == where
    assert error.problem == "source 'no_such_source' is not in sources.yaml"


def test_an_unknown_source_in_an_explainer_files_meta_is_refused(content: Path) -> None:
    # Only the first explainer file's meta travels with the merged explainers: the check
    # must still read the meta of every explainer file.
    replace_once(content / "explainers" / "options.yaml", "    - read_2014\n", "    - readd_2014\n")
    error = refusal(content)
    assert error.where == "explainers/options.yaml: meta.sources"
    assert error.problem == "source 'readd_2014' is not in sources.yaml"


def test_an_unknown_source_in_an_instrument_is_refused(content: Path) -> None:
    replace_once(
        content / "instruments" / "gad7.yaml",
        "sources: [spitzer_2006_gad7",
        "sources: [spitzer_2006_gad9",
    )
    error = refusal(content)
    assert error.where == "instruments/gad7.yaml: sources"
    assert error.problem == "source 'spitzer_2006_gad9' is not in sources.yaml"


def test_a_rule_giving_an_undefined_reason_is_refused(content: Path) -> None:
    def change(data: Data) -> None:
        rule = by_id(data["rules"], "rule.depression.mild")
        rule["reasons"][0]["reason"] = "reason.depression.mild_therapyy"

    edit_yaml(content / "rules.yaml", change)
    error = refusal(content)
    assert error.where == "rules.yaml: rule.depression.mild"
    assert error.problem == "reason 'reason.depression.mild_therapyy' is not defined"


# --- typos -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("file", "old", "new", "place"),
    [
        # A rule whose "reasons" is misspelt would otherwise give no reasons at all.
        (
            "rules.yaml",
            "    reasons:\n      - {option: therapy, reason: reason.depression.mild_therapy}",
            "    reason:\n      - {option: therapy, reason: reason.depression.mild_therapy}",
            re.compile(r"^rules\.\d+\.reason$"),
        ),
        # The safety item: a misspelt "risk" would silently make item 9 an ordinary item.
        (
            "instruments/phq9.yaml",
            "    risk: true",
            "    risky: true",
            re.compile(r"^items\.8\.risky$"),
        ),
        ("crisis.yaml", "aliases:", "aliasses:", re.compile(r"^aliasses$")),
        ("explainers/options.yaml", "  note: >-", "  notes: >-", re.compile(r"^meta\.notes$")),
    ],
    ids=["rules", "phq9", "crisis", "options"],
)
def test_a_misspelt_field_name_is_refused(
    content: Path, file: str, old: str, new: str, place: re.Pattern[str]
) -> None:
    replace_once(content / file, old, new)
    error = refusal(content)
    assert error.where == str(content / file)
    location, _, message = error.problem.partition(": ")
    assert place.match(location), error.problem
    assert message == "Extra inputs are not permitted"


def test_a_misspelt_value_in_a_rule_is_refused(content: Path) -> None:
    position = 0

    def change(data: Data) -> None:
        nonlocal position
        position = index_of(data["rules"], "rule.depression.moderate")
        data["rules"][position]["when"] = {"fact": "severity", "op": "eq", "value": "modrate"}

    edit_yaml(content / "rules.yaml", change)
    error = refusal(content)
    assert error.where == str(content / "rules.yaml")
    assert error.problem.startswith(f"rules.{position}.when"), error.problem
    assert "fact 'severity' cannot be 'modrate'" in error.problem


# --- base rules cover every case exactly once --------------------------------------------------


def test_a_case_no_base_rule_covers_is_refused(content: Path) -> None:
    def change(data: Data) -> None:
        data["rules"] = [r for r in data["rules"] if r["id"] != "rule.depression.moderate"]

    edit_yaml(content / "rules.yaml", change)
    error = refusal(content)
    assert error.where == "rules.yaml: base rules for depression"
    assert error.problem == (
        "severity moderate, age band under_5: 0 rules fire (none); exactly one must"
    )


def test_a_case_two_base_rules_cover_is_refused(content: Path) -> None:
    def change(data: Data) -> None:
        rule = by_id(data["rules"], "rule.depression.moderate")
        twin = dict(rule, id="rule.depression.moderate_again")
        data["rules"].append(twin)

    edit_yaml(content / "rules.yaml", change)
    error = refusal(content)
    assert error.where == "rules.yaml: base rules for depression"
    assert re.fullmatch(
        r"severity moderate, age band \w+: 2 rules fire "
        r"\(rule\.depression\.moderate, rule\.depression\.moderate_again\); exactly one must",
        error.problem,
    ), error.problem


def test_a_rule_id_used_twice_is_refused(content: Path) -> None:
    def change(data: Data) -> None:
        rule = by_id(data["rules"], "rule.depression.mild")
        data["rules"].append(dict(rule, stage="adjust", condition=None, demand=None, set={}))

    edit_yaml(content / "rules.yaml", change)
    error = refusal(content)
    assert str(error) == "rules.yaml: rule.depression.mild: rule id is used twice"


# --- instruments --------------------------------------------------------------------------------


def test_a_gap_in_the_phq9_bands_is_refused(content: Path) -> None:
    replace_once(
        content / "instruments" / "phq9.yaml",
        "  - min: 5\n    max: 9\n",
        "  - min: 6\n    max: 9\n",
    )
    error = refusal(content)
    assert error.where == str(content / "instruments" / "phq9.yaml")
    assert error.problem.endswith("instrument 'phq9': bands leave a gap: 5-5 is not covered")


# --- explainers ---------------------------------------------------------------------------------


def test_a_medicine_named_as_a_first_line_therapy_is_refused(content: Path) -> None:
    def change(data: Data) -> None:
        by_id(data["conditions"], "ocd")["first_line_therapies"].append("antidepressants")

    edit_yaml(content / "explainers" / "conditions.yaml", change)
    error = refusal(content)
    assert error.where == "explainers/conditions.yaml: ocd"
    assert error.problem == "first_line_therapies: 'antidepressants' is not a therapy"


def test_a_treatment_id_used_twice_is_refused(content: Path) -> None:
    def change(data: Data) -> None:
        data["treatments"].append(dict(by_id(data["treatments"], "emdr")))

    edit_yaml(content / "explainers" / "treatments.yaml", change)
    error = refusal(content)
    assert str(error) == "explainers/treatments.yaml: id 'emdr' is used twice"


def test_a_missing_option_is_refused(content: Path) -> None:
    def change(data: Data) -> None:
        data["options"] = [o for o in data["options"] if o["id"] != "medication_first"]

    edit_yaml(content / "explainers" / "options.yaml", change)
    error = refusal(content)
    assert str(error) == "explainers/options.yaml: missing ['medication_first']"


# --- files --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("file", "old", "new"),
    [
        ("timeline.yaml", "therapy_names:\n", "therapy_names: [unclosed\n"),
        ("instruments/gad7.yaml", "id: gad7\n", "id: gad7\n  bad: indent\n"),
        ("labels.yaml", "text:\n", "text:\n\tfit.tab: tabs are not YAML\n"),
    ],
    ids=["timeline", "gad7", "labels"],
)
def test_a_file_that_is_not_yaml_is_refused(content: Path, file: str, old: str, new: str) -> None:
    replace_once(content / file, old, new)
    error = refusal(content)
    assert error.where == str(content / file)
    assert error.problem.startswith("is not valid YAML (")
    assert re.search(r"line \d+, column \d+", error.problem), error.problem
    assert "\n" not in str(error), "an error message is one line"


def test_a_missing_file_is_refused(content: Path) -> None:
    (content / "crisis.yaml").unlink()
    error = refusal(content)
    assert error.where == str(content / "crisis.yaml")
    assert error.problem == "cannot be read (No such file or directory)"


def test_the_catalog_prints_short(catalog: Catalog) -> None:
    """A failing property test prints its arguments; the catalog must not bury the example."""
    from hypothesis.vendor.pretty import pretty

    assert len(repr(catalog)) < 100 and catalog.version in repr(catalog)
    assert pretty(catalog) == repr(catalog)  # what Hypothesis prints for a failing example
