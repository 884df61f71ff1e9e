"""The baseline: totals computed the way a FHIR system computes them.

Each concern given as answers becomes a FHIR R4 QuestionnaireResponse: one item per question
(``linkId`` = the Bothand item id, e.g. ``phq9.item3``), each answer a ``valueCoding`` (the
LOINC LA code where the instrument has one, else a local code) that carries the
``http://hl7.org/fhir/StructureDefinition/ordinalValue`` extension with the item's value, as
in the US Core and SDC PHQ-9 examples. Unanswered items have no ``answer``. Items outside the
total (MDQ questions 2 and 3) are answered without an ordinalValue, so the sum skips them, as
it skips the unscored PHQ-9 difficulty question.

The total is the SDC ``calculatedExpression`` of the HL7 SDC PHQ-9 example,
``%resource.answers().value.ordinal().sum()``, evaluated with fhirpathpy and its R4 model (the
model is what resolves the choice element ``value`` to ``valueCoding``). fhirpathpy has no
``answers()`` or ``ordinal()``, so they are added through ``userInvocationTable``;
``weight()`` (fhirpath.js's name) is registered as the same function, and the expression
uses the SDC spelling ``ordinal()``.

The FHIR sum never prorates: with an item unanswered it is the sum of the answered items.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

import fhirpathpy
from fhirpathpy.engine.nodes import ResourceNode
from fhirpathpy.models import models

from bothand.domain.assess.instruments import Instrument

ORDINAL_VALUE = "http://hl7.org/fhir/StructureDefinition/ordinalValue"
LOINC = "http://loinc.org"
TOTAL_EXPRESSION = "%resource.answers().value.ordinal().sum()"
ANSWER_PATH = "QuestionnaireResponse.item.answer"  # lets the R4 model resolve answer.value[x]

Json = dict[str, Any]
TotalFn = Callable[[Json], int | None]


def questionnaire_response(instrument: Instrument, answers: Sequence[int | None]) -> Json:
    """A completed R4 QuestionnaireResponse for ``answers`` (None: the item is unanswered)."""
    items: list[Json] = []
    for item, value in zip(instrument.items, answers, strict=True):
        entry: Json = {"linkId": item.id}
        if item.text is not None:
            entry["text"] = item.text
        if value is not None:
            entry["answer"] = [{"valueCoding": _coding(instrument, item.number, value)}]
        items.append(entry)
    return {
        "resourceType": "QuestionnaireResponse",
        "questionnaire": f"urn:bothand:questionnaire:{instrument.id}|{instrument.version}",
        "status": "completed",
        "item": items,
    }


def _coding(instrument: Instrument, number: int, value: int) -> Json:
    item = instrument.items[number - 1]
    option = next(o for o in instrument.options_for(item) if o.value == value)
    if option.loinc is not None:
        coding: Json = {"system": LOINC, "code": option.loinc}
    else:
        coding = {"system": f"urn:bothand:answers:{instrument.id}", "code": str(value)}
    if option.text is not None:
        coding["display"] = option.text
    if item.in_total:
        coding["extension"] = [{"url": ORDINAL_VALUE, "valueDecimal": value}]
    return coding


# --- the SDC functions fhirpathpy lacks ----------------------------------------------------
# fhirpathpy calls a user function as fn(inputs) with the input collection already unwrapped
# to plain JSON (fhirpathpy.engine.util.process_user_invocation_table); whatever it returns
# is made a collection. With no "arity" entry the function takes no arguments.


def _walk(items: Sequence[Json]) -> Iterator[Json]:
    for item in items:
        for answer in item.get("answer", ()):
            yield answer
            yield from _walk(answer.get("item", ()))
        yield from _walk(item.get("item", ()))


def sdc_answers(inputs: list[Any]) -> list[ResourceNode]:
    """SDC ``answers()``: every answer of every item, nested items included."""
    return [
        ResourceNode.create_node(answer, ANSWER_PATH)  # type: ignore[no-untyped-call]
        for resource in inputs
        if isinstance(resource, Mapping)
        for answer in _walk(resource.get("item", ()))
    ]


def sdc_ordinal(inputs: list[Any]) -> list[Any]:
    """SDC ``ordinal()`` (fhirpath.js ``weight()``): the ordinalValue of each Coding."""
    found = []
    for coding in inputs:
        if isinstance(coding, Mapping):
            for extension in coding.get("extension", ()):
                if extension.get("url") == ORDINAL_VALUE:
                    found.append(extension["valueDecimal"])
                    break
    return found


SDC_FUNCTIONS = {
    "answers": {"fn": sdc_answers},
    "ordinal": {"fn": sdc_ordinal},
    "weight": {"fn": sdc_ordinal},
}


def compile_total(expression: str = TOTAL_EXPRESSION) -> TotalFn:
    """Parse the expression once; the returned function evaluates it on one response."""
    path = fhirpathpy.compile(
        expression, model=models["r4"], options={"userInvocationTable": SDC_FUNCTIONS}
    )

    def total(response: Json) -> int | None:
        result = path(response, {"resource": response})
        if len(result) != 1:
            return None
        value = result[0]
        if value != int(value):
            raise ValueError(f"a total of whole-number ordinals is not whole: {value}")
        return int(value)

    return total
