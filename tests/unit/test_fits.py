"""The fit vocabulary on every surface: every fit has words, a badge shape that does not rely
on colour alone, and a fallback reason; ``not_advised`` is reached only by a guideline's rule."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bothand import services
from bothand.catalog import Catalog
from bothand.domain.vocab import FIT_ORDER, FITS, shift_fit

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
