"""An explainer (``bothand explain ID``, ``bothand.explain``): a condition, option, treatment,
idea or term in plain words, with its full citations."""

from __future__ import annotations

from typing_extensions import TypedDict


class Explainer(TypedDict):
    """``sections`` are (heading, text) pairs; the heading is "" where the text needs none."""

    id: str
    title: str
    sections: list[tuple[str, str]]
    citations: list[str]
