"""The one way a test says it needs ``../shared`` (the guide, the research notes, the copy
checker, the reference wording), which sits beside the repository, not in it.

Without it a test is skipped on a checkout of its own, but under ``CI=true`` it fails instead,
so a CI run that lost ``../shared`` cannot pass by skipping the checks that read it.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in ("true", "1")


def need_shared(path: Path) -> Path:
    """``path`` (inside ``../shared``) if it exists; otherwise skip, or fail under CI=true."""
    if path.exists():
        return path
    message = f"{path} not found: ../shared is missing beside the repository ({SHARED})"
    if in_ci():
        pytest.fail(f"{message}; CI=true, so this fails instead of skipping", pytrace=False)
    pytest.skip(f"{message}; skipped here, and it fails under CI=true")
