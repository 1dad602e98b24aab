"""Documents (attachments) of a casus or of an information item: signed consent forms,
reports. The file itself is kept in the row (``bytea``), under row-level security like every
tenant-owned table; it goes with its casus (and item) through ``ON DELETE CASCADE``, so the
bewaartermijn sweep removes it with them.
"""

from __future__ import annotations

import datetime as dt
import uuid

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.orm import Mapped, mapped_column

from services.platform.db.models.base import Base, Timestamps


class Document(Timestamps, Base):
    """One uploaded file with its data category and source organisation."""

    __tablename__ = "documents"
    __table_args__ = (
        sa.ForeignKeyConstraint(
            ["tenant_id", "casus_id"],
            ["casussen.tenant_id", "casussen.id"],
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "item_id"],
            ["information_items.tenant_id", "information_items.id"],
            ondelete="CASCADE",
        ),
        sa.Index("ix_documents_casus", "tenant_id", "casus_id"),
    )

    tenant_id: Mapped[str] = mapped_column(
        sa.String(16), sa.ForeignKey("tenants.code"), primary_key=True
    )
    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, default=uuid.uuid4)
    casus_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    #: Set when the document belongs to an information item (it then follows the item).
    item_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    category: Mapped[str] = mapped_column(sa.String(32))
    source_organisation_id: Mapped[str] = mapped_column(sa.String(64))
    purpose: Mapped[str] = mapped_column(sa.String(32))
    filename: Mapped[str] = mapped_column(sa.String(255))
    #: The type found by looking at the content (not the one the client declared).
    media_type: Mapped[str] = mapped_column(sa.String(64))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(sa.String(64))
    description: Mapped[str] = mapped_column(sa.Text)
    content: Mapped[bytes] = mapped_column(sa.LargeBinary, deferred=True)
    withheld: Mapped[bool] = mapped_column(default=False)
    uploaded_by: Mapped[str] = mapped_column(sa.String(64))
    uploaded_at: Mapped[dt.datetime] = mapped_column(sa.DateTime(timezone=True))
    version: Mapped[int] = mapped_column(default=1)
    #: Optimistic concurrency: SQLAlchemy bumps it on every UPDATE and refuses a stale one.
    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012
