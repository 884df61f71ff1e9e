"""Shared fixtures: the real catalog, loaded once per test session (content is read-only)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bothand.catalog import Catalog, load_catalog

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    return load_catalog()
