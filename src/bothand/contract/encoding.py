"""Contract data as JSON text: the same data always gives the same bytes, keys in the order
the contract's models declare them."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any


def to_json(data: Mapping[str, Any] | Sequence[Any]) -> str:
    """Indented, for people and files (``bothand ... --json``), ending with a newline."""
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def to_compact_json(data: Mapping[str, Any] | Sequence[Any]) -> str:
    """Compact, for the HTTP API (the C encoder; ``indent`` would use the slow one)."""
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))
