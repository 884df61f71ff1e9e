"""docs/vignettes.md is the golden vignettes rendered by ``scripts/vignettes``, and current."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bothand.catalog import Catalog
from tests.vignettes import render
from tests.vignettes.vignette import CASES, load


def test_the_committed_page_is_current(catalog: Catalog) -> None:
    assert render.PAGE.is_file(), "docs/vignettes.md is missing; run scripts/vignettes"
    assert render.render(catalog) == render.PAGE.read_text(encoding="utf-8"), (
        "docs/vignettes.md is not current; run scripts/vignettes and commit the page"
    )


def test_every_vignette_has_its_section(catalog: Catalog) -> None:
    page = render.render(catalog)
    for path in CASES:
        assert f'<a id="{path.stem}"></a>\n\n## {load(path)["title"]}\n' in page
        assert f"`tests/vignettes/cases/{path.name}`" in page


def test_a_changed_vignette_makes_the_page_stale(
    catalog: Catalog, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    changed = tmp_path / CASES[0].name
    shutil.copy(CASES[0], changed)
    text = changed.read_text(encoding="utf-8")
    changed.write_text(text.replace("title: ", "title: Changed ", 1), encoding="utf-8")
    assert render.render(catalog, [changed, *CASES[1:]]) != render.render(catalog)

    stale = tmp_path / "vignettes.md"
    stale.write_text(render.render(catalog)[:-1], encoding="utf-8")
    monkeypatch.setattr(render, "PAGE", stale)
    monkeypatch.setattr(render, "REPO", tmp_path)
    assert render.main(["--check"]) == 1
    assert render.main([]) == 0  # writes it
    assert render.main(["--check"]) == 0
