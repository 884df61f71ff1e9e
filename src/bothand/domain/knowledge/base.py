"""Base types shared by every kind of content: frozen models that reject unknown fields,
patient-facing text (graded for readability by the tests) and statements with sources.

Content models live beside the rules that use them; this module owns only the common parts.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Annotated, Any, get_args, get_origin

from pydantic import BaseModel, ConfigDict, Field


class PatientTextMarker:
    """Marks a ``str`` field as text a patient reads. The readability test grades all of it."""

    def __repr__(self) -> str:
        return "PatientText"


PATIENT_TEXT = PatientTextMarker()

PatientText = Annotated[str, Field(min_length=1), PATIENT_TEXT]
ContentId = Annotated[str, Field(pattern=r"^[a-z0-9_]+(\.[a-z0-9_]+)*$")]
SourceId = Annotated[str, Field(pattern=r"^[a-z0-9_]+$")]


class ContentModel(BaseModel):
    """Every content model: immutable, and a typo in a field name is an error, not a default."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class Statement(ContentModel):
    """A patient-facing sentence or two, with the sources that support it."""

    text: PatientText
    sources: tuple[SourceId, ...] = Field(min_length=1)


class Meta(ContentModel):
    """Provenance every content file carries."""

    version: str
    reviewed: dt.date
    sources: tuple[SourceId, ...] = ()
    note: str = ""


def marks_patient_text(annotation: Any) -> bool:
    """True when PatientText appears in a field's type: ``PatientText``, ``PatientText | None``
    or ``dict[str, PatientText]``. Model classes are not looked into (the walk reaches them)."""
    if get_origin(annotation) is Annotated:
        head, *extras = get_args(annotation)
        return any(isinstance(e, PatientTextMarker) for e in extras) or marks_patient_text(head)
    return any(marks_patient_text(arg) for arg in get_args(annotation))


def iter_patient_texts(value: Any, path: str = "") -> Iterator[tuple[str, str]]:
    """Yield ``(path, text)`` for every PatientText reachable from ``value``, including optional
    texts and the values of mappings of texts (labels)."""
    if isinstance(value, BaseModel):
        for name, info in type(value).model_fields.items():
            child = getattr(value, name)
            child_path = f"{path}.{name}" if path else name
            direct = any(isinstance(m, PatientTextMarker) for m in info.metadata)
            if not (direct or marks_patient_text(info.annotation)):
                yield from iter_patient_texts(child, child_path)
            elif isinstance(child, str):
                yield child_path, child
            elif isinstance(child, dict):
                for key, item in child.items():
                    if isinstance(item, str):
                        yield f"{child_path}.{key}", item
            elif isinstance(child, (list, tuple)):
                for index, item in enumerate(child):
                    if isinstance(item, str):
                        yield f"{child_path}[{index}]", item
    elif isinstance(value, (list, tuple)):
        for index, item in enumerate(value):
            yield from iter_patient_texts(item, f"{path}[{index}]")
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from iter_patient_texts(item, f"{path}.{key}")


def iter_source_ids(value: Any, path: str = "") -> Iterator[tuple[str, str]]:
    """Yield ``(path, source_id)`` for every ``sources`` field reachable from ``value``."""
    if isinstance(value, BaseModel):
        for name in type(value).model_fields:
            child = getattr(value, name)
            child_path = f"{path}.{name}" if path else name
            if name == "sources" and isinstance(child, (list, tuple)):
                for source in child:
                    if isinstance(source, str):
                        yield child_path, source
            else:
                yield from iter_source_ids(child, child_path)
    elif isinstance(value, (list, tuple)):
        for index, item in enumerate(value):
            yield from iter_source_ids(item, f"{path}[{index}]")
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from iter_source_ids(item, f"{path}.{key}")
