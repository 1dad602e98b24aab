"""Dead letters: messages whose retries ran out, kept for an operator to list and replay.

The :class:`DeadLetterRecorder` middleware runs after dramatiq's ``Retries`` middleware
(so ``message.failed`` is known) and records the message in ``dead_letters``. The broker
keeps its own dead-letter queue as well; ours is what ``regietafel outbox dead-letters``
and ``GET /api/v1/operatie/dead-letters`` show, whatever the broker. Replaying sends a
new message with the same actor and arguments (consumers are idempotent, so a replay of
something that did succeed meanwhile does no harm).
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from typing import Any

import dramatiq
import sqlalchemy as sa
from dramatiq.broker import MessageProxy
from dramatiq.middleware import Retries
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session, sessionmaker

from services.platform.db.models import DeadLetter
from services.platform.db.unit_of_work import platform_transaction

_log = logging.getLogger(__name__)


class DeadLetterRecorder(dramatiq.Middleware):
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    def after_process_message(
        self,
        broker: dramatiq.Broker,
        message: MessageProxy,
        *,
        result: Any = None,
        exception: BaseException | None = None,
    ) -> None:
        if exception is None or not message.failed:
            return
        _log.error(
            "message %s of %s dead-lettered after %s retries: %s",
            message.message_id,
            message.actor_name,
            message.options.get("retries", 0),
            type(exception).__name__,
        )
        with platform_transaction(self._sessions) as session:
            session.execute(
                insert(DeadLetter)
                .values(
                    id=uuid.uuid4(),
                    message_id=message.message_id,
                    queue_name=message.queue_name,
                    actor_name=message.actor_name,
                    args=list(message.args),
                    kwargs=dict(message.kwargs),
                    retries=int(message.options.get("retries", 0)),
                    error=f"{type(exception).__name__}: {exception}"[:2000],
                )
                .on_conflict_do_nothing(index_elements=["message_id"])
            )


def install(broker: dramatiq.Broker, sessions: sessionmaker[Session]) -> None:
    """Add the recorder once, placed before ``Retries`` (``after_*`` hooks run in reverse)."""
    if any(isinstance(m, DeadLetterRecorder) for m in broker.middleware):
        return
    broker.add_middleware(DeadLetterRecorder(sessions), before=Retries)


def list_dead_letters(
    sessions: sessionmaker[Session], *, include_replayed: bool = False
) -> list[dict[str, Any]]:
    with platform_transaction(sessions) as session:
        query = sa.select(DeadLetter).order_by(DeadLetter.failed_at)
        if not include_replayed:
            query = query.where(DeadLetter.replayed_at.is_(None))
        return [_view(row) for row in session.scalars(query)]


def replay(sessions: sessionmaker[Session], broker: dramatiq.Broker, letter_id: uuid.UUID) -> str:
    """Send the dead letter again; returns the new message id (KeyError when unknown or
    already replayed)."""
    with platform_transaction(sessions) as session:
        row = session.get(DeadLetter, letter_id, with_for_update=True)
        if row is None or row.replayed_at is not None:
            raise KeyError(str(letter_id))
        message: dramatiq.Message[Any] = dramatiq.Message(
            queue_name=row.queue_name,
            actor_name=row.actor_name,
            args=tuple(row.args),
            kwargs=dict(row.kwargs),
            options={},
        )
        broker.enqueue(message)
        row.replayed_at = dt.datetime.now(dt.UTC)
        row.replay_message_id = message.message_id
        return message.message_id


def _view(row: DeadLetter) -> dict[str, Any]:
    return {
        "id": str(row.id),
        "bericht_id": row.message_id,
        "wachtrij": row.queue_name,
        "taak": row.actor_name,
        "argumenten": row.args,
        "pogingen": row.retries,
        "fout": row.error,
        "mislukt_op": row.failed_at.isoformat(),
        "opnieuw_verstuurd_op": row.replayed_at.isoformat() if row.replayed_at else None,
    }
