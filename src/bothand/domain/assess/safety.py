"""Safety: a positive risk answer makes the whole result urgent.

Rules that nothing may change — no preference, option, setting or content edit:
- any risk item answered above 0 (PHQ-9 item 9, and any item content marks ``risk``) makes the
  result urgent, puts crisis help first and flags the clinician;
- a risk item answered 0 is never presented as "no risk": the result carries a note saying so;
- crisis resources for the person's locale are always part of the result, urgent or not.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from bothand.domain.assess.scoring import Score
from bothand.domain.knowledge.crisis import CrisisLocale, CrisisResource


class Safety(NamedTuple):
    """The safety part of a result. A named tuple, not a pydantic model: one is made for every
    case, from values this module and the validated content give, and this is the cheapest
    immutable record (a frozen dataclass costs three times as much to make)."""

    urgent: bool
    flags: tuple[str, ...]  # risk item ids answered above 0
    clinician_flag: bool  # the clinician must review risk today
    message: str
    resources: tuple[CrisisResource, ...]  # the locale's crisis resources, from content
    notes: tuple[str, ...]  # e.g. a risk item answered 0 is not "no risk"
    locale: str


def assess_safety(scores: Sequence[Score], crisis: CrisisLocale) -> Safety:
    """Combine the risk answers of every score into one safety result."""
    if len(scores) == 1:  # the common case: one questionnaire
        flags = scores[0].risk_positive
        if len(flags) > 1:
            flags = tuple(sorted(set(flags)))
        zero = bool(scores[0].risk_zero)
    else:
        positive = [item for score in scores for item in score.risk_positive]
        flags = tuple(sorted(set(positive))) if len(positive) > 1 else tuple(positive)
        zero = any([score.risk_zero for score in scores])
    return _safety(flags, zero, crisis)


def _safety(flags: tuple[str, ...], zero: bool, crisis: CrisisLocale) -> Safety:
    """The result for one combination of risk answers."""
    urgent = bool(flags)
    notes = (crisis.zero_is_not_no_risk,) if zero and not urgent else ()
    return Safety(
        urgent=urgent,
        flags=flags,
        clinician_flag=urgent,
        message=crisis.urgent_message if urgent else crisis.standing_message,
        resources=crisis.resources,
        notes=notes,
        locale=crisis.locale,
    )
