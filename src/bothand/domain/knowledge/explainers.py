"""Plain-language explainers: conditions, treatments, the six options, the guide's ideas and
a glossary of terms. Data only; every text has sources and is graded for readability."""

from __future__ import annotations

from collections.abc import Iterable

from pydantic import Field, field_validator

from bothand.domain.knowledge.base import (
    ContentId,
    ContentModel,
    Meta,
    PatientText,
    SourceId,
    Statement,
)
from bothand.domain.vocab import CONDITION_RANK, Condition, OptionId, TreatmentKind


class ConditionInfo(ContentModel):
    id: Condition
    name: PatientText
    what_it_is: Statement
    medication_does: Statement
    medication_does_not: Statement
    first_line_therapies: tuple[ContentId, ...] = Field(min_length=1)  # treatment ids
    first_line_note: Statement
    medication_classes: tuple[ContentId, ...] = ()  # treatment ids of kind medication
    severity_judged: Statement
    instruments: tuple[ContentId, ...] = ()  # instrument ids that fit this condition
    without_treatment: Statement | None = None
    without_treatment_unknown: PatientText | None = None  # said when no evidence exists


class TreatmentInfo(ContentModel):
    id: ContentId
    kind: TreatmentKind
    name: PatientText
    what_it_is: Statement
    good_at: Statement
    less_good_at: Statement
    what_it_is_like: Statement
    time_to_help: Statement
    typical_course: Statement
    conditions: tuple[Condition, ...] = Field(min_length=1)


class StatementPart(ContentModel):
    """A sentence or two of an option's statement that holds only for some conditions. Its
    text does not name the conditions: the page names them, and only those the person chose,
    so a person never reads a sentence written for a condition they do not have."""

    text: PatientText
    sources: tuple[SourceId, ...] = Field(min_length=1)
    conditions: tuple[Condition, ...] = Field(min_length=1)

    @field_validator("conditions")
    @classmethod
    def _each_condition_once(cls, conditions: tuple[Condition, ...]) -> tuple[Condition, ...]:
        if len(set(conditions)) != len(conditions):
            raise ValueError("a condition is named twice")
        return tuple(sorted(conditions, key=CONDITION_RANK.__getitem__))


class OptionStatement(Statement):
    """An option's benefits, harms or what it is like: ``text`` holds for everyone; each part
    only for its conditions. A page for one person shows the text and the parts for that
    person's concerns (``parts_for``); a page for everyone shows every part, each labelled."""

    parts: tuple[StatementPart, ...] = ()

    def parts_for(self, conditions: Iterable[str]) -> tuple[StatementPart, ...]:
        """The parts that hold for at least one of ``conditions``, in content order."""
        chosen = set(conditions)
        return tuple(part for part in self.parts if chosen.intersection(part.conditions))

    def sources_for(self, conditions: Iterable[str] | None = None) -> tuple[str, ...]:
        """The general text's sources, then those of the parts shown (every part when
        ``conditions`` is None), each once."""
        parts = self.parts if conditions is None else self.parts_for(conditions)
        return tuple(dict.fromkeys([*self.sources, *(s for p in parts for s in p.sources)]))


class OptionInfo(ContentModel):
    """One of the six options, described with the same fields as every other (IPDAS C1)."""

    id: OptionId
    name: PatientText
    summary: PatientText
    benefits: OptionStatement
    harms: OptionStatement
    what_it_is_like: OptionStatement


class Idea(ContentModel):
    """One of the guide's ideas, in the project's own words."""

    id: ContentId
    title: PatientText
    body: Statement


class Term(ContentModel):
    """A clinical word explained for a patient."""

    id: ContentId
    term: PatientText
    meaning: Statement


class Explainers(ContentModel):
    meta: Meta
    conditions: tuple[ConditionInfo, ...] = ()
    treatments: tuple[TreatmentInfo, ...] = ()
    options: tuple[OptionInfo, ...] = ()
    ideas: tuple[Idea, ...] = ()
    terms: tuple[Term, ...] = ()
