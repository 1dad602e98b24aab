"""AVG rights: corrections (art. 16), restrictions (art. 18) and retention sweeps.

``corrections`` keeps the old value of every corrected field (who, when, why); it is read
only through the policy (resource type ``correctie``). ``restrictions`` marks a person or an
information item as restricted: kept, but not processed (docs/avg.md). ``retention_runs``
records what each bewaartermijn sweep removed (references and counts, no person data).
No foreign keys to the casework tables: a correction or restriction outlives nothing it
is about, the retention sweep removes them together with their subject.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.orm import Mapped, mapped_column

from services.platform.db.models.base import Base


def _tenant_pk() -> Mapped[str]:
    return mapped_column(sa.String(16), sa.ForeignKey("tenants.code"), primary_key=True)


def _uuid_pk() -> Mapped[uuid.UUID]:
    return mapped_column(UUID(as_uuid=True), primary_key=True, default=uuid.uuid4)


class Correction(Base):
    """One corrected field: the old and the new value (``{"waarde": ...}``)."""

    __tablename__ = "corrections"
    __table_args__ = (
        sa.Index("ix_corrections_target", "tenant_id", "target_type", "target_id"),
        sa.Index("ix_corrections_person", "tenant_id", "person_id"),
    )

    tenant_id: Mapped[str] = _tenant_pk()
    id: Mapped[uuid.UUID] = _uuid_pk()
    target_type: Mapped[str] = mapped_column(sa.String(16))
    target_id: Mapped[str] = mapped_column(sa.String(64))
    person_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    casus_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    field: Mapped[str] = mapped_column(sa.String(64))
    old_value: Mapped[dict[str, Any]]
    new_value: Mapped[dict[str, Any]]
    reason: Mapped[str] = mapped_column(sa.Text)
    corrected_by: Mapped[str] = mapped_column(sa.String(64))
    corrected_at: Mapped[dt.datetime] = mapped_column(
        sa.DateTime(timezone=True), server_default=sa.func.now()
    )


class Restriction(Base):
    """Beperking van de verwerking: the target is kept but not processed while active."""

    __tablename__ = "restrictions"
    __table_args__ = (sa.Index("ix_restrictions_target", "tenant_id", "target_type", "target_id"),)

    tenant_id: Mapped[str] = _tenant_pk()
    id: Mapped[uuid.UUID] = _uuid_pk()
    target_type: Mapped[str] = mapped_column(sa.String(16))
    target_id: Mapped[str] = mapped_column(sa.String(64))
    person_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    casus_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    reason: Mapped[str] = mapped_column(sa.Text)
    restricted_by: Mapped[str] = mapped_column(sa.String(64))
    restricted_at: Mapped[dt.datetime] = mapped_column(
        sa.DateTime(timezone=True), server_default=sa.func.now()
    )
    lifted_by: Mapped[str | None] = mapped_column(sa.String(64))
    lifted_at: Mapped[dt.datetime | None] = mapped_column(sa.DateTime(timezone=True))
    lift_reason: Mapped[str | None] = mapped_column(sa.Text)


class RetentionRun(Base):
    """One bewaartermijn sweep of one tenant: what it removed, as references and counts."""

    __tablename__ = "retention_runs"

    tenant_id: Mapped[str] = _tenant_pk()
    id: Mapped[uuid.UUID] = _uuid_pk()
    ran_at: Mapped[dt.datetime] = mapped_column(
        sa.DateTime(timezone=True), server_default=sa.func.now()
    )
    as_of: Mapped[dt.date] = mapped_column(sa.Date)
    casussen: Mapped[list[str]] = mapped_column(default=list)
    counts: Mapped[dict[str, Any]] = mapped_column(default=dict)
    kept_persons: Mapped[int] = mapped_column(default=0)
