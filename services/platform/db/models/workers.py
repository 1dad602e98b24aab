"""Platform table written by the trivial heartbeat job (proves the broker path)."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from services.platform.db.models.base import Base


class WorkerHeartbeat(Base):
    __tablename__ = "worker_heartbeats"

    token: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    worker_pid: Mapped[int]
    handled_at: Mapped[dt.datetime] = mapped_column(
        sa.DateTime(timezone=True), server_default=sa.func.now()
    )
