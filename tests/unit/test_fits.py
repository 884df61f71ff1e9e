"""The fit vocabulary on every surface: every fit has words, a badge shape that does not rely
on colour alone, and a fallback reason; ``not_advised`` is reached only by a guideline's rule."""

from __future__ import annotations

import io
import itertools
import json
import re
from pathlib import Path

import pytest

from bothand import cli, services
from bothand.catalog import Catalog
from bothand.domain.decide.engine import (
    ConcernFacts,
    Decision,
    GivenReason,
    OptionResult,
    PersonFacts,
)
from bothand.domain.vocab import (
    CONDITIONS,
    FIT_ORDER,
    FITS,
    HISTORY_OUTCOMES,
    PREFERENCES,
    SEVERITIES,
    UNRATED,
    shift_fit,
)
from bothand.settings import Settings
from bothand.web.app import create_app

CSS = Path(__file__).resolve().parents[2] / "src/bothand/web/static/css/bothand.css"


@pytest.mark.parametrize("fit", FITS)
def test_every_fit_has_words_and_its_own_shape(catalog: Catalog, fit: str) -> None:
    assert catalog.labels[f"fit.{fit}"]
    css = CSS.read_text(encoding="utf-8")
    cls = "fit-" + fit.replace("_", "-")
    assert re.search(rf"\.{cls}\s*\{{", css), f"no badge style for {fit}"
    assert re.search(rf"\.{cls} \.fit-mark\s*\{{", css), f"no mark shape for {fit}"


def test_the_fourth_fit_reads_not_advised_now(catalog: Catalog) -> None:
    assert catalog.labels["fit.not_advised"] == "Not advised now"
    assert FIT_ORDER[0] == "not_advised"


@pytest.mark.parametrize("fit", FITS)
@pytest.mark.parametrize("steps", [-2, -1, 1, 2])
def test_a_shift_never_reaches_or_leaves_not_advised(fit: str, steps: int) -> None:
    moved = shift_fit(fit, steps)  # type: ignore[arg-type]
    assert (moved == "not_advised") == (fit == "not_advised")


def test_a_positive_risk_answer_makes_waiting_not_advised_and_keeps_it_shown(
    catalog: Catalog,
) -> None:
    case = {
        "concerns": [
            {
                "condition": "depression",
                "instrument": "phq9",
                "answers": [1, 1, 1, 0, 0, 0, 0, 1, 1],
            }
        ]
    }
    result = services.recommend(catalog, case)
    monitor = next(o for o in result["options"] if o["id"] == "monitor")
    assert monitor["fit"] == "not_advised"
    assert [r["id"] for r in monitor["reasons"]] == ["reason.safety.no_waiting"]
    assert len(result["options"]) == 6


def test_the_plan_is_never_drawn_for_an_option_that_is_not_advised(catalog: Catalog) -> None:
    assert "not_advised" not in catalog.rules.plan_option.fit_order


# --- reasons never contradict the fit they stand beside ---------------------------------------

# A phrase a reason may say, and the fits it may stand beside. A reason about another concern
# than the one that set the fits (several concerns) is not held to its option's fit.
SAYS: tuple[tuple[str, frozenset[str]], ...] = (
    (r"no option (for .+ )?is marked as the usual start", frozenset(FITS) - {"usual_start"}),
    (r"not a safe choice", frozenset({"not_advised"})),
    (r"advise against this option", frozenset({"not_advised"})),
    (r"is not advised for a child", frozenset({"not_advised"})),
    (
        r"less usual|not the usual path|not usually where care starts",
        frozenset(FITS) - {"usual_start"},
    ),
    (r"fair choice|fair path", frozenset(FITS) - {"not_advised"}),
    (r"marked higher", frozenset(FITS) - {"not_advised", "less_suited"}),
    (r"is a usual first step|is a usual path|is a usual choice", frozenset({"usual_start"})),
)
AGES = (None, 4, 10, 14, 17, 21, 40)


def contradictions(decision: Decision) -> list[str]:
    found = []
    for option in decision.options:
        for reason in option.reasons:
            if reason.concern not in (None, decision.floor):
                continue
            for pattern, allowed in SAYS:
                if re.search(pattern, reason.text) and option.fit not in allowed:
                    found.append(f"{option.id} is {option.fit} beside {reason.id}: {reason.text}")
    return found


def person(catalog: Catalog, age: int | None, **facts: object) -> PersonFacts:
    return PersonFacts(age_band=catalog.rules.age_bands.band_of(age), **facts)  # type: ignore[arg-type]


@pytest.mark.parametrize("condition", CONDITIONS)
def test_no_reason_says_what_its_fit_does_not(catalog: Catalog, condition: str) -> None:
    engine = services.engine(catalog)
    found: list[str] = []
    for severity, medicine, therapy, engage, urgent, age, history in itertools.product(
        (*SEVERITIES, UNRATED),
        PREFERENCES,
        PREFERENCES,
        (True, False),
        (True, False),
        AGES,
        HISTORY_OUTCOMES,
    ):
        facts = person(
            catalog,
            age,
            medication_preference=medicine,
            therapy_preference=therapy,
            able_to_engage_in_therapy=engage,
            urgent=urgent,
            medication_history=history,
        )
        decision = engine.decide([ConcernFacts(condition, severity)], facts)  # type: ignore[arg-type]
        found += [f"{severity}, {facts}: {c}" for c in contradictions(decision)]
    assert not found, f"{len(found)} contradictions, first: " + "\n".join(found[:5])


@pytest.mark.parametrize("first", CONDITIONS)
def test_no_reason_contradicts_its_fit_with_two_concerns(catalog: Catalog, first: str) -> None:
    engine = services.engine(catalog)
    found: list[str] = []
    for second, one, two, urgent, age in itertools.product(
        CONDITIONS, (*SEVERITIES, UNRATED), ("mild", "severe", UNRATED), (True, False), AGES
    ):
        if second == first:
            continue
        facts = person(catalog, age, urgent=urgent, several_concerns=True)
        concerns = [ConcernFacts(first, one), ConcernFacts(second, two)]  # type: ignore[arg-type]
        found += [f"{concerns}: {c}" for c in contradictions(engine.decide(concerns, facts))]
    assert not found, f"{len(found)} contradictions, first: " + "\n".join(found[:5])


def test_the_contradiction_check_catches_the_unrated_reason_beside_usual_start() -> None:
    unrated = GivenReason(
        "reason.common.unrated", "Until then, no option is marked as the usual start.", ("x",)
    )
    waiting = GivenReason("reason.safety.no_waiting", "Waiting is not a safe choice now.", ("x",))
    options = (
        OptionResult("therapy", "usual_start", (unrated,)),
        OptionResult("monitor", "less_suited", (waiting,)),
    )
    decision = Decision(options, "depression", None, None, ())  # type: ignore[arg-type]
    assert len(contradictions(decision)) == 2


@pytest.mark.parametrize("age", (4, 10, 14, 17))
def test_under_18_ptsd_never_gives_the_adult_ptsd_reasons(catalog: Catalog, age: int) -> None:
    """NG116 recommends trauma-focused CBT for children and young people and no drug
    treatment; the adult reasons (CPT, prolonged exposure and EMDR by name; medicine offered
    by preference) are never shown under 18, at any severity, alone or beside depression."""
    engine = services.engine(catalog)
    shown = []
    for severity, medicine, therapy, engage, with_depression in itertools.product(
        (*SEVERITIES, UNRATED), PREFERENCES, PREFERENCES, (True, False), (False, True)
    ):
        concerns = [ConcernFacts("ptsd", severity)]  # type: ignore[arg-type]
        if with_depression:
            concerns.append(ConcernFacts("depression", "moderate"))  # type: ignore[arg-type]
        facts = person(
            catalog,
            age,
            medication_preference=medicine,
            therapy_preference=therapy,
            able_to_engage_in_therapy=engage,
            several_concerns=with_depression,
        )
        for option in engine.decide(concerns, facts).options:
            shown += [
                f"{severity}: {option.id}: {reason.id}"
                for reason in option.reasons
                if reason.id.startswith("reason.ptsd.")
            ]
    assert not shown, shown[:5]


def test_the_terminal_prints_not_advised_in_words(
    catalog: Catalog, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    case = '{"concerns": [{"condition": "ptsd", "severity": "moderate"}], "age": 12}'
    monkeypatch.setattr("sys.stdin", io.StringIO(case))
    assert cli.main(["recommend", "-"]) == 0
    out = " ".join(capsys.readouterr().out.split())  # the terminal wraps at words
    assert f"Medicine - {catalog.labels['fit.not_advised']}" in out
    assert "advise against medicine for PTSD" in out


def test_the_openapi_schema_lists_the_new_fit_and_preference(catalog: Catalog) -> None:
    app = create_app(Settings(secret_key="fits-tests-" + "k" * 40), catalog)
    schema = json.dumps(app.openapi())
    assert '"not_advised"' in schema and '"prefer"' in schema
