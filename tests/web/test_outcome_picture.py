"""The outcome-picture partial: design, who is counted, published ranges and ratios shown in
words as well as the picture (IPDAS C5, QL6/QL7)."""

from __future__ import annotations

from fastapi import FastAPI

from bothand.catalog import Catalog
from bothand.domain.knowledge.evidence import Figure, Interval


def render(app: FastAPI, catalog: Catalog, figure: Figure) -> str:
    env = app.state.templates.env
    names = {option.id: option.name for option in catalog.explainers.options}
    labels = {s.id: s.id for s in catalog.bibliography.sources}
    return str(
        env.get_template("_outcome_picture.html").render(
            figure=figure, option_names=names, source_labels=labels
        )
    )


def test_the_picture_shows_design_count_and_ratio_range(app: FastAPI, catalog: Catalog) -> None:
    t = catalog.labels.__getitem__
    antler = next(f for f in catalog.evidence.figures if f.id == "depression.relapse_slow_stop")
    html = render(app, catalog, antler)
    assert 'id="figure-depression-relapse-slow-stop"' in html
    assert t("flow.figures.design.trial") in html
    assert antler.denominator in html
    assert "478" in html
    assert "2.06" in html and "1.56" in html and "2.7" in html


def test_a_published_range_is_shown_in_words(app: FastAPI, catalog: Catalog) -> None:
    t = catalog.labels.__getitem__
    figures = catalog.evidence.figures
    hollon = next(f for f in figures if f.id == "depression.relapse_after_stopping")
    arm = hollon.arms[0].model_copy(update={"interval": Interval(low=20, high=45)})
    with_range = hollon.model_copy(update={"arms": (arm, *hollon.arms[1:])})
    html = render(app, catalog, with_range)
    assert f"{t('flow.figures.range')} 20 {t('flow.figures.to')} 45." in html
    assert f"{t('flow.figures.range')}" not in render(app, catalog, hollon)


def test_records_are_labelled_not_a_trial(app: FastAPI, catalog: Catalog) -> None:
    t = catalog.labels.__getitem__
    nhs = next(f for f in catalog.evidence.figures if f.design == "observational")
    html = render(app, catalog, nhs)
    assert t("flow.figures.design.observational") in html
    assert t("flow.figures.design.trial") not in html
