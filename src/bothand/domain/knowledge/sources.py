"""The bibliography: every source id used anywhere in content resolves here."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from bothand.domain.knowledge.base import ContentModel, Meta, SourceId

SourceKind = Literal[
    "guideline", "review", "trial", "study", "instrument", "guide", "service", "standard"
]


class Source(ContentModel):
    id: SourceId
    kind: SourceKind
    citation: str = Field(min_length=10)
    year: int | None = None
    url: str | None = None
    note: str = ""


class Bibliography(ContentModel):
    meta: Meta
    update_policy: str = Field(min_length=10)
    funding: str = Field(min_length=10)
    sources: tuple[Source, ...]
