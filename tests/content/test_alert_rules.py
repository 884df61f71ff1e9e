"""Alert rules (content/alerts.yaml): every rule has a resolving source, every reason has
words in the locale, the milestone kinds are the timeline's, the continue / taper / stop talk
waits six months of remission (NICE NG222), and broken rules are refused when the catalog
loads, naming the file."""

from __future__ import annotations

from pathlib import Path

import pytest

from bothand.catalog import Catalog, load_catalog
from bothand.domain.errors import ContentError
from tests.content.test_outcomes import content, replace_once

__all__ = ["content"]  # the fixture, used below


def test_rules_have_sources_and_reasons_have_words(catalog: Catalog) -> None:
    known = {source.id for source in catalog.bibliography.sources}
    rules = catalog.alerts
    for part in (rules.deterioration, rules.review_due, rules.overdue, *rules.review_due.talks):
        assert part.sources and set(part.sources) <= known
    for reason in rules.reasons:
        assert catalog.labels.text[f"clinic.alerts.reason.{reason}"]
    assert len(set(rules.reasons)) == len(rules.reasons) == 7


def test_the_talks_and_what_counts_as_overdue(catalog: Catalog) -> None:
    rules = catalog.alerts
    taper, review = rules.talk("continue_taper_stop"), rules.talk("continue_and_review")
    assert taper is not None and taper.remission_days == 182  # six months after remission
    assert review is not None and review.remission_days is None
    assert "therapy_start" not in rules.overdue.milestone_kinds
    assert {"remeasure", "check_progress", "full_effect"} <= set(rules.overdue.milestone_kinds)


@pytest.mark.parametrize(
    ("old", "new", "says"),
    [
        ("reason: review_point_missed", "reason: review_point_forgotten", "has no words"),
        ("- milestone_kind: continue_and_review", "- milestone_kind: farewell", "'farewell'"),
        ("    worse: review_worse\n", "", "give a reason for 'worse'"),
        ("remission_days: 182", "remission_days: 0", "remission_days"),
        ("  grace_days: 0\n", "  grace_days: 0\n  grace: 1\n", "grace"),
    ],
)
def test_broken_rules_are_refused(content: Path, old: str, new: str, says: str) -> None:
    replace_once(content / "alerts.yaml", old, new)
    with pytest.raises(ContentError) as caught:
        load_catalog(content)
    assert caught.value.where.split("/")[-1].startswith("alerts.yaml")
    assert says in str(caught.value)
