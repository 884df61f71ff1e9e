"""Terminal conversations: one questionnaire, or the guided session (concerns, questionnaires,
preferences, options, plan). Reads lines from a text stream so it can be driven by a person at
a terminal or by a test; writes nothing to disk unless the person asks for a calendar file.

A positive risk answer prints crisis help before anything else, right after the questionnaire.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from bothand import services
from bothand.catalog import Catalog
from bothand.cli import terminal
from bothand.cli.terminal import (
    render_plan,
    render_recommendation,
    render_safety,
    render_summary,
    wrap,
)
from bothand.contract import dump_plan, dump_safety, parse_day
from bothand.domain.assess.instruments import Instrument
from bothand.domain.assess.safety import assess_safety
from bothand.domain.assess.scoring import Score, parse_answer, score
from bothand.domain.clock import Clock, SystemClock
from bothand.domain.errors import InputError
from bothand.domain.plan.plan import Plan
from bothand.domain.vocab import HISTORY_OUTCOMES, SEVERITIES
from bothand.reports.ics import plan_to_ics
from bothand.services import intake

ICS_NAME = "bothand-plan.ics"


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
        stdout.write(wrap(f"{number}. {label}", "  ", hang=len(str(number)) + 2))
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
) -> list[int | None]:
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
    answers: list[int | None] = []
    total_items = len(instrument.items)
    for index, item in enumerate(instrument.items):
        if item.show == "any_item_above_zero" and not any(answers):
            answers.append(None)  # asked only after an answer above 0 (ASQ question 5)
            continue
        stdout.write("\n" + wrap(f"{index + 1} of {total_items}. {item.text}"))
        for option in instrument.options_for(item):
            stdout.write(wrap(f"{option.value} = {option.text}", "  ", hang=4))
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
        stdout.write("\n" + wrap(extra.text or ""))
        for option in extra.options:
            stdout.write(wrap(f"{option.value} = {option.text or option.value}", "  ", hang=4))
        while True:  # unscored: asked as published (numbered by its values), not kept
            raw = ask("> ", stdin, stdout).casefold()
            if any(
                raw == str(option.value) or (raw and (option.text or "").casefold().startswith(raw))
                for option in extra.options
            ):
                break
            stdout.write("  " + catalog.labels["prompt.invalid"] + "\n")
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


def run_session(
    catalog: Catalog,
    stdin: TextIO,
    stdout: TextIO,
    clock: Clock | None = None,
    folder: Path | None = None,
) -> int:
    """`bothand start`: the whole flow, from "where do you live" to a plan and its summary.

    Crisis help comes first: the country is asked before anything else and its lines shown
    (both countries' when it is neither or not known). Then it asks what the web flow asks,
    in its order: per concern the questionnaire the intake names, or a rating; age and
    history; what matters, the leaning, feelings about medicine and therapy, whether weekly
    therapy is possible now, and the readiness check; then the options, a plan from a start
    date (today by ``clock``), the summary, and an offer to save the plan's calendar file in
    ``folder`` (the current folder by default). One function per step."""
    clock = clock or SystemClock()
    locale = _ask_country(catalog, stdin, stdout)
    concerns = _ask_concerns(catalog, locale, stdin, stdout)
    screen = _ask_risk_screen(catalog, concerns, locale, stdin, stdout)
    answers = _ask_intake(catalog, stdin, stdout)
    if screen is not None:
        answers["risk_screen"] = {"instrument": "asq", "answers": screen}
    values = _ask_values(catalog, stdin, stdout)
    preferences, engage = _ask_feelings(catalog, stdin, stdout)
    if engage is not None:
        answers["able_to_engage_in_therapy"] = engage
    values.sure = _ask_readiness(catalog, stdin, stdout)
    case = {"concerns": concerns, "preferences": preferences, **answers, "locale": locale}
    recommendation = services.recommend(catalog, case)
    stdout.write("\n" + render_recommendation(recommendation, catalog))
    option = _ask_option(catalog, recommendation, stdin, stdout)
    start = _ask_start(catalog, clock, stdin, stdout)
    plan = services.care_plan(catalog, case, option, start)
    stdout.write("\n" + render_plan(dict(dump_plan(plan)), catalog))
    stdout.write(
        "\n" + render_summary(catalog, recommendation, case, values, dict(dump_plan(plan)))
    )
    _offer_calendar(catalog, plan, clock, folder or Path("."), stdin, stdout)
    return 0


# --- crisis help first ---------------------------------------------------------------------

COUNTRIES = (("en-US", "session.country.us"), ("en-GB", "session.country.uk"))


def _ask_country(catalog: Catalog, stdin: TextIO, stdout: TextIO) -> str:
    """Where the person lives, asked before anything else, then that country's help lines;
    "somewhere else, or not sure" shows both countries' lines. No line is shown before the
    answer, so nobody is given another country's numbers first. Returns the case's locale."""
    labels = catalog.labels
    stdout.write(terminal.rule() + "Bothand\n" + wrap(labels["disclaimer"]) + terminal.rule())
    stdout.write("\n" + wrap(labels["session.locale"]))
    choices = [(code, labels[key]) for code, key in COUNTRIES]
    choices.append(("", labels["session.country.other"]))
    picked = choose("> ", choices, stdin, stdout, default="")  # Enter: not sure, so both
    stdout.write("\n")
    for code in [picked] if picked else [code for code, _ in COUNTRIES]:
        entry = catalog.crisis.for_locale(code)
        if not picked:
            stdout.write(entry.region + "\n")
        stdout.write(render_help_line(_safety(catalog, [], code)))
    stdout.write(terminal.rule())
    return picked or "en"


def _ask_concerns(
    catalog: Catalog, locale: str, stdin: TextIO, stdout: TextIO
) -> list[dict[str, Any]]:
    """What is bothering the person, then per concern the intake's questionnaire or a rating."""
    labels = catalog.labels
    conditions = [(info.id, info.name) for info in catalog.explainers.conditions]
    stdout.write("\n" + wrap(labels["session.concerns"]))
    for number, (_, name) in enumerate(conditions, start=1):
        stdout.write(wrap(f"{number}. {name}", "  ", hang=len(str(number)) + 2))
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


def _ask_risk_screen(
    catalog: Catalog,
    concerns: list[dict[str, Any]],
    locale: str,
    stdin: TextIO,
    stdout: TextIO,
) -> list[int | None] | None:
    """The risk screen (the ASQ), asked whatever the concerns unless one of their
    questionnaires already asked about risk (the PHQ-9's item 9), as on the web. A "yes"
    prints crisis help before any further question."""
    instrument = intake.risk_screen_for(catalog, [c["condition"] for c in concerns])
    if instrument is None:
        return None
    stdout.write("\n" + wrap(catalog.labels["flow.risk.title"]))
    answers = administer(instrument, catalog, stdin, stdout)
    result = score(instrument, answers)
    if result.risk_positive:
        stdout.write("\n" + render_safety(_safety(catalog, [result], locale), catalog))
    stdout.write("\n")  # the ASQ has no total to show: what its answers mean
    for rule in instrument.rules:
        if rule.id in result.flags:
            stdout.write(wrap(rule.meaning))
    stdout.write(wrap(instrument.score_means) + wrap(instrument.score_does_not_mean))
    return answers


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


# --- what matters, feelings, readiness (the web's values step) ------------------------------

MATTERS = ("speed", "daily_pill", "skills", "time_cost", "side_effects", "waiting")
MATTER_SCALE = (0, 1, 2, 3)
LEANINGS = ("therapy", "medication", "combined", "unsure")
SURE_AREAS = ("sure", "understand", "risks", "support")


@dataclass
class Values:
    """What the session asked that is not part of the case: it goes to the summary only."""

    matters: dict[str, int] = dataclasses.field(default_factory=dict)
    leaning: str | None = None
    sure: dict[str, str] = dataclasses.field(default_factory=dict)


def _ask_values(catalog: Catalog, stdin: TextIO, stdout: TextIO) -> Values:
    """How much each thing matters (0-3, the web's scale; Enter skips) and the leaning."""
    labels = catalog.labels
    values = Values()
    stdout.write("\n" + labels["flow.values.title"] + "\n" + wrap(labels["flow.values.intro"]))
    stdout.write("\n" + wrap(labels["flow.values.matter_title"]))
    stdout.write(wrap(labels["flow.values.matter_intro"] + " " + labels["session.skip_hint"]))
    scale = [(str(v), labels[f"flow.value.scale_{v}"]) for v in MATTER_SCALE]
    for what in MATTERS:
        stdout.write("\n" + wrap(labels[f"flow.value.{what}"]))
        picked = choose("> ", scale, stdin, stdout, default="")
        if picked:
            values.matters[what] = int(picked)
    stdout.write("\n" + wrap(labels["flow.values.leaning_legend"]))
    stdout.write(wrap(labels["flow.values.optional"] + " " + labels["session.skip_hint"]))
    leanings = [(lean, labels[f"flow.leaning.{lean}"]) for lean in LEANINGS]
    values.leaning = choose("> ", leanings, stdin, stdout, default="") or None
    return values


def _ask_feelings(
    catalog: Catalog, stdin: TextIO, stdout: TextIO
) -> tuple[dict[str, str], bool | None]:
    """How the person feels about medicine and therapy (Enter: open to it), and whether weekly
    therapy is possible now (Enter: yes), when the intake asks it."""
    labels = catalog.labels
    feelings: list[tuple[str, str]] = [
        (f, labels[f"preference.{f}"]) for f in catalog.intake.preferences
    ]
    stdout.write("\n" + labels["flow.values.feel_title"] + "\n")
    stdout.write("\n" + wrap(labels["session.medication_preference"]))
    medication = choose("> ", feelings, stdin, stdout, default="open")
    stdout.write("\n" + wrap(labels["session.therapy_preference"]))
    therapy = choose("> ", feelings, stdin, stdout, default="open")
    engage: bool | None = None
    if "able_to_engage_in_therapy" in catalog.intake.asks:
        stdout.write("\n" + wrap(labels["session.engage"]))
        yes_no = [("yes", labels["answer.yes"]), ("no", labels["answer.no"])]
        engage = choose("> ", yes_no, stdin, stdout, default="yes") == "yes"
    return {"medication": medication, "therapy": therapy}, engage


def _ask_readiness(catalog: Catalog, stdin: TextIO, stdout: TextIO) -> dict[str, str]:
    """The four readiness questions, yes or no; Enter skips one."""
    labels = catalog.labels
    stdout.write("\n" + labels["flow.sure.title_before"] + "\n" + wrap(labels["flow.sure.intro"]))
    yes_no = [("yes", labels["answer.yes"]), ("no", labels["answer.no"])]
    sure: dict[str, str] = {}
    for area in SURE_AREAS:
        stdout.write("\n" + wrap(labels[f"flow.sure.{area}"]))
        picked = choose("> ", yes_no, stdin, stdout, default="")
        if picked:
            sure[area] = picked
    return sure


# --- the plan ------------------------------------------------------------------------------


def _ask_option(
    catalog: Catalog, recommendation: dict[str, Any], stdin: TextIO, stdout: TextIO
) -> str:
    """The option to plan; Enter takes the one the prompt names (the recommendation's plan)."""
    suggested = recommendation["plan"]["option"]
    names = [(option["id"], option["name"]) for option in recommendation["options"]]
    name = dict(names)[suggested]
    stdout.write("\n" + wrap(catalog.labels["session.plan_option"].replace("{option}", name)))
    return choose("> ", names, stdin, stdout, default=suggested)


def _ask_start(catalog: Catalog, clock: Clock, stdin: TextIO, stdout: TextIO) -> dt.date:
    """A start date by the shared rule; Enter is today by the clock (the settings' zone)."""
    labels = catalog.labels
    while True:
        raw = ask(labels["session.plan_start"] + " ", stdin, stdout)
        try:
            return clock.today() if not raw else parse_day(raw, "start date")
        except InputError:  # not a date, or outside the years any plan may start in
            stdout.write("  " + labels["intake.start_error"] + "\n")


def _offer_calendar(
    catalog: Catalog, plan: Plan, clock: Clock, folder: Path, stdin: TextIO, stdout: TextIO
) -> None:
    """Offer the plan's dates as a calendar file (the web's reports code). Enter saves it as
    bothand-plan.ics in ``folder``; "no" skips; an existing file is replaced only after a yes."""
    labels = catalog.labels
    default = folder / ICS_NAME
    stdout.write("\n" + wrap(labels["session.save_ics"].replace("{path}", str(default))))
    while True:
        raw = ask("> ", stdin, stdout)
        if raw.casefold() in ("n", "no"):
            return
        path = default if not raw else folder / Path(raw).expanduser()
        if path.is_dir():
            path = path / ICS_NAME
        if path.exists():
            stdout.write(wrap(labels["session.save_exists"].replace("{path}", str(path))))
            yes_no = [("yes", labels["answer.yes"]), ("no", labels["answer.no"])]
            if choose("> ", yes_no, stdin, stdout, default="no") != "yes":
                stdout.write(wrap(labels["session.save_other"]))
                continue
        try:
            body = plan_to_ics(
                plan,
                stamp=clock.now().astimezone(dt.UTC),
                short_titles=catalog.timeline.short_titles,
            )
            write_file(path, body)
        except OSError as error:
            stdout.write(
                wrap(labels["session.save_failed"].replace("{reason}", str(error.strerror)))
            )
            continue
        stdout.write(wrap(labels["session.saved"].replace("{path}", str(path))))
        return


def write_file(path: Path, data: bytes) -> None:
    """All of ``data`` or nothing: a temporary file in the same folder, then a rename."""
    if not path.parent.is_dir():
        raise FileNotFoundError(2, "that folder does not exist")
    handle, temporary = tempfile.mkstemp(prefix=".bothand-", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


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
