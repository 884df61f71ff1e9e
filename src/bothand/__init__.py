"""Bothand: therapy, medication, or both — a decision aid that supports a conversation with a
clinician. It does not diagnose, prescribe, name doses, or tell anyone to start or stop a medicine.

The public library API::

    from bothand import load_catalog, recommend
    catalog = load_catalog()
    result = recommend(catalog, {"concerns": [{"condition": "depression", "severity": "mild"}]})
"""

from bothand.catalog import Catalog, load_catalog
from bothand.contract import to_json
from bothand.domain.assess.scoring import Score, score
from bothand.domain.errors import BothandError, ContentError, InputError
from bothand.domain.plan.plan import Plan
from bothand.domain.plan.planner import build_plan
from bothand.services import care_plan, explain, list_instruments, recommend

__all__ = [
    "BothandError",
    "Catalog",
    "ContentError",
    "InputError",
    "Plan",
    "Score",
    "build_plan",
    "care_plan",
    "explain",
    "list_instruments",
    "load_catalog",
    "recommend",
    "score",
    "to_json",
]
