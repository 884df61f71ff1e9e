"""A re-decision never puts words in the person's mouth: the rule-book reasons that quote what
the person said about a treatment ("You said a medicine did not help before") are left out
when it was the scores, at a review point, that showed the treatment had not helped enough."""

from __future__ import annotations

import datetime as dt

from bothand.catalog import Catalog
from bothand.domain.review.finding import Finding
from bothand.domain.track.progress import Score
from bothand.services.decide import recommend
from bothand.services.redecide import redecide

PHQ9_16 = [2, 2, 2, 2, 2, 2, 2, 2, 0]


def test_no_reason_quotes_the_person_about_what_the_scores_showed(catalog: Catalog) -> None:
    start = dt.date(2026, 3, 2)
    finding = Finding(
        milestone="milestone.check_progress",
        kind="no_reliable_change",
        too_little=True,
        instrument="phq9",
        profile="nhs_talking_therapies",
        threshold=6,
        baseline=Score(17, start),
        latest=Score(16, start + dt.timedelta(days=27)),
        change=-1,
        weeks=3,
    )
    case = {
        "concerns": [{"condition": "depression", "instrument": "phq9", "answers": PHQ9_16}],
        "preferences": {"medication": "prefer", "therapy": "open"},
    }

    decision = {"case": case, "recommendation": recommend(catalog, case)}
    made = redecide(catalog, decision, "medication", finding, "check_progress", PHQ9_16)
    replaced = catalog.redecide.replaces
    assert replaced is not None and replaced.medication
    shown = {r["id"] for o in made["options"] for r in o["reasons"]}
    assert not shown & set(replaced.medication)
    texts = [r["text"] for o in made["options"] for r in o["reasons"]]
    assert not [t for t in texts if "did not help before" in t]
    # What the person did say (a wish for medicine) is still theirs to read.
    assert any(t.startswith("You said you would like to take medicine") for t in texts)
    # The rule still fired (it is what moves the fits): the trace says so.
    fired = {e["rule"] for e in made["trace"] if e.get("fired")}
    assert "rule.history.medicine_did_not_help" in fired
