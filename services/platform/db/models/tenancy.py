"""Tenants (gemeenten and regional bureaus), their partner organisations and users."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.orm import Mapped, mapped_column

from services.platform.db.models.base import Base, Timestamps


class TenantKind(enum.StrEnum):
    GEMEENTE = "gemeente"
    REGIO = "regio"


class TenantStatus(enum.StrEnum):
    ACTIVE = "actief"
    SUSPENDED = "opgeschort"


class UserSource(enum.StrEnum):
    MANIFEST = "manifest"  # kept in step with the tenant manifest by `tenants apply`
    BEHEER = "beheer"  # managed by the tenant's own tenantbeheerder


class Tenant(Timestamps, Base):
    """Platform table (no tenant_id, no RLS): the registry of tenants."""

    __tablename__ = "tenants"

    code: Mapped[str] = mapped_column(sa.String(16), primary_key=True)
    name: Mapped[str] = mapped_column(sa.Text)
    kind: Mapped[TenantKind] = mapped_column(
        sa.Enum(TenantKind, name="tenant_kind", values_callable=lambda e: [m.value for m in e])
    )
    region: Mapped[str] = mapped_column(sa.Text)
    status: Mapped[TenantStatus] = mapped_column(
        sa.Enum(TenantStatus, name="tenant_status", values_callable=lambda e: [m.value for m in e]),
        default=TenantStatus.ACTIVE,
    )
    manifest: Mapped[dict[str, Any]] = mapped_column(default=dict)
    manifest_sha256: Mapped[str] = mapped_column(sa.String(64), default="")
    settings: Mapped[dict[str, Any]] = mapped_column(default=dict)
    status_reason: Mapped[str | None] = mapped_column(sa.Text)


class Organisation(Timestamps, Base):
    __tablename__ = "organisations"

    tenant_id: Mapped[str] = mapped_column(
        sa.String(16), sa.ForeignKey("tenants.code"), primary_key=True
    )
    id: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    name: Mapped[str] = mapped_column(sa.Text)
    domain: Mapped[str] = mapped_column(sa.String(64))
    receive_only: Mapped[bool] = mapped_column(default=False)
    active: Mapped[bool] = mapped_column(default=True)


class User(Timestamps, Base):
    __tablename__ = "users"
    __table_args__ = (
        sa.ForeignKeyConstraint(
            ["tenant_id", "organisation_id"], ["organisations.tenant_id", "organisations.id"]
        ),
    )

    tenant_id: Mapped[str] = mapped_column(
        sa.String(16), sa.ForeignKey("tenants.code"), primary_key=True
    )
    id: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    display_name: Mapped[str] = mapped_column(sa.Text)
    email: Mapped[str | None] = mapped_column(sa.Text)
    organisation_id: Mapped[str] = mapped_column(sa.String(64))
    roles: Mapped[list[str]] = mapped_column(default=list)
    active: Mapped[bool] = mapped_column(default=True)
    title: Mapped[str | None] = mapped_column(sa.Text)
    source: Mapped[UserSource] = mapped_column(
        sa.Enum(UserSource, name="user_source", values_callable=lambda e: [m.value for m in e]),
        default=UserSource.BEHEER,
    )
    version: Mapped[int] = mapped_column(default=1)


class MeetingType(Base):
    __tablename__ = "meeting_types"

    tenant_id: Mapped[str] = mapped_column(
        sa.String(16), sa.ForeignKey("tenants.code"), primary_key=True
    )
    id: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    name: Mapped[str] = mapped_column(sa.Text)
    frequency_weeks: Mapped[int | None]
    casus_type: Mapped[str] = mapped_column(sa.String(16), default="persoon")
    active: Mapped[bool] = mapped_column(default=True)


class PolicyDataRevision(Base):
    """Platform table: each policy-data document generated from the manifests (content
    addressed: the same document is stored once). Which one is in force is recorded in
    :class:`PolicyDataActivation`, never derived from ``created_at``."""

    __tablename__ = "policy_data"

    revision: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    document: Mapped[dict[str, Any]]
    created_at: Mapped[datetime] = mapped_column(
        sa.DateTime(timezone=True), server_default=sa.func.now()
    )


class PolicyDataActivation(Base):
    """Platform table, append-only: every switch of the policy data in force.

    The row with the highest ``seq`` names the current revision. Re-applying an earlier
    manifest appends a row for the earlier (already stored) document, so it is in force
    again: reverting a grant or resuming a tenant takes effect.
    """

    __tablename__ = "policy_data_activations"

    seq: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(always=True), primary_key=True)
    revision: Mapped[str] = mapped_column(sa.String(64), sa.ForeignKey("policy_data.revision"))
    activated_at: Mapped[datetime] = mapped_column(
        sa.DateTime(timezone=True), server_default=sa.func.now()
    )
    reason: Mapped[str] = mapped_column(sa.Text)
    actor: Mapped[str | None] = mapped_column(sa.Text)


class RoleChangeStatus(enum.StrEnum):
    PROPOSED = "voorgesteld"
    APPROVED = "goedgekeurd"
    REJECTED = "afgewezen"


class RoleChangeRequest(Base):
    """A proposed grant of roles (and/or a move to another organisation) for a user of the
    tenant: in force only after a second tenantbeheerder approved it (four eyes). At most
    one open proposal per user."""

    __tablename__ = "role_change_requests"
    __table_args__ = (
        sa.ForeignKeyConstraint(["tenant_id", "user_id"], ["users.tenant_id", "users.id"]),
        sa.CheckConstraint(
            "decided_by IS NULL OR status = 'afgewezen' OR decided_by <> proposed_by",
            name="four_eyes",
        ),
        sa.Index(
            "uq_role_change_requests_open",
            "tenant_id",
            "user_id",
            unique=True,
            postgresql_where=sa.text("status = 'voorgesteld'"),
        ),
    )

    tenant_id: Mapped[str] = mapped_column(
        sa.String(16), sa.ForeignKey("tenants.code"), primary_key=True
    )
    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, default=uuid.uuid4)
    user_id: Mapped[str] = mapped_column(sa.String(64))
    roles_added: Mapped[list[str]] = mapped_column(default=list)
    organisation_id: Mapped[str | None] = mapped_column(sa.String(64))
    reason: Mapped[str] = mapped_column(sa.Text)
    status: Mapped[RoleChangeStatus] = mapped_column(
        sa.Enum(
            RoleChangeStatus,
            name="role_change_status",
            values_callable=lambda e: [m.value for m in e],
        ),
        default=RoleChangeStatus.PROPOSED,
    )
    proposed_by: Mapped[str] = mapped_column(sa.String(64))
    proposed_at: Mapped[datetime] = mapped_column(
        sa.DateTime(timezone=True), server_default=sa.func.now()
    )
    decided_by: Mapped[str | None] = mapped_column(sa.String(64))
    decided_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    decision_note: Mapped[str | None] = mapped_column(sa.Text)
