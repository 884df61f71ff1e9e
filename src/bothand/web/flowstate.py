"""The decision flow's answers (``FlowAnswers``, kept in the signed cookie) and what follows
from them: which answers are saved, whether a step is done, which step a person may see next,
and the validated domain ``Case`` (``to_case``). Plain data only: no request, response or
HTTP error types here; the pages live in ``routes/`` and the cookie in ``state.py``.

A cookie that is validly signed but does not fit this model (say, from an older version under
a fixed ``BOTHAND_SECRET_KEY``) is read as a fresh start, never as an error.
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Annotated, Any, Literal, cast, get_args

from pydantic import BaseModel, ConfigDict, Field, field_validator

from bothand.catalog import Catalog
from bothand.contract.dates import FIRST_DAY, LAST_DAY
from bothand.domain.assess.instruments import Instrument
from bothand.domain.case import Case
from bothand.domain.vocab import (
    Condition,
    HistoryOutcome,
    OptionId,
    Preference,
    Severity,
    TreatmentKind,
)
from bothand.services.intake import RISK_SCREEN, questionnaire_for, risk_screen_for

Locale = Literal["en-US", "en-GB"]
Matter = Literal["speed", "daily_pill", "skills", "time_cost", "side_effects", "waiting"]
Leaning = Literal["therapy", "medication", "combined", "unsure"]
SureArea = Literal["sure", "understand", "risks", "support"]
YesNo = Literal["yes", "no"]

NOT_SURE = "unsure"
LOCALES: tuple[Locale, ...] = get_args(Locale)
MATTERS: tuple[Matter, ...] = get_args(Matter)
LEANINGS: tuple[Leaning, ...] = get_args(Leaning)
SURE_AREAS: tuple[SureArea, ...] = get_args(SureArea)
AGE_UNSAID = "unsaid"
RISK_PAGE = "/safety"  # the risk screen's page (the ASQ), asked on every path
Answer = Annotated[int, Field(ge=0, le=100)]
Weight = Annotated[int, Field(ge=0, le=3)]
# A link's secret as the clinic sent it (``secrets.token_urlsafe``): URL-safe, never long.
LinkSecret = Annotated[str, Field(min_length=16, max_length=100, pattern=r"^[A-Za-z0-9_-]+$")]


class FlowAnswers(BaseModel):
    """Everything a person has answered in the flow; every field but ``csrf`` is optional.

    - ``locale``: which country's help lines to show; ``concerns``: in the canonical order;
    - ``answers``: condition -> item values in order (None where unanswered), for the
      instrument in ``instruments``; ``extras``: condition -> unscored extra item values;
    - ``severity``: condition -> a severity or ``"unsure"`` (the rating path);
    - ``results_seen``: /results was shown for the current answers;
    - ``age`` (years, or ``"unsaid"``), ``episodes`` (earlier episodes, an intake choice's
      value), ``tried``: medication / therapy -> what happened before (the intake);
    - ``values``: what matters -> 0-3; ``leaning``; ``preferences``: medication / therapy ->
      how the person feels; ``engage``: able to take part in weekly therapy now;
    - ``sure_before``, ``sure_after``: the readiness check, area -> yes / no;
    - ``option``, ``start``: the option and start date chosen for the plan;
    - ``risk``: answers to the risk screen (the ASQ), asked when no concern's questionnaire
      asks about risk (``services.intake.risk_screen_for``); None where unanswered;
    - ``invitation``: the secret of the clinic's invitation link this flow was started from
      (``routes/links.py``): only then may the person share the result with the clinic.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    csrf: str = Field(min_length=1, max_length=200)
    locale: Locale | None = None
    concerns: tuple[Condition, ...] = ()
    answers: dict[Condition, tuple[Answer | None, ...]] = {}
    instruments: dict[Condition, str] = {}
    extras: dict[Condition, dict[str, Answer]] = {}
    severity: dict[Condition, Severity | Literal["unsure"]] = {}
    results_seen: bool = False
    age: Annotated[int, Field(ge=0, le=120)] | Literal["unsaid"] | None = None
    episodes: Annotated[int, Field(ge=0, le=100)] | None = None
    tried: dict[TreatmentKind, HistoryOutcome] = {}
    values: dict[Matter, Weight] = {}
    leaning: Leaning | None = None
    preferences: dict[TreatmentKind, Preference] = {}
    engage: bool | None = None
    sure_before: dict[SureArea, YesNo] = {}
    sure_after: dict[SureArea, YesNo] = {}
    option: OptionId | None = None
    start: dt.date | None = None
    risk: tuple[Answer | None, ...] = ()
    invitation: LinkSecret | None = None

    @field_validator("concerns")
    @classmethod
    def _each_once(cls, value: tuple[Condition, ...]) -> tuple[Condition, ...]:
        if len(set(value)) != len(value):
            raise ValueError("a concern is listed twice")
        return value

    @field_validator("start")
    @classmethod
    def _plausible_year(cls, value: dt.date | None) -> dt.date | None:
        # A start date outside these days is a typo: the one rule of contract/dates.py.
        if value is not None and not FIRST_DAY <= value <= LAST_DAY:
            raise ValueError(f"must be from {FIRST_DAY} to {LAST_DAY}")
        return value

    @classmethod
    def fresh(cls) -> FlowAnswers:
        """No answers yet, and a new CSRF token."""
        return cls(csrf=secrets.token_urlsafe(24))

    def but(self, **changes: Any) -> FlowAnswers:
        """A copy with ``changes``, validated like a cookie read back."""
        return type(self).model_validate({**dict(self), **changes})

    def to_cookie(self) -> dict[str, Any]:
        """The JSON the cookie carries: only what was answered, to keep it small."""
        return self.model_dump(mode="json", exclude_defaults=True)

    @property
    def answered_anything(self) -> bool:
        return bool(self.to_cookie().keys() - {"csrf", "invitation"})

    @property
    def values_done(self) -> bool:
        return self.engage is not None and len(self.preferences) == 2

    # --- to the case ---------------------------------------------------------------------

    def to_case(self, catalog: Catalog, *, partial: bool = False) -> Case | None:
        """The validated case for these answers; None when no concern is chosen. Unfinished
        questionnaires are left unrated, except with ``partial`` (for the safety check):
        then one counts as soon as its risk items are answered."""
        if not self.concerns:
            return None
        concerns: list[dict[str, Any]] = []
        for condition in self.concerns:
            instrument = questionnaire_for(catalog, condition)
            if instrument is not None:
                answers = saved_answers(self, condition, instrument)
                risk_known = all(answers[i.number - 1] is not None for i in instrument.risk_items)
                started = any(a is not None for a in answers)
                if None not in answers or (partial and risk_known and started):
                    concerns.append(
                        {"condition": condition, "instrument": instrument.id, "answers": answers}
                    )
                    continue
            severity = self.severity.get(condition)
            rating = {"severity": severity} if severity not in (None, NOT_SURE) else {}
            concerns.append({"condition": condition, **rating})
        screen = self.risk_screen_answers(catalog)
        history: dict[str, Any] = {kind: outcome for kind, outcome in self.tried.items()}
        if self.episodes is not None:
            history["previous_episodes"] = self.episodes
        return Case.model_validate(
            {
                "concerns": concerns,
                "preferences": {
                    "medication": self.preferences.get("medication", "open"),
                    "therapy": self.preferences.get("therapy", "open"),
                },
                "able_to_engage_in_therapy": self.engage is not False,
                "history": history,
                "age": self.age if isinstance(self.age, int) else None,
                "locale": self.locale or "en",
                **({"risk_screen": {"answers": screen}} if screen is not None else {}),
            }
        )

    def _risk_values(self, catalog: Catalog) -> list[int | None] | None:
        """The saved risk screen answers, a value the item does not offer read as unanswered
        (as ``saved_answers`` does); None when there are none for this form."""
        instrument = catalog.instruments.get(RISK_SCREEN)
        if instrument is None or len(self.risk) != len(instrument.items):
            return None
        return [
            value if value in {o.value for o in instrument.options_for(item)} else None
            for item, value in zip(instrument.items, self.risk, strict=True)
        ]

    def risk_screen_answers(self, catalog: Catalog) -> list[int | None] | None:
        """The saved risk screen answers when they can be scored: every question answered,
        question 5 left out only after four "no" answers. Nothing is filled in: a "yes" with
        question 5 unanswered is not scored yet (``risk_screen_positive`` still sees it)."""
        answers = self._risk_values(catalog)
        instrument = catalog.instruments.get(RISK_SCREEN)
        if answers is None or instrument is None:
            return None
        conditional = [i for i, item in enumerate(instrument.items) if item.show != "always"]
        asked = [a for i, a in enumerate(answers) if i not in conditional]
        if None in asked:
            return None
        if any(asked) and [i for i in conditional if answers[i] is None]:
            return None
        return answers

    def risk_screen_positive(self, catalog: Catalog) -> tuple[str, ...]:
        """The risk screen's items answered "yes" so far, even on an unfinished page."""
        answers = self._risk_values(catalog)
        instrument = catalog.instruments.get(RISK_SCREEN)
        if answers is None or instrument is None:
            return ()
        return tuple(item.id for item, a in zip(instrument.items, answers, strict=True) if a)

    def risk_screen_done(self, catalog: Catalog) -> bool:
        """The risk screen is answered, or is not needed for these concerns."""
        if risk_screen_for(catalog, self.concerns) is None:
            return True
        return self.risk_screen_answers(catalog) is not None

    def risk_forms(self, catalog: Catalog) -> list[tuple[Instrument, list[int | None]]]:
        """Every saved form that has risk items, with its answers (a value the item does not
        offer read as unanswered): each concern's questionnaire, then the risk screen."""
        forms: list[tuple[Instrument, list[int | None]]] = []
        for condition in self.concerns:
            instrument = questionnaire_for(catalog, condition)
            if instrument is not None and instrument.risk_items:
                forms.append((instrument, saved_answers(self, condition, instrument)))
        screen = catalog.instruments.get(RISK_SCREEN)
        values = self._risk_values(catalog)
        if screen is not None and values is not None:
            forms.append((screen, values))
        return forms

    def has_positive_risk_answer(self, catalog: Catalog) -> bool:
        """Whether any risk answer is above 0, even in an unfinished questionnaire."""
        return any(
            (answers[item.number - 1] or 0) > 0
            for instrument, answers in self.risk_forms(catalog)
            for item in instrument.risk_items
        )


def choice_id(name: str, value: object) -> str:
    """The id of one radio or checkbox, e.g. ``phq9-item3-0``; error links point at it.
    ``_flow_macros.html`` builds the same ids."""
    return f"{name.replace('.', '-').replace('_', '-')}-{value}"


def saved_answers(state: FlowAnswers, condition: str, instrument: Instrument) -> list[int | None]:
    """Saved answers for ``instrument`` (None where unanswered). Answers saved for another
    instrument, or values the item does not offer, are ignored."""
    key = cast(Condition, condition)
    values = state.answers.get(key)
    if state.instruments.get(key) != instrument.id or values is None:
        return [None] * len(instrument.items)
    if len(values) != len(instrument.items):
        return [None] * len(instrument.items)
    return [
        value if value in {o.value for o in instrument.options_for(item)} else None
        for item, value in zip(instrument.items, values, strict=True)
    ]


def saved_extras(state: FlowAnswers, condition: str) -> dict[str, int]:
    return dict(state.extras.get(cast(Condition, condition), {}))


def is_done(catalog: Catalog, state: FlowAnswers, condition: str) -> bool:
    instrument = questionnaire_for(catalog, condition)
    if instrument is not None:
        return None not in saved_answers(state, condition, instrument)
    return cast(Condition, condition) in state.severity


def gate(catalog: Catalog, state: FlowAnswers, step: str) -> str | None:
    """Where to send a person who skipped ahead to ``step``, or None when they may see it.
    "About you" needs the concerns; results need every concern answered; values need the
    results seen (crisis help, when needed, cannot be skipped past unseen); options and the
    plan need the values page."""
    if not state.concerns:
        return "/concerns"
    if step == "about":  # optional questions: the concerns are all it needs
        return None
    for condition in state.concerns:
        if not is_done(catalog, state, condition):
            return f"/questions/{condition}"
    if step != "risk" and not state.risk_screen_done(catalog):
        return RISK_PAGE
    if step not in ("results", "risk") and not state.results_seen:
        return "/results"
    if step in ("options", "plan") and not state.values_done:
        return "/values"
    return None
