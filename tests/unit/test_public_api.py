"""The public surfaces: ``bothand`` (the library API), ``bothand.services`` (the use-cases)
and ``bothand.contract`` (the response models). Each ``__all__`` is sorted, names only what
can be imported, and holds every public name the package has, so nothing becomes public by
accident (an import added for internal use) and nothing public is forgotten (httpx's test)."""

from __future__ import annotations

import importlib
import types

import pytest

PACKAGES = ["bothand", "bothand.services", "bothand.contract"]


def _order(name: str) -> tuple[int, str]:
    """The order ruff's RUF022 keeps: CONSTANTS, then Classes, then functions."""
    if name.isupper():
        return (0, name)
    return (1, name) if name[:1].isupper() else (2, name)


@pytest.mark.parametrize("package", PACKAGES)
def test_all_is_sorted_without_duplicates(package: str) -> None:
    names = importlib.import_module(package).__all__
    assert names == sorted(set(names), key=_order)


@pytest.mark.parametrize("package", PACKAGES)
def test_every_name_in_all_can_be_imported(package: str) -> None:
    for name in importlib.import_module(package).__all__:
        namespace: dict[str, object] = {}
        exec(f"from {package} import {name}", namespace)  # as a user would write it
        assert namespace[name] is not None, name


@pytest.mark.parametrize("package", PACKAGES)
def test_nothing_else_is_public(package: str) -> None:
    module = importlib.import_module(package)
    public = {
        name
        for name, value in vars(module).items()
        if not name.startswith("_") and not isinstance(value, types.ModuleType)
    }
    assert public == set(module.__all__), sorted(public ^ set(module.__all__))


def test_the_library_api_is_what_the_readme_promises() -> None:
    import bothand

    assert {"load_catalog", "recommend", "explain", "list_instruments", "care_plan"} <= set(
        bothand.__all__
    )
    assert bothand.recommend.__module__ == "bothand.services.decide"
