"""Evidence figures: every condition and option is covered, and gaps are told honestly.

Each of the 9 conditions x 6 options must appear in at least one figure arm, relative finding
or gap. A gap must name exactly the options of its condition that no figure arm covers, so a
figure cannot be added without the gap being updated, and no option is left silent.
"""

from __future__ import annotations

import re
from functools import cache

import pytest

from bothand.catalog import CONTENT_DIR, parse, read_yaml
from bothand.domain.knowledge.base import iter_source_ids
from bothand.domain.knowledge.evidence import Evidence
from bothand.domain.knowledge.sources import Bibliography
from bothand.domain.vocab import CONDITIONS, OPTION_IDS

PAIRS = [(condition, option) for condition in CONDITIONS for option in OPTION_IDS]


@cache
def evidence() -> Evidence:
    path = CONTENT_DIR / "evidence.yaml"
    return parse(Evidence, read_yaml(path), str(path))


@cache
def bibliography() -> Bibliography:
    path = CONTENT_DIR / "sources.yaml"
    return parse(Bibliography, read_yaml(path), str(path))


def _with_figure(condition: str) -> set[str]:
    return {
        arm.option
        for figure in evidence().figures
        if figure.condition == condition
        for arm in figure.arms
    }


@pytest.mark.parametrize(("condition", "option"), PAIRS)
def test_every_condition_and_option_is_covered(condition: str, option: str) -> None:
    ev = evidence()
    covered = (
        option in _with_figure(condition)
        or any(r.condition == condition and option in r.options for r in ev.relative)
        or any(g.condition == condition and option in g.options for g in ev.gaps)
    )
    assert covered, f"{condition} / {option}: no figure arm, relative finding or gap"


@pytest.mark.parametrize("condition", CONDITIONS)
def test_gaps_name_exactly_the_options_without_a_figure(condition: str) -> None:
    gaps = [gap for gap in evidence().gaps if gap.condition == condition]
    assert len(gaps) == 1, f"{condition}: expected one gap entry, found {len(gaps)}"
    expected = set(OPTION_IDS) - _with_figure(condition)
    assert set(gaps[0].options) == expected


@pytest.mark.parametrize("condition", CONDITIONS)
def test_gap_statements_say_plainly_that_no_figure_was_found(condition: str) -> None:
    (gap,) = [gap for gap in evidence().gaps if gap.condition == condition]
    assert re.search(r"\bno trustworthy\b.*\bfigure\b.*\byet\b", gap.statement.text)


def test_relative_findings_are_told_as_comparisons_not_chances() -> None:
    # A ratio told as a chance ("25 out of 100 more") is the error this file must not make.
    for finding in evidence().relative:
        assert "out of 100" not in finding.statement.text, finding.id


def test_figure_and_finding_ids_are_unique() -> None:
    ids = [f.id for f in evidence().figures] + [r.id for r in evidence().relative]
    assert len(ids) == len(set(ids))


def test_figures_name_their_group_time_and_uncertainty() -> None:
    for figure in evidence().figures:
        assert figure.per == 100, figure.id
        assert figure.id.startswith(f"{figure.condition}."), figure.id
        assert len({arm.label for arm in figure.arms}) == len(figure.arms), figure.id
        for field in (figure.reference_group, figure.time_frame, figure.uncertainty):
            assert len(field.split()) >= 2, figure.id


def test_every_source_id_is_in_the_bibliography() -> None:
    known = {source.id for source in bibliography().sources}
    unknown = [(where, sid) for where, sid in iter_source_ids(evidence()) if sid not in known]
    assert not unknown, unknown
