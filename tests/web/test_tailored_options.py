"""The option cards on /options speak only to this person's concerns (issue 10, item 7): the
text for everyone plus the parts of each statement for the conditions the person chose. A
sentence written for another condition is never shown; a part for their own condition is,
named by it. The /learn pages for everyone keep every part, each named by its conditions."""

from __future__ import annotations

import html as html_lib
import re

from fastapi.testclient import TestClient

from bothand.catalog import Catalog
from bothand.services.wording import short_condition_names
from tests.web.test_flow import MILD, Walk, section

PCL5_MODERATE = [2] * 20  # total 40: above the usual cut-off; item 16 is 2

OTHER_WORDS = {  # the ways a sentence can name a condition besides its own name
    "generalized_anxiety": ("GAD", "generalised anxiety", "generalized anxiety"),
    "panic": ("panic",),
    "social_anxiety": ("social anxiety",),
    "ocd": ("OCD", "obsessive"),
    "ptsd": ("PTSD", "trauma"),
    "bipolar": ("bipolar",),
    "schizophrenia": ("schizophrenia", "psychosis"),
    "adhd": ("ADHD",),
}


def visible_text(markup: str) -> str:
    """The words a person reads: tags and the source lists (names of papers) taken out."""
    markup = re.sub(r'<p class="sources">.*?</p>', " ", markup, flags=re.S)
    return html_lib.unescape(re.sub(r"<[^>]+>", " ", markup))


def cards(page: str) -> str:
    """The folded option cards and the wide table: every option statement on the page."""
    return section(page, '<h2 class="more-title"', '<details class="card figures"')


def names_other_conditions(text: str, catalog: Catalog, own: set[str]) -> list[str]:
    names = short_condition_names(catalog)
    found = []
    for condition, words in OTHER_WORDS.items():
        if condition in own:
            continue
        for word in (*words, names[condition]):
            if re.search(rf"\b{re.escape(word)}", text, re.IGNORECASE):
                found.append(word)
    return found


def options_for_depression(walk: Walk) -> str:
    walk.concerns("depression")
    walk.questionnaire("depression", "phq9", MILD)
    walk.get("/results")
    walk.values()
    return walk.get("/options").text


def options_for_ptsd(walk: Walk) -> str:
    walk.concerns("ptsd")
    walk.questionnaire("ptsd", "pcl5", PCL5_MODERATE)
    walk.asq()
    walk.get("/results")
    assert walk.values().headers["location"] == "/options"
    return walk.get("/options").text


def test_a_depression_only_person_reads_no_sentence_for_another_condition(
    client: TestClient, catalog: Catalog
) -> None:
    page = options_for_depression(Walk(client))
    text = visible_text(cards(page))
    assert not names_other_conditions(text, catalog, {"depression"})
    # ... and every part written for depression is there, named by it.
    for option in catalog.explainers.options:
        for statement in (option.benefits, option.harms, option.what_it_is_like):
            assert statement.text in text
            for part in statement.parts:
                assert (part.text in text) == ("depression" in part.conditions), part.text
    assert "For depression:" in text


def test_the_same_sentences_were_there_before_they_became_parts(catalog: Catalog) -> None:
    # Without the parts the test above would pass on an empty card: the parts for other
    # conditions do exist, and the whole statement names them on the page for everyone.
    every_part = [
        part
        for option in catalog.explainers.options
        for statement in (option.benefits, option.harms, option.what_it_is_like)
        for part in statement.parts
    ]
    covered = {condition for part in every_part for condition in part.conditions}
    assert {"bipolar", "schizophrenia", "ocd", "ptsd", "panic", "social_anxiety"} <= covered


def test_a_ptsd_person_sees_the_ptsd_part_named_and_not_the_depression_parts(
    client: TestClient, catalog: Catalog
) -> None:
    page = options_for_ptsd(Walk(client))
    text = visible_text(cards(page))
    combined = next(o for o in catalog.explainers.options if o.id == "combined")
    ptsd_part = next(p for p in combined.harms.parts if "ptsd" in p.conditions)
    assert f"For PTSD: {ptsd_part.text}" in " ".join(text.split())
    # Named by PTSD alone: the part is also for GAD and social anxiety, not chosen here.
    assert not names_other_conditions(text, catalog, {"ptsd"})
    for part in combined.benefits.parts:  # depression, OCD and panic only
        assert part.text not in text


def test_sources_on_the_card_are_those_of_what_is_shown(
    client: TestClient, catalog: Catalog
) -> None:
    page = options_for_depression(Walk(client))
    card = section(cards(page), 'id="option-medication"', "</details>")
    medication = next(o for o in catalog.explainers.options if o.id == "medication")
    base_of_care = next(p for p in medication.benefits.parts if "bipolar" in p.conditions)
    for source in base_of_care.sources:  # bipolar and schizophrenia only
        assert f'href="/learn/sources#{source}"' not in card
    for source in medication.benefits.sources_for(["depression"]):
        assert f'href="/learn/sources#{source}"' in card
    for source in medication.harms.sources_for(["depression"]):
        assert f'href="/learn/sources#{source}"' in card


def test_the_learn_page_for_everyone_keeps_every_part_named(
    client: TestClient, catalog: Catalog
) -> None:
    names = short_condition_names(catalog)
    for option in catalog.explainers.options:
        text = " ".join(visible_text(client.get(f"/learn/options/{option.id}").text).split())
        for statement in (option.benefits, option.harms, option.what_it_is_like):
            for part in statement.parts:
                assert part.text in text
                for condition in part.conditions:
                    assert names[condition] in text


def test_a_condition_page_shows_only_its_own_parts(client: TestClient, catalog: Catalog) -> None:
    text = " ".join(visible_text(client.get("/learn/depression").text).split())
    combined = next(o for o in catalog.explainers.options if o.id == "combined")
    assert f"For depression: {combined.benefits.parts[0].text}" in text
    for part in combined.harms.parts:  # GAD, social anxiety and PTSD
        assert part.text not in text


# --- kept once: what the page no longer repeats (its weight, issue 10 item 10) ------------------


def test_the_icon_arrays_share_one_copy_of_their_patterns(
    client: TestClient, catalog: Catalog
) -> None:
    page = options_for_depression(Walk(client))
    arrays = re.findall(r'<svg class="icon-array".*?</svg>', page, re.S)
    assert len(arrays) > 6  # the comparison's small pictures and the figures
    assert page.count('<pattern id="ia-dot"') == 1 and page.count('<pattern id="ia-ring"') == 1
    assert page.index('class="icon-patterns"') < page.index('class="icon-array"')
    for svg in arrays:
        assert "<pattern" not in svg
        assert re.search(r'fill="url\(#ia-(dot|ring)\)"', svg)


def test_the_wide_table_leaves_the_sources_to_the_cards(client: TestClient) -> None:
    page = options_for_depression(Walk(client))
    table = section(page, '<table class="compare">', "</table>")
    assert 'class="sources"' not in table
    for option in ("therapy", "medication", "combined"):
        card = section(page, f'id="option-{option}"', "</details>")
        assert card.count('class="sources"') >= 3  # benefits, harms, what it is like
