"""Outcome profiles (content/outcomes.yaml): every threshold has a source that resolves in
the bibliography, and broken profiles are refused when the catalog loads."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bothand.catalog import CONTENT_DIR, Catalog, load_catalog
from bothand.domain.errors import ContentError
from bothand.domain.knowledge.outcomes import ReliabilityBasis, Threshold

FIELDS = (
    "reliable_change",
    "jacobson_truax",
    "response_fraction",
    "remission_below",
    "caseness_at_or_above",
)


@pytest.fixture
def content(tmp_path: Path) -> Path:
    copy = tmp_path / "content"
    shutil.copytree(CONTENT_DIR, copy)
    return copy


def replace_once(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} should occur once in {path.name}"
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_every_profile_threshold_has_a_resolving_source(catalog: Catalog) -> None:
    known = {source.id for source in catalog.bibliography.sources}
    seen = 0
    for profile in catalog.outcomes.profiles:
        assert profile.sources and set(profile.sources) <= known, profile.id
        for entry in profile.instruments:
            assert entry.reliable_change_threshold is not None, (profile.id, entry.instrument)
            for name in FIELDS:
                value = getattr(entry, name)
                if value is None:
                    continue
                assert isinstance(value, (Threshold, ReliabilityBasis))
                assert value.sources, (profile.id, entry.instrument, name)
                assert set(value.sources) <= known, (profile.id, entry.instrument, name)
                seen += 1
    assert seen >= 10


def test_every_profile_names_instruments_the_catalog_has(catalog: Catalog) -> None:
    for profile in catalog.outcomes.profiles:
        for entry in profile.instruments:
            assert entry.instrument in catalog.instruments


def test_an_unknown_source_of_a_threshold_is_refused(content: Path) -> None:
    replace_once(
        content / "outcomes.yaml",
        "reliable_change: {value: 4, sources: [nhs_tt_manual, clark_2018_iapt]}",
        "reliable_change: {value: 4, sources: [no_such_source]}",
    )
    with pytest.raises(ContentError) as caught:
        load_catalog(content)
    assert caught.value.where.startswith("outcomes.yaml: ")
    assert caught.value.problem == "source 'no_such_source' is not in sources.yaml"


def test_a_threshold_without_a_source_is_refused(content: Path) -> None:
    replace_once(
        content / "outcomes.yaml",
        "reliable_change: {value: 4, sources: [nhs_tt_manual, clark_2018_iapt]}",
        "reliable_change: {value: 4, sources: []}",
    )
    with pytest.raises(ContentError):
        load_catalog(content)


def test_a_misspelt_field_is_refused(content: Path) -> None:
    replace_once(
        content / "outcomes.yaml",
        "remission_below: {value: 5, sources: [hedis_drr]}\n        caseness_at_or_above: "
        "{value: 10, sources: [nhs_tt_manual, clark_2018_iapt]}",
        "remission_under: {value: 5, sources: [hedis_drr]}\n        caseness_at_or_above: "
        "{value: 10, sources: [nhs_tt_manual, clark_2018_iapt]}",
    )
    with pytest.raises(ContentError):
        load_catalog(content)


def test_an_instrument_the_catalog_lacks_is_refused(content: Path) -> None:
    replace_once(content / "outcomes.yaml", "- instrument: wsas", "- instrument: hads")
    with pytest.raises(ContentError) as caught:
        load_catalog(content)
    assert caught.value.where == "outcomes.yaml: profiles.jacobson_truax"
