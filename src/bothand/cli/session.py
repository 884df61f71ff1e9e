"""Terminal conversations: one questionnaire, or the guided session (concerns, questionnaires,
preferences, options, plan). Reads lines from a text stream so it can be driven by a person at
a terminal or by a test; writes nothing to disk unless the person asks for a calendar file.

A positive risk answer prints crisis help before anything else, right after the questionnaire.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, TextIO

from bothand import services
from bothand.catalog import Catalog
from bothand.cli.terminal import WIDTH, render_plan, render_recommendation, render_safety, wrap
from bothand.contract import dump_plan, dump_safety, parse_day
from bothand.domain.assess.instruments import Instrument
from bothand.domain.assess.safety import assess_safety
from bothand.domain.assess.scoring import Score, parse_answer, score
from bothand.domain.errors import InputError
from bothand.domain.vocab import HISTORY_OUTCOMES, SEVERITIES
from bothand.services import intake


def ask(prompt: str, stdin: TextIO, stdout: TextIO) -> str:
    """One line of input; the end of input is bad input (exit status 2), not a crash."""
    stdout.write(prompt)
    stdout.flush()
    line = stdin.readline()
    if not line:
        raise InputError(
            "stdin", "input ended before the questions were finished; nothing was saved"
        )
    return line.strip()


def choose(
    prompt: str,
    choices: list[tuple[str, str]],
    stdin: TextIO,
    stdout: TextIO,
    default: str | None = None,
) -> str:
    """Pick one of ``choices`` (value, label) by number or by the start of its label."""
    for number, (_, label) in enumerate(choices, start=1):
        stdout.write(f"  {number}. {label}\n")
    while True:
        raw = ask(prompt, stdin, stdout).lower()
        if not raw and default is not None:
            return default
        if _is_number(raw) and 1 <= int(raw) <= len(choices):
            return choices[int(raw) - 1][0]
        matches = [value for value, label in choices if raw and label.lower().startswith(raw)]
        if len(matches) == 1:
            return matches[0]
        stdout.write(f"  Please type a number from 1 to {len(choices)}.\n")


def administer(
    instrument: Instrument, catalog: Catalog, stdin: TextIO, stdout: TextIO
) -> list[int]:
    """Ask every item of ``instrument`` in order, as published, and return the answers."""
    if not instrument.has_wording:
        reason = catalog.unavailable.get(instrument.id, "its wording is not available")
        raise InputError("instrument", f"{instrument.id} cannot be asked here: {reason}")
    stdout.write("\n" + instrument.name + "\n")
    stdout.write(wrap(instrument.about))
    if instrument.instructions:
        stdout.write("\n" + wrap(instrument.instructions))
    if instrument.lead_in:
        stdout.write(wrap(instrument.lead_in))
    answers: list[int] = []
    total_items = len(instrument.items)
    for index, item in enumerate(instrument.items):
        stdout.write(f"\n{index + 1} of {total_items}. {item.text}\n")
        for option in instrument.options_for(item):
            stdout.write(f"  {option.value} = {option.text}\n")
        while True:
            raw = ask("> ", stdin, stdout)
            try:
                answers.append(parse_answer(instrument, index, raw))
                break
            except InputError:
                stdout.write("  " + catalog.labels["prompt.invalid"] + "\n")
    for extra in instrument.extra_items:
        if extra.show == "any_item_above_zero" and not any(answers):
            continue
        stdout.write(f"\n{extra.text}\n")
        labels = [(str(option.value), option.text or str(option.value)) for option in extra.options]
        choose("> ", labels, stdin, stdout)  # unscored: asked as published, not kept
    return answers


def render_score(result: Score, instrument: Instrument, catalog: Catalog) -> str:
    labels = catalog.labels
    total = "-" if result.total is None else str(result.total)
    out = f"\n{labels['score.total']}: {total} (of {instrument.total_max})"
    out += f", {result.band}\n" if result.band else "\n"
    if result.prorated:
        out += wrap(labels["score.prorated"])
    band = instrument.band_for(result.total) if result.total is not None else None
    if band is not None:
        out += wrap(band.meaning)
    for rule in instrument.rules:
        if rule.id in result.flags or (instrument.screen is rule and result.screen_positive):
            out += wrap(rule.meaning)
    out += wrap(instrument.score_means) + wrap(instrument.score_does_not_mean)
    return out


def run_questionnaire(
    catalog: Catalog, instrument_id: str, locale: str, stdin: TextIO, stdout: TextIO
) -> int:
    """`bothand questionnaire ID`: ask, score, and show the result — crisis help first if needed."""
    instrument = catalog.instruments.get(instrument_id)
    if instrument is None:
        known = ", ".join(sorted(catalog.instruments))
        raise InputError(
            "INSTRUMENT", f"'{instrument_id}' is not an instrument; use one of {known}"
        )
    answers = administer(instrument, catalog, stdin, stdout)
    result = score(instrument, answers)
    safety = _safety(catalog, [result], locale)
    stdout.write("\n" + render_safety(safety, catalog))
    stdout.write(render_score(result, instrument, catalog))
    for note in safety["notes"]:
        stdout.write(wrap(note))
    if not safety["urgent"]:
        stdout.write("\n" + render_help_line(safety))
    stdout.write("\n" + wrap(catalog.labels["disclaimer"]))
    return 0


def _safety(catalog: Catalog, scores: list[Score], locale: str) -> dict[str, Any]:
    """The safety result of these scores, as the contract gives it (plain data)."""
    return dict(dump_safety(catalog, assess_safety(scores, catalog.crisis.for_locale(locale))))


def render_help_line(safety: dict[str, Any]) -> str:
    out = wrap(safety["message"])
    resources: list[dict[str, str]] = safety["resources"]
    for resource in resources:
        out += wrap(f"{resource['name']}: {resource['contact']}", "  ")
    return out


def run_session(catalog: Catalog, stdin: TextIO, stdout: TextIO) -> int:
    """`bothand start`: the whole flow, from "what is bothering you" to a plan.

    It asks what the intake (content/intake.yaml) asks, as the web flow does: per concern the
    questionnaire the intake names, or a rating; then age and history; then preferences and
    whether weekly therapy is possible now."""
    labels = catalog.labels
    stdout.write("=" * WIDTH + "\nBothand\n" + wrap(labels["disclaimer"]))
    stdout.write(render_help_line(_safety(catalog, [], "en")))
    stdout.write("=" * WIDTH + "\n")
    locale = choose(
        labels["session.locale"] + " ",
        [("en-US", "United States"), ("en-GB", "United Kingdom")],
        stdin,
        stdout,
        default="en-US",
    )
    concerns = _ask_concerns(catalog, locale, stdin, stdout)
    answers = _ask_intake(catalog, stdin, stdout)
    preference_choices = [
        ("open", labels["preference.open"]),
        ("prefer_to_avoid", labels["preference.prefer_to_avoid"]),
        ("unsure", labels["preference.unsure"]),
    ]
    stdout.write("\n" + wrap(labels["session.medication_preference"]))
    medication = choose("> ", preference_choices, stdin, stdout, default="open")
    stdout.write("\n" + wrap(labels["session.therapy_preference"]))
    therapy = choose("> ", preference_choices, stdin, stdout, default="open")
    if "able_to_engage_in_therapy" in catalog.intake.asks:
        stdout.write("\n" + wrap(labels["session.engage"]))
        engage = choose(
            "> ",
            [("yes", labels["answer.yes"]), ("no", labels["answer.no"])],
            stdin,
            stdout,
            default="yes",
        )
        answers["able_to_engage_in_therapy"] = engage == "yes"
    case = {
        "concerns": concerns,
        "preferences": {"medication": medication, "therapy": therapy},
        **answers,
        "locale": locale,
    }
    recommendation = services.recommend(catalog, case)
    stdout.write("\n" + render_recommendation(recommendation, catalog))
    names = [(option["id"], option["name"]) for option in recommendation["options"]]
    stdout.write("\n" + wrap(labels["session.plan_option"]))
    option = choose("> ", names, stdin, stdout, default=recommendation["plan"]["option"])
    while True:
        raw_start = ask(labels["session.plan_start"] + " ", stdin, stdout)
        try:
            start = dt.date.today() if not raw_start else parse_day(raw_start, "start date")
            break
        except InputError:  # not a date, or outside the years any plan may start in
            stdout.write("  " + labels["intake.start_error"] + "\n")
    plan = services.care_plan(catalog, case, option, start)
    stdout.write("\n" + render_plan(dict(dump_plan(plan)), catalog))
    return 0


def _ask_concerns(
    catalog: Catalog, locale: str, stdin: TextIO, stdout: TextIO
) -> list[dict[str, Any]]:
    """What is bothering the person, then per concern the intake's questionnaire or a rating."""
    labels = catalog.labels
    conditions = [(info.id, info.name) for info in catalog.explainers.conditions]
    stdout.write("\n" + wrap(labels["session.concerns"]))
    for number, (_, name) in enumerate(conditions, start=1):
        stdout.write(f"  {number}. {name}\n")
    chosen = _pick_many(labels["session.concerns_prompt"] + " ", len(conditions), stdin, stdout)
    concerns: list[dict[str, Any]] = []
    for number in chosen:
        condition_id, name = conditions[number - 1]
        instrument = intake.questionnaire_for(catalog, condition_id)
        if instrument is not None:
            answers = administer(instrument, catalog, stdin, stdout)
            result = score(instrument, answers)
            if result.risk_positive:  # crisis help first, before any further question
                stdout.write("\n" + render_safety(_safety(catalog, [result], locale), catalog))
            stdout.write(render_score(result, instrument, catalog))
            concerns.append(
                {"condition": condition_id, "instrument": instrument.id, "answers": answers}
            )
        else:
            stdout.write("\n" + wrap(labels["session.severity"].replace("{condition}", name)))
            severities = [(s, labels[f"severity.{s}"]) for s in SEVERITIES] + [
                ("", labels["session.not_sure"])
            ]
            severity = choose("> ", severities, stdin, stdout, default="")
            concerns.append(
                {"condition": condition_id, **({"severity": severity} if severity else {})}
            )
    return concerns


def _ask_intake(catalog: Catalog, stdin: TextIO, stdout: TextIO) -> dict[str, Any]:
    """Age and history, as the intake lists them and in its order; each can be skipped (Enter),
    and a skipped answer stays out of the case. Whether weekly therapy is possible now is asked
    later, beside the preferences, as the session always has."""
    labels = catalog.labels
    fields = [field for field in catalog.intake.asks if field != "able_to_engage_in_therapy"]
    answers: dict[str, Any] = {}
    if not fields:
        return answers
    stdout.write("\n" + labels["intake.title"] + "\n")
    stdout.write(wrap(labels["intake.lead"] + " " + labels["intake.skip_hint"]))
    history: dict[str, Any] = {}
    for field in fields:
        if field == "age":
            age = _ask_age(catalog, stdin, stdout)
            if age is not None:
                answers["age"] = age
        elif field == "history.previous_episodes":
            stdout.write("\n" + wrap(labels["intake.episodes"]))
            stdout.write(wrap(labels["intake.episodes_hint"]))
            episodes = [
                (str(choice.value), labels[choice.label])
                for choice in catalog.intake.previous_episodes
            ]
            picked = choose("> ", episodes, stdin, stdout, default="")
            if picked:
                history["previous_episodes"] = int(picked)
        else:  # history.medication, history.therapy: what happened when it was tried
            kind = field.removeprefix("history.")
            stdout.write("\n" + wrap(labels[f"intake.history.{kind}"]))
            outcomes: list[tuple[str, str]] = [
                (value, labels[f"intake.history.{value}"]) for value in HISTORY_OUTCOMES
            ]
            outcome = choose("> ", outcomes, stdin, stdout, default="")
            if outcome:
                history[kind] = outcome
    if history:
        answers["history"] = history
    return answers


def _ask_age(catalog: Catalog, stdin: TextIO, stdout: TextIO) -> int | None:
    """Whole years within the intake's range, or None ("I would rather not say", or Enter)."""
    labels = catalog.labels
    question = catalog.intake.age
    unsaid = labels[question.unsaid]
    stdout.write("\n" + wrap(labels[question.label]))
    stdout.write(wrap(labels["intake.age_hint"]))
    stdout.write(wrap(labels["intake.age_prompt"]))
    while True:
        raw = ask("> ", stdin, stdout)
        folded = " ".join(raw.split()).casefold()
        if unsaid.casefold().startswith(folded):  # Enter, or the start of "I would rather..."
            return None
        if _is_number(folded) and question.low <= int(folded) <= question.high:
            return int(folded)
        stdout.write("  " + labels["intake.age_error"] + "\n")


def _pick_many(prompt: str, count: int, stdin: TextIO, stdout: TextIO) -> list[int]:
    while True:
        raw = ask(prompt, stdin, stdout)
        parts = [part.strip() for part in raw.replace(" ", ",").split(",") if part.strip()]
        if parts and all(_is_number(p) and 1 <= int(p) <= count for p in parts):
            return sorted(set(int(p) for p in parts))
        stdout.write(f"  Please type one or more numbers from 1 to {count}, like 1,3.\n")


def _is_number(text: str) -> bool:
    """Plain digits only, and few of them: ``²`` or 5,000 digits are not a number here."""
    return text.isascii() and text.isdigit() and len(text) <= 4


__all__ = ["run_questionnaire", "run_session"]
