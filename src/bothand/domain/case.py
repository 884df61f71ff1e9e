"""The input half of the case contract (DESIGN.md): what a person or a calling system sends.

Validation is strict on purpose: an unknown field (``prefrences``) or a string where a number
belongs is an error naming the field, never silently ignored, because a dropped preference or
answer would change the advice without anyone noticing.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    ValidationError,
    model_validator,
)

from bothand.domain.errors import InputError
from bothand.domain.vocab import Condition, HistoryOutcome, Preference, Severity


class _Input(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Concern(_Input):
    """One thing the person wants help with: answers to an instrument, or a clinician's rating.

    A concern with neither is accepted as *unrated* (a person may not know how strong it is);
    the rules then mark no option as the usual start where severity matters.
    """

    condition: Condition
    instrument: str | None = None
    answers: tuple[StrictInt | None, ...] | None = None
    severity: Severity | None = None

    @model_validator(mode="after")
    def _one_way_of_rating(self) -> Concern:
        has_answers = self.instrument is not None or self.answers is not None
        if has_answers and self.severity is not None:
            raise ValueError("give either instrument and answers, or severity, not both")
        if has_answers and (self.instrument is None or self.answers is None):
            raise ValueError("instrument and answers go together")
        return self


class RiskScreen(_Input):
    """Answers to a suicide-risk screen asked on every path (the ASQ: questions 1-5 as 0 no /
    1 yes, question 5 null when 1-4 are all "no"). With no risk answer anywhere in the case,
    the result says "risk not assessed", never "no risk"."""

    instrument: Literal["asq"] = "asq"
    answers: tuple[StrictInt | None, ...]


class Preferences(_Input):
    medication: Preference = "open"
    therapy: Preference = "open"


class History(_Input):
    """What was tried before. How many ``previous_episodes`` count as a higher risk of
    relapse is content (``high_relapse_risk`` in timeline.yaml)."""

    medication: HistoryOutcome = "not_tried"
    therapy: HistoryOutcome = "not_tried"
    previous_episodes: Annotated[StrictInt, Field(ge=0, le=100)] = 0


class Case(_Input):
    concerns: tuple[Concern, ...] = Field(min_length=1, max_length=9)
    preferences: Preferences = Preferences()
    able_to_engage_in_therapy: StrictBool = True
    history: History = History()
    risk_screen: RiskScreen | None = None
    age: Annotated[StrictInt, Field(ge=0, le=120)] | None = None
    locale: str = Field(default="en", pattern=r"^[A-Za-z]{2}([-_][A-Za-z]{2})?$")

    @model_validator(mode="after")
    def _each_condition_once(self) -> Case:
        seen: set[str] = set()
        for concern in self.concerns:
            if concern.condition in seen:
                raise ValueError(f"condition '{concern.condition}' is listed twice")
            seen.add(concern.condition)
        return self


def parse_case(data: Any) -> Case:
    """Validate raw JSON-like data as a Case, or raise InputError naming the first bad field."""
    if not isinstance(data, dict):
        raise InputError("(case)", "expected a JSON object with a 'concerns' list")
    try:
        return Case.model_validate(data)
    except ValidationError as error:
        raise input_error(error) from None


def input_error(error: ValidationError) -> InputError:
    """Turn pydantic's first complaint into one plain line naming the field."""
    first = error.errors()[0]
    field = dotted(first["loc"])
    kind = first["type"]
    if kind == "extra_forbidden":
        problem = "is not a field of the case contract"
    elif kind == "missing":
        problem = "is required"
    elif kind == "literal_error":
        expected = first.get("ctx", {}).get("expected", "")
        problem = f"{_show_input(first.get('input'))} is not allowed; use one of {expected}"
    elif kind in ("int_type", "int_parsing"):
        problem = f"{_show_input(first.get('input'))} is not a whole number"
    elif kind == "bool_type":
        problem = f"{_show_input(first.get('input'))} is not true or false"
    else:
        problem = str(first["msg"]).removeprefix("Value error, ")
    return InputError(field or "(case)", problem)


def dotted(location: tuple[int | str, ...]) -> str:
    """``('concerns', 0, 'answers', 3)`` → ``concerns[0].answers[3]``."""
    text = ""
    for part in location:
        if isinstance(part, int):
            text += f"[{part}]"
        elif part.startswith("function-") or part in ("tagged-union",):
            continue
        else:
            text += f".{part}" if text else part
    return text


def _show_input(value: object) -> str:
    shown = repr(value)
    return shown if len(shown) <= 40 else shown[:37] + "..."
