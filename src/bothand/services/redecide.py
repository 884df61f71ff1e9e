"""Use-case: decide again. When a review point found too little change, the first case is
re-read with what was learned (``domain.review.redecide``), the real options engine runs on
it (``services.decide``), and the result is set beside the first decision: per option the fit
before and after, the reasons that are new, plain statements of what changed with their
sources, and the trace of every rule considered (the re-decision's rules, then the
engine's). The body returned is what the record stores; the first decision is only read.

No storage, clock or HTTP here, and nothing about a person is logged.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, cast

from bothand.catalog import Catalog
from bothand.contract.recommendation import Recommendation, dump_recommendation
from bothand.domain.case import parse_case
from bothand.domain.decide.engine import TraceEntry
from bothand.domain.review.finding import Finding
from bothand.domain.review.redecide import OptionChange, Reread, compare, reread
from bothand.domain.vocab import CONDITIONS, OPTION_IDS, OptionId
from bothand.services.decide import run_case
from bothand.services.wording import condition_names


def redecide(
    catalog: Catalog,
    decision: Mapping[str, Any],
    option: str,
    finding: Finding,
    milestone_kind: str,
    latest_answers: Sequence[int | None] | None = None,
) -> dict[str, Any]:
    """The second decision for an episode whose first ``decision`` (``{"case",
    "recommendation"}`` as stored) chose ``option``, after a review point of
    ``milestone_kind`` found ``finding`` (too little). ``latest_answers``: the answers behind
    the finding's latest score, so the concern is rated again as the first one was."""
    if option not in OPTION_IDS:
        raise ValueError(f"{option!r} is not an option")
    case = parse_case(dict(decision["case"]))
    first = decision.get("recommendation") or {}
    measures = {
        info.id for info in catalog.explainers.conditions if finding.instrument in info.instruments
    }
    floor = first.get("floor")
    names = condition_names(catalog)
    again = reread(
        case,
        option,
        finding,
        milestone_kind,
        catalog.redecide,
        instruments=catalog.instruments,
        latest_answers=latest_answers,
        measures=measures,
        floor=floor if floor in CONDITIONS else None,
        names=names,
    )
    outcome = run_case(catalog, again.case)
    recommendation = dump_recommendation(
        catalog, outcome.assessments, outcome.safety, outcome.decision, outcome.plan
    )
    recommendation = _without_quoted_history(catalog, again, recommendation)
    moved = compare(
        first.get("options") or (),
        [(o.id, o.fit, [r.id for r in o.reasons]) for o in outcome.decision.options],
    )
    return {
        "case": again.case.model_dump(mode="json", exclude_none=True),
        "recommendation": recommendation,
        "learned": _learned(again),
        "options": _options(recommendation, moved),
        "changes": _changes(catalog, again, recommendation, moved),
        "trace": [
            *(_entry(entry, "redecide") for entry in again.trace),
            *({**entry, "stage": "engine"} for entry in recommendation["trace"]),
        ],
        "content": {"version": catalog.version},
    }


def _without_quoted_history(
    catalog: Catalog, again: Reread, recommendation: Recommendation
) -> Recommendation:
    """The recommendation without the rule-book reasons that quote the person about a
    treatment the re-read marked as tried (``redecide.yaml``, ``replaces``): the scores said
    it, and the re-decision's own reasons say what was learned."""
    replaces = catalog.redecide.replaces
    if replaces is None:
        return recommendation
    dropped: set[str] = set()
    for treatment, ids in (("medication", replaces.medication), ("therapy", replaces.therapy)):
        if again.history_after.get(treatment) != again.history_before.get(treatment):
            dropped.update(ids)
    if not dropped:
        return recommendation
    filtered: dict[str, Any] = dict(recommendation)
    filtered["options"] = [
        {**option, "reasons": [r for r in option["reasons"] if r["id"] not in dropped]}
        for option in recommendation["options"]
    ]
    return cast(Recommendation, filtered)


def _learned(again: Reread) -> dict[str, Any]:
    return {
        "concern": again.concern,
        "option": again.facts.option,
        "milestone_kind": again.facts.milestone_kind,
        "weeks": again.facts.weeks,
        "history": {"before": again.history_before, "after": again.history_after},
        "severity": {"before": again.severity_before, "after": again.severity_after},
        "rules": list(again.fired),
    }


def _options(recommendation: Mapping[str, Any], moved: Sequence[OptionChange]) -> list[Any]:
    by_id = {change.id: change for change in moved}
    options = []
    for option in recommendation["options"]:
        change = by_id[option["id"]]
        options.append(
            {
                "id": option["id"],
                "name": option["name"],
                "fit": option["fit"],
                "was": change.was,
                "reasons": [
                    {**reason, "new": reason["id"] in change.new_reasons}
                    for reason in option["reasons"]
                ],
            }
        )
    return options


def _changes(
    catalog: Catalog,
    again: Reread,
    recommendation: Mapping[str, Any],
    moved: Sequence[OptionChange],
) -> list[dict[str, Any]]:
    """What changed since the first decision, in plain words with sources: the re-decision's
    own reasons (what was tried, for how long, what is usual next), then each option whose
    fit moved, with the sources of the reasons it gained."""
    labels = catalog.labels.text
    changes: list[dict[str, Any]] = [
        {"id": reason.id, "text": reason.text, "sources": list(reason.sources)}
        for reason in again.reasons
    ]
    if again.severity_after != again.severity_before:
        changes.append(
            {
                "id": "redecide.change.severity",
                "text": labels["redecide.change.severity"].format(
                    was=labels.get(f"severity.{again.severity_before}", again.severity_before),
                    now=labels.get(f"severity.{again.severity_after}", again.severity_after),
                ),
                "sources": list(catalog.redecide.rerate.sources),
            }
        )
    options = {option["id"]: option for option in recommendation["options"]}
    history_sources = [
        source
        for rule in catalog.redecide.rules
        if rule.id in again.fired and rule.history
        for source in rule.sources
    ]
    for change in moved:
        if change.moved == 0:
            continue
        option = options[change.id]
        sources = (
            [
                source
                for reason in option["reasons"]
                if reason["id"] in change.new_reasons
                for source in reason["sources"]
            ]
            or history_sources
            or list(catalog.redecide.rerate.sources)
        )
        changes.append(
            {
                "id": f"redecide.change.{change.id}",
                "text": labels["redecide.change.fit"].format(
                    option=option["name"],
                    was=labels.get(f"fit.{change.was}", str(change.was)),
                    now=labels.get(f"fit.{change.fit}", change.fit),
                ),
                "sources": list(dict.fromkeys(sources)),
            }
        )
    return changes


def _entry(entry: TraceEntry, stage: str) -> dict[str, Any]:
    return {
        "rule": entry.rule,
        "concern": entry.concern,
        "fired": entry.fired,
        "because": entry.because,
        "effect": entry.effect,
        "stage": stage,
    }


def option_of(value: str | None) -> OptionId | None:
    """The chosen option as an ``OptionId``, or None (to discuss, or unknown)."""
    return value if value in OPTION_IDS else None
