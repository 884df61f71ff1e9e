"""The bibliography and the provenance every content file carries.

``load_catalog`` already refuses a source id that is not in ``sources.yaml``. These tests pin
the rest: each entry says what kind of source it is and how to find it (a guideline also
gives its address), every statement and reason a patient reads has a source, the bibliography
says how it is kept up to date and who pays for it, every file has a version and a review
date, and the bibliography does not fill up with entries nothing cites.

An entry cited nowhere is listed (``pytest -s`` prints the list); the test fails only when
more than 20% of the entries are unused, since an entry may be added shortly before the
content that cites it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

from bothand.catalog import CONTENT_DIR, Catalog
from bothand.domain.decide.rules import Reason
from bothand.domain.knowledge.base import Meta, Statement, iter_source_ids
from bothand.domain.knowledge.explainers import OptionStatement, StatementPart
from bothand.domain.knowledge.sources import Bibliography, Source

MAX_UNUSED_SHARE = 0.20
NEEDS_URL = frozenset({"guideline"})


def entry_problems(source: Source) -> list[str]:
    """What is missing from one bibliography entry, in words."""
    problems = []
    if not source.kind:
        problems.append("no kind")
    if len(source.citation.split()) < 3:
        problems.append("the citation is too short to find the source")
    if source.kind in NEEDS_URL and not source.url:
        problems.append(f"a {source.kind} needs a url")
    if source.url is not None and not source.url.startswith(("https://", "http://")):
        problems.append(f"url {source.url!r} is not a web address")
    return problems


def models_in(value: Any, path: str = "") -> Iterator[tuple[str, BaseModel]]:
    """Every model reachable from ``value``, with its path."""
    if isinstance(value, BaseModel):
        yield path, value
        for name in type(value).model_fields:
            yield from models_in(getattr(value, name), f"{path}.{name}" if path else name)
    elif isinstance(value, (list, tuple)):
        for index, item in enumerate(value):
            yield from models_in(item, f"{path}[{index}]")
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from models_in(item, f"{path}.{key}")


def sourced_texts(catalog: Catalog) -> list[tuple[str, Statement | StatementPart | Reason]]:
    """Every Statement (an option's too), each part of an option's statement and every
    Reason in the catalog."""
    return [
        (f"{name}.{path}", model)
        for name, part in catalog.parts()
        for path, model in models_in(part)
        if isinstance(model, (Statement, StatementPart, Reason))
    ]


def without_sources(found: list[tuple[str, Statement | StatementPart | Reason]]) -> list[str]:
    return [where for where, model in found if not model.sources]


def used_source_ids(catalog: Catalog) -> set[str]:
    """Source ids cited anywhere: in statements, reasons, rules, instruments and file metas."""
    used = {source_id for _, part in catalog.parts() for _, source_id in iter_source_ids(part)}
    for meta in catalog.metas.values():
        used.update(meta.sources)
    return used


def unused_sources(bibliography: Bibliography, used: set[str]) -> list[str]:
    return [source.id for source in bibliography.sources if source.id not in used]


# --- bibliography entries ---------------------------------------------------------------------


def test_every_entry_says_what_it_is_and_how_to_find_it(catalog: Catalog) -> None:
    problems = {
        source.id: found
        for source in catalog.bibliography.sources
        if (found := entry_problems(source))
    }
    assert not problems, problems


def test_guidelines_are_in_the_bibliography_with_addresses(catalog: Catalog) -> None:
    guidelines = [s for s in catalog.bibliography.sources if s.kind == "guideline"]
    assert {"nice_ng222", "nice_cg113", "vadod_ptsd_2023"} <= {s.id for s in guidelines}
    assert all(s.url and s.url.startswith("https://") for s in guidelines)


def test_entry_ids_are_unique(catalog: Catalog) -> None:
    ids = [source.id for source in catalog.bibliography.sources]
    assert len(ids) == len(set(ids)), sorted({i for i in ids if ids.count(i) > 1})


def test_an_incomplete_entry_is_found() -> None:
    guideline = Source(id="nice_x", kind="guideline", citation="NICE. Some guideline. 2020.")
    assert entry_problems(guideline) == ["a guideline needs a url"]
    terse = Source(id="x", kind="study", citation="Smith 2020a", url="www.example.org")
    assert entry_problems(terse) == [
        "the citation is too short to find the source",
        "url 'www.example.org' is not a web address",
    ]
    with pytest.raises(ValidationError):
        Source.model_validate({"id": "x", "citation": "Smith J. A study. 2020."})  # no kind


# --- every statement and reason has a source ---------------------------------------------------


def test_every_statement_and_reason_has_a_source(catalog: Catalog) -> None:
    found = sourced_texts(catalog)
    kinds = {type(model) for _, model in found}
    assert kinds == {Statement, OptionStatement, StatementPart, Reason}
    assert len([m for _, m in found if isinstance(m, Reason)]) == len(catalog.rules.reasons)
    assert not without_sources(found)


def test_every_cited_source_resolves(catalog: Catalog) -> None:
    known = {source.id for source in catalog.bibliography.sources}
    assert used_source_ids(catalog) <= known


def test_a_statement_without_a_source_is_refused_and_found() -> None:
    with pytest.raises(ValidationError, match="sources"):
        Statement.model_validate({"text": "Therapy can help.", "sources": []})
    unchecked = Statement.model_construct(text="Therapy can help.", sources=())
    assert without_sources([("x.text", unchecked)]) == ["x.text"]


# --- provenance -------------------------------------------------------------------------------


def test_the_bibliography_states_its_update_policy_and_funding(catalog: Catalog) -> None:
    bibliography = catalog.bibliography
    assert "review" in bibliography.update_policy.lower()
    assert len(bibliography.update_policy.split()) >= 10
    assert len(bibliography.funding.split()) >= 10
    assert bibliography.meta.version
    assert isinstance(bibliography.meta.reviewed, dt.date)


def test_every_file_has_a_version_and_a_review_date(catalog: Catalog) -> None:
    expected = {
        "sources.yaml",
        "evidence.yaml",
        "crisis.yaml",
        "rules.yaml",
        "timeline.yaml",
        "intake.yaml",
        "labels.yaml",
        "outcomes.yaml",
        "alerts.yaml",
        "redecide.yaml",
        *(f"explainers/{kind}.yaml" for kind in ("conditions", "treatments", "options")),
        *(f"explainers/{kind}.yaml" for kind in ("ideas", "terms")),
        *(f"locales/en/{path.name}" for path in (CONTENT_DIR / "locales" / "en").glob("*.yaml")),
    }
    assert len(expected) > 12
    assert set(catalog.metas) == expected
    for name, meta in catalog.metas.items():
        assert isinstance(meta, Meta)
        assert meta.version == catalog.version, f"{name}: version {meta.version}"
        assert meta.reviewed <= dt.date.today(), f"{name}: reviewed in the future"
    for instrument in catalog.instruments.values():
        assert instrument.version and instrument.reviewed <= dt.date.today(), instrument.id


# --- unused entries -----------------------------------------------------------------------------


def test_few_bibliography_entries_are_unused(catalog: Catalog) -> None:
    bibliography = catalog.bibliography
    unused = unused_sources(bibliography, used_source_ids(catalog))
    share = len(unused) / len(bibliography.sources)
    print(
        f"\nsources: {len(bibliography.sources)} entries, {len(unused)} cited nowhere "
        f"({share:.0%}): {', '.join(unused) or 'none'}"
    )
    assert share <= MAX_UNUSED_SHARE, (
        f"{len(unused)} of {len(bibliography.sources)} sources ({share:.0%}) are cited "
        f"nowhere: {unused}"
    )


def test_unused_entries_are_found() -> None:
    bibliography = Bibliography(
        meta=Meta(version="1", reviewed=dt.date(2026, 1, 1)),
        update_policy="Reviewed once a year.",
        funding="Volunteers, no industry money.",
        sources=(
            Source(id="cited", kind="study", citation="Smith J. A study. 2020."),
            Source(id="forgotten", kind="study", citation="Jones K. Another study. 2021."),
        ),
    )
    assert unused_sources(bibliography, {"cited"}) == ["forgotten"]
