"""The relay: unpublished outbox rows go to the broker; ``published_at`` is set only in the
same transaction that found them, after the broker confirmed every send.

* Broker down: the send raises, the transaction rolls back, nothing is marked; the next
  round (after a growing pause) tries again. No event is lost.
* Crash after sending, before committing: the rows are sent again; consumers are
  idempotent by event id, so the effect happens once.
* Published but never handled (a message lost with a stub broker's process, a deleted
  queue): rows published longer than ``republish_after`` ago and still unhandled are sent
  again.

Rows are locked ``FOR UPDATE SKIP LOCKED``, so two relays (e.g. during a leader change)
never send the same row at the same time.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from services.platform.db.models import OutboxEvent

_log = logging.getLogger(__name__)

RELAY_SETTING = sa.text("SELECT set_config('pga.outbox_relay', 'on', true)")

#: Sends one event to the broker (raises when it cannot).
Send = Callable[[str, uuid.UUID], None]


@dataclass
class RelayStats:
    sent: int = 0
    failed_rounds: int = 0


class OutboxRelay:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        send: Send,
        *,
        batch_size: int = 200,
        republish_after: dt.timedelta = dt.timedelta(minutes=5),
    ) -> None:
        self._sessions = sessions
        self._send = send
        self._batch = batch_size
        self._republish_after = republish_after
        self.stats = RelayStats()

    def relay_once(self) -> int:
        """Publish one batch; the number of events sent (raises when the broker fails)."""
        stale = sa.func.now() - self._republish_after
        with self._sessions() as session, session.begin():
            session.execute(RELAY_SETTING)
            rows = session.execute(
                sa.select(OutboxEvent.tenant_id, OutboxEvent.id)
                .where(
                    sa.or_(
                        OutboxEvent.published_at.is_(None),
                        sa.and_(OutboxEvent.handled_at.is_(None), OutboxEvent.published_at < stale),
                    )
                )
                .order_by(OutboxEvent.seq)
                .limit(self._batch)
                .with_for_update(skip_locked=True)
            ).all()
            for tenant_id, event_id in rows:
                self._send(tenant_id, event_id)
            if rows:
                session.execute(
                    sa.update(OutboxEvent)
                    .where(
                        sa.tuple_(OutboxEvent.tenant_id, OutboxEvent.id).in_(
                            [(t, i) for t, i in rows]
                        )
                    )
                    .values(
                        published_at=sa.func.now(),
                        publish_count=OutboxEvent.publish_count + 1,
                    )
                )
        self.stats.sent += len(rows)
        return len(rows)

    def drain(self) -> int:
        """Publish until nothing is left (raises when the broker fails)."""
        total = 0
        while sent := self.relay_once():
            total += sent
        return total

    def run(self, stop: threading.Event, poll_seconds: float, max_pause: float = 30.0) -> None:
        """Relay until ``stop`` is set; after a failure wait longer each time (capped)."""
        pause = poll_seconds
        while not stop.is_set():
            try:
                self.drain()
                pause = poll_seconds
            except Exception as error:  # noqa: BLE001 - broker or database away: retry later
                self.stats.failed_rounds += 1
                pause = min(max_pause, max(poll_seconds, pause * 2))
                _log.warning(
                    "outbox relay: publishing failed (%s); retrying in %.1fs",
                    type(error).__name__,
                    pause,
                )
            stop.wait(pause)
