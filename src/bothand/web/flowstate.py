"""The decision flow's state (kept in the signed cookie) read as the case contract: which
questionnaire a concern gets, which answers are saved, whether a step is done, the case built
from the state, and which step a person may see next. No request or response types here
beyond plain data; the pages live in ``routes/flow.py`` (the state's keys are listed there).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from starlette.exceptions import HTTPException

from bothand import services
from bothand.catalog import Catalog
from bothand.domain.assess.instruments import Instrument
from bothand.domain.vocab import SEVERITIES

NOT_SURE = "unsure"


def choice_id(name: str, value: object) -> str:
    """The id of one radio or checkbox, e.g. ``phq9-item3-0``; error links point at it.
    ``_flow_macros.html`` builds the same ids."""
    return f"{name.replace('.', '-').replace('_', '-')}-{value}"


# --- from the state to a case ------------------------------------------------------------


@lru_cache(maxsize=64)
def questionnaire_for(catalog: Catalog, condition: str) -> Instrument | None:
    """The questionnaire asked for ``condition``, or None for the clinician-rated path.

    A condition owns an instrument when it is the first condition, in content order, to put
    that instrument at the head of its list; only owned instruments are asked. The GAD-7 heads
    the lists of generalized anxiety, panic and social anxiety, so it belongs to generalized
    anxiety, and panic and social anxiety get the clinician path. Screens that head no list
    (PHQ-2, GAD-2, WSAS) are never asked here. Of the owned instruments, the first whose
    wording can be shown is asked, one that rates severity before one that does not."""
    owners: dict[str, str] = {}
    for info in catalog.explainers.conditions:
        if info.instruments:
            owners.setdefault(info.instruments[0], info.id)
    usable = [
        catalog.instruments[i]
        for i in listed_instruments(catalog, condition)
        if owners.get(i) == condition and i in catalog.instruments
    ]
    usable = [instrument for instrument in usable if instrument.has_wording]
    usable.sort(key=lambda instrument: not instrument.measures_severity)
    return usable[0] if usable else None


def listed_instruments(catalog: Catalog, condition: str) -> tuple[str, ...]:
    info = next((c for c in catalog.explainers.conditions if c.id == condition), None)
    return info.instruments if info else ()


def unavailable_reason(catalog: Catalog, condition: str) -> str | None:
    """Why the condition's own questionnaire cannot be asked (its licence), if that is why."""
    return next(
        (
            catalog.unavailable[i]
            for i in listed_instruments(catalog, condition)[:1]
            if i in catalog.unavailable
        ),
        None,
    )


def saved_answers(
    state: dict[str, Any], condition: str, instrument: Instrument
) -> list[int | None]:
    """Saved answers for ``instrument`` (None where unanswered); stale ones are ignored."""
    values = state.get("answers", {}).get(condition)
    if (
        state.get("instruments", {}).get(condition) == instrument.id
        and isinstance(values, list)
        and len(values) == len(instrument.items)
    ):
        return list(values)
    return [None] * len(instrument.items)


def saved_extras(state: dict[str, Any], condition: str) -> dict[str, int]:
    extras = state.get("extras", {}).get(condition)
    return extras if isinstance(extras, dict) else {}


def is_done(catalog: Catalog, state: dict[str, Any], condition: str) -> bool:
    instrument = questionnaire_for(catalog, condition)
    if instrument is not None:
        return None not in saved_answers(state, condition, instrument)
    return condition in state.get("severity", {})


def case_from_state(
    catalog: Catalog, state: dict[str, Any], *, partial: bool = False
) -> dict[str, Any] | None:
    """The case contract for the state; None when no concern is chosen. Unfinished
    questionnaires are left unrated, except with ``partial`` (for the safety check): then
    one counts as soon as its risk items are answered."""
    concerns: list[dict[str, Any]] = []
    for condition in state.get("concerns", []):
        instrument = questionnaire_for(catalog, condition)
        if instrument is not None:
            answers = saved_answers(state, condition, instrument)
            risk_known = all(answers[i.number - 1] is not None for i in instrument.risk_items)
            started = any(a is not None for a in answers)
            if None not in answers or (partial and risk_known and started):
                concerns.append(
                    {"condition": condition, "instrument": instrument.id, "answers": answers}
                )
                continue
        severity = state.get("severity", {}).get(condition)
        rating = {"severity": severity} if severity in SEVERITIES else {}
        concerns.append({"condition": condition, **rating})
    if not concerns:
        return None
    preferences = state.get("preferences", {})
    return {
        "concerns": concerns,
        "preferences": {
            "medication": preferences.get("medication", "open"),
            "therapy": preferences.get("therapy", "open"),
        },
        "able_to_engage_in_therapy": state.get("engage", True) is not False,
        "locale": state.get("locale", "en"),
    }


def ready_case(catalog: Catalog, state: dict[str, Any]) -> dict[str, Any]:
    """The case of a state that passed the gates (so at least one concern is chosen)."""
    case = case_from_state(catalog, state)
    if case is None:
        raise HTTPException(409)
    return case


def urgent_safety(catalog: Catalog, state: dict[str, Any]) -> dict[str, Any] | None:
    """The safety result when any risk answer is above 0, even in an unfinished form."""
    positive = False
    for condition in state.get("concerns", []):
        instrument = questionnaire_for(catalog, condition)
        if instrument is not None and instrument.risk_items:
            answers = saved_answers(state, condition, instrument)
            positive |= any((answers[i.number - 1] or 0) > 0 for i in instrument.risk_items)
    case = case_from_state(catalog, state, partial=True) if positive else None
    if case is None:
        return None
    safety: dict[str, Any] = services.recommend(catalog, case)["safety"]
    return safety if safety["urgent"] else None


def gate(catalog: Catalog, state: dict[str, Any], step: str) -> str | None:
    """Where to send a person who skipped ahead to ``step``, or None when they may see it.
    Results need every concern answered; values need the results seen (crisis help, when
    needed, cannot be skipped past unseen); options and the plan need the values page."""
    if not state.get("concerns"):
        return "/concerns"
    for condition in state["concerns"]:
        if not is_done(catalog, state, condition):
            return f"/questions/{condition}"
    if step != "results" and not state.get("results_seen"):
        return "/results"
    values_done = state.get("engage") is not None and len(state.get("preferences", {})) == 2
    if step in ("options", "plan") and not values_done:
        return "/values"
    return None


# --- start, help, concerns ---------------------------------------------------------------
