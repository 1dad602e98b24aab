"""The transactional outbox and what its consumers keep.

* ``outbox_events``: one row per domain event, written in the business transaction (by
  :meth:`services.casework.workspace.Workspace.event`); the relay publishes unpublished
  rows to the broker, the consumer marks a row handled in its own transaction (which makes
  delivery idempotent by event id).
* ``notifications``: what the event consumer decided to tell whom (one row per event and
  recipient); ``mail_sent_at`` once the e-mail left (SMTP or the embedded mail folder).
* ``job_receipts``: idempotency keys of periodic jobs (a reminder per user and day, ...).
* ``dead_letters``: messages whose retries ran out, for an operator to list and replay.
* ``scheduled_jobs``: when each periodic job was last enqueued (by the one scheduler).

No table holds person data: events and notifications carry the casus reference and a
summary written without person data; messages on the broker carry ids only.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.orm import Mapped, mapped_column

from services.platform.db.models.base import Base


def _now() -> Any:
    return sa.func.now()


class OutboxEvent(Base):
    __tablename__ = "outbox_events"
    __table_args__ = (
        sa.UniqueConstraint("tenant_id", "seq", name="uq_outbox_events_seq"),
        sa.Index(
            "ix_outbox_events_unpublished", "seq", postgresql_where=sa.text("published_at IS NULL")
        ),
        sa.Index(
            "ix_outbox_events_unhandled",
            "published_at",
            postgresql_where=sa.text("handled_at IS NULL"),
        ),
    )

    tenant_id: Mapped[str] = mapped_column(
        sa.String(16), sa.ForeignKey("tenants.code"), primary_key=True
    )
    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, default=uuid.uuid4)
    seq: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(always=True))
    casus_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    kind: Mapped[str] = mapped_column(sa.String(40))
    summary: Mapped[str] = mapped_column(sa.Text)
    actor_user_id: Mapped[str | None] = mapped_column(sa.String(64))
    occurred_at: Mapped[dt.datetime] = mapped_column(
        sa.DateTime(timezone=True), server_default=_now()
    )
    published_at: Mapped[dt.datetime | None] = mapped_column(sa.DateTime(timezone=True))
    publish_count: Mapped[int] = mapped_column(default=0, server_default="0")
    handled_at: Mapped[dt.datetime | None] = mapped_column(sa.DateTime(timezone=True))


class Notification(Base):
    __tablename__ = "notifications"
    __table_args__ = (
        sa.ForeignKeyConstraint(
            ["tenant_id", "event_id"],
            ["outbox_events.tenant_id", "outbox_events.id"],
            ondelete="CASCADE",
        ),
        sa.UniqueConstraint("tenant_id", "event_id", "user_id", name="uq_notifications_event_user"),
    )

    tenant_id: Mapped[str] = mapped_column(
        sa.String(16), sa.ForeignKey("tenants.code"), primary_key=True
    )
    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, default=uuid.uuid4)
    event_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    user_id: Mapped[str] = mapped_column(sa.String(64))
    kind: Mapped[str] = mapped_column(sa.String(40))
    subject: Mapped[str] = mapped_column(sa.Text)
    body: Mapped[str] = mapped_column(sa.Text)
    """Shown in Regietafel (with the event's summary)."""
    mail_body: Mapped[str] = mapped_column(sa.Text)
    """What the e-mail says: less than ``body`` (mail leaves the platform)."""
    email: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[dt.datetime] = mapped_column(
        sa.DateTime(timezone=True), server_default=_now()
    )
    mail_sent_at: Mapped[dt.datetime | None] = mapped_column(sa.DateTime(timezone=True))


class JobReceipt(Base):
    __tablename__ = "job_receipts"

    job: Mapped[str] = mapped_column(sa.String(48), primary_key=True)
    key: Mapped[str] = mapped_column(sa.String(160), primary_key=True)
    handled_at: Mapped[dt.datetime] = mapped_column(
        sa.DateTime(timezone=True), server_default=_now()
    )


class DeadLetter(Base):
    __tablename__ = "dead_letters"

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, default=uuid.uuid4)
    message_id: Mapped[str] = mapped_column(sa.String(64), unique=True)
    queue_name: Mapped[str] = mapped_column(sa.String(120))
    actor_name: Mapped[str] = mapped_column(sa.String(80))
    args: Mapped[list[Any]] = mapped_column(sa.JSON)
    kwargs: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
    retries: Mapped[int]
    error: Mapped[str] = mapped_column(sa.Text)
    failed_at: Mapped[dt.datetime] = mapped_column(
        sa.DateTime(timezone=True), server_default=_now()
    )
    replayed_at: Mapped[dt.datetime | None] = mapped_column(sa.DateTime(timezone=True))
    replay_message_id: Mapped[str | None] = mapped_column(sa.String(64))


class ScheduledJob(Base):
    __tablename__ = "scheduled_jobs"

    name: Mapped[str] = mapped_column(sa.String(48), primary_key=True)
    last_enqueued_at: Mapped[dt.datetime] = mapped_column(sa.DateTime(timezone=True))
