"""Use-cases, one module each: assess, decide, plan, explain, instruments, intake. Each takes
the loaded catalog and plain data and returns domain results (``run``, ``care_plan``,
``score_form``) or the contract's response models (``recommend``, ``explain``,
``list_instruments``), so the command line and the web app present the same thing; the mapping
from domain results to JSON lives in ``bothand.contract`` alone. No terminal or HTTP types here,
and nothing about a person is logged. The names below are the use-cases' public surface."""

from bothand.contract.encoding import to_json
from bothand.services.assess import (
    Assessment,
    FormResult,
    assess,
    find_instrument,
    review_flag_text,
    safety_for,
    score_form,
)
from bothand.services.decide import (
    Outcome,
    clear_memos,
    decide_case,
    engine,
    first_choice,
    lead_of,
    prepare,
    recommend,
    run,
    run_case,
)
from bothand.services.explain import explain
from bothand.services.instruments import list_instruments
from bothand.services.plan import care_plan, plan_case, plan_for
from bothand.services.wording import condition_names, part_label

__all__ = [
    "Assessment",
    "FormResult",
    "Outcome",
    "assess",
    "care_plan",
    "clear_memos",
    "condition_names",
    "decide_case",
    "engine",
    "explain",
    "find_instrument",
    "first_choice",
    "lead_of",
    "list_instruments",
    "part_label",
    "plan_case",
    "plan_for",
    "prepare",
    "recommend",
    "review_flag_text",
    "run",
    "run_case",
    "safety_for",
    "score_form",
    "to_json",
]
