"""Shared fixtures: the real catalog, loaded once per test session (content is read-only).

Hypothesis runs without its per-example deadline: the deadline measures wall-clock time, and
on a loaded two-core CI machine a correct example can take longer than 200 ms. Speed is
measured in benchmarks/, never asserted by a test.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import settings

from bothand.catalog import Catalog, load_catalog

REPO = Path(__file__).resolve().parent.parent

settings.register_profile("bothand", deadline=None)
settings.load_profile("bothand")


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    return load_catalog()
