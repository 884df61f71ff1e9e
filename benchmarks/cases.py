"""A deterministic generator of varied cases in the case contract shape (DESIGN.md).

Every case has 1-3 concerns drawn from the nine conditions (each condition at most once).
Conditions with a self-report instrument are given as answers; the others as a clinician's
severity or no rating at all:

- depression: PHQ-9 or PHQ-2 answers
- generalized_anxiety: GAD-7 or GAD-2 answers
- ptsd: PCL-5, ocd: OCI-R (numbers only: no wording ships), adhd: ASRS answers
- bipolar: MDQ answers or a clinician's severity
- panic, social_anxiety, schizophrenia: a clinician's severity or no rating

Answers are random within each item's own range, read from the loaded catalog. Where the
instrument's missing-item policy allows it (``prorate``), about one form in six leaves one
item unanswered (``None``); a risk item (PHQ-9 item 9) is never left out, because a form
without it is refused by design. Preferences are drawn from the intake's own list
(``catalog.intake.preferences``), so every answer the intake offers (``prefer`` too) is used.

Usage: ``generate(load_catalog(), 10_000)``; the same ``seed`` always gives the same cases.
"""

from __future__ import annotations

import random
from typing import Any

from bothand import Catalog
from bothand.domain.vocab import CONDITIONS

INSTRUMENTS: dict[str, tuple[str | None, ...]] = {  # None: a clinician's severity instead
    "depression": ("phq9", "phq2"),
    "generalized_anxiety": ("gad7", "gad2"),
    "ptsd": ("pcl5",),
    "ocd": ("ocir",),
    "adhd": ("asrs",),
    "bipolar": ("mdq", None),
}
SEVERITIES = ("minimal", "mild", "moderate", "moderately_severe", "severe")
HISTORY = ("helped", "did_not_help", "not_tried")
MISSING_SHARE = 1 / 6
DEFAULT_SEED = 20261127


def answers(catalog: Catalog, instrument_id: str, rng: random.Random) -> list[int | None]:
    """Random answers within each item's range, maybe with one allowed gap."""
    instrument = catalog.instruments[instrument_id]
    values: list[int | None] = [rng.randint(item.min, item.max) for item in instrument.items]
    if instrument.missing.method == "prorate" and rng.random() < MISSING_SHARE:
        open_to_gap = [i for i, item in enumerate(instrument.items) if not item.risk]
        values[rng.choice(open_to_gap)] = None
    return values


def concern(catalog: Catalog, condition: str, rng: random.Random) -> dict[str, Any]:
    choices = INSTRUMENTS.get(condition)
    if choices is None:  # rated by a clinician, or not rated (about one in four)
        if rng.random() < 0.25:
            return {"condition": condition}
        return {"condition": condition, "severity": rng.choice(SEVERITIES)}
    instrument_id = rng.choice(choices)
    if instrument_id is None:
        return {"condition": condition, "severity": rng.choice(SEVERITIES)}
    return {
        "condition": condition,
        "instrument": instrument_id,
        "answers": answers(catalog, instrument_id, rng),
    }


def case(catalog: Catalog, rng: random.Random) -> dict[str, Any]:
    conditions = rng.sample(CONDITIONS, rng.randint(1, 3))
    preferences = catalog.intake.preferences  # the intake's own list, "prefer" included
    data: dict[str, Any] = {
        "concerns": [concern(catalog, condition, rng) for condition in conditions],
        "preferences": {"medication": rng.choice(preferences), "therapy": rng.choice(preferences)},
        "able_to_engage_in_therapy": rng.random() < 0.85,
        "history": {
            "medication": rng.choice(HISTORY),
            "therapy": rng.choice(HISTORY),
            "previous_episodes": rng.choice((0, 0, 0, 1, 2, 3, 5)),
        },
        "locale": rng.choice(("en", "en-GB")),
    }
    if rng.random() < 0.9:  # some people do not give their age
        data["age"] = rng.randint(6, 90)
    return data


def generate(catalog: Catalog, n: int, seed: int = DEFAULT_SEED) -> list[dict[str, Any]]:
    """``n`` cases; the same ``seed`` always gives the same list."""
    rng = random.Random(seed)
    return [case(catalog, rng) for _ in range(n)]
