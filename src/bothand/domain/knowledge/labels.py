"""Interface wording (headings, fit names, prompts) as content, keyed by stable ids, so a clinic
or a translator can change it without touching code."""

from __future__ import annotations

from pydantic import Field

from bothand.domain.knowledge.base import ContentModel, Meta, PatientText


class Labels(ContentModel):
    meta: Meta
    text: dict[str, PatientText] = Field(min_length=1)

    def __getitem__(self, key: str) -> str:
        return self.text[key]
