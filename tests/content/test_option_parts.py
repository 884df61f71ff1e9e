"""Option statements with condition-specific parts (issue 10, item 7): the content model
refuses a part for an unknown condition, a condition named twice, a part without sources and
a source that does not resolve; and the parts are what each surface picks from."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import ValidationError

from bothand import services
from bothand.catalog import CONTENT_DIR, Catalog, load_catalog
from bothand.domain.errors import ContentError
from bothand.domain.knowledge.explainers import OptionStatement, StatementPart

OPTIONS = Path("explainers") / "options.yaml"
PART = {"text": "It is a usual first step.", "sources": ["nice_ng116"], "conditions": ["ptsd"]}


def statement(*parts: dict[str, Any]) -> OptionStatement:
    return OptionStatement.model_validate(
        {"text": "For everyone.", "sources": ["guide_bothand"], "parts": list(parts)}
    )


@pytest.fixture
def content(tmp_path: Path) -> Path:
    copy = tmp_path / "content"
    shutil.copytree(CONTENT_DIR, copy)
    return copy


def break_first_part(content: Path, field: str, value: Any) -> None:
    path = content / OPTIONS
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["options"][0]["benefits"]["parts"][0][field] = value
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


# --- the model ------------------------------------------------------------------------------


def test_a_part_for_an_unknown_condition_is_refused() -> None:
    with pytest.raises(ValidationError, match="conditions"):
        statement({**PART, "conditions": ["ptsd", "burnout"]})


@pytest.mark.parametrize("conditions", [[], ["ptsd", "ptsd"]])
def test_a_part_needs_its_conditions_each_once(conditions: list[str]) -> None:
    with pytest.raises(ValidationError, match="conditions"):
        statement({**PART, "conditions": conditions})


def test_a_part_needs_a_source_and_no_unknown_field() -> None:
    with pytest.raises(ValidationError, match="sources"):
        statement({**PART, "sources": []})
    with pytest.raises(ValidationError, match="condition"):
        statement({**{k: v for k, v in PART.items() if k != "conditions"}, "condition": "ptsd"})


def test_conditions_are_kept_in_the_canonical_order() -> None:
    part = StatementPart.model_validate({**PART, "conditions": ["ptsd", "depression", "panic"]})
    assert part.conditions == ("depression", "panic", "ptsd")


def test_parts_and_their_sources_are_picked_by_the_persons_conditions() -> None:
    both = statement(
        PART, {"text": "Slower here.", "sources": ["nice_cg31"], "conditions": ["ocd", "ptsd"]}
    )
    assert [p.text for p in both.parts_for(["depression"])] == []
    assert [p.text for p in both.parts_for(["ocd"])] == ["Slower here."]
    assert len(both.parts_for(["ptsd", "depression"])) == 2
    assert both.sources_for(["depression"]) == ("guide_bothand",)
    assert both.sources_for(["ocd"]) == ("guide_bothand", "nice_cg31")
    assert both.sources_for() == ("guide_bothand", "nice_ng116", "nice_cg31")


# --- the catalog ----------------------------------------------------------------------------


def test_a_part_for_an_unknown_condition_is_refused_when_loading(content: Path) -> None:
    break_first_part(content, "conditions", ["depression", "burnout"])
    with pytest.raises(ContentError) as caught:
        load_catalog(content)
    assert caught.value.where.endswith("explainers/options.yaml")
    assert "parts.0.conditions.1" in caught.value.problem and "'ptsd'" in caught.value.problem


def test_an_unknown_source_of_a_part_is_refused_when_loading(content: Path) -> None:
    break_first_part(content, "sources", ["nice_ng222", "no_such_source"])
    with pytest.raises(ContentError) as caught:
        load_catalog(content)
    assert caught.value.where == "explainers/options.yaml: options[0].benefits.parts[0].sources"
    assert caught.value.problem == "source 'no_such_source' is not in sources.yaml"


def test_the_real_options_have_parts_and_every_part_source_resolves(catalog: Catalog) -> None:
    known = {source.id for source in catalog.bibliography.sources}
    parts = [
        part
        for option in catalog.explainers.options
        for s in (option.benefits, option.harms, option.what_it_is_like)
        for part in s.parts
    ]
    assert len(parts) >= 10
    assert {source for part in parts for source in part.sources} <= known


def test_an_option_explainer_is_for_everyone_so_it_names_every_part(catalog: Catalog) -> None:
    # ``bothand explain combined`` and /api/explain: every part, after its conditions.
    sections = [text for _, text in services.explain(catalog, "combined")["sections"]]
    combined = next(o for o in catalog.explainers.options if o.id == "combined")
    for part in combined.harms.parts:
        label = services.part_label(catalog, part.conditions)
        assert f"{label} {part.text}" in sections
    gad_social_ptsd = "For worry that will not stop, social anxiety and PTSD:"
    assert any(text.startswith(gad_social_ptsd) for text in sections)
