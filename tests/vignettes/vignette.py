"""Reading and checking golden vignettes: one clinical scenario per file in ``cases/``.

A vignette has ``title``, an optional ``story``, ``given`` (a case in the contract's shape)
and ``expect``. Every key under ``expect`` is a check, and every check runs: a key this module
does not know, or a check that does not apply to the vignette's case (a medicine review asked
of a plan without medicine, a reason for an option that does not exist), is an error in the
vignette naming its file and key, never a silent pass.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from bothand.catalog import Catalog
from bothand.domain.vocab import OPTION_IDS

FOLDER = Path(__file__).parent / "cases"
CASES = sorted(FOLDER.glob("*.yaml"))

# key: required. ``sources``: the ids (in sources.yaml) of the guideline the expectation was
# written from, in its words, never from what the program printed.
TOP = {"title": True, "story": False, "sources": False, "given": True, "expect": True}
# Each check under ``expect``, with what it asks (the rendered page uses the same words).
CHECKS = {
    "fits": "the fit of every option (required)",
    "reasons": "per option, reasons that must be among its reasons",
    "reasons_absent": "per option, reasons that must not be among its reasons",
    "safety": "the safety result, by the keys below",
    "assessments": "per concern, in order, the named fields of its assessment",
    "floor": "the condition that sets the floor when there are several",
    "plan_option": "the option the plan is drawn for",
    "plan_first_review_by_day": "the plan's first medicine review ends by this day "
    "(only for a plan with medicine)",
}
SAFETY = {
    "urgent": "crisis help comes first (required)",
    "clinician_flag": "the clinician is flagged (defaults to urgent, or to true when the case "
    "answers no risk question: risk not assessed is flagged)",
    "flags": "the risk items that were positive, in order",
    "first_resource": "the first crisis contact's name starts with this",
    "first_resource_contact": "the first crisis contact's number or text contains this",
    "zero_note": "the note that a risk answer of 0 does not mean no risk is shown (or not)",
}
MEDICINE_REVIEW = "medication_review"


class VignetteError(AssertionError):
    """A vignette that asks for something it cannot check: names the file and the key."""

    def __init__(self, name: str, key: str, problem: str) -> None:
        super().__init__(f"{name}: {key}: {problem}")
        self.name, self.key = name, key


def load(path: Path) -> dict[str, Any]:
    """The vignette in ``path``, its keys checked (not yet run against the product)."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    name = path.name
    if not isinstance(data, dict):
        raise VignetteError(name, "(file)", "expected a mapping with title, given and expect")
    for key in data:
        if key not in TOP:
            raise VignetteError(name, key, f"unknown key; use {', '.join(TOP)}")
    for key, required in TOP.items():
        if required and key not in data:
            raise VignetteError(name, key, "is required")
    expect = data["expect"]
    _known(name, "expect", expect, CHECKS)
    if "fits" not in expect:
        raise VignetteError(name, "expect.fits", "is required: every vignette states every fit")
    if "safety" in expect:
        _known(name, "expect.safety", expect["safety"], SAFETY)
        if "urgent" not in expect["safety"]:
            raise VignetteError(name, "expect.safety.urgent", "is required with safety")
    return dict(data)


def _known(name: str, where: str, value: Any, known: dict[str, str]) -> None:
    if not isinstance(value, dict):
        raise VignetteError(name, where, "expected a mapping")
    for key in value:
        if key not in known:
            raise VignetteError(name, f"{where}.{key}", f"unknown check; use {', '.join(known)}")


def check(name: str, vignette: dict[str, Any], result: dict[str, Any], catalog: Catalog) -> None:
    """Run every check ``vignette`` asks for against ``result`` (the contract's JSON)."""
    expect = vignette["expect"]
    known = {source.id for source in catalog.bibliography.sources}
    for source in vignette.get("sources", ()):
        if source not in known:
            raise VignetteError(name, "sources", f"{source!r} is not in sources.yaml")

    def fail(key: str, problem: str) -> VignetteError:
        return VignetteError(name, f"expect.{key}", problem)

    options = [option["id"] for option in result["options"]]
    assert options == list(OPTION_IDS), f"{name}: no option is ever hidden"
    fits = {option["id"]: option["fit"] for option in result["options"]}
    assert fits == expect["fits"], f"{name}: fits differ: {fits}"

    reasons = {option["id"]: [r["id"] for r in option["reasons"]] for option in result["options"]}
    for option, wanted in expect.get("reasons", {}).items():
        if option not in reasons:
            raise fail(f"reasons.{option}", f"not an option; use {', '.join(OPTION_IDS)}")
        if not wanted:
            raise fail(f"reasons.{option}", "lists no reason, so it checks nothing")
        missing = [reason for reason in wanted if reason not in reasons[option]]
        assert not missing, f"{name}: {option}: missing reasons {missing}; got {reasons[option]}"
    for option, unwanted in expect.get("reasons_absent", {}).items():
        if option not in reasons:
            raise fail(f"reasons_absent.{option}", f"not an option; use {', '.join(OPTION_IDS)}")
        if not unwanted:
            raise fail(f"reasons_absent.{option}", "lists no reason, so it checks nothing")
        shown = [reason for reason in unwanted if reason in reasons[option]]
        assert not shown, f"{name}: {option}: reasons that should not be shown {shown}"

    locale = vignette["given"].get("locale", "en")
    wanted = expect.get("safety", {"urgent": False})
    asked = risk_asked(catalog, vignette["given"])
    assert result["safety"]["risk_assessed"] is asked, f"{name}: risk_assessed"
    if not asked:
        assert "risk_not_assessed" in result["safety"]["review_flags"], f"{name}: review_flags"
        wanted = {"clinician_flag": True, **wanted}
    _check_safety(name, wanted, result["safety"], catalog, locale)

    if "assessments" in expect:
        got, wanted = result["assessments"], expect["assessments"]
        assert len(got) == len(wanted), f"{name}: {len(got)} assessments, expected {len(wanted)}"
        for index, (one, asked) in enumerate(zip(got, wanted, strict=True)):
            for key in asked:
                if key not in one:
                    raise fail(f"assessments[{index}].{key}", "not a field of an assessment")
            assert {key: one[key] for key in asked} == asked, f"{name}: assessment {index}"
    if "floor" in expect:
        assert result["floor"] == expect["floor"], f"{name}: floor is {result['floor']}"
    plan = result["plan"]
    if "plan_option" in expect:
        assert plan["option"] == expect["plan_option"], f"{name}: plan drawn for {plan['option']}"
    if "plan_first_review_by_day" in expect:
        reviews = [m for m in plan["milestones"] if m["kind"] == MEDICINE_REVIEW]
        if not reviews:
            raise fail(
                "plan_first_review_by_day",
                f"the plan is drawn for {plan['option']}, which has no medicine review; "
                "this check does not apply to the case",
            )
        first = min(review["day_to"] for review in reviews)
        assert first <= expect["plan_first_review_by_day"], f"{name}: first review by day {first}"


def risk_asked(catalog: Catalog, given: dict[str, Any]) -> bool:
    """Whether the case answers a risk question (PHQ-9 item 9 or the ASQ): read from the
    case, not from the result."""
    if given.get("risk_screen"):
        return True
    instruments = [c.get("instrument") for c in given.get("concerns", ())]
    return any(catalog.instruments[i].risk_items for i in instruments if i)


def _check_safety(
    name: str, wanted: dict[str, Any], safety: dict[str, Any], catalog: Catalog, locale: str
) -> None:
    assert safety["urgent"] is wanted["urgent"], f"{name}: urgent is {safety['urgent']}"
    flagged = wanted.get("clinician_flag", wanted["urgent"])
    assert safety["clinician_flag"] is flagged, f"{name}: clinician_flag"
    if "flags" in wanted:
        assert safety["flags"] == wanted["flags"], f"{name}: flags are {safety['flags']}"
    assert safety["resources"], f"{name}: crisis contacts are always part of the result"
    first = safety["resources"][0]
    if "first_resource" in wanted:
        assert first["name"].startswith(wanted["first_resource"]), f"{name}: {first['name']}"
    if "first_resource_contact" in wanted:
        assert wanted["first_resource_contact"] in first["contact"], f"{name}: {first['contact']}"
    if "zero_note" in wanted:
        note = " ".join(catalog.crisis.for_locale(locale).zero_is_not_no_risk.split())
        shown = any(" ".join(n.split()) == note for n in safety["notes"])
        assert shown is wanted["zero_note"], f"{name}: the zero note shown: {shown}"
