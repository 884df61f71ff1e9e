"""Use-case: explain. A condition, option, treatment, idea or term in plain words, with its
full citations, as the contract's ``Explainer``."""

from __future__ import annotations

from typing import Any

from bothand.catalog import Catalog
from bothand.contract.explainer import Explainer
from bothand.domain.errors import InputError
from bothand.services.wording import part_label


def explain(catalog: Catalog, item_id: str) -> Explainer:
    """A condition, option, treatment, idea or term in plain words, with its full citations."""
    labels = catalog.labels
    explainers = catalog.explainers
    sections: list[tuple[str, str]] = []
    sources: list[str] = []

    def add(label_key: str, statement: Any) -> None:
        if statement is not None:
            sections.append((labels[label_key] if label_key else "", statement.text))
            sources.extend(statement.sources)
            # An option's parts: an explainer is for everyone, so every part, named by its
            # conditions.
            for part in getattr(statement, "parts", ()):
                sections.append(("", f"{part_label(catalog, part.conditions)} {part.text}"))
                sources.extend(part.sources)

    title = ""
    for condition in explainers.conditions:
        if condition.id == item_id:
            title = condition.name
            add("explain.what_it_is", condition.what_it_is)
            add("explain.medication_does", condition.medication_does)
            add("explain.medication_does_not", condition.medication_does_not)
            add("explain.first_line", condition.first_line_note)
            add("explain.severity", condition.severity_judged)
            add("explain.without_treatment", condition.without_treatment)
            if condition.without_treatment_unknown:
                sections.append(
                    (labels["explain.without_treatment"], condition.without_treatment_unknown)
                )
    for option in explainers.options:
        if option.id == item_id:
            title = option.name
            sections.append(("", option.summary))
            add("explain.benefits", option.benefits)
            add("explain.harms", option.harms)
            add("explain.what_it_is_like", option.what_it_is_like)
    for treatment in explainers.treatments:
        if treatment.id == item_id:
            title = treatment.name
            add("explain.what_it_is", treatment.what_it_is)
            add("explain.good_at", treatment.good_at)
            add("explain.less_good_at", treatment.less_good_at)
            add("explain.what_it_is_like", treatment.what_it_is_like)
            add("explain.time_to_help", treatment.time_to_help)
            add("explain.typical_course", treatment.typical_course)
    for idea in explainers.ideas:
        if item_id in (idea.id, idea.id.removeprefix("idea.")):
            title = idea.title
            add("", idea.body)
    for term in explainers.terms:
        if item_id in (term.id, term.id.removeprefix("term.")):
            title = term.term
            add("", term.meaning)
    if not title:
        known = sorted(
            [c.id for c in explainers.conditions]
            + [o.id for o in explainers.options]
            + [t.id for t in explainers.treatments]
        )
        raise InputError("ID", f"'{item_id}' is not known; try one of {', '.join(known)}")
    by_id = {source.id: source for source in catalog.bibliography.sources}
    citations = [by_id[source_id].citation for source_id in dict.fromkeys(sources)]
    return {"id": item_id, "title": title, "sections": sections, "citations": citations}
