"""Plans and option cards say the same thing where they describe the same thing.

Session counts live in one place, the ``courses`` of ``timeline.yaml``: that is what a plan
says ("Course length: about 6 to 8 sessions"). The option cards (``explainers/options.yaml``)
and the therapy pages (``explainers/treatments.yaml``) may give a count only where it agrees
with a course the plan can name for that therapy (and, when the sentence names a condition,
for that condition). A page that says the sources give no number needs a plan that gives
none either. And the therapy a PTSD plan names is the trauma-focused therapy the options and
the glossary speak of.

The counts are read from sentences that speak of sessions: "6 to 8" must be a course's range,
"at least 16" or "16 or more" a course's open range, and a lone "about 8" must fall in a
course's range. Numbers of minutes, weeks, months or years are not session counts.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator
from typing import NamedTuple

import pytest

from bothand.catalog import Catalog
from bothand.domain.plan.plan import SEVERITIES_OR_UNRATED, PlanRequest
from bothand.domain.plan.planner import build_plan
from bothand.domain.plan.timeline import Course, Timeline
from bothand.domain.vocab import CONDITIONS

AGES = (4, 10, 16, 30, 70)  # one in each age band the content tests

# Words that name a condition in a sentence (lower case).
CONDITION_WORDS = {
    "depression": "depression",
    "worry": "generalized_anxiety",
    "generalized anxiety": "generalized_anxiety",
    "social anxiety": "social_anxiety",
    "panic": "panic",
    "ocd": "ocd",
    "trauma": "ptsd",
    "ptsd": "ptsd",
    "psychosis": "schizophrenia",
    "schizophrenia": "schizophrenia",
    "bipolar": "bipolar",
    "adhd": "adhd",
}
NOT_SESSIONS = re.compile(
    r"\b\d+(?: to \d+)? (?:short )?(?:minutes?|hours?|weeks?|months?|years?|in \d+|out of)\b"
)
OPEN_RANGE = re.compile(r"\bat least (\d+)\b|\b(\d+) or more\b")
RANGE = re.compile(r"\b(\d+) to (\d+)\b")
SINGLE = re.compile(r"\b(\d+)\b")
NO_NUMBER = re.compile(
    r"(do not|does not|don't) give (a set|exact|a standard|any)? ?(number|session)"
    r"|no (standard|set|exact) number"
)

Count = tuple[int, int | None] | int  # a range, an open range (high None), or one number


class Reached(NamedTuple):
    condition: str
    course: Course


def reachable(timeline: Timeline) -> dict[str, list[Reached]]:
    """Per therapy, the courses a plan for one concern can name, with the condition."""
    found: dict[str, list[Reached]] = defaultdict(list)
    for condition in CONDITIONS:
        for severity in SEVERITIES_OR_UNRATED:
            for age in AGES:
                facts = {"condition": condition, "severity": severity, "age": age}
                therapy = next(
                    row.therapy for row in timeline.therapy_choice if row.when.holds(facts)
                )
                course = next(
                    c for c in timeline.courses if c.therapy == therapy and c.when.holds(facts)
                )
                if Reached(condition, course) not in found[therapy]:
                    found[therapy].append(Reached(condition, course))
    return found


def sentences(text: str) -> Iterator[str]:
    yield from (s for s in re.split(r"(?<=[.!?])\s+", text) if "session" in s.lower())


def counts(sentence: str) -> list[Count]:
    """The session counts a sentence states."""
    rest = NOT_SESSIONS.sub(" ", sentence.lower())
    found: list[Count] = []
    for match in OPEN_RANGE.finditer(rest):
        found.append((int(match.group(1) or match.group(2)), None))
    rest = OPEN_RANGE.sub(" ", rest)
    for match in RANGE.finditer(rest):
        found.append((int(match.group(1)), int(match.group(2))))
    rest = RANGE.sub(" ", rest)
    found.extend(int(number) for number in SINGLE.findall(rest))
    return found


def conditions_named(sentence: str) -> set[str]:
    lower = sentence.lower()
    named = {c for word, c in CONDITION_WORDS.items() if re.search(rf"\b{word}\b", lower)}
    if "social_anxiety" in named and "generalized anxiety" not in lower:
        named.discard("generalized_anxiety")
    return named


def agrees(count: Count, course: Course) -> bool:
    if course.sessions is None:
        return False
    low, high = course.sessions
    if isinstance(count, int):
        return low <= count and (high is None or count <= high)
    return count == (low, high)


def check_sentence(sentence: str, courses: list[Reached]) -> list[str]:
    """What in ``sentence`` disagrees with the courses the plan can name."""
    named = conditions_named(sentence)
    allowed = [r.course for r in courses if not named or r.condition in named]
    if named and not allowed:
        return []  # the plan never names this therapy for that condition: nothing to contradict
    return [
        f"{count!r} in {sentence!r}"
        for count in counts(sentence)
        if not any(agrees(count, course) for course in allowed)
    ]


# --- the reader itself ------------------------------------------------------------------------


def test_counts_are_read_as_a_person_reads_them() -> None:
    assert counts("Often 8 to 12 sessions, over 3 to 4 months.") == [(8, 12)]
    assert counts("Often at least 16 sessions.") == [(16, None)]
    assert counts("16 or more sessions") == [(16, None)]
    assert counts("Group CBT is often about 8 sessions of 90 minutes.") == [8]
    assert conditions_named("For social anxiety, up to 9 sessions.") == {"social_anxiety"}
    assert conditions_named("For worry, about 5 to 7 short sessions.") == {"generalized_anxiety"}


def test_a_contradiction_is_found(catalog: Catalog) -> None:
    """The card's old words beside a plan that names 6 to 8 sessions of guided self-help."""
    courses = reachable(catalog.timeline)["guided_self_help"]
    assert check_sentence("For depression, guided self-help is 10 to 12 sessions.", courses)
    assert not check_sentence("For depression, usually 6 to 8 sessions.", courses)


# --- the content --------------------------------------------------------------------------------


def test_the_therapy_pages_agree_with_the_plans(catalog: Catalog) -> None:
    courses = reachable(catalog.timeline)
    wrong = []
    for treatment in catalog.explainers.treatments:
        if treatment.kind != "therapy" or treatment.id not in courses:
            continue  # a plan never names it, so its page cannot contradict a plan
        for sentence in sentences(treatment.typical_course.text):
            wrong += [
                f"{treatment.id}: {w}" for w in check_sentence(sentence, courses[treatment.id])
            ]
    assert not wrong


def test_a_page_without_a_number_means_a_plan_without_one(catalog: Catalog) -> None:
    courses = reachable(catalog.timeline)
    checked = 0
    for treatment in catalog.explainers.treatments:
        if treatment.id not in courses or not NO_NUMBER.search(treatment.typical_course.text):
            continue
        checked += 1
        numbered = [r for r in courses[treatment.id] if r.course.sessions is not None]
        assert not numbered, f"{treatment.id}: its page gives no number, its plans do"
    assert checked >= 3  # ERP, behavioural activation, bipolar education and others


def test_the_option_cards_agree_with_the_plans(catalog: Catalog) -> None:
    timeline = catalog.timeline
    courses = reachable(timeline)
    names = {
        **{name.lower(): therapy for therapy, name in timeline.therapy_names.items()},
        **{t.name.lower(): t.id for t in catalog.explainers.treatments if t.id in courses},
    }
    every = [r for found in courses.values() for r in found]
    wrong = []
    stated = 0
    for option in catalog.explainers.options:
        for statement in (option.benefits, option.harms, option.what_it_is_like):
            texts = [statement.text, *(part.text for part in statement.parts)]
            for sentence in (s for text in texts for s in sentences(text)):
                therapies = {t for name, t in names.items() if name in sentence.lower()}
                allowed = [r for t in therapies for r in courses[t]] if therapies else every
                stated += len(counts(sentence))
                wrong += [f"{option.id}: {w}" for w in check_sentence(sentence, allowed)]
    assert not wrong
    assert stated >= 1  # the therapy card states the guided self-help course


@pytest.mark.parametrize("severity", ["mild", "moderate", "severe", "unrated"])
def test_ptsd_plans_name_the_trauma_focused_therapy_of_the_options(
    catalog: Catalog, severity: str
) -> None:
    """NG116: trauma-focused therapy first; the option reason and the glossary call it that,
    and so does the plan (not plain "CBT")."""
    terms = {term.id: term.term.lower() for term in catalog.explainers.terms}
    name = terms["term.trauma_focused_therapy"]
    reasons = {reason.id: reason.text for reason in catalog.rules.reasons}
    assert "trauma" in reasons["reason.ptsd.trauma_focused_first"].lower()
    request = PlanRequest.model_validate(
        {"option": "therapy", "concerns": [("ptsd", severity)], "age": 30, "at_risk": False}
    )
    plan = build_plan(catalog.timeline, request)
    start = next(m for m in plan.milestones if m.id == "milestone.therapy_start")
    assert name in start.text.lower()
    assert "CBT" not in start.text


def test_the_therapy_card_names_the_short_courses_plans_give(catalog: Catalog) -> None:
    """A plan for milder depression names guided self-help, 6 to 8 sessions (NG222 table 1);
    a therapy card that speaks only of a session each week for months contradicts it. Each
    short course (8 sessions or fewer) a plan can name is named on the card with its count."""
    timeline = catalog.timeline
    card = next(o for o in catalog.explainers.options if o.id == "therapy")
    # What a person with depression reads: the text for everyone and the depression parts.
    said = [
        s
        for statement in (card.harms, card.what_it_is_like)
        for text in (statement.text, *(p.text for p in statement.parts_for(["depression"])))
        for s in sentences(text)
    ]
    checked = 0
    for therapy, found in reachable(timeline).items():
        for reached in found:
            sessions = reached.course.sessions
            if sessions is None or sessions[1] is None or sessions[1] > 8:
                continue
            if reached.condition != "depression":
                continue  # the card speaks of depression's course; others are on their pages
            checked += 1
            name = timeline.therapy_names[therapy].lower()
            assert any(name in s.lower() and sessions in counts(s) for s in said), (
                f"the therapy card does not give {name}'s {sessions[0]} to {sessions[1]} sessions"
            )
    assert checked
