"""Use-case: the follow-up alerts (``deterioration``, ``review_due``, ``overdue``), raised when a
score is recorded and by the sweep, which looks at every followed episode as of the injected
clock's moment (``bothand alerts sweep`` for cron; ``bothand serve`` runs it every
``BOTHAND_SWEEP_MINUTES``). What to raise is decided in ``domain.review.alerts``; here the
episode is read, the calls are raised once each (the record keeps one alert per episode, kind
and subject) and each one raised is audited as ``alert.create``.

The sweep acts as the system (audit actor ``system``, role ``system``, the patient's clinic);
its reads are not audited one by one (a person reads nothing), its writes are. Nothing about a
person is logged: the sweeper's log line is a count.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable, Mapping, Sequence

from bothand.catalog import Catalog
from bothand.domain.record import Actor, Alert, Link, Patient
from bothand.domain.review.alerts import AlertCall, ExpiredLink, on_measurement, on_sweep
from bothand.domain.review.finding import Finding
from bothand.domain.review.points import ReviewPoint
from bothand.domain.track.progress import Progress
from bothand.storage import Store

log = logging.getLogger("bothand.alerts")
SWEEP_BATCH = 100  # episodes per transaction: short write locks on SQLite


def system_actor(clinic_id: str) -> Actor:
    """The sweep, acting for no person, in the patient's clinic's trail."""
    return Actor("system", "sweep", "system", clinic_id)


def remission_defined(catalog: Catalog) -> frozenset[str]:
    """The instruments the default outcome profile gives a remission cut-off."""
    profile = catalog.outcomes.profile()
    return frozenset(e.instrument for e in profile.instruments if e.remission_below is not None)


def raise_calls(
    store: Store,
    actor: Actor,
    patient: Patient,
    episode_id: str,
    calls: Sequence[AlertCall],
    measurement_id: str | None = None,
) -> list[Alert]:
    """Raise each call once, auditing each alert raised."""
    raised = []
    for call in calls:
        alert = store.add_alert_once(
            patient, call.kind, call.reason, episode_id, call.subject, measurement_id
        )
        if alert is not None:
            store.audit(actor, "alert.create", "alert", alert.id, patient.id)
            raised.append(alert)
    return raised


def on_record(
    catalog: Catalog,
    store: Store,
    actor: Actor,
    patient: Patient,
    episode_id: str,
    measurement_id: str,
    instrument: str,
    progress: Sequence[Progress],
    found: Mapping[str, Finding],
) -> list[Alert]:
    """The follow-up alerts a measurement just stored raises: its instrument's reliable
    deterioration, and review points it completed with too little change (``found``: the
    episode's findings as of today)."""
    if not on_measurement(instrument, progress, found, {}, catalog.alerts):
        return []  # the usual case: nothing to raise, so no need to read what was raised
    raised = store.alert_subjects(episode_id)
    calls = on_measurement(instrument, progress, found, raised, catalog.alerts)
    return raise_calls(store, actor, patient, episode_id, calls, measurement_id)


Series = Sequence[tuple[str, dt.date, int, dt.datetime, str]]  # ``Store.series_of``'s rows


def expired_links(series: Series, links: Sequence[Link]) -> list[ExpiredLink]:
    """The links, each with whether a score in force was recorded after it was made."""
    recorded = [row[3] for row in series]
    return [
        ExpiredLink(link.id, link.expires_at, any(at >= link.created_at for at in recorded))
        for link in links
    ]


def sweep_episode(
    catalog: Catalog,
    store: Store,
    episode_id: str,
    patient: Patient,
    today: dt.date,
    series: Series,
    progress: Sequence[Progress],
    points: Sequence[ReviewPoint],
    found: Mapping[str, Finding],
) -> list[Alert]:
    """The time-based alerts of one episode as of ``today`` in the patient's zone, from its
    scores in force (``series``) and what they show."""
    calls = on_sweep(
        today,
        points,
        progress,
        found,
        [row[1] for row in series],
        expired_links(series, store.expired_check_ins(episode_id)),
        remission_defined(catalog),
        store.alert_subjects(episode_id),
        catalog.alerts,
    )
    return raise_calls(store, system_actor(patient.clinic_id), patient, episode_id, calls)


class Sweeper:
    """Runs ``sweep`` at once and then every ``minutes`` in a daemon thread until ``stop``; a
    failure is logged by its type only and the next run goes ahead."""

    def __init__(
        self,
        sweep: Callable[[], int],
        minutes: float,
        close: Callable[[], None] | None = None,
    ) -> None:
        if minutes <= 0:
            raise ValueError("a sweeper runs every so many minutes, more than 0")
        self._sweep = sweep
        self._close = close
        self._every = minutes * 60
        self._stopped = threading.Event()
        self.runs = 0
        self._thread = threading.Thread(target=self._loop, name="bothand-sweep", daemon=True)

    def start(self) -> Sweeper:
        self._thread.start()
        return self

    def stop(self, timeout: float | None = 5) -> None:
        """Stop after the run under way, if any; then ``close`` (the sweep's database)."""
        self._stopped.set()
        self._thread.join(timeout)
        if self._close is not None:
            self._close()

    def _loop(self) -> None:
        while not self._stopped.is_set():
            try:
                count = self._sweep()
                log.info("alert sweep raised %d alerts", count)
            except Exception as error:
                log.error("alert sweep failed: %s", type(error).__name__)
            self.runs += 1
            self._stopped.wait(self._every)
