"""The stable vocabularies of the case contract (see DESIGN.md). Order here is canonical:
output lists follow it, so results never depend on the order of input or content files."""

from __future__ import annotations

from typing import Literal, get_args

Condition = Literal[
    "depression",
    "generalized_anxiety",
    "panic",
    "social_anxiety",
    "ocd",
    "ptsd",
    "bipolar",
    "schizophrenia",
    "adhd",
]
Severity = Literal["minimal", "mild", "moderate", "moderately_severe", "severe"]
OptionId = Literal[
    "therapy", "medication", "combined", "therapy_first", "medication_first", "monitor"
]
Fit = Literal["usual_start", "reasonable", "less_suited", "not_advised"]
Preference = Literal["open", "prefer_to_avoid", "unsure", "prefer"]  # "prefer": I would like it
TreatmentKind = Literal["therapy", "medication"]
TherapyId = Literal[
    "cbt",
    "behavioural_activation",
    "exposure_therapy",
    "erp",
    "trauma_focused_cbt",
    "cpt",
    "prolonged_exposure",
    "emdr",
    "ipt",
    "psychodynamic",
    "cbt_psychosis",
    "family_intervention",
    "bipolar_psychoeducation",
    "parent_training",
    "guided_self_help",
    "counselling",
]  # therapy treatment ids of the knowledge base
HistoryOutcome = Literal["helped", "did_not_help", "not_tried"]

CONDITIONS: tuple[Condition, ...] = get_args(Condition)
SEVERITIES: tuple[Severity, ...] = get_args(Severity)
OPTION_IDS: tuple[OptionId, ...] = get_args(OptionId)
FITS: tuple[Fit, ...] = get_args(Fit)
PREFERENCES: tuple[Preference, ...] = get_args(Preference)
THERAPY_IDS: tuple[TherapyId, ...] = get_args(TherapyId)
HISTORY_OUTCOMES: tuple[HistoryOutcome, ...] = get_args(HistoryOutcome)
CONDITION_RANK: dict[str, int] = {condition: rank for rank, condition in enumerate(CONDITIONS)}

# Worst first. A shift of +1 moves one step towards "usual_start". "not_advised" (a guideline
# advises against the option in this situation) is below every other fit, but a shift never
# reaches or leaves it: a preference or a history moves an option between "less_suited" and
# "usual_start" only. Only a rule's ``set`` or ``at_most`` makes an option not advised.
FIT_ORDER: tuple[Fit, ...] = ("not_advised", "less_suited", "reasonable", "usual_start")
NOT_ADVISED: Fit = "not_advised"

# Severity as a fact when no rating could be made (for instance a screen that has no bands).
UNRATED = "unrated"


def shift_fit(fit: Fit, steps: int) -> Fit:
    """Move ``fit`` by ``steps`` along FIT_ORDER, stopping at "less_suited" and "usual_start";
    "not_advised" stays where it is (a shift is a preference or a history, never a guideline's
    advice against an option)."""
    if fit == NOT_ADVISED:
        return fit
    index = FIT_ORDER.index(fit) + steps
    return FIT_ORDER[max(1, min(len(FIT_ORDER) - 1, index))]
