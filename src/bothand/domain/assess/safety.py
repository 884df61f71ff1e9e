"""Safety: a positive risk answer makes the whole result urgent.

Rules that nothing may change — no preference, option, setting or content edit:
- any risk item answered above 0 (PHQ-9 item 9, and any item content marks ``risk``) makes the
  result urgent, puts crisis help first and flags the clinician;
- a risk item answered 0 is never presented as "no risk": the result carries a note saying so;
- a result in which no risk item was answered at all says so (``risk_assessed`` false, the
  ``risk_not_assessed`` review flag and the locale's note): silence is never read as "no risk";
- a met rule that content marks ``clinician_review`` (ASQ positive or acute, PCL-5 item 16
  above 0) is a review flag: the clinician is flagged, urgent or not;
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
    risk_assessed: bool = True  # False: no risk question was answered (never "no risk")
    review_flags: tuple[str, ...] = ()  # what the clinician must look at, sorted


RISK_NOT_ASSESSED = "risk_not_assessed"  # the review flag of a result with no risk answer


def assess_safety(scores: Sequence[Score], crisis: CrisisLocale) -> Safety:
    """Combine the risk answers of every score into one safety result."""
    if len(scores) == 1:  # the common case: one questionnaire
        flags = scores[0].risk_positive
        if len(flags) > 1:
            flags = tuple(sorted(set(flags)))
        zero = bool(scores[0].risk_zero)
        review = scores[0].review
    else:
        positive = [item for score in scores for item in score.risk_positive]
        flags = tuple(sorted(set(positive))) if len(positive) > 1 else tuple(positive)
        zero = any([score.risk_zero for score in scores])
        review = tuple(flag for score in scores for flag in score.review)
    return _safety(flags, zero, review, crisis)


def _safety(
    flags: tuple[str, ...], zero: bool, review: tuple[str, ...], crisis: CrisisLocale
) -> Safety:
    """The result for one combination of risk answers."""
    urgent = bool(flags)
    assessed = urgent or zero
    if not assessed:
        review = (*review, RISK_NOT_ASSESSED)
    review = tuple(sorted(set(review))) if len(review) > 1 else review
    if urgent:
        notes: tuple[str, ...] = ()
    elif zero:
        notes = (crisis.zero_is_not_no_risk,)
    else:
        notes = (crisis.not_assessed,)
    return Safety(
        urgent=urgent,
        flags=flags,
        clinician_flag=urgent or bool(review),
        message=crisis.urgent_message if urgent else crisis.standing_message,
        resources=crisis.resources,
        notes=notes,
        locale=crisis.locale,
        risk_assessed=assessed,
        review_flags=review,
    )


def urgent_safety(positive: Sequence[str], crisis: CrisisLocale) -> Safety:
    """The urgent result for risk items known to be "yes" on a form not finished yet (an ASQ
    "yes" before question 5 is answered): crisis help first at once, nothing filled in."""
    flags = tuple(sorted(set(positive)))
    return _safety(flags, False, (), crisis)
