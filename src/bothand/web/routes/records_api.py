"""The clinic record's JSON API (DESIGN.md, "Track contract"): patients, episodes,
measurements and check-ins, for a bearer token's user.

Every route takes the token's actor (``ApiActorDep``: 401 problem details without a valid
token) and calls ``services.record.Record``, which finds a record only within what that user
may see: another clinic's id, one not shared with the user, a user who is not a clinician and
an id that does not exist are all the same 404. A bad body is a 422 naming the field, and
nothing is written (the service checks everything inside one transaction). The JSON shapes
are ``bothand.contract.record``'s.

The body is read on the event loop; the service, which waits on the database, runs in a
worker thread.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Callable
from typing import Annotated, Any, Literal, TypeVar

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictInt,
    StrictStr,
    WithJsonSchema,
)
from starlette.concurrency import run_in_threadpool

from bothand.contract import dump_safety, dump_score, parse_day, to_compact_json
from bothand.contract.dates import StartDay
from bothand.contract.record import (
    AlertInbox,
    AlertRecord,
    Caseload,
    CheckInLink,
    EpisodeCreated,
    EpisodeRecord,
    MeasurementRecorded,
    PatientSummary,
    dump_alert,
    dump_caseload,
    dump_check_in,
    dump_episode,
    dump_episode_created,
    dump_inbox,
    dump_patient,
    dump_recorded,
)
from bothand.domain.case import Case
from bothand.domain.errors import InputError, NotFoundError
from bothand.domain.vocab import OptionId
from bothand.web.deps import ApiActorDep, CatalogDep, RecordDep, SettingsDep
from bothand.web.jsonbody import json_body, request_body, validated
from bothand.web.problems import problem_responses

router = APIRouter(prefix="/api", tags=["record"])
REQUEST_MODELS: list[type[BaseModel]] = []  # documented as request bodies (web/openapi.py)
READ_PROBLEMS = problem_responses(401, 404)
WRITE_PROBLEMS = problem_responses(401, 404, 413, 415, 422)
CHECK_IN_PATH = "/check-in/"
BEARER: dict[str, Any] = {"security": [{"bearer": []}]}  # web/openapi.py declares the scheme
UNKNOWN = "is not a field of this request"
T = TypeVar("T")


def _taken_on(value: object) -> dt.date:
    try:
        return parse_day(value, "taken_on")
    except InputError as error:
        raise ValueError(error.problem) from None


TakenOn = Annotated[
    dt.date,
    BeforeValidator(_taken_on),
    WithJsonSchema({"type": "string", "format": "date", "description": "YYYY-MM-DD"}),
]


def _plain(value: str) -> str:
    """Text a database can hold: no NUL or other control character (tab and line breaks
    aside), no lone surrogate. PostgreSQL refuses NUL in text; without this it would be a 500."""
    if any(unicodedata.category(c) in ("Cc", "Cs") and c not in "\t\n\r" for c in value):
        raise ValueError("must not hold control characters")
    return value


Text = Annotated[StrictStr, AfterValidator(_plain)]


def _record_id(value: str, kind: str) -> str:
    """An id from the path. One no record could have (over 64 characters, or a character
    that is not printable) is not found, without asking the database."""
    if len(value) > 64 or not value.isprintable():
        raise NotFoundError(kind)
    return value


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class PatientBody(_Body):
    """A new patient: the clinic's reference (1-100 characters), an IANA time zone such as
    ``Europe/London`` (their dates are worked out in it), and optionally a locale, an email
    for invitations and a name to show."""

    reference: Text = Field(max_length=1000)
    timezone: Text = Field(max_length=100)
    locale: Text = Field(default="en", max_length=20)
    email: Text | None = Field(default=None, max_length=320)
    display_name: Text | None = Field(default=None, max_length=1000)


class EpisodeBody(_Body):
    """A decision made with the patient: the case (the case contract), the option chosen
    (null: left to discuss) and the day it starts (required with an option)."""

    case: Case
    option: OptionId | None = None
    start: StartDay | None = None


class MeasurementBody(_Body):
    """One questionnaire's answers in item order (null for an item not answered), the day it
    was taken in the patient's zone, and, for a correction, the measurement it replaces."""

    instrument: Text = Field(max_length=100)
    answers: list[StrictInt | None] = Field(max_length=200)
    taken_on: TakenOn
    method: Literal["in_session", "imported"] = "in_session"
    supersedes: Text | None = Field(default=None, max_length=100)


class CheckInBody(_Body):
    """The questionnaires to ask (default: the episode's own); a risk screen is added when
    none of them asks about risk. The body may be left out."""

    instruments: list[Annotated[Text, Field(max_length=100)]] | None = Field(
        default=None, max_length=20
    )


class AcknowledgeBody(_Body):
    """An optional short note (at most 500 characters; kept with the alert, never logged or
    audited). The body may be left out."""

    note: Text | None = Field(default=None, max_length=1000)


class ResolveBody(_Body):
    """How the alert was dealt with: a short note (1 to 500 characters), required."""

    note: Text = Field(max_length=1000)


def _json(model: Any, data: Any, status: int = 200) -> Response:
    return Response(to_compact_json(model, data), status_code=status, media_type="application/json")


async def _in_thread(call: Callable[..., T], *args: Any) -> T:
    return await run_in_threadpool(call, *args)


@router.post(
    "/patients",
    status_code=201,
    response_model=PatientSummary,
    responses=WRITE_PROBLEMS,
    openapi_extra={**request_body(PatientBody, REQUEST_MODELS), **BEARER},
)
async def create_patient(request: Request, actor: ApiActorDep, record: RecordDep) -> Response:
    """Add a patient to the caller's clinic; the caller can see them from now on."""
    body = validated(PatientBody, await json_body(request, "a patient"), UNKNOWN)
    patient = await _in_thread(
        record.add_patient,
        actor,
        body.reference,
        body.timezone,
        body.locale,
        body.display_name,
        body.email,
    )
    return _json(PatientSummary, dump_patient(patient), 201)


@router.get("/patients", response_model=Caseload, responses=READ_PROBLEMS, openapi_extra=BEARER)
def caseload(actor: ApiActorDep, record: RecordDep) -> Response:
    """The caller's caseload: their patients by reference, each with the latest measurement
    and the number of open critical alerts."""
    rows = record.caseload(actor)
    return _json(
        Caseload,
        dump_caseload([(r.patient, r.latest, r.open_critical, r.open_alerts) for r in rows]),
    )


@router.post(
    "/patients/{patient}/episodes",
    status_code=201,
    response_model=EpisodeCreated,
    responses=WRITE_PROBLEMS,
    openapi_extra={**request_body(EpisodeBody, REQUEST_MODELS), **BEARER},
)
async def create_episode(
    request: Request, patient: str, actor: ApiActorDep, record: RecordDep
) -> Response:
    """Open an episode from a decision: the case's answers become its first measurements (a
    positive risk answer raises a critical alert), and the chosen option's dated plan."""
    patient = _record_id(patient, "patient")
    data = await json_body(request, "an episode")
    body = validated(EpisodeBody, data, UNKNOWN)
    try:
        episode = await _in_thread(
            record.create_episode, actor, patient, data["case"], body.option, body.start
        )
    except InputError as error:
        raise _in_case(error) from None
    points = await _in_thread(record.review_points, episode)
    return _json(EpisodeCreated, dump_episode_created(episode, points), 201)


def _in_case(error: InputError) -> InputError:
    """A problem the service found in the case names its field within ``case``."""
    if error.field in ("option", "start") or error.field.startswith("case"):
        return error
    field = error.field.strip("()")
    return InputError(f"case.{field}" if field != "case" else "case", error.problem)


@router.post(
    "/episodes/{episode}/measurements",
    status_code=201,
    response_model=MeasurementRecorded,
    responses=WRITE_PROBLEMS,
    openapi_extra={**request_body(MeasurementBody, REQUEST_MODELS), **BEARER},
)
async def record_measurement(
    request: Request, episode: str, actor: ApiActorDep, record: RecordDep, catalog: CatalogDep
) -> Response:
    """Record one questionnaire for the episode (a correction when ``supersedes`` names an
    earlier one of the same instrument). ``safety`` comes first: a positive risk answer is
    urgent, carries the crisis resources, and raises a critical alert."""
    episode = _record_id(episode, "episode")
    body = validated(MeasurementBody, await json_body(request, "a measurement"), UNKNOWN)
    recorded = await _in_thread(
        record.record,
        actor,
        episode,
        body.instrument,
        body.answers,
        body.taken_on,
        body.method,
        body.supersedes,
    )
    data = dump_recorded(
        recorded.measurement,
        dump_safety(catalog, recorded.safety),
        dump_score(recorded.score),
        recorded.alerts,
        recorded.progress,
        recorded.redecisions,
    )
    return _json(MeasurementRecorded, data, 201)


@router.get(
    "/episodes/{episode}",
    response_model=EpisodeRecord,
    responses=READ_PROBLEMS,
    openapi_extra=BEARER,
)
def read_episode(episode: str, actor: ApiActorDep, record: RecordDep) -> Response:
    """The episode: its patient, decision, plan, measurements, progress, review points,
    re-decisions and alerts."""
    found, patient, alerts = record.episode(actor, _record_id(episode, "episode"))
    now = record.follow_up(found, patient)
    again = record.redecisions(found)
    return _json(
        EpisodeRecord,
        dump_episode(found, patient, alerts, now.review_points, now.progress, now.findings, again),
    )


@router.post(
    "/episodes/{episode}/check-ins",
    status_code=201,
    response_model=CheckInLink,
    responses=WRITE_PROBLEMS,
    openapi_extra={**request_body(CheckInBody, REQUEST_MODELS), **BEARER},
)
async def create_check_in(
    request: Request, episode: str, actor: ApiActorDep, record: RecordDep, settings: SettingsDep
) -> Response:
    """A one-time check-in link for the patient (shown once; valid for 7 days)."""
    episode = _record_id(episode, "episode")
    data = await json_body(request, "the check-in's instruments", optional=True)
    body = validated(CheckInBody, data, UNKNOWN)
    link = await _in_thread(record.check_in_link, actor, episode, body.instruments)
    base = settings.public_url or str(request.base_url)
    url = base.rstrip("/") + CHECK_IN_PATH + (link.token or "")
    return _json(CheckInLink, dump_check_in(link, url), 201)


@router.get("/alerts", response_model=AlertInbox, responses=READ_PROBLEMS, openapi_extra=BEARER)
def alerts(
    actor: ApiActorDep,
    record: RecordDep,
    status: Annotated[str | None, Query(max_length=20)] = None,
) -> Response:
    """The alerts of the caller's patients, open first; ``status`` (``open``,
    ``acknowledged`` or ``resolved``) keeps only those."""
    return _json(AlertInbox, dump_inbox(record.alerts(actor, status)))


@router.post(
    "/alerts/{alert}/acknowledge",
    response_model=AlertRecord,
    responses=WRITE_PROBLEMS,
    openapi_extra={**request_body(AcknowledgeBody, REQUEST_MODELS), **BEARER},
)
async def acknowledge_alert(
    request: Request, alert: str, actor: ApiActorDep, record: RecordDep
) -> Response:
    """The caller, a named clinician, has seen an open alert: it becomes ``acknowledged``. A
    second acknowledgement is a 422 naming ``status``."""
    alert = _record_id(alert, "alert")
    data = await json_body(request, "a note", optional=True)
    body = validated(AcknowledgeBody, data, UNKNOWN)
    moved = await _in_thread(record.acknowledge, actor, alert, body.note)
    return _json(AlertRecord, dump_alert(moved))


@router.post(
    "/alerts/{alert}/resolve",
    response_model=AlertRecord,
    responses=WRITE_PROBLEMS,
    openapi_extra={**request_body(ResolveBody, REQUEST_MODELS), **BEARER},
)
async def resolve_alert(
    request: Request, alert: str, actor: ApiActorDep, record: RecordDep
) -> Response:
    """An acknowledged alert is dealt with: it becomes ``resolved``, with a note saying how.
    An open one is a 422 naming ``status``: it is acknowledged first."""
    alert = _record_id(alert, "alert")
    body = validated(ResolveBody, await json_body(request, "a note"), UNKNOWN)
    moved = await _in_thread(record.resolve, actor, alert, body.note)
    return _json(AlertRecord, dump_alert(moved))
