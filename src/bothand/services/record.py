"""Use-case: the clinic record. Patients, invitations, episodes (a decision shared by the
person or made in session), measurements (in session, through a check-in link, imported) and
the audit trail.

Access: every method that names a patient, an episode or a measurement takes the acting
``Actor`` and finds the record only within what that user may see (their clinic, patients
assigned or shared to them); anything else raises ``NotFound``, exactly like an id that does not
exist. Every read and write of a patient's record leaves one audit event (who, role, action,
record, when; never answers, scores or free text), written in the same transaction.

A measurement is scored with today's ``assess``; its answers are kept so the score can be
worked out again. A positive risk answer raises a critical alert that nothing turns off. A
correction is a new measurement that supersedes the old one; both stay.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bothand.catalog import Catalog
from bothand.contract import dump_plan
from bothand.contract.record import dump_finding
from bothand.domain.assess.safety import Safety
from bothand.domain.assess.scoring import Score
from bothand.domain.case import parse_case
from bothand.domain.clock import Clock
from bothand.domain.errors import InputError, NotAllowedError, NotFoundError
from bothand.domain.record import (
    ALERT_STATUSES,
    METHODS,
    Actor,
    Alert,
    AuditEvent,
    CaseloadName,
    Episode,
    EpisodeSource,
    Link,
    Measurement,
    Patient,
    Redecision,
    User,
    one_line,
)
from bothand.domain.review import ReviewPoint, review_points
from bothand.domain.review.finding import Finding, findings
from bothand.domain.track.progress import Progress, progress
from bothand.domain.vocab import OPTION_IDS
from bothand.services import alerts as follow_up_alerts
from bothand.services.assess import score_form
from bothand.services.caseload import (
    LIGHT_KEYS,
    CaseloadEntry,
    CaseloadMemo,
    CaseloadPage,
    Direction,
    SortKey,
    pages_of,
    sort_caseload,
    sort_names,
)
from bothand.services.caseload import entries as caseload_entries
from bothand.services.decide import lead_of, recommend, run_case
from bothand.services.plan import plan_for
from bothand.services.redecide import option_of
from bothand.services.redecide import redecide as decide_again
from bothand.storage import Database, Store, unit_of_work

INVITATION_LIFE = dt.timedelta(days=14)
CHECK_IN_LIFE = dt.timedelta(days=7)
RISK_SCREEN = "asq"  # asked at a check-in when none of the instruments has a risk item


@dataclass(frozen=True)
class FollowUp:
    """An episode as of today: progress per instrument, review points, and the findings of
    the points that have one (by milestone id)."""

    progress: list[Progress]
    review_points: tuple[ReviewPoint, ...]
    findings: dict[str, Finding]


@dataclass(frozen=True)
class PatientRecord:
    patient: Patient
    episodes: list[Episode]
    alerts: list[Alert]


@dataclass(frozen=True)
class Recorded:
    """A measurement just stored, its score and the safety result of its answers, and any
    alert raised."""

    measurement: Measurement
    score: Score
    safety: Safety
    alerts: list[Alert]
    progress: list[Progress] = field(default_factory=list)  # the episode's, after it
    redecisions: list[Redecision] = field(default_factory=list)  # made because of it


@dataclass(frozen=True)
class CheckIn:
    link: Link
    patient: Patient
    episode: Episode


def check_zone(value: str, field: str = "timezone") -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise InputError(
            field, f"'{value}' is not an IANA time zone, such as Europe/London"
        ) from None
    if "/" not in value and value != "UTC":
        raise InputError(field, f"'{value}' is not an IANA time zone, such as Europe/London")
    return value


def patient_today(patient: Patient, now: dt.datetime) -> dt.date:
    return now.astimezone(ZoneInfo(patient.timezone)).date()


class Record:
    def __init__(self, catalog: Catalog, database: Database, clock: Clock) -> None:
        self.catalog = catalog
        self.database = database
        self.clock = clock
        self._caseload_memo = CaseloadMemo()

    def _now(self) -> dt.datetime:
        return self.clock.now().astimezone(dt.UTC)

    def _work(self) -> AbstractContextManager[Store]:
        return unit_of_work(self.database, self._now())

    # --- patients -----------------------------------------------------------------------

    def add_patient(
        self,
        actor: Actor,
        reference: str,
        timezone: str,
        locale: str = "en",
        display_name: str | None = None,
        email: str | None = None,
    ) -> Patient:
        user = _clinician(actor)
        reference = one_line(reference, "reference", 100)
        if not reference or len(reference) > 100:
            raise InputError("reference", "give the clinic's reference, 1 to 100 characters")
        check_zone(timezone)
        crisis = self.catalog.crisis
        codes = {entry.locale for entry in crisis.locales} | set(crisis.aliases)
        if locale not in codes:
            known = ", ".join(sorted(codes))
            raise InputError("locale", f"'{locale}' is not a locale; use one of {known}")
        display_name = one_line(display_name or "", "display_name", 200) or None
        if display_name is not None and len(display_name) > 200:
            raise InputError("display_name", "use at most 200 characters")
        if email:
            from bothand.services.accounts import check_email

            email = check_email(email)
        with self._work() as store:
            patient = store.add_patient(
                user.clinic_id, reference, timezone, locale, display_name, email or None, user.id
            )
            store.grant(patient.id, user.id)
            store.audit(actor, "patient.create", "patient", patient.id, patient.id)
            return patient

    def share_patient(self, actor: Actor, patient_id: str, user_id: str) -> None:
        with self._work() as store:
            patient = self._patient(store, actor, patient_id)
            other = store.user_in_clinic(patient.clinic_id, user_id)
            if other is None or not other.is_clinician:
                raise InputError("user", "no clinician of this clinic has that id")
            store.grant(patient.id, other.id)
            store.audit(actor, "patient.share", "patient", patient.id, patient.id)

    def caseload(self, actor: Actor) -> list[CaseloadEntry]:
        """The caller's patients by reference, each with their latest score, its trend, the
        next review point and their open alerts (``services.caseload``): one query, plus one
        for the plans of episodes not seen before; one audit event."""
        user = _clinician(actor)
        with self._work() as store:
            rows = store.caseload(user)
            missing = self._caseload_memo.missing(row.episode_id for row in rows)
            if missing:
                self._caseload_memo.add(store.plans(missing))
            store.audit(actor, "caseload.read", "user", user.id)
        return caseload_entries(
            rows, self._caseload_memo, self.catalog.outcomes.profile(), self._now()
        )

    def caseload_page(
        self, actor: Actor, key: SortKey, direction: Direction, page: int, size: int
    ) -> CaseloadPage:
        """One page of ``size`` rows of the caller's caseload in its order
        (``services.caseload.sort_caseload``); one audit event. Ordered by name or by alerts,
        the patients and their open alerts are read first and only the page's rows get their
        scores, trends and review points; by a score, trend or review point, every patient
        does (the order needs them)."""
        user = _clinician(actor)
        with self._work() as store:
            chosen: list[CaseloadName] | None = None
            if key in LIGHT_KEYS:
                names = store.caseload_patients(user)
                total = len(names)
                page, pages = pages_of(total, size, page)
                chosen = sort_names(names, key, direction)[(page - 1) * size : page * size]
                rows = store.caseload(user, [name.patient_id for name in chosen])
                alerts = sum(n.open_critical for n in names), sum(n.open_alerts for n in names)
            else:
                rows = store.caseload(user)
                total = len(rows)
                page, pages = pages_of(total, size, page)
                alerts = sum(r.open_critical for r in rows), sum(r.open_alerts for r in rows)
            missing = self._caseload_memo.missing(row.episode_id for row in rows)
            if missing:
                self._caseload_memo.add(store.plans(missing))
            store.audit(actor, "caseload.read", "user", user.id)
        found = caseload_entries(
            rows, self._caseload_memo, self.catalog.outcomes.profile(), self._now()
        )
        if chosen is None:
            shown = sort_caseload(found, key, direction)[(page - 1) * size : page * size]
        else:  # the page's order (a patient gone between the two reads is left out)
            by_id = {entry.patient.id: entry for entry in found}
            shown = [by_id[n.patient_id] for n in chosen if n.patient_id in by_id]
        return CaseloadPage(shown, page, pages, total, *alerts)

    def patient(self, actor: Actor, patient_id: str) -> PatientRecord:
        with self._work() as store:
            patient = self._patient(store, actor, patient_id)
            record = PatientRecord(
                patient, store.episodes_of(patient.id), store.alerts_of(patient.id)
            )
            store.audit(actor, "patient.read", "patient", patient.id, patient.id)
            return record

    def _patient(self, store: Store, actor: Actor, patient_id: str) -> Patient:
        user = _clinician(actor)
        patient = store.patient_for(user, patient_id)
        if patient is None:
            raise NotFoundError("patient")
        return patient

    # --- episodes -----------------------------------------------------------------------

    def decision_of(
        self,
        data: Any,
        option: str | None,
        start: dt.date | None,
        extra: Mapping[str, Any] | None = None,
    ) -> tuple[dict[str, Any], dict[str, Any] | None]:
        """The decision as shown (the case and the recommendation made from it) and the dated
        plan of the chosen option, or None when the option is left to discuss. ``extra``: what
        the decision flow knew beyond the case (what matters, the leaning, the readiness
        check), kept as it is under ``decision["flow"]``."""
        case = parse_case(data)
        recommendation = recommend(self.catalog, case.model_dump(mode="json", exclude_none=True))
        plan = None
        if option is not None:
            if option not in OPTION_IDS:
                raise InputError(
                    "option", f"'{option}' is not an option; use one of {', '.join(OPTION_IDS)}"
                )
            if start is None:
                raise InputError("start", "give the date the chosen option starts, YYYY-MM-DD")
            outcome = run_case(self.catalog, case)
            chosen = plan_for(
                self.catalog,
                case,
                outcome.assessments,
                outcome.safety,
                option,
                lead_of(outcome.decision),
            ).dated(start)
            plan = dict(dump_plan(chosen))
        decision = {
            "case": case.model_dump(mode="json", exclude_none=True),
            "recommendation": recommendation,
        }
        if extra:
            decision["flow"] = dict(extra)
        return decision, plan

    def create_episode(
        self,
        actor: Actor,
        patient_id: str,
        case: Any,
        option: str | None,
        start: dt.date | None,
    ) -> Episode:
        """An episode made by the clinician, in session or through the API."""
        decision, plan = self.decision_of(case, option, start)
        with self._work() as store:
            patient = self._patient(store, actor, patient_id)
            source: EpisodeSource = "api" if actor.kind == "token" else "in_session"
            episode = store.add_episode(
                patient,
                source,
                actor.user.id if actor.user else None,
                decision,
                option,
                start,
                plan,
            )
            store.audit(actor, "episode.create", "episode", episode.id, patient.id)
            self._baseline(store, episode, patient, decision, actor)
            return store.episode(episode.id) or episode

    def _baseline(
        self,
        store: Store,
        episode: Episode,
        patient: Patient,
        decision: dict[str, Any],
        actor: Actor,
    ) -> None:
        """The questionnaires answered in the decision become the episode's first
        measurements (dated the day it was made, in the patient's zone)."""
        today = patient_today(patient, self._now())
        for concern in decision["case"].get("concerns", []):
            instrument, answers = concern.get("instrument"), concern.get("answers")
            if instrument and answers is not None:
                self._store_measurement(
                    store,
                    actor,
                    patient,
                    episode.id,
                    episode.created_at,
                    instrument,
                    answers,
                    today,
                    "in_session" if actor.kind != "link" else "check_in",
                )
        screen = decision["case"].get("risk_screen")
        if screen:
            self._store_measurement(
                store,
                actor,
                patient,
                episode.id,
                episode.created_at,
                screen["instrument"],
                screen["answers"],
                today,
                "in_session" if actor.kind != "link" else "check_in",
            )

    def episode(self, actor: Actor, episode_id: str) -> tuple[Episode, Patient, list[Alert]]:
        with self._work() as store:
            user = _clinician(actor)
            episode = store.episode_for(user, episode_id)
            if episode is None:
                raise NotFoundError("episode")
            patient = store.patient(episode.patient_id)
            assert patient is not None
            alerts = [a for a in store.alerts_of(patient.id) if a.episode_id == episode.id]
            store.audit(actor, "episode.read", "episode", episode.id, patient.id)
            return episode, patient, alerts

    # --- review points ------------------------------------------------------------------

    def review_points(
        self, episode: Episode, patient: Patient | None = None
    ) -> tuple[ReviewPoint, ...]:
        """The episode's review points as of today in the patient's zone (from the injected
        clock), counting the measurements still in force (``domain.review``). Works on an
        episode the caller has already read or made (and audited), so it audits nothing; with
        no ``patient`` it looks the patient up only for their time zone."""
        if patient is None:
            with self._work() as store:
                patient = store.patient(episode.patient_id)
            if patient is None:
                raise NotFoundError("patient")
        if patient.id != episode.patient_id:
            raise ValueError("the episode is not this patient's")
        today = patient_today(patient, self._now())
        taken = (m.taken_on for m in episode.measurements if m.superseded_by is None)
        return review_points(episode.plan, today, taken)

    def progress(self, episode: Episode) -> list[Progress]:
        """The progress of an episode already read (no audit event of its own)."""
        return progress_of(self.catalog, episode.measurements)

    def follow_up(self, episode: Episode, patient: Patient | None = None) -> FollowUp:
        """Where an episode already read stands today: its progress, its review points and
        what the points with enough scores found (no audit event of its own)."""
        points = self.review_points(episode, patient)
        return FollowUp(
            self.progress(episode),
            points,
            findings_of(self.catalog, episode, points),
        )

    # --- invitations --------------------------------------------------------------------

    def invite(self, actor: Actor, patient_id: str) -> Link:
        with self._work() as store:
            patient = self._patient(store, actor, patient_id)
            link = store.add_link(
                "invitation",
                self._now() + INVITATION_LIFE,
                clinic_id=patient.clinic_id,
                patient_id=patient.id,
                created_by=actor.user.id if actor.user else None,
            )
            store.audit(actor, "invitation.create", "link", link.id, patient.id)
            return link

    def invitation(self, secret: str) -> tuple[Link, Patient] | None:
        """A usable invitation and its patient, or None (unknown, used or expired)."""
        with self._work() as store:
            link = store.link(secret, "invitation")
            if link is None or not link.usable(self._now()) or link.patient_id is None:
                return None
            patient = store.patient(link.patient_id)
            assert patient is not None
            store.audit(_link_actor(link), "invitation.open", "link", link.id, patient.id)
            return link, patient

    def share(
        self,
        secret: str,
        case: Any,
        option: str | None,
        start: dt.date | None,
        extra: Mapping[str, Any] | None = None,
    ) -> Episode:
        """The person shares the decision they made through an invitation: it becomes a new
        episode (``extra`` as in ``decision_of``). The link works once."""
        decision, plan = self.decision_of(case, option, start, extra)
        with self._work() as store:
            link = store.link(secret, "invitation")
            if link is None or not link.usable(self._now()) or link.patient_id is None:
                raise InputError("link", "this invitation has been used or has expired")
            if not store.use_link(link.id):
                raise InputError("link", "this invitation has been used or has expired")
            patient = store.patient(link.patient_id)
            assert patient is not None
            actor = _link_actor(link)
            episode = store.add_episode(patient, "shared", None, decision, option, start, plan)
            store.audit(actor, "episode.create", "episode", episode.id, patient.id)
            self._baseline(store, episode, patient, decision, actor)
            return store.episode(episode.id) or episode

    # --- measurements -------------------------------------------------------------------

    def record(
        self,
        actor: Actor,
        episode_id: str,
        instrument: str,
        answers: Sequence[int | None],
        taken_on: dt.date,
        method: str = "in_session",
        supersedes: str | None = None,
        follow_up: bool = True,
    ) -> Recorded:
        """Score, store and audit one measurement (a correction when ``supersedes`` names an
        earlier one); a positive risk answer raises a critical alert. ``follow_up``: also
        work out the episode's progress after it (the API answers with it); without it the
        call does only the write, as issue 11's benchmark measures."""
        if method not in METHODS:
            raise InputError(
                "method", f"'{method}' is not a method; use one of {', '.join(METHODS)}"
            )
        with self._work() as store:
            user = _clinician(actor)
            found = store.measurement_target(user, episode_id)
            if found is None:
                raise NotFoundError("episode")
            began, patient = found
            if supersedes is not None:
                old = store.measurement(supersedes)
                if old is None or old.episode_id != episode_id:
                    raise NotFoundError("measurement")
                if old.instrument != instrument:
                    raise InputError(
                        "instrument", f"a correction of {old.instrument} must be {old.instrument}"
                    )
            return self._store_measurement(
                store,
                actor,
                patient,
                episode_id,
                began,
                instrument,
                answers,
                taken_on,
                method,
                supersedes,
                follow_up,
            )

    def _store_measurement(
        self,
        store: Store,
        actor: Actor,
        patient: Patient,
        episode_id: str,
        began: dt.datetime,
        instrument: str,
        answers: Sequence[int | None],
        taken_on: dt.date,
        method: str,
        supersedes: str | None = None,
        follow_up: bool = False,
    ) -> Recorded:
        """Score and store one measurement of ``patient``'s episode ``episode_id``, which
        began at ``began``; with ``follow_up``, the episode's progress after it too."""
        today = patient_today(patient, self._now())
        if taken_on > today:
            raise InputError("taken_on", f"{taken_on} is in the future in the patient's time zone")
        opened = patient_today(patient, began)
        if taken_on < opened:
            raise InputError("taken_on", f"{taken_on} is before the episode began ({opened})")
        result = score_form(self.catalog, instrument, answers, patient.locale)
        score = result.score
        if score.total is None:
            raise InputError("answers", "answer every question, or all but one")
        measurement = store.add_measurement(
            episode_id,
            patient.id,
            instrument,
            answers,
            score.total,
            score.severity or score.band,
            result.safety.urgent,
            taken_on,
            method,  # type: ignore[arg-type]
            actor.user.id if actor.kind in ("user", "token") and actor.user else None,
            supersedes,
        )
        action = "measurement.correct" if supersedes else "measurement.create"
        store.audit(actor, action, "measurement", measurement.id, patient.id)
        alerts = []
        if result.safety.urgent:
            alert = store.add_alert(patient, "critical", "risk_answer", episode_id, measurement.id)
            store.audit(actor, "alert.create", "alert", alert.id, patient.id)
            alerts.append(alert)
        if not follow_up:
            return Recorded(measurement, score, result.safety, alerts)
        series = store.series_of(episode_id)
        progress = series_progress(self.catalog, series)
        _, found = self._findings_now(store, episode_id, series, today)
        alerts += follow_up_alerts.on_record(
            self.catalog,
            store,
            actor,
            patient,
            episode_id,
            measurement.id,
            instrument,
            progress,
            found,
        )
        return Recorded(
            measurement,
            score,
            result.safety,
            alerts,
            progress,
            self._redecide_due(store, actor, patient, episode_id, found),
        )

    def _findings_now(
        self,
        store: Store,
        episode_id: str,
        series: Sequence[tuple[str, dt.date, int, dt.datetime, str]],
        today: dt.date,
    ) -> tuple[tuple[ReviewPoint, ...], dict[str, Finding]]:
        """The episode's review points as of ``today`` (the patient's date) and what they
        found, from its scores in force (``Store.series_of``) and one read of its plan,
        without the rest of the episode: what raising alerts and deciding again need, when a
        score is recorded and in the sweep."""
        plan, start, concerns = store.plan_of(episode_id)
        points = review_points(plan, today, (row[1] for row in series))
        return points, series_findings(self.catalog, series, points, concerns, start)

    # --- re-decisions -------------------------------------------------------------------

    def redecide(
        self, store: Store, episode: Episode, patient: Patient, actor: Actor | None = None
    ) -> list[Redecision]:
        """Make and store, in ``store``'s unit of work, the second decision of every done
        review point of ``episode`` whose finding is too little and that has none yet; each
        is audited (``redecision.create``) as ``actor`` (the system when None, as for a
        periodic sweep). Idempotent: a point decided again already is left as it is. The
        first decision is only read. An episode without a chosen option or a plan has none.
        Works on an episode the caller has read (with its measurements)."""
        option = option_of(episode.option)
        if option is None or not episode.plan or patient.id != episode.patient_id:
            return []
        points = self.review_points(episode, patient)
        due = [f for f in findings_of(self.catalog, episode, points).values() if f.too_little]
        if not due:
            return []
        done = store.redecided_milestones(episode.id)
        kinds = {point.milestone: point.kind for point in points}
        made = []
        for finding in due:
            if finding.milestone in done:
                continue
            body = decide_again(
                self.catalog,
                episode.decision,
                option,
                finding,
                kinds[finding.milestone],
                _latest_answers(episode, finding),
            )
            stored = store.add_redecision(
                patient, episode.id, finding.milestone, dict(dump_finding(finding)), body
            )
            if stored is not None:
                who = actor or Actor("system", "system", "system", patient.clinic_id)
                store.audit(who, "redecision.create", "redecision", stored.id, patient.id)
                made.append(stored)
        return made

    def _redecide_due(
        self,
        store: Store,
        actor: Actor,
        patient: Patient,
        episode_id: str,
        found: Mapping[str, Finding],
    ) -> list[Redecision]:
        """``redecide`` after a score was stored, given what the review points found
        (``_findings_now``). Most scores decide nothing, so the whole episode is read only
        when a point with too little change has no re-decision yet."""
        due = {finding.milestone for finding in found.values() if finding.too_little}
        if not due or due <= store.redecided_milestones(episode_id):
            return []
        episode = store.episode(episode_id)
        return [] if episode is None else self.redecide(store, episode, patient, actor)

    def redecisions(self, episode: Episode) -> list[Redecision]:
        """The second decisions of an episode the caller has already read (and audited),
        oldest first; no audit event of its own."""
        with self._work() as store:
            return store.redecisions_of(episode.id)

    # --- alerts -------------------------------------------------------------------------

    def alerts(self, actor: Actor, status: str | None = None) -> list[tuple[Alert, Patient]]:
        """The alerts of the caller's patients (open first), with ``status`` only if given."""
        if status is not None and status not in ALERT_STATUSES:
            raise InputError(
                "status", f"'{status}' is not a status; use {', '.join(ALERT_STATUSES)}"
            )
        user = _clinician(actor)
        with self._work() as store:
            found = store.alerts_for(user, status)
            store.audit(actor, "alerts.read", "user", user.id)
            return found

    def open_alerts(self, actor: Actor) -> dict[str, int]:
        """How many alerts of each kind are open among the caller's patients (for the banner
        and the count that head every clinician page): counts, not a read of any record, so
        not audited. Empty for a user who is not a clinician."""
        if actor.user is None or not actor.user.is_clinician:
            return {}
        with self._work() as store:
            return store.open_alert_counts(actor.user)

    def acknowledge(self, actor: Actor, alert_id: str, note: str | None = None) -> Alert:
        """A named clinician has seen the alert (open -> acknowledged)."""
        return self._move_alert(actor, alert_id, "acknowledged", note)

    def resolve(self, actor: Actor, alert_id: str, note: str | None) -> Alert:
        """The alert is dealt with (acknowledged -> resolved), with a note saying how. A
        critical alert, like any, is acknowledged by a named clinician first."""
        return self._move_alert(actor, alert_id, "resolved", note)

    def _move_alert(self, actor: Actor, alert_id: str, to: str, note: str | None) -> Alert:
        user = _clinician(actor)
        with self._work() as store:
            found = store.alert_for(user, alert_id)
            if found is None:  # first: a foreign alert is not found, whatever the note
                raise NotFoundError("alert")
            alert, patient = found
            text = _note(note)
            if to == "resolved" and text is None:
                raise InputError("note", "say how the alert was dealt with")
            moved = store.move_alert(alert.id, user.id, to, text)
            if moved is None:
                raise InputError("status", _refusal(alert.status, to))
            action = "alert.acknowledge" if to == "acknowledged" else "alert.resolve"
            store.audit(actor, action, "alert", alert.id, patient.id)
            return moved

    def sweep(self) -> list[Alert]:
        """Raise the time-based alerts of every followed episode (each patient's newest with a
        plan) as of the clock's moment: talks that have become due, review points and check-in
        links overdue, and any too-little finding not raised yet. Raising is idempotent (one
        alert per episode, kind and subject), so a sweep run twice raises nothing new. Each
        alert raised is audited as ``alert.create`` by the system."""
        with self._work() as store:
            followed = store.followed_episodes()
        raised: list[Alert] = []
        batch = follow_up_alerts.SWEEP_BATCH
        for first in range(0, len(followed), batch):
            with self._work() as store:
                for episode_id, patient_id in followed[first : first + batch]:
                    patient = store.patient(patient_id)
                    if patient is None:  # pragma: no cover - never deleted
                        continue
                    # As when a score is recorded: the scores and the plan, not the episode.
                    series = store.series_of(episode_id)
                    today = patient_today(patient, store.now)
                    points, found = self._findings_now(store, episode_id, series, today)
                    raised += follow_up_alerts.sweep_episode(
                        self.catalog,
                        store,
                        episode_id,
                        patient,
                        today,
                        series,
                        series_progress(self.catalog, series),
                        points,
                        found,
                    )
        return raised

    # --- check-ins ----------------------------------------------------------------------

    def instruments_due(self, episode: Episode) -> list[str]:
        """What a check-in asks: the questionnaires of the episode's decision, and the risk
        screen when none of them asks about risk (the next issue adds a schedule)."""
        found = [i for i in concern_instruments(episode) if i in self.catalog.instruments]
        if not any(self._has_risk_item(i) for i in found):
            found.append(RISK_SCREEN)
        return found

    def _has_risk_item(self, instrument_id: str) -> bool:
        instrument = self.catalog.instruments[instrument_id]
        return any(item.risk for item in instrument.items)

    def check_in_link(
        self, actor: Actor, episode_id: str, instruments: Sequence[str] | None = None
    ) -> Link:
        with self._work() as store:
            user = _clinician(actor)
            episode = store.episode_for(user, episode_id)
            if episode is None:
                raise NotFoundError("episode")
            chosen = list(instruments) if instruments else self.instruments_due(episode)
            for index, instrument in enumerate(chosen):
                if instrument not in self.catalog.instruments:
                    known = ", ".join(sorted(self.catalog.instruments))
                    raise InputError(
                        f"instruments[{index}]",
                        f"'{instrument}' is not an instrument; use one of {known}",
                    )
            if not any(self._has_risk_item(i) for i in chosen):
                chosen.append(RISK_SCREEN)
            link = store.add_link(
                "check_in",
                self._now() + CHECK_IN_LIFE,
                clinic_id=episode.clinic_id,
                patient_id=episode.patient_id,
                episode_id=episode.id,
                instruments=chosen,
                created_by=actor.user.id if actor.user else None,
            )
            store.audit(actor, "check_in.create", "link", link.id, episode.patient_id)
            return link

    def check_in(self, secret: str) -> CheckIn | None:
        with self._work() as store:
            link = store.link(secret, "check_in")
            if link is None or not link.usable(self._now()) or link.episode_id is None:
                return None
            episode = store.episode(link.episode_id)
            patient = store.patient(link.patient_id or "")
            assert episode is not None and patient is not None
            store.audit(_link_actor(link), "check_in.open", "link", link.id, patient.id)
            return CheckIn(link, patient, episode)

    def submit_check_in(
        self, secret: str, responses: Mapping[str, Sequence[int | None]]
    ) -> list[Recorded]:
        """Store one measurement per instrument of the check-in, dated today in the patient's
        zone; the link works once. All are stored or none."""
        with self._work() as store:
            link = store.link(secret, "check_in")
            if link is None or not link.usable(self._now()) or link.episode_id is None:
                raise InputError("link", "this check-in link has been used or has expired")
            for instrument in link.instruments:
                if instrument not in responses:
                    raise InputError(instrument, "answer this questionnaire")
            if not store.use_link(link.id):
                raise InputError("link", "this check-in link has been used or has expired")
            episode = store.episode(link.episode_id)
            patient = store.patient(link.patient_id or "")
            assert episode is not None and patient is not None
            actor = _link_actor(link)
            today = patient_today(patient, self._now())
            recorded = [
                self._store_measurement(
                    store,
                    actor,
                    patient,
                    episode.id,
                    episode.created_at,
                    instrument,
                    responses[instrument],
                    today,
                    "check_in",
                    follow_up=True,
                )
                for instrument in link.instruments
            ]
            # Judged once more with every answer of the check-in stored.
            series = store.series_of(episode.id)
            _, found = self._findings_now(store, episode.id, series, today)
            self._redecide_due(store, actor, patient, episode.id, found)
            return recorded

    # --- audit --------------------------------------------------------------------------

    def trail(self, actor: Actor, patient_id: str | None = None) -> list[AuditEvent]:
        user = _admin(actor)
        with self._work() as store:
            if (
                patient_id is not None
                and store.patient_in_clinic(user.clinic_id, patient_id) is None
            ):
                raise NotFoundError("patient")
            events = store.trail(user.clinic_id, patient_id)
            store.audit(
                actor,
                "audit.read",
                "patient" if patient_id else "clinic",
                patient_id or user.clinic_id,
                patient_id,
            )
            return events

    def verify_audit(self) -> tuple[int, tuple[int, str] | None]:
        """How many events the trail holds, and its first break (None when it holds)."""
        with self._work() as store:
            return store.audit_count(), store.audit_break()


def series_progress(
    catalog: Catalog,
    series: Sequence[tuple[str, dt.date, int, dt.datetime, str]],
    profile: str | None = None,
) -> list[Progress]:
    """``progress_of`` from ``Store.series_of``'s rows (instrument, taken on, total, recorded
    at, id), already only those in force."""
    chosen = catalog.outcomes.profile(profile)
    return [
        progress(instrument, scores, chosen)
        for instrument, scores in _by_instrument(series).items()
    ]


def _by_instrument(
    series: Sequence[tuple[str, dt.date, int, dt.datetime, str]],
) -> dict[str, list[tuple[dt.date, int]]]:
    """``Store.series_of``'s rows as each instrument's ``(taken_on, total)`` in the order
    taken (by date, then when recorded), instruments in order of first score."""
    grouped: dict[str, list[tuple[dt.date, int]]] = {}
    for instrument, taken_on, total, _, _ in sorted(series, key=lambda r: (r[1], r[3], r[4])):
        grouped.setdefault(instrument, []).append((taken_on, total))
    return grouped


def progress_of(
    catalog: Catalog, measurements: Sequence[Measurement], profile: str | None = None
) -> list[Progress]:
    """One progress entry per instrument measured, in order of first measurement, from the
    measurements still in force (a superseded one is left out), by ``profile`` (the content's
    default when None)."""
    in_force = [
        (m.instrument, m.taken_on, m.total, m.recorded_at, m.id)
        for m in measurements
        if m.superseded_by is None
    ]
    return series_progress(catalog, in_force, profile)


def concern_instruments(episode: Episode) -> list[str]:
    """The questionnaires of the episode's decision, in the order of its concerns, once each."""
    return instruments_of(episode.decision.get("case", {}).get("concerns", []))


def instruments_of(concerns: Any) -> list[str]:
    """The questionnaires of a decision's ``concerns`` (as stored), in order, once each."""
    found: list[str] = []
    for concern in concerns if isinstance(concerns, list) else ():
        instrument = concern.get("instrument") if isinstance(concern, Mapping) else None
        if isinstance(instrument, str) and instrument not in found:
            found.append(instrument)
    return found


def findings_of(
    catalog: Catalog, episode: Episode, points: Sequence[ReviewPoint]
) -> dict[str, Finding]:
    """What the episode's review points found (``domain.review.finding``), from its
    measurements in force, preferring the instruments of its decision's concerns."""
    series: dict[str, list[tuple[dt.date, int]]] = {}
    in_force = sorted(
        (m for m in episode.measurements if m.superseded_by is None),
        key=lambda m: (m.taken_on, m.recorded_at, m.id),
    )
    for m in in_force:
        series.setdefault(m.instrument, []).append((m.taken_on, m.total))
    return findings(points, series, concern_instruments(episode), catalog.outcomes, episode.start)


def series_findings(
    catalog: Catalog,
    series: Sequence[tuple[str, dt.date, int, dt.datetime, str]],
    points: Sequence[ReviewPoint],
    concerns: Any,
    start: dt.date | None,
) -> dict[str, Finding]:
    """``findings_of`` from ``Store.series_of``'s rows and the decision's ``concerns``."""
    return findings(
        points, _by_instrument(series), instruments_of(concerns), catalog.outcomes, start
    )


def _latest_answers(episode: Episode, finding: Finding) -> tuple[int | None, ...] | None:
    """The answers behind a finding's latest score: the last recorded measurement in force
    of its instrument, day and total."""
    found = [
        m
        for m in episode.measurements
        if m.superseded_by is None
        and m.instrument == finding.instrument
        and m.taken_on == finding.latest.on
        and m.total == finding.latest.total
    ]
    if not found:
        return None
    return max(found, key=lambda m: (m.recorded_at, m.id)).answers


def _clinician(actor: Actor) -> User:
    if actor.user is None or not actor.user.is_clinician:
        raise NotFoundError("patient")
    return actor.user


NOTE_LENGTH = 500


def _note(value: str | None) -> str | None:
    """A note as kept: ends trimmed, at most ``NOTE_LENGTH`` characters, no control character
    but line breaks and tabs; empty is none."""
    if value is None:
        return None
    if any(unicodedata.category(c) in ("Cc", "Cs") and c not in "\t\n\r" for c in value):
        raise InputError("note", "must not hold control characters")
    text = value.strip()
    if len(text) > NOTE_LENGTH:
        raise InputError("note", f"use at most {NOTE_LENGTH} characters")
    return text or None


def _refusal(status: str, to: str) -> str:
    if status == to:
        return f"this alert is {status} already"
    if to == "resolved" and status == "open":
        return "acknowledge this alert before resolving it"
    return f"this alert is {status}: it cannot be {to}"


def _admin(actor: Actor) -> User:
    if actor.user is None or not actor.user.is_admin:
        raise NotAllowedError("only an admin may do this")
    return actor.user


def _link_actor(link: Link) -> Actor:
    return Actor("link", link.id, "patient", link.clinic_id)
