"""Use-cases, one module each: assess, decide, plan, explain, instruments. Each takes the
loaded catalog and plain data and returns domain results or plain data, so the command line
and the web app present the same thing. No terminal or HTTP types here, and nothing about a
person is logged. The names below are the use-cases' public surface."""

from bothand.services.assess import Assessment, assess, condition_names, safety_for
from bothand.services.decide import (
    CONTRACT_VERSION,
    Outcome,
    clear_memos,
    decide_case,
    engine,
    first_choice,
    prepare,
    recommend,
    run,
    to_contract,
    to_json,
)
from bothand.services.explain import explain
from bothand.services.instruments import list_instruments
from bothand.services.plan import care_plan, plan_for

__all__ = [
    "CONTRACT_VERSION",
    "Assessment",
    "Outcome",
    "assess",
    "care_plan",
    "clear_memos",
    "condition_names",
    "decide_case",
    "engine",
    "explain",
    "first_choice",
    "list_instruments",
    "plan_for",
    "prepare",
    "recommend",
    "run",
    "safety_for",
    "to_contract",
    "to_json",
]
