"""Casework tables: persons, casussen and everything that hangs off a casus.

Every table is tenant-owned: ``tenant_id`` leads the primary key and every foreign key
(so a row can never point into another tenant, and Citus could distribute by tenant).
State codes are validated by the domain layer (services/casework/domain), not by enums
here, so a tenant-specific flow never needs a migration.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.orm import Mapped, mapped_column

from services.platform.db.models.base import Base, Timestamps


def _tenant_pk() -> Mapped[str]:
    return mapped_column(sa.String(16), sa.ForeignKey("tenants.code"), primary_key=True)


def _uuid_pk() -> Mapped[uuid.UUID]:
    return mapped_column(UUID(as_uuid=True), primary_key=True, default=uuid.uuid4)


def _fk(table: str, column: str = "id") -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["tenant_id", column], [f"{table}.tenant_id", f"{table}.id"], ondelete="CASCADE"
    )


class Person(Timestamps, Base):
    __tablename__ = "persons"
    __table_args__ = (sa.Index("ix_persons_bsn_hash", "tenant_id", "bsn_hash"),)

    tenant_id: Mapped[str] = _tenant_pk()
    id: Mapped[uuid.UUID] = _uuid_pk()
    given_names: Mapped[str] = mapped_column(sa.Text)
    surname: Mapped[str] = mapped_column(sa.Text)
    roepnaam: Mapped[str | None] = mapped_column(sa.Text)
    aliases: Mapped[list[str]] = mapped_column(default=list)
    birth_date: Mapped[dt.date | None]
    bsn_encrypted: Mapped[bytes | None] = mapped_column(sa.LargeBinary)
    bsn_hash: Mapped[str | None] = mapped_column(sa.String(64))
    address: Mapped[dict[str, Any]] = mapped_column(default=dict)
    version: Mapped[int] = mapped_column(default=1)
    #: Optimistic concurrency: SQLAlchemy bumps it on every UPDATE and refuses a stale one.
    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class HouseholdMember(Base):
    """A relation between two persons; the member is a person of their own."""

    __tablename__ = "household_members"
    __table_args__ = (_fk("persons", "person_id"), _fk("persons", "member_person_id"))

    tenant_id: Mapped[str] = _tenant_pk()
    id: Mapped[uuid.UUID] = _uuid_pk()
    person_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    member_person_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    relation: Mapped[str] = mapped_column(sa.Text)
    ended_on: Mapped[dt.date | None]
    """The member left the household (migration 0043); kept, shown as ended."""
    end_reason: Mapped[str | None] = mapped_column(sa.Text)


class Casus(Timestamps, Base):
    __tablename__ = "casussen"
    __table_args__ = (
        _fk("persons", "subject_person_id"),
        sa.UniqueConstraint("tenant_id", "reference", name="uq_casussen_reference"),
        # The lists' order; kind and state ride along for the home page's count (0057).
        sa.Index(
            "ix_casussen_tenant_created",
            "tenant_id",
            "created_at",
            "id",
            postgresql_include=["kind", "state"],
        ),
        sa.Index("ix_casussen_id", "id"),
        # The home page's count in id order, kind and state riding along (migration 0068).
        sa.Index(
            "ix_casussen_tenant_id_kind_state",
            "tenant_id",
            "id",
            postgresql_include=["kind", "state"],
        ),
        # A phase's casussen, newest first (the list sorted by fase; the werkvoorraad).
        sa.Index("ix_casussen_tenant_state_created", "tenant_id", "state", "created_at", "id"),
        # The list's filters (migration 0060): a kind's casussen newest first, and a range
        # of aanmelddatums.
        sa.Index("ix_casussen_tenant_kind_created", "tenant_id", "kind", "created_at", "id"),
        sa.Index("ix_casussen_tenant_aanmeld", "tenant_id", "aanmeld_date", "created_at", "id"),
        # A person's casussen (migration 0066): the shared_read policy of persons, the
        # foreign key's cascade from persons, triage's "other casussen of this person".
        sa.Index("ix_casussen_subject_person", "tenant_id", "subject_person_id"),
    )

    tenant_id: Mapped[str] = _tenant_pk()
    id: Mapped[uuid.UUID] = _uuid_pk()
    reference: Mapped[str] = mapped_column(sa.String(32))
    kind: Mapped[str] = mapped_column(sa.String(16))
    state: Mapped[str] = mapped_column(sa.String(32))
    subject_person_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    group_name: Mapped[str | None] = mapped_column(sa.Text)
    doelgroep: Mapped[str | None] = mapped_column(sa.String(64))
    voluntary: Mapped[bool] = mapped_column(default=True)
    meeting_type_id: Mapped[str | None] = mapped_column(sa.String(64))
    aanmelder_organisation_id: Mapped[str] = mapped_column(sa.String(64))
    aanmelder_user_id: Mapped[str] = mapped_column(sa.String(64))
    aanmelding: Mapped[dict[str, Any]] = mapped_column(default=dict)
    triage: Mapped[dict[str, Any]] = mapped_column(default=dict)
    informing: Mapped[dict[str, Any]] = mapped_column(default=dict)
    closure: Mapped[dict[str, Any]] = mapped_column(default=dict)
    group_steps: Mapped[dict[str, Any]] = mapped_column(default=dict)
    """Content of group approach steps 3-7 (services/casework/groepsstappen, migration 0041)."""
    aanmeld_date: Mapped[dt.date] = mapped_column(sa.Date, server_default=sa.func.current_date())
    plan_date: Mapped[dt.date | None]
    closure_date: Mapped[dt.date | None]
    last_melding_on: Mapped[dt.date | None]
    retention_until: Mapped[dt.date | None]
    #: When the casus's first plan version was made, and the date of its last tussentijdse
    #: meting: kept by the triggers of migration 0072 (the werkvoorraad's facts), never
    #: written by the application. Deferred: not loaded with a casus and not in its INSERT
    #: or UPDATE, so a stale object cannot write an old value back.
    first_plan_at: Mapped[dt.datetime | None] = mapped_column(
        sa.DateTime(timezone=True), deferred=True
    )
    last_review_on: Mapped[dt.date | None] = mapped_column(sa.Date, deferred=True)
    version: Mapped[int] = mapped_column(default=1)
    #: Optimistic concurrency: SQLAlchemy bumps it on every UPDATE and refuses a stale one.
    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class CasusParticipant(Base):
    __tablename__ = "casus_participants"
    __table_args__ = (
        _fk("casussen", "casus_id"),
        sa.Index(
            "ix_casus_participants_organisation",
            "tenant_id",
            "organisation_id",
            "casus_id",
            postgresql_where=sa.text("active"),
        ),
    )

    tenant_id: Mapped[str] = _tenant_pk()
    casus_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    organisation_id: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    participation: Mapped[str] = mapped_column(sa.String(16), default="kern")
    declared_role: Mapped[str | None] = mapped_column(sa.Text)
    invited_by: Mapped[str] = mapped_column(sa.String(64))
    invited_at: Mapped[dt.datetime] = mapped_column(
        sa.DateTime(timezone=True), server_default=sa.func.now()
    )
    active: Mapped[bool] = mapped_column(default=True)


class CasusRole(Base):
    """Regie over time: casusregisseur, procesregisseur, uitvoeringscoordinator (with history)."""

    __tablename__ = "casus_roles"
    __table_args__ = (
        _fk("casussen", "casus_id"),
        sa.Index("ix_casus_roles_casus", "tenant_id", "casus_id"),
        # Does this user hold this role on this casus (the regisseur filter, the regie
        # branches of the pre-filter), from the index alone (migration 0060).
        sa.Index(
            "ix_casus_roles_user_active",
            "tenant_id",
            "user_id",
            "role",
            "casus_id",
            postgresql_where=sa.text("ended_at IS NULL"),
        ),
        # Whether a casus has an active uitvoeringscoördinator (the count's groups; 0057).
        sa.Index(
            "ix_casus_roles_coordinator",
            "tenant_id",
            "casus_id",
            postgresql_where=sa.text("role = 'uitvoeringscoordinator' AND ended_at IS NULL"),
        ),
    )

    tenant_id: Mapped[str] = _tenant_pk()
    id: Mapped[uuid.UUID] = _uuid_pk()
    casus_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    role: Mapped[str] = mapped_column(sa.String(32))
    user_id: Mapped[str] = mapped_column(sa.String(64))
    organisation_id: Mapped[str] = mapped_column(sa.String(64))
    started_at: Mapped[dt.datetime] = mapped_column(
        sa.DateTime(timezone=True), server_default=sa.func.now()
    )
    ended_at: Mapped[dt.datetime | None] = mapped_column(sa.DateTime(timezone=True))
    reason: Mapped[str | None] = mapped_column(sa.Text)


class PlanVersion(Base):
    __tablename__ = "plan_versions"
    __table_args__ = (_fk("casussen", "casus_id"),)

    tenant_id: Mapped[str] = _tenant_pk()
    casus_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    version: Mapped[int] = mapped_column(primary_key=True)
    content: Mapped[dict[str, Any]]
    summary: Mapped[list[str]] = mapped_column(default=list)
    created_by: Mapped[str] = mapped_column(sa.String(64))
    created_at: Mapped[dt.datetime] = mapped_column(
        sa.DateTime(timezone=True), server_default=sa.func.now()
    )


class PlanVersionFact(Base):
    """An open action or toezegging of a plan version (migration 0067): filled from the
    version's content by the trigger ``plan_version_facts_sync``, read by the werkvoorraad's
    facts (issue 14); never written by the application."""

    __tablename__ = "plan_version_facts"
    __table_args__ = (
        sa.ForeignKeyConstraint(
            ["tenant_id", "casus_id", "version"],
            ["plan_versions.tenant_id", "plan_versions.casus_id", "plan_versions.version"],
            ondelete="CASCADE",
            onupdate="CASCADE",
        ),
    )

    tenant_id: Mapped[str] = _tenant_pk()
    casus_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    version: Mapped[int] = mapped_column(primary_key=True)
    what: Mapped[str] = mapped_column(sa.Text, primary_key=True)
    n: Mapped[int] = mapped_column(primary_key=True)
    subject: Mapped[str | None] = mapped_column(sa.Text)
    owner_user: Mapped[str | None] = mapped_column(sa.Text)
    owner_org: Mapped[str | None] = mapped_column(sa.Text)
    status: Mapped[str] = mapped_column(sa.Text)
    first_date: Mapped[str | None] = mapped_column(sa.Text)
    second_date: Mapped[str | None] = mapped_column(sa.Text)


class Meeting(Timestamps, Base):
    __tablename__ = "meetings"

    tenant_id: Mapped[str] = _tenant_pk()
    id: Mapped[uuid.UUID] = _uuid_pk()
    meeting_type_id: Mapped[str] = mapped_column(sa.String(64))
    scheduled_for: Mapped[dt.datetime] = mapped_column(sa.DateTime(timezone=True))
    chair_user_id: Mapped[str] = mapped_column(sa.String(64))
    status: Mapped[str] = mapped_column(sa.String(16), default="gepland")
    minutes: Mapped[dict[str, Any]] = mapped_column(default=dict)
    version: Mapped[int] = mapped_column(default=1)
    #: Optimistic concurrency: SQLAlchemy bumps it on every UPDATE and refuses a stale one.
    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class AgendaItem(Base):
    __tablename__ = "meeting_agenda"
    __table_args__ = (_fk("meetings", "meeting_id"), _fk("casussen", "casus_id"))

    tenant_id: Mapped[str] = _tenant_pk()
    meeting_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    casus_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    position: Mapped[int] = mapped_column(default=0)
    briefing: Mapped[str | None] = mapped_column(sa.Text)
    bob: Mapped[dict[str, Any]] = mapped_column(default=dict)
    decisions: Mapped[list[str]] = mapped_column(default=list)
    actions: Mapped[dict[str, Any]] = mapped_column(default=dict)


class Assessment(Base):
    __tablename__ = "assessments"
    __table_args__ = (
        _fk("casussen", "casus_id"),
        sa.Index("ix_assessments_casus", "tenant_id", "casus_id"),
    )

    tenant_id: Mapped[str] = _tenant_pk()
    id: Mapped[uuid.UUID] = _uuid_pk()
    casus_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    instrument: Mapped[str] = mapped_column(sa.String(32))
    moment: Mapped[str] = mapped_column(sa.String(16))
    taken_on: Mapped[dt.date]
    scores: Mapped[dict[str, Any]]
    assessor_user_id: Mapped[str] = mapped_column(sa.String(64))
    explanation: Mapped[str | None] = mapped_column(sa.Text)
    """Free-text toelichting (migration 0043), masked with the casus's text categories."""
    created_at: Mapped[dt.datetime] = mapped_column(
        sa.DateTime(timezone=True), server_default=sa.func.now()
    )


class InformationItem(Timestamps, Base):
    __tablename__ = "information_items"
    __table_args__ = (
        _fk("casussen", "casus_id"),
        sa.Index("ix_information_items_casus", "tenant_id", "casus_id"),
    )

    tenant_id: Mapped[str] = _tenant_pk()
    id: Mapped[uuid.UUID] = _uuid_pk()
    casus_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    about_person_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    category: Mapped[str] = mapped_column(sa.String(32))
    source_organisation_id: Mapped[str] = mapped_column(sa.String(64))
    purpose: Mapped[str] = mapped_column(sa.String(32))
    legal_basis: Mapped[str | None] = mapped_column(sa.String(64))
    art9_exception: Mapped[str | None] = mapped_column(sa.String(64))
    beroepsgeheim_ground: Mapped[str | None] = mapped_column(sa.String(64))
    necessity: Mapped[str | None] = mapped_column(sa.Text)
    person_informed: Mapped[bool | None]
    not_informed_reason: Mapped[str | None] = mapped_column(sa.Text)
    withheld: Mapped[bool] = mapped_column(default=False)
    shared: Mapped[bool] = mapped_column(default=False)
    shared_at: Mapped[dt.datetime | None] = mapped_column(sa.DateTime(timezone=True))
    title: Mapped[str] = mapped_column(sa.Text)
    body: Mapped[str] = mapped_column(sa.Text)
    created_by: Mapped[str] = mapped_column(sa.String(64))
    version: Mapped[int] = mapped_column(default=1)
    #: Optimistic concurrency: SQLAlchemy bumps it on every UPDATE and refuses a stale one.
    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class Consent(Base):
    __tablename__ = "consents"
    __table_args__ = (
        _fk("persons", "person_id"),
        sa.Index("ix_consents_person", "tenant_id", "person_id"),
    )

    tenant_id: Mapped[str] = _tenant_pk()
    id: Mapped[uuid.UUID] = _uuid_pk()
    person_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    purpose: Mapped[str] = mapped_column(sa.String(32))
    scope: Mapped[str | None] = mapped_column(sa.Text)
    recorded_by: Mapped[str] = mapped_column(sa.String(64))
    power_imbalance: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    recorded_at: Mapped[dt.datetime] = mapped_column(
        sa.DateTime(timezone=True), server_default=sa.func.now()
    )
    revoked_at: Mapped[dt.datetime | None] = mapped_column(sa.DateTime(timezone=True))


class CasusEvent(Base):
    """What happened on a casus (no person data in the summary): timeline and
    "wijzigingen sinds het vorige overleg"."""

    __tablename__ = "casus_events"
    __table_args__ = (
        _fk("casussen", "casus_id"),
        sa.Index("ix_casus_events_at", "tenant_id", "casus_id", "at"),
    )

    tenant_id: Mapped[str] = _tenant_pk()
    id: Mapped[uuid.UUID] = _uuid_pk()
    casus_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    at: Mapped[dt.datetime] = mapped_column(
        sa.DateTime(timezone=True), server_default=sa.func.now()
    )
    kind: Mapped[str] = mapped_column(sa.String(32))
    summary: Mapped[str] = mapped_column(sa.Text)
    actor_user_id: Mapped[str] = mapped_column(sa.String(64))


class GroupMember(Base):
    __tablename__ = "group_members"
    __table_args__ = (_fk("casussen", "casus_id"), _fk("persons", "person_id"))

    tenant_id: Mapped[str] = _tenant_pk()
    casus_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    person_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    member_casus_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    role: Mapped[str | None] = mapped_column(sa.Text)
    added_at: Mapped[dt.datetime] = mapped_column(
        sa.DateTime(timezone=True), server_default=sa.func.now()
    )
    added_by: Mapped[str | None] = mapped_column(sa.String(64))
    ended_at: Mapped[dt.datetime | None] = mapped_column(sa.DateTime(timezone=True))
    end_reason: Mapped[str | None] = mapped_column(sa.Text)


class CasusShare(Base):
    """An explicit cross-tenant share (opschaling to the region, verhuizing)."""

    __tablename__ = "casus_shares"
    __table_args__ = (
        _fk("casussen", "casus_id"),
        # Which casussen are shared with a tenant (migration 0065).
        sa.Index("ix_casus_shares_reader", "shared_with_tenant", "tenant_id", "casus_id"),
    )

    tenant_id: Mapped[str] = _tenant_pk()
    casus_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    shared_with_tenant: Mapped[str] = mapped_column(
        sa.String(16), sa.ForeignKey("tenants.code"), primary_key=True
    )
    reason: Mapped[str] = mapped_column(sa.Text)
    created_by: Mapped[str] = mapped_column(sa.String(64))
    created_at: Mapped[dt.datetime] = mapped_column(
        sa.DateTime(timezone=True), server_default=sa.func.now()
    )


class UrgentAccess(Base):
    """Doorbreekglas: time-limited access with a written reason, reviewed afterwards."""

    __tablename__ = "urgent_access"
    __table_args__ = (
        _fk("casussen", "casus_id"),
        sa.Index("ix_urgent_access_casus", "tenant_id", "casus_id"),
    )

    tenant_id: Mapped[str] = _tenant_pk()
    id: Mapped[uuid.UUID] = _uuid_pk()
    casus_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    user_id: Mapped[str] = mapped_column(sa.String(64))
    reason: Mapped[str] = mapped_column(sa.Text)
    granted_at: Mapped[dt.datetime] = mapped_column(
        sa.DateTime(timezone=True), server_default=sa.func.now()
    )
    expires_at: Mapped[dt.datetime] = mapped_column(sa.DateTime(timezone=True))
    reviewed_by: Mapped[str | None] = mapped_column(sa.String(64))
    reviewed_at: Mapped[dt.datetime | None] = mapped_column(sa.DateTime(timezone=True))
    review_verdict: Mapped[str | None] = mapped_column(sa.String(16))
    """``terecht`` or ``onterecht`` (migration 0004)."""
    review_note: Mapped[str | None] = mapped_column(sa.Text)


class AuditCheckpoint(Base):
    """A chain head of a tenant's audit log, written by the owner's ``audit_checkpoint()``
    only (the runtime role cannot insert): cutting off the log's tail is detected against it
    (migration 0013; one per chain of the tenant since migration 0056)."""

    __tablename__ = "audit_checkpoints"

    tenant_id: Mapped[str] = mapped_column(
        sa.String(16), sa.ForeignKey("tenants.code"), primary_key=True
    )
    chain: Mapped[int] = mapped_column(sa.SmallInteger, primary_key=True, server_default="0")
    seq: Mapped[int] = mapped_column(sa.BigInteger, primary_key=True)
    hash: Mapped[str] = mapped_column(sa.String(64))
    row_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    at: Mapped[dt.datetime] = mapped_column(
        sa.DateTime(timezone=True), server_default=sa.func.now()
    )


class AuditEntry(Base):
    """Append-only (a trigger refuses UPDATE, DELETE and TRUNCATE for every role), in the
    shape of Logboek Dataverwerkingen (docs/logboek-dataverwerkingen.md). ``seq``,
    ``prev_hash`` and ``hash`` are set by the database on insert: hash chains per tenant
    (migration 0013; several per tenant, ``chain``, since migration 0056;
    docs/adr/0018-audit-chain.md)."""

    __tablename__ = "audit_log"
    __table_args__ = (
        sa.Index("ix_audit_log_casus", "tenant_id", "casus_id", "at"),
        sa.Index("ix_audit_log_subject", "tenant_id", "data_subject_ref", "at"),
        sa.UniqueConstraint("tenant_id", "chain", "seq", name="uq_audit_log_tenant_chain_seq"),
        sa.CheckConstraint("chain >= 0", name="ck_audit_log_chain"),
    )

    tenant_id: Mapped[str] = _tenant_pk()
    id: Mapped[uuid.UUID] = _uuid_pk()
    at: Mapped[dt.datetime] = mapped_column(
        sa.DateTime(timezone=True), server_default=sa.func.now()
    )
    user_id: Mapped[str] = mapped_column(sa.String(64))
    organisation_id: Mapped[str] = mapped_column(sa.String(64))
    roles: Mapped[list[str]] = mapped_column(default=list)
    action: Mapped[str] = mapped_column(sa.String(32))
    resource_type: Mapped[str] = mapped_column(sa.String(32))
    resource_id: Mapped[str | None] = mapped_column(sa.String(64))
    casus_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    purpose: Mapped[str | None] = mapped_column(sa.String(32))
    legal_basis: Mapped[str | None] = mapped_column(sa.String(64))
    allowed: Mapped[bool]
    decision_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    policy_revision: Mapped[str | None] = mapped_column(sa.String(64))
    data_revision: Mapped[str | None] = mapped_column(sa.String(64))
    reasons: Mapped[list[str]] = mapped_column(default=list)
    decision_input: Mapped[dict[str, Any]] = mapped_column(default=dict)
    request_id: Mapped[str | None] = mapped_column(sa.String(64))
    prev_hash: Mapped[str | None] = mapped_column(sa.String(64))
    hash: Mapped[str | None] = mapped_column(sa.String(64))
    #: Position in the chain; set by the chain trigger (a placeholder is replaced).
    seq: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    #: Which of the tenant's chains the row is in; set by the chain trigger.
    chain: Mapped[int] = mapped_column(sa.SmallInteger, default=0, server_default="0")
    trace_id: Mapped[str | None] = mapped_column(sa.String(32))
    span_id: Mapped[str | None] = mapped_column(sa.String(16))
    parent_span_id: Mapped[str | None] = mapped_column(sa.String(16))
    #: ``ok`` (allowed and done), ``unset`` (refused, handled), ``error`` (no decision).
    status: Mapped[str] = mapped_column(sa.String(8), default="unset")
    processing_activity: Mapped[str | None] = mapped_column(sa.String(48))
    data_subject_ref: Mapped[str | None] = mapped_column(sa.String(64))
    data_subject_enc: Mapped[bytes | None] = mapped_column(sa.LargeBinary)
    data_subject_type: Mapped[str | None] = mapped_column(sa.String(32))


class OutcomeMeasurement(Base):
    """Outcome flags of a person casus at one moment (intake, afsluiting, nameting-12m)."""

    __tablename__ = "outcome_measurements"
    __table_args__ = (
        _fk("casussen", "casus_id"),
        sa.Index("ix_outcome_measurements_casus", "tenant_id", "casus_id"),
    )

    tenant_id: Mapped[str] = _tenant_pk()
    id: Mapped[uuid.UUID] = _uuid_pk()
    casus_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    moment: Mapped[str] = mapped_column(sa.String(16))
    measured_on: Mapped[dt.date]
    flags: Mapped[dict[str, Any]] = mapped_column(default=dict)
    recorded_by: Mapped[str] = mapped_column(sa.String(64))
    created_at: Mapped[dt.datetime] = mapped_column(
        sa.DateTime(timezone=True), server_default=sa.func.now()
    )
