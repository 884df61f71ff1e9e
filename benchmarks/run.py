"""Throughput of the native path against a FHIRPath baseline, side by side in one process.

    .venv/bin/python benchmarks/run.py [--cases N] [--repeat R] [--seed S] [--profile]

- pipeline: ``bothand.services.run(catalog, case)`` for every case: parse, score, safety,
  decide, plan — the "score + decide + plan" of the target. The rule book and the timeline are
  compiled into lookup tables once per loaded catalog (timed separately, like loading the
  content); nothing about a case is memoised. Two rows are shown: *cold*, with every memo of
  earlier cases cleared before each timed run (``services.clear_memos``; none is kept today),
  and *warm*, without clearing it;
- native: ``bothand.recommend(catalog, case)``: the pipeline plus building the contract's
  JSON-ready response (options, reasons, trace, plan milestones);
- native score only: ``bothand.domain.assess.scoring.score`` for every concern given as answers;
- baseline: the SDC ``calculatedExpression`` sum evaluated by fhirpathpy on a prebuilt
  QuestionnaireResponse for every concern given as answers (see fhir_baseline.py).

Before timing, every total is checked: the native total must equal the FHIRPath sum for every
complete form; for a form with an item unanswered, the FHIRPath sum must equal the sum of the
answered items and the native (prorated) total must equal that sum scaled to the full form,
rounded half up. Any disagreement aborts the run. The paths then run R times each, in a
rotating order so they share the machine's noise, and the medians are reported.

The process is single-threaded; where the OS allows it, it is pinned to one CPU.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import gc
import os
import platform
import pstats
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bothand import Catalog, load_catalog, recommend, services
from bothand.domain.assess.instruments import Instrument
from bothand.domain.assess.scoring import score
from cases import DEFAULT_SEED, generate
from fhir_baseline import TOTAL_EXPRESSION, compile_total, questionnaire_response

TARGET = 20_000  # complete cases per second on one core, native path


@dataclass(frozen=True)
class Form:
    """One concern given as answers: where it is, and its QuestionnaireResponse."""

    case: int
    concern: int
    instrument: Instrument
    answers: list[int | None]
    response: dict[str, Any]


def forms_of(catalog: Catalog, cases: Sequence[dict[str, Any]]) -> list[Form]:
    forms = []
    for i, case in enumerate(cases):
        for j, concern in enumerate(case["concerns"]):
            if "instrument" in concern:
                instrument = catalog.instruments[concern["instrument"]]
                answers = concern["answers"]
                response = questionnaire_response(instrument, answers)
                forms.append(Form(i, j, instrument, answers, response))
    return forms


# --- the three paths -----------------------------------------------------------------------
# The timed loops keep nothing: holding 10,000 full responses alive makes the garbage
# collector walk them again and again, which cost the native path up to half its speed.


def native(catalog: Catalog, cases: Sequence[dict[str, Any]]) -> None:
    for case in cases:
        recommend(catalog, case)


def pipeline(catalog: Catalog, cases: Sequence[dict[str, Any]]) -> None:
    for case in cases:
        services.run(catalog, case)


def pipeline_cold(catalog: Catalog, cases: Sequence[dict[str, Any]]) -> None:
    services.clear_memos()
    pipeline(catalog, cases)


def score_only(forms: Sequence[Form]) -> None:
    for form in forms:
        score(form.instrument, form.answers)


def baseline(total: Callable[[dict[str, Any]], int | None], forms: Sequence[Form]) -> None:
    for form in forms:
        total(form.response)


# --- agreement -----------------------------------------------------------------------------


def round_half_up(numerator: int, denominator: int) -> int:
    return (2 * numerator + denominator) // (2 * denominator)


def disagreements(
    forms: Sequence[Form], assessments: Sequence[list[dict[str, Any]]], fhir: Sequence[int | None]
) -> tuple[list[str], int, int]:
    """Problems found, and how many complete and incomplete forms were checked."""
    problems: list[str] = []
    complete = incomplete = 0
    for form, fhir_total in zip(forms, fhir, strict=True):
        assessment = assessments[form.case][form.concern]
        native_total = assessment["total"]
        pairs = zip(form.instrument.items, form.answers, strict=True)
        in_total = [value for item, value in pairs if item.in_total]
        answered = [value for value in in_total if value is not None]
        where = f"case {form.case} concern {form.concern} {form.instrument.id} {form.answers}"
        if None not in form.answers:
            complete += 1
            if native_total != fhir_total or assessment["complete"] is not True:
                problems.append(f"{where}: native total {native_total}, FHIRPath sum {fhir_total}")
            continue
        incomplete += 1
        if fhir_total != sum(answered):
            problems.append(f"{where}: FHIRPath sum {fhir_total}, answered items {sum(answered)}")
        elif assessment["prorated"]:
            scaled = round_half_up(sum(answered) * len(in_total), len(answered))
            if native_total != scaled:
                problems.append(
                    f"{where}: native prorated total {native_total}, FHIRPath sum "
                    f"{fhir_total} scaled to {len(in_total)} items = {scaled}"
                )
        elif native_total is not None:
            problems.append(f"{where}: native total {native_total} for an unscorable form")
    return problems, complete, incomplete


# --- timing and reporting ------------------------------------------------------------------


def timed(run: Callable[[], object]) -> float:
    gc.collect()
    start = time.perf_counter()
    run()
    return time.perf_counter() - start


def pin_one_core() -> str:
    if not hasattr(os, "sched_setaffinity"):
        return "not pinned (no sched_setaffinity)"
    cpu = min(os.sched_getaffinity(0))
    os.sched_setaffinity(0, {cpu})
    return f"pinned to CPU {cpu}"


def machine() -> str:
    model = "unknown CPU"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return f"{model}; nproc {os.cpu_count()}; Python {platform.python_version()}"


def table(n_cases: int, n_complete: int, n_forms: int, times: dict[str, list[float]]) -> str:
    rows = [
        ("cold", "pipeline `run()`, memo cold: parse, score, safety, decide, plan"),
        ("complete", "the same, memo cold, only the cases with every answer given"),
        ("warm", "pipeline `run()`, memo warm (the same, no memo cleared)"),
        ("native", "`recommend()`: the pipeline + the contract's JSON-ready response"),
        ("score", "native score only: `scoring.score()` per answered form"),
        ("baseline", f"FHIRPath baseline: `{TOTAL_EXPRESSION}` per form"),
    ]
    base_rate = n_cases / statistics.median(times["baseline"])
    lines = [
        "| Path | Median time (s) | Cases/s (median) | Cases/s (range) | Forms/s | ÷ baseline |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for key, label in rows:
        median = statistics.median(times[key])
        count = n_complete if key == "complete" else n_cases
        rate = count / median
        spread = f"{count / max(times[key]):,.0f}–{count / min(times[key]):,.0f}"
        forms = f"{n_forms / median:,.0f}" if key in ("score", "baseline") else "—"
        ratio = rate / base_rate
        lines.append(f"| {label} | {median:.3f} | {rate:,.0f} | {spread} | {forms} | {ratio:.2f} |")
    return "\n".join(lines)


def profile(catalog: Catalog, cases: Sequence[dict[str, Any]], top: int) -> None:
    profiler = cProfile.Profile()
    profiler.enable()
    native(catalog, cases)
    profiler.disable()
    for key in ("tottime", "cumulative"):
        print(f"\n### cProfile of the native path, top {top} by {key}\n")
        stats = pstats.Stats(profiler, stream=sys.stdout)
        stats.strip_dirs().sort_stats(key).print_stats(top)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=10_000, help="number of cases (10000)")
    parser.add_argument("--repeat", type=int, default=5, help="timed runs of each path (5)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="case generator seed")
    parser.add_argument("--profile", action="store_true", help="cProfile the native path")
    parser.add_argument("--top", type=int, default=25, help="profile entries to print (25)")
    args = parser.parse_args(argv)
    if args.cases < 1 or args.repeat < 1:
        parser.error("--cases and --repeat must be 1 or more")

    host = machine()  # before pinning, so nproc is the machine's
    pinned = pin_one_core()
    started = time.perf_counter()
    catalog = load_catalog()
    loaded = time.perf_counter()
    services.prepare(catalog)  # the rule book and the timeline compiled, once per catalog
    compiled = time.perf_counter()
    cases = generate(catalog, args.cases, args.seed)
    forms = forms_of(catalog, cases)
    complete_cases = [
        case for case in cases if all(None not in c.get("answers", ()) for c in case["concerns"])
    ]
    total = compile_total()

    # the check, which also warms up every path before timing
    assessments = [recommend(catalog, case)["assessments"] for case in cases]
    fhir = [total(form.response) for form in forms]
    score_only(forms)
    problems, complete, incomplete = disagreements(forms, assessments, fhir)
    if problems:
        print(f"ABORTED: {len(problems)} of {len(forms)} totals disagree. First ones:")
        for problem in problems[:10]:
            print(f"- {problem}")
        return 1

    paths: dict[str, Callable[[], object]] = {
        "cold": lambda: pipeline_cold(catalog, cases),
        "complete": lambda: pipeline_cold(catalog, complete_cases),
        "warm": lambda: pipeline(catalog, cases),
        "native": lambda: native(catalog, cases),
        "score": lambda: score_only(forms),
        "baseline": lambda: baseline(total, forms),
    }
    times: dict[str, list[float]] = {key: [] for key in paths}
    order = list(paths)
    for _ in range(args.repeat):
        for key in order:
            times[key].append(timed(paths[key]))
        order = order[1:] + order[:1]  # rotate, so no path always runs first

    cold_rate = args.cases / statistics.median(times["cold"])
    print(f"## Bothand benchmark, {dt.date.today().isoformat()}\n")
    print(f"- Machine: {host}; single-threaded, {pinned}")
    print(
        f"- {args.cases:,} cases (seed {args.seed}), {len(complete_cases):,} of them with every "
        f"answer given; {len(forms):,} answered forms; "
        f"{args.repeat} timed runs per path, median shown"
    )
    print(
        f"- Totals agree on every form: {complete:,}/{complete:,} complete forms "
        f"(native total = FHIRPath sum); {incomplete:,}/{incomplete:,} forms with an item "
        "unanswered (FHIRPath sum = answered items; native prorated total = that sum scaled)"
    )
    met = "met" if cold_rate >= TARGET else "NOT met"
    print(
        f"- Target {TARGET:,} complete cases/s on one core for score + decide + plan "
        f"(pipeline, memo cold, all cases, the stricter reading): {met}"
    )
    print(
        f"- Once per process, before the first case: loading the content "
        f"{(loaded - started) * 1000:.0f} ms, then compiling its rule book and timeline "
        f"{(compiled - loaded) * 1000:.0f} ms\n"
    )
    print(table(args.cases, len(complete_cases), len(forms), times))
    if args.profile:
        profile(catalog, cases, args.top)
    return 0


if __name__ == "__main__":
    sys.exit(main())
