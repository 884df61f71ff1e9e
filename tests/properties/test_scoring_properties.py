"""Properties of scoring that must hold for every instrument and every set of answers."""

from __future__ import annotations

from functools import cache

from hypothesis import given
from hypothesis import strategies as st

from bothand.catalog import CONTENT_DIR, load_instruments
from bothand.domain.assess.instruments import Instrument
from bothand.domain.assess.scoring import score


@cache
def _instruments() -> dict[str, Instrument]:
    instruments, _ = load_instruments(CONTENT_DIR / "instruments", None)
    return instruments


INSTRUMENT_IDS = sorted(_instruments())


@st.composite
def complete_answers(draw: st.DrawFn) -> tuple[Instrument, list[int | None]]:
    instrument = _instruments()[draw(st.sampled_from(INSTRUMENT_IDS))]
    answers: list[int | None] = [draw(st.integers(item.min, item.max)) for item in instrument.items]
    return instrument, answers


@st.composite
def answers_with_allowed_gaps(draw: st.DrawFn) -> tuple[Instrument, list[int | None]]:
    """Answers with up to ``missing.max_missing`` non-risk items left out."""
    instrument, answers = draw(complete_answers())
    can_skip = [index for index, item in enumerate(instrument.items) if not item.risk]
    if not can_skip:  # every item a risk item (the ASQ): nothing may be left out
        return instrument, answers
    skipped = draw(
        st.lists(st.sampled_from(can_skip), max_size=instrument.missing.max_missing, unique=True)
    )
    for index in skipped:
        answers[index] = None
    return instrument, answers


@given(complete_answers())
def test_total_is_within_range(case: tuple[Instrument, list[int | None]]) -> None:
    instrument, answers = case
    result = score(instrument, answers)
    assert result.total is not None
    assert instrument.total_min <= result.total <= instrument.total_max
    assert result.complete and not result.prorated and result.n_missing == 0


@given(complete_answers(), st.data())
def test_total_never_falls_when_one_item_rises(
    case: tuple[Instrument, list[int | None]], data: st.DataObject
) -> None:
    instrument, answers = case
    index = data.draw(st.integers(0, len(answers) - 1))
    item = instrument.items[index]
    value = answers[index]
    assert value is not None
    raised = list(answers)
    raised[index] = data.draw(st.integers(value, item.max))
    before, after = score(instrument, answers), score(instrument, raised)
    assert before.total is not None and after.total is not None
    assert after.total >= before.total
    # A screen that was positive stays positive when an answer rises.
    if before.screen_positive:
        assert after.screen_positive
    for subscale, subtotal in before.subscales.items():
        assert subtotal is not None
        assert (after.subscales[subscale] or 0) >= subtotal


@given(st.lists(st.integers(0, 3), min_size=9, max_size=9))
def test_risk_positive_iff_item9_above_zero(answers: list[int]) -> None:
    result = score(_instruments()["phq9"], list(answers))
    assert bool(result.risk_positive) == (answers[8] > 0)
    assert bool(result.risk_zero) == (answers[8] == 0)
    assert set(result.risk_positive) | set(result.risk_zero) == {"phq9.item9"}


@given(answers_with_allowed_gaps())
def test_prorated_totals_stay_within_range(case: tuple[Instrument, list[int | None]]) -> None:
    instrument, answers = case
    result = score(instrument, answers)
    n_missing = sum(value is None for value in answers)
    assert result.n_missing == n_missing
    if n_missing == 0 or instrument.missing.method == "prorate":
        assert result.total is not None
        assert instrument.total_min <= result.total <= instrument.total_max
        assert result.prorated == (n_missing > 0)
    else:
        assert result.total is None
        assert f"{instrument.id}.incomplete" in result.flags


@given(answers_with_allowed_gaps())
def test_scoring_is_deterministic(case: tuple[Instrument, list[int | None]]) -> None:
    instrument, answers = case
    assert score(instrument, answers) == score(instrument, tuple(answers))
