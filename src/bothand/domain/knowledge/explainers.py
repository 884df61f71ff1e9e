"""Plain-language explainers: conditions, treatments, the six options, the guide's ideas and
a glossary of terms. Data only; every text has sources and is graded for readability."""

from __future__ import annotations

from pydantic import Field

from bothand.domain.knowledge.base import ContentId, ContentModel, Meta, PatientText, Statement
from bothand.domain.vocab import Condition, OptionId, TreatmentKind


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


class OptionInfo(ContentModel):
    """One of the six options, described with the same fields as every other (IPDAS C1)."""

    id: OptionId
    name: PatientText
    summary: PatientText
    benefits: Statement
    harms: Statement
    what_it_is_like: Statement


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
