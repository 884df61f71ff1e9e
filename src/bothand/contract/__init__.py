"""The contract: the one mapping from domain results to JSON, used by the command line, the
HTTP API and ``bothand.recommend``. Nothing else turns a result into JSON.

Each response is a ``TypedDict``: the model *is* the JSON object, so building a response is
building plain dicts in the declared key order (as fast as the hand-written mapping it
replaced; a ``BaseModel`` per reason and trace entry would double the time of ``recommend()``),
mypy checks every key and type where a ``dump_*`` function builds one, and pydantic gives the
JSON Schema the API documents (``TypeAdapter(Recommendation).json_schema()``) and validates a
response in the tests. ``dump_*`` functions read the domain's result objects; they never
validate again what the domain already made.

The shapes are stable (DESIGN.md, "Stable machine interface"): fields may be added, never
renamed, and ``contract_version`` changes if a field's meaning does.
"""

from bothand.contract.dates import FIRST_DAY, LAST_DAY, StartDay, parse_day
from bothand.contract.encoding import to_compact_json, to_json
from bothand.contract.explainer import Explainer
from bothand.contract.instruments import InstrumentListing
from bothand.contract.plan import Milestone, Plan, dump_plan
from bothand.contract.problem import ProblemDetails
from bothand.contract.recommendation import (
    CONTRACT_VERSION,
    Assessment,
    ContentVersion,
    Option,
    RatedAssessment,
    Reason,
    Recommendation,
    ScoredAssessment,
    TraceEntry,
    dump_assessment,
    dump_recommendation,
)
from bothand.contract.safety import CrisisAction, CrisisResource, Safety, dump_safety
from bothand.contract.score import Score, ScoreResponse, dump_score, dump_score_response

__all__ = [
    "CONTRACT_VERSION",
    "FIRST_DAY",
    "LAST_DAY",
    "Assessment",
    "ContentVersion",
    "CrisisAction",
    "CrisisResource",
    "Explainer",
    "InstrumentListing",
    "Milestone",
    "Option",
    "Plan",
    "ProblemDetails",
    "RatedAssessment",
    "Reason",
    "Recommendation",
    "Safety",
    "Score",
    "ScoreResponse",
    "ScoredAssessment",
    "StartDay",
    "TraceEntry",
    "dump_assessment",
    "dump_plan",
    "dump_recommendation",
    "dump_safety",
    "dump_score",
    "dump_score_response",
    "parse_day",
    "to_compact_json",
    "to_json",
]
