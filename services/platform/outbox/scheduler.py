"""One scheduler, however many processes run it.

Every ``regietafel scheduler`` process (and the embedded ``regietafel run``) competes for a
PostgreSQL session-level advisory lock. The holder is the leader: it runs the outbox relay
and enqueues the periodic jobs; the others wait and take over when the leader's database
session ends (crash, stop, network loss: PostgreSQL releases the lock with the session).

When each periodic job was last enqueued is kept in ``scheduled_jobs``, and the leader
checks and updates it in one locked transaction, so a restart or a leader change never
enqueues a job early. A job is first enqueued one interval after it was first seen.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session, sessionmaker

from services.platform.db.models import ScheduledJob
from services.platform.db.unit_of_work import platform_transaction
from services.platform.outbox.relay import OutboxRelay

_log = logging.getLogger(__name__)

LEADER_LOCK = 7208433


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    interval: dt.timedelta
    enqueue: Callable[[], object]


class Scheduler:
    def __init__(
        self,
        engine: sa.Engine,
        sessions: sessionmaker[Session],
        relay: OutboxRelay,
        jobs: list[PeriodicJob],
        *,
        poll_seconds: float = 1.0,
        tick_seconds: float = 15.0,
        name: str = "scheduler",
    ) -> None:
        self._engine = engine
        self._sessions = sessions
        self.relay = relay
        self.jobs = jobs
        self._poll = poll_seconds
        self._tick = tick_seconds
        self.name = name
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.is_leader = threading.Event()
        self.enqueued: dict[str, int] = {}

    # -- lifecycle ----------------------------------------------------------------------------

    def start(self) -> None:
        if self._thread is not None and self._thread.is_alive():
            return
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=self.name, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=30)

    def run_forever(self, stop: threading.Event) -> None:
        self._stop = stop
        self._run()

    # -- leadership ---------------------------------------------------------------------------

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                with self._engine.connect() as lock_conn:
                    got = lock_conn.execute(
                        sa.text("SELECT pg_try_advisory_lock(:k)"), {"k": LEADER_LOCK}
                    ).scalar_one()
                    lock_conn.commit()
                    if got:
                        _log.info("%s: leader (outbox relay and periodic jobs)", self.name)
                        self.is_leader.set()
                        try:
                            self._lead(lock_conn)
                        finally:
                            self.is_leader.clear()
                            self._release(lock_conn)
            except Exception as error:  # noqa: BLE001 - database away: try again shortly
                _log.warning("%s: no database (%s); retrying", self.name, type(error).__name__)
            self._stop.wait(max(self._poll, 1.0))

    @staticmethod
    def _release(lock_conn: sa.Connection) -> None:
        try:
            lock_conn.execute(sa.text("SELECT pg_advisory_unlock(:k)"), {"k": LEADER_LOCK})
            lock_conn.commit()
        except Exception:  # noqa: BLE001, S110 - the session is gone: so is the lock
            pass

    def _lead(self, lock_conn: sa.Connection) -> None:
        relay_stop = threading.Event()
        relay = threading.Thread(
            target=self.relay.run,
            args=(relay_stop, self._poll),
            name=f"{self.name}-relay",
            daemon=True,
        )
        relay.start()
        try:
            while not self._stop.is_set():
                # Still holding the lock? A broken session means another may lead now.
                lock_conn.execute(sa.text("SELECT 1"))
                lock_conn.commit()
                self.tick()
                self._stop.wait(self._tick)
        finally:
            relay_stop.set()
            relay.join(timeout=30)

    # -- periodic jobs ------------------------------------------------------------------------

    def tick(self, now: dt.datetime | None = None) -> list[str]:
        """Enqueue the jobs whose interval has passed; their names."""
        now = now or dt.datetime.now(dt.UTC)
        fired = []
        for job in self.jobs:
            try:
                if self._due_and_enqueued(job, now):
                    fired.append(job.name)
                    self.enqueued[job.name] = self.enqueued.get(job.name, 0) + 1
                    _log.info("periodic job %s enqueued", job.name)
            except Exception as error:  # noqa: BLE001 - broker away: the next tick retries
                _log.warning("periodic job %s not enqueued: %s", job.name, type(error).__name__)
        return fired

    def _due_and_enqueued(self, job: PeriodicJob, now: dt.datetime) -> bool:
        with platform_transaction(self._sessions) as session:
            session.execute(
                insert(ScheduledJob)
                .values(name=job.name, last_enqueued_at=now)
                .on_conflict_do_nothing(index_elements=["name"])
            )
            row = session.get(ScheduledJob, job.name, with_for_update=True)
            assert row is not None
            if now - row.last_enqueued_at < job.interval:
                return False
            job.enqueue()  # raises when the broker is away: the transaction rolls back
            row.last_enqueued_at = now
            return True
