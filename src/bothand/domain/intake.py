"""The intake: what every surface (the web flow, ``bothand start``) asks before deciding, as
content. It owns which questionnaire each condition gets (or a severity rating when none fits
or none can be shown), and the other questions that reach the case: age, earlier episodes,
what helped before, and whether weekly therapy is possible now. The words live in the
locale files under the label keys named here; this module holds no wording.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Literal, cast

from pydantic import Field, model_validator

from bothand.domain.knowledge.base import ContentId, ContentModel, Meta
from bothand.domain.vocab import CONDITIONS, PREFERENCES, Condition, Preference

# The case fields an intake can ask, in the case contract's own names.
IntakeField = Literal[
    "age",
    "history.previous_episodes",
    "history.medication",
    "history.therapy",
    "able_to_engage_in_therapy",
]


class Choice(ContentModel):
    """One answer a person can pick, with the value it puts in the case."""

    value: Annotated[int, Field(ge=0, le=100)]
    label: ContentId  # a label key in locales/<lang>/


class AgeQuestion(ContentModel):
    """Age in whole years, or not given ("prefer not to say" leaves it out of the case)."""

    low: Annotated[int, Field(ge=0)]
    high: Annotated[int, Field(le=120)]
    label: ContentId
    unsaid: ContentId  # the label of the "prefer not to say" choice

    @model_validator(mode="after")
    def _ordered(self) -> AgeQuestion:
        if self.low >= self.high:
            raise ValueError("low must be below high")
        return self


class Intake(ContentModel):
    meta: Meta
    # Per condition, the questionnaires to ask in order of preference: the first one that can
    # be shown here is asked. An empty list, or none that can be shown, means a rating.
    questionnaires: dict[Condition, tuple[str, ...]]
    # the choices of "how do you feel about medicine / therapy", in the order shown: every
    # preference of the contract once, so each can be reached from every surface
    preferences: tuple[Preference, ...]
    asks: tuple[IntakeField, ...] = Field(min_length=1)
    age: AgeQuestion
    previous_episodes: tuple[Choice, ...] = Field(min_length=2)

    @model_validator(mode="after")
    def _complete(self) -> Intake:
        missing = [c for c in CONDITIONS if c not in self.questionnaires]
        if missing:
            raise ValueError(f"questionnaires: missing {', '.join(missing)}")
        if sorted(self.preferences) != sorted(PREFERENCES):
            raise ValueError(f"preferences: list each of {list(PREFERENCES)} once")
        if len(set(self.asks)) != len(self.asks):
            raise ValueError("asks: a field is listed twice")
        values = [choice.value for choice in self.previous_episodes]
        if values != sorted(set(values)):
            raise ValueError("previous_episodes: values must rise, each once")
        return self

    def listed(self, condition: str) -> tuple[str, ...]:
        """The questionnaires listed for ``condition``, best first (none for an unknown one)."""
        return self.questionnaires.get(cast(Condition, condition), ())

    def questionnaire_for(self, condition: str, can_ask: Callable[[str], bool]) -> str | None:
        """The instrument asked for ``condition``: the first listed that ``can_ask`` accepts
        (its wording can be shown), or None for the rating path."""
        return next((i for i in self.listed(condition) if can_ask(i)), None)
