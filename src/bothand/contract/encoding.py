"""Contract data as JSON text: the same data always gives the same bytes, keys in the order
the contract's models declare them."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Any

from pydantic import TypeAdapter


def to_json(data: Mapping[str, Any] | Sequence[Any]) -> str:
    """Indented, for people and files (``bothand ... --json``), ending with a newline."""
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def to_compact_json(model: Any, data: Any) -> bytes:
    """Compact UTF-8 JSON for the HTTP API, written by pydantic's serializer from ``model``
    (a contract model): the same bytes as ``json.dumps(data, ensure_ascii=False,
    separators=(",", ":"))``, about four times faster, and nothing validated again. A value
    that is not of its declared type is an error, never a warning that would quote it."""
    return _adapter(model).dump_json(data, warnings="error")


@lru_cache(maxsize=32)
def _adapter(model: Any) -> TypeAdapter[Any]:
    return TypeAdapter(model)
