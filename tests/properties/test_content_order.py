"""Decisions do not depend on the order of entries in content files.

Reverses every list whose order carries no meaning — sources, conditions, treatments, options,
ideas, terms, reasons, evidence, crisis resources' locales, and the base rules (exactly one base
rule fires per case, so their order is free) — and checks that every vignette gives
byte-identical JSON. The order of *adjust* rules is meaningful (history, readiness, preferences,
safety last) and is kept.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import yaml

from bothand import services
from bothand.catalog import CONTENT_DIR, Catalog, load_catalog

VIGNETTES = sorted((Path(__file__).parents[1] / "vignettes" / "cases").glob("*.yaml"))


def _reverse(path: Path, *keys: str) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    for key in keys:
        data[key] = list(reversed(data[key]))
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")


def _reverse_base_rules(path: Path) -> None:
    data: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    base = [rule for rule in data["rules"] if rule["stage"] == "base"]
    adjust = [rule for rule in data["rules"] if rule["stage"] == "adjust"]
    data["rules"] = list(reversed(base)) + adjust
    data["reasons"] = list(reversed(data["reasons"]))
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")


def test_reordered_content_gives_identical_results(catalog: Catalog, tmp_path: Path) -> None:
    content = tmp_path / "content"
    shutil.copytree(CONTENT_DIR, content)
    _reverse(content / "sources.yaml", "sources")
    for kind in ("conditions", "treatments", "options", "ideas", "terms"):
        _reverse(content / "explainers" / f"{kind}.yaml", kind)
    _reverse(content / "evidence.yaml", "figures", "relative", "gaps")
    _reverse(content / "crisis.yaml", "locales")
    _reverse_base_rules(content / "rules.yaml")
    reordered = load_catalog(content)
    assert [s.id for s in reordered.bibliography.sources] != [
        s.id for s in catalog.bibliography.sources
    ], "the copy really is reordered"
    for path in VIGNETTES:
        case = yaml.safe_load(path.read_text(encoding="utf-8"))["given"]
        assert services.to_json(services.recommend(reordered, case)) == services.to_json(
            services.recommend(catalog, case)
        ), path.stem
