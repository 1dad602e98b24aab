"""In-app notifications (``user_notifications``, migration 0043): what Regietafel tells one
user in the app. Written by the casework in the same transaction as their cause; they hold a
reference and a link, never person data (services/casework/meldingen)."""

from __future__ import annotations

import datetime as dt
import uuid

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.orm import Mapped, mapped_column

from services.platform.db.models.base import Base


class UserNotification(Base):
    __tablename__ = "user_notifications"
    __table_args__ = (
        sa.ForeignKeyConstraint(
            ["tenant_id", "casus_id"],
            ["casussen.tenant_id", "casussen.id"],
            ondelete="CASCADE",
        ),
        sa.UniqueConstraint(
            "tenant_id", "user_id", "dedupe_key", name="uq_user_notifications_dedupe"
        ),
        sa.Index("ix_user_notifications_user", "tenant_id", "user_id", "created_at"),
    )

    tenant_id: Mapped[str] = mapped_column(
        sa.String(16), sa.ForeignKey("tenants.code"), primary_key=True
    )
    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, default=uuid.uuid4)
    user_id: Mapped[str] = mapped_column(sa.String(64))
    kind: Mapped[str] = mapped_column(sa.String(40))
    casus_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    text: Mapped[str] = mapped_column(sa.Text)
    """What happened, by reference only (``U bent uitgenodigd voor casus GM0355-2026-…``)."""
    link: Mapped[str] = mapped_column(sa.String(200))
    dedupe_key: Mapped[str | None] = mapped_column(sa.String(160))
    """Set by the periodic notifications: one per user and key (idempotent)."""
    created_at: Mapped[dt.datetime] = mapped_column(
        sa.DateTime(timezone=True), server_default=sa.func.now()
    )
    read_at: Mapped[dt.datetime | None] = mapped_column(sa.DateTime(timezone=True))
