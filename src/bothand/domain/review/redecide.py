"""The second decision, pure: when a review point found too little change, what has been
learned is turned into a re-read case (``reread``), and the options decided again are set
beside the first ones (``compare``). No clock, no storage; the options engine itself is run by
the caller (``services.redecide``) on the re-read case.

Decisions where the issue is silent:

- **Which concern.** The one the finding measured: the concern answered with the finding's
  instrument; failing that, a concern without answers whose condition that instrument
  measures (``measures``); failing that, the first decision's floor (nothing is re-rated).
- **Re-rating** (``redecide.yaml``, ``rerate``). A concern answered with the instrument is
  given the latest answers (``latest_answers``), so the same scoring as the first decision
  rates it and its risk item is read again; without them, and for a concern a clinician
  rated, the severity is the band of the latest total, when the instrument's bands carry
  severities. An instrument without severity bands leaves the concern as it was.
- **What was learned** (``history``): the rules run in file order and the last one naming a
  treatment wins; ``as_before`` keeps the first case's value.
- **The rest of the case stays**: preferences on file, readiness, age, earlier episodes, the
  risk screen. The first decision is never changed; the re-read case is a new one.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from bothand.domain.assess.instruments import Instrument
from bothand.domain.assess.scoring import score
from bothand.domain.case import Case, Concern, History
from bothand.domain.decide.engine import GivenReason, TraceEntry
from bothand.domain.errors import InputError
from bothand.domain.knowledge.redecide import Redecide, RedecideFacts
from bothand.domain.review.finding import Finding
from bothand.domain.vocab import FIT_ORDER, UNRATED, Condition, Fit, HistoryOutcome, OptionId

RERATE_RULE = "redecide.rerate"
TREATMENTS = ("medication", "therapy")


@dataclass(frozen=True, slots=True)
class Reread:
    """The case as re-read after a review point, and why."""

    case: Case
    concern: Condition  # the concern the finding measured (or the first decision's floor)
    facts: RedecideFacts
    history_before: dict[str, HistoryOutcome]
    history_after: dict[str, HistoryOutcome]
    severity_before: str
    severity_after: str
    reasons: tuple[GivenReason, ...]
    trace: tuple[TraceEntry, ...]

    @property
    def fired(self) -> tuple[str, ...]:
        return tuple(entry.rule for entry in self.trace if entry.fired)


def reread(
    case: Case,
    option: OptionId,
    finding: Finding,
    milestone_kind: str,
    rules: Redecide,
    *,
    instruments: Mapping[str, Instrument] | None = None,
    latest_answers: Sequence[int | None] | None = None,
    measures: Collection[str] = (),
    floor: Condition | None = None,
    names: Mapping[str, str] | None = None,
) -> Reread:
    """The first ``case`` re-read with what the review point found (see the module's
    decisions). ``instruments``: the catalog's, by id (for their bands); ``measures``: the
    conditions the finding's instrument measures; ``floor``: the first decision's floor;
    ``names``: condition names for ``{condition}``."""
    if not finding.too_little:
        raise InputError("finding", "a second decision is made only when the change is too little")
    index = _concern_index(case, finding.instrument, measures)
    concern = case.concerns[index].condition if index is not None else floor
    if concern is None:
        concern = case.concerns[0].condition
    facts = RedecideFacts(
        option=option,
        finding=finding.kind,
        milestone_kind=milestone_kind,
        condition=concern,
        weeks=max(0, finding.weeks),
    )
    trace: list[TraceEntry] = []
    history: dict[str, HistoryOutcome] = {
        "medication": case.history.medication,
        "therapy": case.history.therapy,
    }
    before = dict(history)
    reasons: dict[str, GivenReason] = {}
    shown_name = (names or {}).get(concern, concern)
    for rule in rules.rules:
        fired, because = rule.when.evaluate(facts)
        effect = ""
        if fired:
            changes = []
            for treatment, change in rule.history.items():
                value = before[treatment] if change == "as_before" else change
                if history[treatment] != value:
                    changes.append(f"{treatment}_history: {history[treatment]} → {value}")
                history[treatment] = value
            for reason_id in rule.reasons:
                reason = rules.reason(reason_id)
                text = reason.text.replace("{weeks}", str(facts.weeks)).replace(
                    "{condition}", shown_name
                )
                reasons.setdefault(
                    reason.id,
                    GivenReason(
                        reason.id,
                        text,
                        reason.sources,
                        concern if "{condition}" in reason.text else None,
                    ),
                )
            effect = "; ".join(changes) if changes else "no change to the case (reasons added)"
        trace.append(TraceEntry(rule.id, concern, fired, because, effect))

    instruments = instruments or {}
    instrument = instruments.get(finding.instrument)
    concerns = list(case.concerns)
    shown = index
    if shown is None:  # the concern the rules were tested on, rated as before
        shown = next((i for i, c in enumerate(case.concerns) if c.condition == concern), None)
    severity_before = UNRATED if shown is None else _rated(case.concerns[shown], instruments)
    severity_after = severity_before
    rerate_entry = TraceEntry(
        RERATE_RULE, concern, False, f"no concern is measured by {finding.instrument}", ""
    )
    if index is not None:
        concerns[index], because = _rerated(
            case.concerns[index], finding, instrument, latest_answers
        )
        severity_after = _rated(concerns[index], instruments)
        changed = severity_after != severity_before
        effect = f"severity: {severity_before} → {severity_after}" if changed else ""
        rerate_entry = TraceEntry(
            RERATE_RULE,
            concern,
            concerns[index] != case.concerns[index],
            because,
            effect or "severity unchanged",
        )
    trace.insert(0, rerate_entry)
    new_history = History(
        medication=history["medication"],
        therapy=history["therapy"],
        previous_episodes=case.history.previous_episodes,
    )
    new_case = case.model_copy(update={"concerns": tuple(concerns), "history": new_history})
    # Validated again: the re-read case is a case like any other.
    new_case = Case.model_validate(new_case.model_dump(mode="json", exclude_none=True))
    return Reread(
        case=new_case,
        concern=concern,
        facts=facts,
        history_before=before,
        history_after=dict(history),
        severity_before=severity_before,
        severity_after=severity_after,
        reasons=tuple(reasons.values()),
        trace=tuple(trace),
    )


def _concern_index(case: Case, instrument: str, measures: Collection[str]) -> int | None:
    for index, concern in enumerate(case.concerns):
        if concern.instrument == instrument:
            return index
    for index, concern in enumerate(case.concerns):
        if concern.instrument is None and concern.condition in measures:
            return index
    return None


def _rated(concern: Concern, instruments: Mapping[str, Instrument]) -> str:
    """The concern's severity as the first decision's assessment reads it."""
    if concern.severity is not None:
        return concern.severity
    instrument = instruments.get(concern.instrument or "")
    if concern.answers is not None and instrument is not None:
        found = score(instrument, concern.answers).severity
        return found if found is not None else UNRATED
    return UNRATED


def _rerated(
    concern: Concern,
    finding: Finding,
    instrument: Instrument | None,
    latest_answers: Sequence[int | None] | None,
) -> tuple[Concern, str]:
    """The concern rated again from the latest score, and why."""
    latest = f"{finding.instrument} {finding.latest.total} on {finding.latest.on.isoformat()}"
    if instrument is None or not instrument.measures_severity:
        return concern, f"{latest}: the instrument has no severity bands, so the rating stays"
    if concern.answers is not None and latest_answers is not None:
        update: dict[str, Any] = {"answers": tuple(latest_answers)}
        return concern.model_copy(update=update), f"{latest}: the latest answers are scored again"
    band = instrument.band_for(finding.latest.total)
    if band is None or band.severity is None:
        return concern, f"{latest}: no band with a severity holds this total, so the rating stays"
    rated = Concern(condition=concern.condition, severity=band.severity)
    return rated, f"{latest}: band '{band.label}' is {band.severity}"


# --- what changed since the first decision ---------------------------------------------------


@dataclass(frozen=True, slots=True)
class OptionChange:
    """One option decided again: its fit now and at the first decision (None when the first
    decision did not show it), and the ids of its reasons that are new."""

    id: str
    fit: Fit
    was: Fit | None
    new_reasons: tuple[str, ...]

    @property
    def moved(self) -> int:
        """Steps up (positive) or down (negative) since the first decision; 0 unchanged."""
        if self.was is None:
            return 0
        return FIT_ORDER.index(self.fit) - FIT_ORDER.index(self.was)


def compare(
    first: Sequence[Mapping[str, Any]], again: Sequence[tuple[str, Fit, Sequence[str]]]
) -> tuple[OptionChange, ...]:
    """Each option decided ``again`` (id, fit, reason ids) beside the ``first`` decision's
    options as stored (``{"id", "fit", "reasons": [{"id", ...}]}``)."""
    was: dict[str, tuple[Fit | None, set[str]]] = {}
    for option in first:
        fit = option.get("fit")
        ids = {str(r.get("id")) for r in option.get("reasons", ()) if isinstance(r, Mapping)}
        was[str(option.get("id"))] = (fit if fit in FIT_ORDER else None, ids)
    changes = []
    for option_id, fit, reason_ids in again:
        before, seen = was.get(option_id, (None, set()))
        new = tuple(dict.fromkeys(r for r in reason_ids if r not in seen))
        changes.append(OptionChange(option_id, fit, before, new))
    return tuple(changes)
