"""Shared fixtures for the web tests: the real app (real catalog, no mocks) and a test client."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from bothand.catalog import Catalog
from bothand.settings import Settings
from bothand.web.app import create_app


@pytest.fixture
def app(catalog: Catalog) -> FastAPI:
    # The session's catalog (tests/conftest.py) is the real content, loaded once.
    return create_app(Settings(secret_key="t" * 40), catalog)


@pytest.fixture
def client(app: FastAPI) -> TestClient:
    return TestClient(app)
